// "全选" for the offers-in table: ticks every row's checkbox. Without JS each box still works.
(function () {
  var all = document.getElementById("select-all-offers");
  if (!all) return;
  all.addEventListener("change", function () {
    document.querySelectorAll("input.offer-pick").forEach(function (box) { box.checked = all.checked; });
  });
})();
