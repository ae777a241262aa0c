/* Oversight dashboard trends with the vendored Apache ECharts. The data comes from the
   <script type="application/json" id="trend-data"> block (Django's json_script); amounts in fen.
   By month or by quarter; a click on a bar or point opens the list behind it for that period
   (the box's data-href with data-from / data-to set to the period's first and last day). */
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
    issuance: { name: "凭证开具金额", type: "bar", key: "issuance_fen", color: "#a61b1b" },
    transfer: { name: "凭证转让金额", type: "line", key: "transfer_fen", color: "#1456a0" },
    bridge: { name: "过桥资金发放额", type: "bar", key: "bridge_fen", color: "#1d7a46" }
  };
  var period = "month";
  var charts = [];

  function option(s) {
    var q = period === "quarter";
    return {
      color: [s.color],
      tooltip: { trigger: "axis", valueFormatter: yuan },
      grid: { left: 70, right: 20, top: 30, bottom: 30 },
      xAxis: { type: "category", data: q ? d.quarters : d.months },
      yAxis: { type: "value", axisLabel: { formatter: wan } },
      series: [{ name: s.name, type: s.type, data: q ? d[s.key + "_q"] : d[s.key], smooth: true }]
    };
  }

  function drill(box, index) {
    var bounds = (period === "quarter" ? d.quarter_bounds : d.month_bounds)[index];
    if (!bounds) return;
    var href = box.getAttribute("data-href");
    var sep = href.indexOf("?") < 0 ? "?" : "&";
    window.location.href = href + sep + box.getAttribute("data-from") + "=" + bounds[0] + "&" +
      box.getAttribute("data-to") + "=" + bounds[1];
  }

  document.querySelectorAll("[data-trend]").forEach(function (box) {
    var s = series[box.getAttribute("data-trend")];
    if (!s) return;
    var chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption(option(s));
    chart.on("click", function (p) { drill(box, p.dataIndex); });
    // a click anywhere in a period's column, not only on a bar as thin as its value
    chart.getZr().on("click", function (e) {
      if (e.target) return;
      var pt = chart.convertFromPixel({ seriesIndex: 0 }, [e.offsetX, e.offsetY]);
      if (pt && pt[0] >= 0) drill(box, Math.round(pt[0]));
    });
    charts.push([chart, s]);
    window.addEventListener("resize", function () { chart.resize(); });
  });

  document.querySelectorAll("[data-period]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      period = btn.getAttribute("data-period");
      document.querySelectorAll("[data-period]").forEach(function (b) { b.classList.toggle("active", b === btn); });
      charts.forEach(function (cs) { cs[0].setOption(option(cs[1]), true); });
    });
  });
}());
