// "全选": a checkbox with data-select-all="<CSS selector>" ticks every box the selector matches.
// No inline handlers (the Content-Security-Policy allows scripts from this site only); without JS
// each box still works.
(function () {
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll(all.getAttribute("data-select-all")).forEach(function (box) { box.checked = all.checked; });
    });
  });
})();
