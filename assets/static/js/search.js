// Search conveniences: "/" jumps to the header's search box, the box suggests tags and
// questions as you type, and the ask page lists questions like the title being typed
// (they may already have the answer). Every page works without this script.
(function () {
  "use strict";

  function getJSON(path) {
    return fetch(path, { headers: { "Accept": "application/json" }, credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  // debounce runs fn once typing pauses for ms; only the latest answer is used.
  function debounce(fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  var box = document.getElementById("site-search");

  // "/" focuses the search box, unless someone is typing somewhere already.
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) { return; }
    var t = ev.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) { return; }
    var target = document.getElementById("search-q") || box;
    if (!target) { return; }
    ev.preventDefault();
    target.focus();
    target.select();
  });

  // Suggestions for the header box: [tags] for the word being typed, and question titles.
  if (box) {
    var list = document.createElement("datalist");
    list.id = "site-search-suggestions";
    box.parentNode.appendChild(list);
    box.setAttribute("list", list.id);
    var asked = "";
    box.addEventListener("input", debounce(function () {
      var q = box.value;
      if (q.trim().length < 2 || q === asked) { return; }
      asked = q;
      getJSON("/api/v1/search/suggest?q=" + encodeURIComponent(q)).then(function (data) {
        if (box.value !== q) { return; }
        list.textContent = "";
        data.items.forEach(function (s) {
          var opt = document.createElement("option");
          opt.value = s.value;
          opt.label = s.label;
          list.appendChild(opt);
        });
      }).catch(function () {});
    }, 150));
  }

  // Similar questions under the ask page's title.
  document.querySelectorAll("[data-similar-for]").forEach(function (panel) {
    var title = document.getElementById(panel.dataset.similarFor);
    var items = panel.querySelector("ul");
    if (!title || !items) { return; }
    var shown = "";
    function refresh() {
      var t = title.value.trim();
      if (t.length < 10) { panel.hidden = true; shown = ""; return; }
      if (t === shown) { return; }
      shown = t;
      getJSON("/api/v1/questions/similar?title=" + encodeURIComponent(t)).then(function (data) {
        if (title.value.trim() !== t) { return; }
        items.textContent = "";
        data.items.forEach(function (q) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = q.url;
          a.textContent = q.title;
          a.target = "_blank"; // the question being written stays where it is
          a.rel = "noopener";
          li.appendChild(a);
          var meta = document.createElement("span");
          meta.className = "muted";
          meta.textContent = " · " + q.answer_count + (q.answer_count === 1 ? " answer" : " answers") + (q.accepted ? ", accepted" : "");
          li.appendChild(meta);
          items.appendChild(li);
        });
        panel.hidden = data.items.length === 0;
      }).catch(function () {});
    }
    title.addEventListener("input", debounce(refresh, 300));
    refresh();
  });
})();
