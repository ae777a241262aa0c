/* Set-off pictures with the vendored Apache ECharts: loop and neighbourhood graphs, run trends.
   Data comes from <script type="application/json"> blocks (Django's json_script); amounts in fen. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;

  function yuan(fen) {
    var neg = fen < 0, f = Math.abs(fen), y = Math.floor(f / 100), c = f % 100;
    return (neg ? "-" : "") + "¥" + y.toLocaleString("zh-CN") + "." + (c < 10 ? "0" : "") + c;
  }
  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  var palette = ["#a61b1b", "#1456a0", "#1d7a46", "#a86400", "#6b3fa0", "#0f7c86", "#8a5a44"];

  function graph(box, d) {
    var chart = echarts.init(box, null, { renderer: "canvas" });
    var maxLink = Math.max.apply(null, d.links.map(function (l) { return l.value; }).concat([1]));
    var maxNode = Math.max.apply(null, d.nodes.map(function (n) { return n.value || 0; }).concat([1]));
    chart.setOption({
      color: palette,
      tooltip: {
        formatter: function (p) {
          if (p.dataType === "edge") return p.data.from + " → " + p.data.to + "<br>" + yuan(p.data.value);
          return p.data.name + (p.data.value ? "<br>往来 " + yuan(p.data.value) : "");
        }
      },
      series: [{
        type: "graph",
        layout: d.layout || "circular",
        circular: { rotateLabel: false },
        force: { repulsion: 260, edgeLength: [80, 220], gravity: 0.08 },
        roam: true,
        draggable: true,
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 9,
        label: { show: true, position: "right", fontSize: 12,
                 formatter: function (p) { return p.data.short || p.data.name; } },
        edgeLabel: { show: d.links.length <= 12, fontSize: 11, formatter: function (p) { return yuan(p.data.value); } },
        lineStyle: { curveness: d.layout === "force" ? 0.15 : 0.2, opacity: 0.75 },
        emphasis: { focus: "adjacency", lineStyle: { width: 5 } },
        data: d.nodes.map(function (n) {
          return { name: n.name, short: n.short, value: n.value,
                   symbolSize: n.center ? 46 : 16 + 24 * Math.sqrt((n.value || 0) / maxNode),
                   itemStyle: { color: n.center ? "#a61b1b" : "#1456a0" } };
        }),
        links: d.links.map(function (l) {
          return { source: l.source, target: l.target, value: l.value, from: d.nodes[l.source].name, to: d.nodes[l.target].name,
                   lineStyle: { width: 1 + 5 * l.value / maxLink, color: l.kind === "receivable" ? "#1d7a46" : "#a61b1b" } };
        })
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function trend(box, d) {
    var chart = echarts.init(box);
    chart.setOption({
      color: ["#1456a0", "#a61b1b", "#1d7a46"],
      tooltip: { trigger: "axis", valueFormatter: function (v) { return typeof v === "number" && v > 100 ? yuan(v) : v; } },
      legend: { top: 0, data: ["参与债务总额", "可闭环抵销", "抵销占比（%）"] },
      grid: { left: 90, right: 60, top: 56, bottom: 40 },
      xAxis: { type: "category", data: d.labels },
      yAxis: [
        { type: "value", name: "金额（元）", axisLabel: { formatter: function (v) { return (v / 100).toLocaleString("zh-CN"); } } },
        { type: "value", name: "%", min: 0, max: 100 }
      ],
      series: [
        { name: "参与债务总额", type: "bar", data: d.total },
        { name: "可闭环抵销", type: "bar", data: d.cleared },
        { name: "抵销占比（%）", type: "line", yAxisIndex: 1, data: d.pct, smooth: true }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var d = read(box.getAttribute("data-source"));
    if (!d) return;
    if (box.getAttribute("data-chart") === "graph") graph(box, d);
    else if (box.getAttribute("data-chart") === "trend") trend(box, d);
  });
})();
