/* Draws the MKBA charts from their json_script data; the tables beside them are the text alternative. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var euro = new Intl.NumberFormat("nl-NL", { style: "currency", currency: "EUR", maximumFractionDigits: 0 });
  document.querySelectorAll("canvas[data-mkba-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-mkba-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var horizontal = canvas.getAttribute("data-mkba-axis") === "y";
    var valueAxis = { beginAtZero: true, ticks: { callback: function (value) { return euro.format(value); } } };
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.costsLabel, data: data.costs, backgroundColor: "#b3261e", skipNull: true },
          { label: data.benefitsLabel, data: data.benefits, backgroundColor: "#24578f", skipNull: true }
        ]
      },
      options: {
        animation: false,
        responsive: true,
        indexAxis: horizontal ? "y" : "x",
        scales: horizontal ? { x: valueAxis } : { y: valueAxis },
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { label: function (item) { return item.dataset.label + ": " + euro.format(item.raw); } } }
        }
      }
    });
    canvas.setAttribute("data-rendered", "true");
  });
}());
