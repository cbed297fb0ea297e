// Draws the "Il Mondo del Bambino" radar chart from the JSON data block; the table carries the same data.
// The scale (its lowest and highest values) comes with the data, from the framework.
(function () {
  var canvas = document.getElementById("mdb-chart");
  var source = document.getElementById("mdb-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var scale = data.scale;
  delete data.scale;
  var colours = ["#0066cc", "#b35a00", "#008055", "#8a2be2", "#c0392b", "#5c6f82"];
  data.datasets.forEach(function (dataset, index) {
    dataset.borderColor = colours[index % colours.length];
    dataset.backgroundColor = "transparent";
    dataset.spanGaps = true;
  });
  new Chart(canvas, {
    type: "radar",
    data: data,
    options: {animation: false, scales: {r: {min: scale.min - 1, max: scale.max, ticks: {stepSize: 1}}}}
  });
})();
