/* A table wider than its box scrolls sideways. Keyboard users must be able to reach such a box to scroll it
 * (WCAG 2.1.1; axe-core rule scrollable-region-focusable): while it overflows it becomes a focusable region
 * named after the table's caption. Checked on load and again when the window is resized. */
(function () {
  "use strict";
  var SELECTOR = ".utrecht-table-container, .zrm-scroll";

  function update() {
    document.querySelectorAll(SELECTOR).forEach(function (box, index) {
      var overflows = box.scrollWidth > box.clientWidth + 1;
      if (overflows && !box.hasAttribute("tabindex")) {
        var caption = box.querySelector("caption");
        if (caption && !caption.id) { caption.id = "wr-tabel-" + index; }
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (caption) { box.setAttribute("aria-labelledby", caption.id); } else { box.setAttribute("aria-label", "Tabel"); }
        box.dataset.wrScrollRegion = "true";
      } else if (!overflows && box.dataset.wrScrollRegion) {
        ["tabindex", "role", "aria-labelledby", "aria-label"].forEach(function (name) { box.removeAttribute(name); });
        delete box.dataset.wrScrollRegion;
      }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(update, 150);
  });
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", update); } else { update(); }
})();
