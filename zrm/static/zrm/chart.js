/* Draws each ZRM baseline-vs-latest chart from its json_script data. The table beside it is the text alternative. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  document.querySelectorAll("canvas[data-zrm-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-zrm-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.baselineLabel, data: data.baseline, backgroundColor: "#8fb3d9", borderColor: "#24578f", borderWidth: 1 },
          { label: data.latestLabel, data: data.latest, backgroundColor: "#24578f" }
        ]
      },
      options: {
        animation: false,
        responsive: true,
        scales: { y: { min: 0, max: 5, ticks: { stepSize: 1 }, title: { display: true, text: "Score (1-5)" } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
    canvas.setAttribute("data-rendered", "true");
  });
}());
