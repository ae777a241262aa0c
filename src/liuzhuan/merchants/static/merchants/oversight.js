/* Settled merchant sales by category and month, stacked bars (vendored Apache ECharts; the data
   comes from Django's json_script block, amounts in fen). */
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var node = document.getElementById("sales-data"), box = document.getElementById("sales-chart");
  if (!node || !box) return;
  var d = JSON.parse(node.textContent);
  function yuan(fen) {
    var f = Math.abs(fen), y = Math.floor(f / 100), c = f % 100;
    return (fen < 0 ? "-" : "") + "¥" + y.toLocaleString("zh-CN") + "." + (c < 10 ? "0" : "") + c;
  }
  var chart = echarts.init(box, null, { renderer: "canvas" });
  chart.setOption({
    tooltip: { trigger: "axis", valueFormatter: yuan },
    legend: { top: 0 },
    grid: { left: 70, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: d.months },
    yAxis: { type: "value", axisLabel: { formatter: function (v) { return (v / 100).toLocaleString("zh-CN") + " 元"; } } },
    series: d.series.map(function (s) { return { name: s.name, type: "bar", stack: "sales", data: s.data }; })
  });
  window.addEventListener("resize", function () { chart.resize(); });
}());
