// Draws every <canvas data-chart="bar|line|doughnut"> with Chart.js (vendored, served locally).
// Data comes in data-labels / data-series attributes as JSON: no inline script (strict CSP).
(function () {
  if (typeof Chart === "undefined") return;
  var palette = ["#15803d", "#b45309", "#1d4ed8", "#b91c1c", "#7c3aed", "#0f766e", "#a16207", "#be185d"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var labels = JSON.parse(canvas.dataset.labels || "[]");
    var series = JSON.parse(canvas.dataset.series || "[]");
    var kind = canvas.dataset.chart;
    var datasets = series.map(function (s, i) {
      var colour = kind === "doughnut" ? palette : palette[i % palette.length];
      return { label: s.label, data: s.values.map(Number), backgroundColor: colour, borderColor: colour,
               tension: 0.25, fill: false };
    });
    new Chart(canvas, {
      type: kind,
      data: { labels: labels, datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 plugins: { legend: { display: kind === "doughnut" || datasets.length > 1 } } }
    });
  });
})();
