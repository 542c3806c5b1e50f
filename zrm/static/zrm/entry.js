/*
 * ZRM entry screen: keyboard scoring on top of a plain HTML form (works without this script).
 *
 * While a domain has the focus: 1-5 scores it and moves to the next domain, 0 marks it
 * "niet gescoord" (reason onbekend, changeable in the select that appears), ArrowUp/ArrowDown
 * move between domains (ArrowLeft/ArrowRight keep their native radio behaviour). V (outside text
 * fields) finalises: it clicks "Vaststellen". After the last domain the focus goes to that button.
 */
(function () {
  "use strict";
  var form = document.getElementById("zrm-entry");
  if (!form) { return; }
  var domains = Array.prototype.slice.call(form.querySelectorAll("[data-zrm-domain]"));
  var finaliseButton = document.getElementById("zrm-finalise");
  var warnings = document.getElementById("zrm-warnings");
  var benefitMax = parseInt(form.getAttribute("data-benefit-max") || "3", 10);

  function radios(fieldset) { return fieldset.querySelectorAll("input[type=radio]"); }
  function checkedRadio(fieldset) { return fieldset.querySelector("input[type=radio]:checked"); }

  function focusDomain(index) {
    if (index < 0) { index = 0; }
    if (index >= domains.length) { finaliseButton.focus(); return; }
    var fieldset = domains[index];
    var target = checkedRadio(fieldset) || radios(fieldset)[0];
    target.focus();
    if (fieldset.scrollIntoView) { fieldset.scrollIntoView({ block: "nearest" }); }
  }

  function updateReason(fieldset) {
    var box = fieldset.querySelector("[data-zrm-reason]");
    var checked = checkedRadio(fieldset);
    if (box) { box.hidden = !(checked && checked.value === "0"); }
  }

  function setValue(fieldset, value) {
    var input = fieldset.querySelector("input[type=radio][value='" + value + "']");
    if (!input) { return; }
    input.checked = true;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function updateWarning() {
    var income = form.querySelector("[name=income_source]");
    var financien = form.querySelector("input[name=score_financien]:checked");
    var score = financien ? parseInt(financien.value, 10) : 0;
    warnings.textContent = "";
    if (income && income.value === "uitkering" && score > benefitMax) {
      var box = document.createElement("div");
      box.className = "utrecht-alert utrecht-alert--warning";
      var p = document.createElement("p");
      p.className = "utrecht-paragraph";
      p.textContent = "Let op: met een uitkering is de score op Financiën meestal niet hoger dan " + benefitMax +
        " (nu " + score + "). Controleer de score; opslaan kan wel.";
      box.appendChild(p);
      warnings.appendChild(box);
    }
  }

  function isTextEntry(element) {
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable) { return true; }
    return tag === "INPUT" && element.type !== "radio" && element.type !== "checkbox";
  }

  domains.forEach(updateReason);
  if (warnings && !warnings.children.length) { updateWarning(); }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("[data-zrm-domain]");
    if (fieldset) { updateReason(fieldset); }
    if (event.target.name === "income_source" || event.target.name === "score_financien") { updateWarning(); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    var fieldset = target.closest ? target.closest("[data-zrm-domain]") : null;
    var onDomain = fieldset && target.type === "radio";
    if (onDomain && /^[0-5]$/.test(event.key)) {
      event.preventDefault();
      setValue(fieldset, event.key);
      focusDomain(domains.indexOf(fieldset) + 1);
    } else if (onDomain && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      focusDomain(domains.indexOf(fieldset) + (event.key === "ArrowDown" ? 1 : -1));
    } else if (target === finaliseButton && event.key === "ArrowUp") {
      event.preventDefault();
      focusDomain(domains.length - 1);
    } else if ((event.key === "v" || event.key === "V") && !isTextEntry(target)) {
      event.preventDefault();
      finaliseButton.click();
    }
  });

  // Start where the work is: the error summary after a failed save, else the first open domain.
  var summary = document.getElementById("zrm-error-summary");
  if (summary) {
    summary.focus();
  } else if (domains.length) {
    var firstOpen = domains.findIndex(function (fieldset) { return !checkedRadio(fieldset); });
    focusDomain(firstOpen === -1 ? 0 : firstOpen);
  }
}());
