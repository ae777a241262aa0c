/* Pool dashboard charts with the vendored Apache ECharts; data from the json_script block
   "housing-data" (amounts in fen). No inline script: the CSP allows only our static files. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var node = document.getElementById("housing-data");
  if (!node) return;
  var d = JSON.parse(node.textContent);
  function yuan(fen) {
    var f = Math.abs(fen), y = Math.floor(f / 100), c = f % 100;
    return (fen < 0 ? "-" : "") + "¥" + y.toLocaleString("zh-CN") + "." + (c < 10 ? "0" : "") + c;
  }
  function wan(fen) { return (fen / 1000000).toLocaleString("zh-CN") + " 万"; }
  var options = {
    months: {
      color: ["#a61b1b", "#1456a0", "#1d7a46"],
      tooltip: { trigger: "axis", valueFormatter: yuan },
      legend: { top: 0 },
      grid: { left: 70, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: d.months },
      yAxis: { type: "value", axisLabel: { formatter: wan } },
      series: [
        { name: "凭证抵付", type: "bar", stack: "out", data: d.offset_fen },
        { name: "现金销售", type: "bar", stack: "out", data: d.cash_fen },
        { name: "房产移交入池", type: "line", data: d.handover_fen }
      ]
    },
    kinds: {
      tooltip: { trigger: "item" },
      series: [{ name: "房源类型", type: "pie", radius: ["35%", "65%"], data: d.kinds }]
    }
  };
  document.querySelectorAll("[data-housing-chart]").forEach(function (box) {
    var opt = options[box.getAttribute("data-housing-chart")];
    if (!opt) return;
    var chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption(opt);
    window.addEventListener("resize", function () { chart.resize(); });
  });
}());
