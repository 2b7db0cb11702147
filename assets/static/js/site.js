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

  // The close form's search for the original of a duplicate: titles like the words typed
  // (GET /api/v1/questions/similar), each a button that puts its question in the field
  // the form sends. Without the script that field takes an id or an address typed in.
  document.querySelectorAll("input[data-similar]").forEach(function (input) {
    var target = document.getElementById(input.dataset.similar);
    var box = input.closest(".dup-search");
    var results = box && box.querySelector(".dup-results");
    var found = box && box.querySelector("[role=status]");
    if (!target || !results || !found) { return; }
    box.hidden = false;
    var timer = null, last = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var words = input.value.trim();
        if (words === last) { return; }
        last = words;
        if (words.length < 3) { results.innerHTML = ""; found.textContent = ""; return; }
        api("GET", "/api/v1/questions/similar?title=" + encodeURIComponent(words)).then(function (res) {
          if (words !== last || !res.ok) { return; }
          results.innerHTML = "";
          res.data.items.forEach(function (q) {
            var page = input.closest("[data-question]");
            if (page && String(q.id) === page.dataset.question) { return; } // not itself
            var li = document.createElement("li");
            var pick = document.createElement("button");
            pick.type = "button";
            pick.className = "link-button";
            pick.textContent = q.title;
            pick.addEventListener("click", function () {
              target.value = String(q.id);
              target.dispatchEvent(new Event("input", { bubbles: true }));
              found.textContent = "Original: " + q.title + " (#" + q.id + ")";
            });
            var meta = document.createElement("span");
            meta.className = "muted";
            meta.textContent = " · " + q.score + (Math.abs(q.score) === 1 ? " vote" : " votes") + ", " +
              q.answer_count + (q.answer_count === 1 ? " answer" : " answers");
            li.appendChild(pick);
            li.appendChild(meta);
            results.appendChild(li);
          });
          found.textContent = results.children.length ? "" : "No question has those words in its title.";
        }).catch(function () {});
      }, 250);
    });
  });

  // Drafts: what someone types in a question, answer or edit is kept in this browser until
  // the form is sent, so a closed tab, a crash or a reload loses nothing; and leaving a page
  // with unsent text asks first. A form opts in with data-draft="KEY"; its visible text
  // fields are saved under "staffroom:draft:KEY" as JSON.
  var draftPrefix = "staffroom:draft:";
  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "_csrf" && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type === "text"));
    });
  }
  var dirtyForms = [];
  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    var key = draftPrefix + form.dataset.draft;
    var fields = draftFields(form);
    // A form the server sent back with its errors holds text that was never posted: it is
    // unsent like any typed text (kept as a draft, and leaving asks first).
    var failed = !!form.querySelector(".field-error, .form-error");
    var initial = fields.map(function (el) { return failed ? "" : el.value; });
    var store;
    try { store = window.localStorage; } catch (err) { store = null; }
    if (store) {
      var saved = null;
      try { saved = JSON.parse(store.getItem(key) || "null"); } catch (err) { saved = null; }
      // Restore only into a form the server sent untouched (an error page keeps what was
      // sent, and that wins), and only when the draft differs from it.
      var untouched = fields.every(function (el, i) { return el.value === initial[i]; });
      var differs = saved && fields.some(function (el) { return saved[el.name] && saved[el.name] !== el.value; });
      if (untouched && differs && !form.querySelector(".field-error")) {
        fields.forEach(function (el) { if (typeof saved[el.name] === "string") { el.value = saved[el.name]; } });
        var note = document.createElement("p");
        note.className = "draft-note";
        note.setAttribute("role", "status");
        note.textContent = "Your unsent draft from this browser is restored. ";
        var discard = document.createElement("button");
        discard.type = "button";
        discard.className = "link-button";
        discard.textContent = "Discard it";
        discard.addEventListener("click", function () {
          fields.forEach(function (el, i) { el.value = initial[i]; el.dispatchEvent(new Event("input", { bubbles: true })); });
          store.removeItem(key);
          note.remove();
        });
        note.appendChild(discard);
        form.insertBefore(note, form.firstChild);
        fields.forEach(function (el) { el.dispatchEvent(new Event("input", { bubbles: true })); });
      }
    }
    var timer = null;
    function saveDraft() {
      if (!store || form.dataset.sent) { return; } // a sent form's text is no draft
      var data = {}, any = false;
      fields.forEach(function (el, i) { data[el.name] = el.value; if (el.value !== initial[i]) { any = true; } });
      try { if (any) { store.setItem(key, JSON.stringify(data)); } else { store.removeItem(key); } } catch (err) { /* full or private mode */ }
    }
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(saveDraft, 300);
    });
    if (failed) { saveDraft(); }
    form.addEventListener("submit", function () {
      // The pending save is dropped too: a slow answer to the post must not let it write
      // the sent text back as a draft.
      clearTimeout(timer);
      form.dataset.sent = "1";
      if (store) { store.removeItem(key); }
    });
    dirtyForms.push(function () {
      return !form.dataset.sent && fields.some(function (el, i) { return el.value.trim() !== initial[i].trim(); });
    });
  });
  window.addEventListener("beforeunload", function (ev) {
    if (dirtyForms.some(function (dirty) { return dirty(); })) {
      ev.preventDefault();
      ev.returnValue = "";
    }
  });

  // A field's error goes away once the field is right by the rules the browser can check
  // (required, lengths, pattern, type, the repeated password: the forms are sent with
  // novalidate, and the server still checks everything). A radio group's goes on a choice.
  function fieldOK(el) {
    if (!el.validity.valid) { return false; }
    var other = el.dataset.match && document.getElementById(el.dataset.match);
    return !other || other.value === el.value;
  }
  function clearError(holder) {
    var keep = [];
    (holder.getAttribute("aria-describedby") || "").split(/\s+/).forEach(function (id) {
      var msg = id && document.getElementById(id);
      if (msg && msg.classList.contains("field-error")) { msg.remove(); } else if (id) { keep.push(id); }
    });
    if (keep.length) { holder.setAttribute("aria-describedby", keep.join(" ")); } else { holder.removeAttribute("aria-describedby"); }
    holder.removeAttribute("aria-invalid");
    var field = holder.closest(".has-error");
    if (field) { field.classList.remove("has-error"); }
  }
  function recheck(el) {
    if (el.getAttribute("aria-invalid") === "true" && fieldOK(el)) { clearError(el); }
  }
  document.addEventListener("input", function (ev) {
    var el = ev.target;
    if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)) { return; }
    if (el.type === "radio") {
      var group = el.closest("fieldset[aria-describedby]");
      if (group) { clearError(group); }
      return;
    }
    recheck(el);
    if (el.id) { // a repeated password can be right again because the first one changed
      document.querySelectorAll("[data-match='" + el.id + "']").forEach(recheck);
    }
  });

  // Copy buttons (data-copy names the text to copy): without the script the text stays
  // in its read-only box, where it can be selected and copied by hand.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source) { return; }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      function copied() {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = label; }, 2000);
      }
      function byHand() {
        source.focus();
        source.select();
        try { if (document.execCommand("copy")) { copied(); } } catch (err) { /* selected: the person copies it */ }
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value).then(copied, byHand);
      } else {
        byHand();
      }
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
