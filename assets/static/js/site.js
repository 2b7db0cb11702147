// Staffroom's page enhancements. Every page works without this script; it only adds
// conveniences. No inline scripts anywhere: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  // Select a freshly created token when focused, so it can be copied in one step.
  document.querySelectorAll("[data-select-on-focus]").forEach(function (el) {
    el.addEventListener("focus", function () { el.select(); });
    el.focus();
  });

  // Ask before signing out other sessions or revoking tokens: both cannot be undone.
  document.querySelectorAll("form[action$='/revoke']").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      var what = form.action.indexOf("/tokens/") >= 0 ? "Revoke this token? Scripts using it will stop working." : "Sign out that session?";
      if (!window.confirm(what)) { ev.preventDefault(); }
    });
  });


  var csrfMeta = document.querySelector("meta[name='csrf-token']");
  function api(method, path, body) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    if (csrfMeta) { headers["X-CSRF-Token"] = csrfMeta.content; }
    return fetch(path, { method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body) }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, status: r.status, data: data }; });
    });
  }

  // Live preview: the server renders exactly what the post will show.
  document.querySelectorAll("textarea[data-preview]").forEach(function (area) {
    var target = document.querySelector(area.dataset.preview);
    if (!target) { return; }
    var box = target.closest(".preview-box");
    var timer = null, last = null;
    function refresh() {
      var text = area.value;
      if (text === last) { return; }
      last = text;
      if (!text.trim()) { if (box) { box.hidden = true; } return; }
      api("POST", "/api/v1/preview", { body: text }).then(function (res) {
        if (text !== last) { return; }
        if (res.status === 429) {
          // Previews are paced per person: keep the last one and try again shortly.
          last = null; clearTimeout(timer); timer = setTimeout(refresh, 1000);
          return;
        }
        if (box) { box.hidden = false; }
        if (res.ok) {
          target.innerHTML = res.data.html; // sanitized by the server, as stored posts are
        } else {
          target.textContent = res.data.error ? res.data.error.message : "The preview is not available.";
        }
      }).catch(function () {});
    }
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    });
    refresh();
  });

  // Tag suggestions for the word being typed, from the tags people already use.
  document.querySelectorAll("input[data-tag-input]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) { return; }
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var words = input.value.split(/[\s,;]+/);
        var current = words[words.length - 1].toLowerCase();
        if (!current) { list.innerHTML = ""; return; }
        var before = words.slice(0, -1).join(" ");
        api("GET", "/api/v1/tags?q=" + encodeURIComponent(current)).then(function (res) {
          if (!res.ok) { return; }
          list.innerHTML = "";
          res.data.items.slice(0, 8).forEach(function (t) {
            var opt = document.createElement("option");
            opt.value = (before ? before + " " : "") + t.name;
            opt.label = t.name + " (" + t.count + ")";
            list.appendChild(opt);
          });
        }).catch(function () {});
      }, 150);
    });
  });

  // Ask before deleting, and stop double submissions: the second click on a slow network
  // would post twice. Delegated, so that forms live.js adds behave the same.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (ev.defaultPrevented || !(form instanceof HTMLFormElement)) { return; }
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) { ev.preventDefault(); return; }
    if (form.method !== "post") { return; }
    if (form.dataset.submitting) { ev.preventDefault(); return; }
    form.dataset.submitting = "1";
    setTimeout(function () { delete form.dataset.submitting; }, 4000);
  });
})();
