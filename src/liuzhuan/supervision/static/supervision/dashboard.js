/* Oversight dashboard trends with the vendored Apache ECharts. The data comes from the
   <script type="application/json" id="trend-data"> block (Django's json_script); amounts in fen. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var node = document.getElementById("trend-data");
  if (!node) return;
  var d = JSON.parse(node.textContent);

  function yuan(fen) {
    var neg = fen < 0, f = Math.abs(fen), y = Math.floor(f / 100), c = f % 100;
    return (neg ? "-" : "") + "¥" + y.toLocaleString("zh-CN") + "." + (c < 10 ? "0" : "") + c;
  }
  function wan(fen) { return (fen / 1000000).toLocaleString("zh-CN") + " 万"; }

  var series = {
    issuance: { name: "凭证开具金额", type: "bar", data: d.issuance_fen, color: "#a61b1b" },
    transfer: { name: "凭证转让金额", type: "line", data: d.transfer_fen, color: "#1456a0" },
    bridge: { name: "过桥资金发放额", type: "bar", data: d.bridge_fen, color: "#1d7a46" }
  };
  document.querySelectorAll("[data-trend]").forEach(function (box) {
    var s = series[box.getAttribute("data-trend")];
    if (!s) return;
    var chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      color: [s.color],
      tooltip: { trigger: "axis", valueFormatter: yuan },
      grid: { left: 70, right: 20, top: 30, bottom: 30 },
      xAxis: { type: "category", data: d.months },
      yAxis: { type: "value", axisLabel: { formatter: wan } },
      series: [{ name: s.name, type: s.type, data: s.data, smooth: true }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
}());
