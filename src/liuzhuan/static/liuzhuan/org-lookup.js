// Organisation picker (members.forms.OrganisationPicker): as the clerk types two or more characters
// into an input[data-org-lookup], fetch up to 20 matching organisations and offer them in the
// input's <datalist> (value: 统一社会信用代码, label: name). The Content-Security-Policy allows
// scripts from this site only, so no inline handlers; without JS the box still takes a code or name.
(function () {
  document.querySelectorAll("input[data-org-lookup]").forEach(function (box) {
    var list = document.getElementById(box.getAttribute("list"));
    var timer = null;
    var asked = "";
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = box.value.trim();
        if (q.length < 2 || q === asked) { return; }
        asked = q;
        var url = box.getAttribute("data-org-lookup") + "?role=" + encodeURIComponent(box.getAttribute("data-role") || "member") +
          "&q=" + encodeURIComponent(q);
        fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            if (box.value.trim() !== q) { return; }
            list.replaceChildren.apply(list, data.results.map(function (o) {
              var opt = document.createElement("option");
              opt.value = o.value;
              opt.label = o.label;
              opt.textContent = o.label;
              return opt;
            }));
          })
          .catch(function () { /* suggestions are a help only: the typed code is still submitted */ });
      }, 200);
    });
  });
})();
