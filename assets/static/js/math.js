// Math in posts. The server stores $…$ and $$…$$ as TeX inside .math-inline and
// .math-display elements, readable as they are without JavaScript. On a page that shows
// any, this script loads KaTeX (embedded, from this site) and typesets them, and keeps
// doing so for math that arrives later: the ask and edit previews, and answers inserted by
// live updates. Pages without math never load KaTeX.
(function () {
  "use strict";

  var me = document.currentScript;
  var katexJS = me && me.dataset.katexJs;
  var katexCSS = me && me.dataset.katexCss;
  if (!katexJS || !katexCSS || !window.MutationObserver) { return; }

  var selector = ".math-inline:not([data-typeset]), .math-display:not([data-typeset])";
  var loading = null;

  function loadKaTeX() {
    if (loading) { return loading; }
    loading = new Promise(function (resolve, reject) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = katexCSS;
      document.head.appendChild(link);
      var script = document.createElement("script");
      script.src = katexJS;
      script.onload = function () { resolve(window.katex); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
    return loading;
  }

  function typeset(root) {
    var found = root.querySelectorAll ? root.querySelectorAll(selector) : [];
    if (!found.length) { return; }
    loadKaTeX().then(function (katex) {
      found.forEach(function (el) {
        if (el.dataset.typeset) { return; }
        el.dataset.typeset = "1";
        var tex = el.textContent;
        try {
          katex.render(tex, el, { displayMode: el.classList.contains("math-display"), throwOnError: false });
        } catch (err) {
          el.textContent = tex; // leave the source readable
        }
      });
    }).catch(function () { /* the TeX source stays on the page */ });
  }

  function start() {
    typeset(document);
    new MutationObserver(function (records) {
      records.forEach(function (r) {
        r.addedNodes.forEach(function (n) {
          if (n.nodeType !== 1) { return; }
          if (n.matches && n.matches(selector)) { typeset(n.parentNode); } else { typeset(n); }
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
