/* Draws each dashboard chart from the json_script "wr-charts" (no inline script: CSP-friendly).
   Every chart has an accessible table beside it; the canvas itself is hidden from screen readers. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var source = document.getElementById("wr-charts");
  if (!source) { return; }
  var palette = ["#24578f", "#8fb3d9", "#d17b00", "#5b8c3a", "#a4000f", "#6c4f9c"];
  JSON.parse(source.textContent).forEach(function (item) {
    var canvas = document.getElementById(item.id);
    var spec = item.chart;
    if (!canvas || !spec || !spec.labels || spec.labels.length === 0) { return; }
    var datasets = spec.datasets.map(function (d, i) {
      var color = palette[i % palette.length];
      var out = { label: d.label, data: d.data, backgroundColor: color, borderColor: color, borderWidth: 1 };
      if (d.type === "line") {
        out.type = "line"; out.fill = false; out.pointRadius = 4; out.borderDash = [6, 4]; out.backgroundColor = "#fff";
        out.showLine = true; out.spanGaps = true;
      }
      if (d.stack) { out.stack = d.stack; }
      return out;
    });
    var valueAxis = spec.indexAxis === "y" ? "x" : "y";
    var categoryAxis = valueAxis === "y" ? "x" : "y";
    var scales = {};
    scales[valueAxis] = { beginAtZero: true, title: { display: !!spec.yTitle, text: spec.yTitle || "" } };
    if (spec.min !== undefined) { scales[valueAxis].min = spec.min; }
    if (spec.max !== undefined) { scales[valueAxis].max = spec.max; }
    scales[categoryAxis] = {};
    if (spec.stacked) { scales[valueAxis].stacked = true; scales[categoryAxis].stacked = true; }
    new window.Chart(canvas, {
      type: spec.type || "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, indexAxis: spec.indexAxis || "x",
        scales: scales, plugins: { legend: { position: "bottom" } }
      }
    });
    canvas.setAttribute("data-rendered", "true");
  });
}());
