// The channel page, live: follows the channel's topic over /ws (from the head seq the page
// embeds, so nothing between render and subscribe is lost), adds new messages and replies,
// applies edits, deletions, reactions and pins, shows who is here, sends messages without
// a reload and moves the reader's last-read marker. The page works without this script.
// Events may repeat what the page shows (a resume replays from the embedded seq), so every
// change here is idempotent: a message already on the page is replaced, never doubled.
(function () {
  "use strict";

  var root = document.getElementById("channel");
  if (!root) { return; }
  var channelID = parseInt(root.dataset.channelId, 10);
  var path = root.dataset.channelPath;
  var topic = root.dataset.topic;
  var lastSeq = parseInt(root.dataset.seq, 10) || 0;
  var newest = root.hasAttribute("data-newest");
  var canWrite = root.hasAttribute("data-can-write");
  var threadID = parseInt(root.dataset.thread, 10) || 0;
  var viewerID = parseInt(document.body.dataset.viewerId, 10) || 0;
  var csrfMeta = document.querySelector("meta[name='csrf-token']");
  var csrf = csrfMeta ? csrfMeta.content : "";
  var list = document.getElementById("messages");
  var replies = document.getElementById("thread-replies");
  var quick = ["👍", "🎉", "❤️", "👀", "✅"];
  var seenReplies = {}; // replies counted already: an event may repeat what a response said

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); } });
    return node;
  }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
  function hidden(name, value) { return el("input", { type: "hidden", name: name, value: String(value) }); }

  // form builds one of the page's action forms, as the server draws them.
  function form(action, fields, button) {
    var f = el("form", { action: action, method: "post" }, [hidden("_csrf", csrf)]);
    Object.keys(fields).forEach(function (k) { f.appendChild(hidden(k, fields[k])); });
    f.appendChild(button);
    return f;
  }

  function reactionsNode(m, inThread) {
    var box = el("div", { class: "message-reactions" });
    (m.reactions || []).forEach(function (r) {
      var mine = r.users.indexOf(viewerID) >= 0;
      var label = r.emoji + " " + r.count;
      if (!canWrite) { box.appendChild(el("span", { class: "reaction", role: "img", "aria-label": label }, [label])); return; }
      var fields = { emoji: r.emoji };
      if (mine) { fields.remove = "1"; }
      if (inThread) { fields.thread = threadID; }
      var f = form(path + "/messages/" + m.id + "/reactions", fields,
        el("button", { type: "submit", class: "reaction" + (mine ? " mine" : ""), "aria-pressed": mine ? "true" : "false",
          "aria-label": label + ", " + (mine ? "take back your reaction" : "react") }, [label]));
      f.className = "reaction-form";
      box.appendChild(f);
    });
    return box;
  }

  function messageNode(m, inThread) {
    var a = m.author || {};
    var when = new Date(m.created_at);
    var meta = el("p", { class: "message-meta" }, [
      el("a", { class: "message-author", href: a.url }, [a.display_name || a.username || ""]), " ",
      el("time", { datetime: m.created_at, title: when.toUTCString() }, [m.edited_at ? "" : "just now"]),
      m.edited ? el("span", { class: "edited" }, [" (edited)"]) : null,
      m.pinned ? el("span", { class: "pinned-badge" }, [" pinned"]) : null]);
    var li = el("li", { class: "message" + (m.deleted ? " deleted" : "") + (m.pinned ? " pinned" : ""), id: (inThread ? "t" : "m") + m.id, "data-id": m.id }, [meta]);
    if (m.deleted) {
      li.appendChild(el("p", { class: "muted message-body" }, ["This message was deleted."]));
      return li;
    }
    var body = el("div", { class: "post-body message-body" });
    body.innerHTML = m.body_html; // stored, sanitized HTML: what the page itself serves
    li.appendChild(body);
    li.appendChild(reactionsNode(m, inThread));
    if (!inThread && !m.parent_id) {
      li.appendChild(el("p", { class: "thread-link" }, [el("a", { href: path + "/threads/" + m.id, "data-thread-link": m.id },
        [m.reply_count ? plural(m.reply_count, "reply", "replies") : "Reply in thread"])]));
    }
    if (canWrite) {
      var actions = el("div", { class: "message-actions-body" });
      quick.forEach(function (e) {
        var fields = { emoji: e };
        if (inThread) { fields.thread = threadID; }
        var f = form(path + "/messages/" + m.id + "/reactions", fields, el("button", { type: "submit", class: "reaction-add", "aria-label": "React with " + e }, [e]));
        f.className = "reaction-form";
        actions.appendChild(f);
      });
      var pin = m.pinned ? { unpin: "1" } : {};
      if (inThread) { pin.thread = threadID; }
      actions.appendChild(form(path + "/messages/" + m.id + "/pin", pin, el("button", { type: "submit", class: "link-button" }, [m.pinned ? "Unpin" : "Pin"])));
      if (a.id === viewerID) {
        actions.appendChild(form(path + "/messages/" + m.id + "/delete", inThread ? { thread: threadID } : {},
          el("button", { type: "submit", class: "link-button danger" }, ["Delete"])));
      }
      li.appendChild(el("details", { class: "message-actions" }, [el("summary", {}, ["Actions", el("span", { class: "visually-hidden" }, [" for this message"])]), actions]));
    }
    return li;
  }

  function flash(node) {
    node.classList.remove("live-flash");
    void node.offsetWidth;
    node.classList.add("live-flash");
  }

  // place puts a message where it belongs: replacing its old self, else at the end.
  function place(container, m, inThread) {
    if (!container) { return null; }
    var old = container.querySelector("[data-id='" + m.id + "']");
    var node = messageNode(m, inThread);
    if (old) {
      // Keep the server's richer time text and any open actions.
      var t = old.querySelector("time");
      if (t) { node.querySelector("time").textContent = t.textContent; }
      container.replaceChild(node, old);
    } else {
      container.appendChild(node);
      var empty = document.getElementById("messages-empty");
      if (empty) { empty.remove(); }
      flash(node);
    }
    return node;
  }

  function bumpReplies(parentID, delta) {
    var link = list && list.querySelector("[data-thread-link='" + parentID + "']");
    if (link) {
      var n = (parseInt(link.dataset.count, 10) || parseInt(link.textContent, 10) || 0) + delta;
      link.dataset.count = n;
      link.textContent = n > 0 ? plural(n, "reply", "replies") : "Reply in thread";
    }
    var count = document.getElementById("thread-count");
    if (count && parentID === threadID && replies) { count.textContent = plural(replies.children.length, "reply", "replies"); }
  }

  function forEachCopy(id, f) {
    document.querySelectorAll(".message[data-id='" + id + "']").forEach(f);
  }

  var handlers = {
    "message.created": function (m) {
      if (m.parent_id) {
        if (seenReplies[m.id]) { return; }
        seenReplies[m.id] = true;
        if (m.parent_id === threadID && replies && !replies.querySelector("[data-id='" + m.id + "']")) { place(replies, m, true); }
        bumpReplies(m.parent_id, 1);
        return;
      }
      if (!newest || document.querySelector("#messages [data-id='" + m.id + "']")) { return; }
      var node = place(list, m, false);
      if (node && m.author && m.author.id === viewerID) { node.scrollIntoView({ block: "nearest" }); }
      markRead(m.id);
    },
    "message.updated": replaceEverywhere,
    "message.pinned": replaceEverywhere,
    "message.unpinned": replaceEverywhere,
    "message.deleted": function (d) {
      forEachCopy(d.id, function (node) {
        var body = node.querySelector(".message-body");
        if (body) { body.replaceWith(el("p", { class: "muted message-body" }, ["This message was deleted."])); }
        node.querySelectorAll(".message-reactions, .message-actions").forEach(function (n) { n.remove(); });
        node.classList.add("deleted");
      });
      if (d.parent_id) { bumpReplies(d.parent_id, -1); }
    },
    "reaction.added": reacted,
    "reaction.removed": reacted,
    "channel.updated": function (ch) {
      var h = document.getElementById("channel-heading");
      if (h) { h.textContent = "#" + ch.name + (ch.archived ? " (archived)" : ""); }
      var t = document.querySelector(".channel-topic");
      if (t) { t.textContent = ch.topic; }
    },
  };

  function replaceEverywhere(m) {
    forEachCopy(m.id, function (node) {
      var inThread = !!node.closest(".thread-panel");
      var fresh = messageNode(m, inThread);
      var t = node.querySelector("time");
      if (t) { fresh.querySelector("time").textContent = t.textContent; }
      var link = node.querySelector(".thread-link");
      var freshLink = fresh.querySelector(".thread-link");
      if (link && freshLink) { freshLink.replaceWith(link); }
      node.replaceWith(fresh);
    });
  }

  function reacted(d) {
    forEachCopy(d.message_id, function (node) {
      var box = node.querySelector(".message-reactions");
      if (box) { box.replaceWith(reactionsNode({ id: d.message_id, reactions: d.reactions }, !!node.closest(".thread-panel"))); }
    });
  }

  // presence.changed: who else is here (members by name; the count includes this reader).
  function showPresence(p) {
    var box = document.getElementById("channel-presence");
    if (!box) { return; }
    var named = (p.users || []).filter(function (u) { return u.id !== viewerID; }).map(function (u) { return u.name; });
    var rest = (p.count || 0) - 1 - named.length; // readers not named: not signed in
    if (!named.length && rest <= 0) { box.hidden = true; return; }
    box.hidden = false;
    box.textContent = "Here now: " + named.join(", ") +
      (rest > 0 ? (named.length ? " and " : "") + plural(rest, "other reader", "other readers") : "");
  }

  // "Ana is typing…", for as long as the event says, per person.
  var typists = {};
  function showTyping(d) {
    var u = d.user || {};
    if (!u.id || u.id === viewerID) { return; }
    clearTimeout(typists[u.id] && typists[u.id].timer);
    typists[u.id] = { name: u.name, timer: setTimeout(function () { delete typists[u.id]; drawTyping(); }, d.expires_ms || 5000) };
    drawTyping();
  }
  function drawTyping() {
    var box = document.getElementById("channel-typing");
    if (!box) { return; }
    var names = Object.keys(typists).map(function (id) { return typists[id].name; });
    box.textContent = names.length === 0 ? "" : names.join(", ") + (names.length === 1 ? " is typing…" : " are typing…");
  }

  // ---- the last-read marker ----

  // Moved a second after the newest message arrives, and only while the page is seen.
  var readTimer = null, readUpTo = 0, pendingRead = 0;
  function markRead(id) {
    if (!viewerID || id <= pendingRead) { return; }
    pendingRead = id;
    if (document.hidden) { return; } // flushed when the page is seen again
    clearTimeout(readTimer);
    readTimer = setTimeout(flushRead, 1000);
  }
  function flushRead() {
    if (pendingRead <= readUpTo) { return; }
    readUpTo = pendingRead;
    fetch("/api/v1/channels/" + channelID + "/read", { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify({ message_id: readUpTo }) });
  }
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { flushRead(); } });

  // ---- sending without a reload ----

  function sendForm(f, parentID) {
    f.addEventListener("submit", function (ev) {
      var box = f.querySelector("textarea");
      if (!box || !window.fetch) { return; }
      ev.preventDefault();
      var old = f.querySelector(".form-error");
      if (old) { old.remove(); }
      var text = box.value;
      if (!text.trim()) { box.focus(); return; }
      var button = f.querySelector("button[type=submit]");
      button.disabled = true;
      var payload = { body: text };
      if (parentID) { payload.parent_id = parentID; }
      fetch("/api/v1/channels/" + channelID + "/messages", { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(payload) })
        .then(function (res) {
          return res.json().then(function (j) { return { ok: res.ok, j: j }; });
        })
        .then(function (r) {
          button.disabled = false;
          if (!r.ok) {
            var msg = (r.j && r.j.error && r.j.error.message) || "The message was not sent.";
            f.insertBefore(el("p", { class: "form-error", role: "alert" }, [msg]), f.firstChild.nextSibling);
            return;
          }
          box.value = "";
          handlers["message.created"](r.j); // the event will say the same; applying twice is harmless
        })
        .catch(function () { button.disabled = false; f.submit(); });
    });
    var box = f.querySelector("textarea");
    if (box) {
      box.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); f.requestSubmit ? f.requestSubmit() : f.submit(); }
        else { typing(); }
      });
    }
  }
  var mf = document.getElementById("message-form");
  if (mf) { sendForm(mf, 0); }
  var rf = document.getElementById("reply-form");
  if (rf) { sendForm(rf, threadID); }

  var lastTyping = 0;
  function typing() {
    if (!viewerID) { return; }
    var now = Date.now();
    if (now - lastTyping < 3000) { return; }
    lastTyping = now;
    send({ type: "typing", topic: topic });
  }

  // ---- the websocket ----

  if (!topic || !window.WebSocket) { return; }
  var ws = null, attempts = 0, retryTimer = null, stopped = false, resyncing = false;

  function send(frame) { if (ws && ws.readyState === WebSocket.OPEN) { ws.send(JSON.stringify(frame)); } }
  function subscribe() { send({ type: "subscribe", topic: topic, since: lastSeq }); }

  function handle(f) {
    if (f.topic && f.topic !== topic) { return; }
    switch (f.type) {
    case "subscribed":
      attempts = 0; resyncing = false;
      root.dataset.liveState = "live";
      return;
    case "reset":
      location.reload(); // too much was missed: the page is the truth
      return;
    case "error":
      if (!f.topic) { return; }
      if (f.code === "rate_limited" || f.code === "unavailable") { clearTimeout(retryTimer); retryTimer = setTimeout(subscribe, backoff()); return; }
      stopped = true; root.dataset.liveState = "stopped";
      if (ws) { ws.close(); }
      return;
    case "event":
      if (f.event === "presence.changed") { showPresence(f.data || {}); return; }
      if (f.event === "typing") { showTyping(f.data || {}); return; }
      if (f.ephemeral) { return; }
      if (typeof f.seq === "number") {
        if (f.seq <= lastSeq) { return; }
        if (f.seq > lastSeq + 1) { if (!resyncing) { resyncing = true; subscribe(); } return; }
        lastSeq = f.seq;
      }
      var h = handlers[f.event];
      if (h && f.data) { try { h(f.data); } catch (err) { if (window.console) { console.error("channel update", f.event, err); } } }
    }
  }

  function backoff() {
    var ceiling = Math.min(30000, 500 * Math.pow(2, attempts));
    attempts++;
    return ceiling / 2 + Math.random() * ceiling / 2;
  }

  function connect() {
    if (stopped) { return; }
    root.dataset.liveState = "connecting";
    var sock;
    try { sock = new WebSocket((location.protocol === "https:" ? "wss:" : "ws:") + "//" + location.host + "/ws"); }
    catch (err) { retryTimer = setTimeout(connect, backoff()); return; }
    ws = sock;
    sock.onopen = subscribe;
    sock.onmessage = function (ev) { var f; try { f = JSON.parse(ev.data); } catch (err) { return; } handle(f); };
    sock.onclose = function () { if (ws !== sock) { return; } ws = null; if (!stopped) { root.dataset.liveState = "offline"; retryTimer = setTimeout(connect, backoff()); } };
  }
  setInterval(function () { send({ type: "ping" }); }, 25000);
  window.addEventListener("pagehide", function () { stopped = true; if (ws) { ws.close(); } });
  connect();
})();
