// Draws every monitoring chart from its JSON data block (json_script); the table beside it carries the
// same figures, and hidden cells (small counts) are gaps here as they are "<5" there.
(function () {
  if (typeof Chart === "undefined") { return; }
  // Colours with at least 3:1 contrast on white (WCAG 1.4.11, non-text contrast).
  var colours = ["#0066cc", "#b35a00", "#008055", "#8a2be2", "#c0392b", "#5c6f82", "#995c00", "#1f6f8b"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    spec.datasets.forEach(function (dataset, index) {
      var colour = colours[index % colours.length];
      dataset.borderColor = colour;
      dataset.backgroundColor = spec.type === "line" ? colour : colour + "cc";
      dataset.spanGaps = false;
    });
    new Chart(canvas, {
      type: spec.type,
      data: {labels: spec.labels, datasets: spec.datasets},
      options: {
        animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        scales: {x: {stacked: spec.stacked}, y: {stacked: spec.stacked, beginAtZero: true}},
        plugins: {legend: {display: spec.datasets.length > 1}}
      }
    });
  });
})();
