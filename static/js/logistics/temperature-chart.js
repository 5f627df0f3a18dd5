// Temperature charts: readings per sensor, the allowed band and excursions (Chart.js, served locally).
(function () {
  "use strict";
  var canvases = document.querySelectorAll("canvas.temperature-chart");
  if (!canvases.length || typeof Chart === "undefined") { return; }
  var lang = document.documentElement.lang || "en";
  var time = new Intl.DateTimeFormat(lang, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  var colours = ["#15803d", "#1d4ed8", "#a16207", "#7c3aed", "#0e7490", "#be185d"];

  function draw(canvas, data) {
    var sensors = data.sensors || [];
    var xs = [];
    sensors.forEach(function (s) { s.points.forEach(function (p) { xs.push(p[0]); }); });
    if (!xs.length) { return; }
    var first = Math.min.apply(null, xs), last = Math.max.apply(null, xs);
    var datasets = sensors.map(function (s, i) {
      return {
        label: s.sensor_id, data: s.points.map(function (p) { return { x: p[0], y: p[1] }; }),
        borderColor: colours[i % colours.length], backgroundColor: colours[i % colours.length],
        pointRadius: 0, borderWidth: 1.5, tension: 0.1
      };
    });
    var band = data.band || {};
    if (band.min !== null && band.min !== undefined) {
      datasets.push({ label: canvas.dataset.labelBand + " " + canvas.dataset.labelMin, data: [{ x: first, y: band.min }, { x: last, y: band.min }],
        borderColor: "#dc2626", borderDash: [6, 4], pointRadius: 0, borderWidth: 1 });
    }
    if (band.max !== null && band.max !== undefined) {
      datasets.push({ label: canvas.dataset.labelBand + " " + canvas.dataset.labelMax, data: [{ x: first, y: band.max }, { x: last, y: band.max }],
        borderColor: "#dc2626", borderDash: [6, 4], pointRadius: 0, borderWidth: 1 });
    }
    (data.excursions || []).forEach(function (x, i) {
      datasets.push({ label: i === 0 ? canvas.dataset.labelExcursion : "", data: [{ x: x.start, y: x.max }, { x: x.end, y: x.max }],
        borderColor: "rgba(220, 38, 38, 0.9)", backgroundColor: "rgba(220, 38, 38, 0.25)", borderWidth: 6,
        pointRadius: 3, fill: false });
    });
    new Chart(canvas, {
      type: "line",
      data: { datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, parsing: false, normalized: true,
        interaction: { mode: "nearest", intersect: false },
        scales: {
          x: { type: "linear", min: first, max: last, ticks: { maxTicksLimit: 8, callback: function (v) { return time.format(new Date(v)); } } },
          y: { title: { display: true, text: "°C" } }
        },
        plugins: {
          legend: { labels: { filter: function (item) { return item.text !== ""; } } },
          tooltip: { callbacks: { title: function (items) { return items.length ? time.format(new Date(items[0].parsed.x)) : ""; } } }
        }
      }
    });
  }

  Array.prototype.forEach.call(canvases, function (canvas) {
    fetch(canvas.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { draw(canvas, data); } })
      .catch(function () { /* the summary above the chart still says it all */ });
  });
}());
