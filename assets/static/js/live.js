// Live updates: follows the page's topic over /ws and applies its events to the
// server-rendered page. The page is complete without this script; events only add to it.
// Events may repeat what the page already shows (a resume replays from the seq read before
// the page's data), so every change here is idempotent: objects already on the page are
// skipped, scores are absolute.
(function () {
  "use strict";

  var body = document.body;
  var topic = body.dataset.liveTopic;
  if (!topic || !window.WebSocket) { return; }

  var lastSeq = parseInt(body.dataset.liveSeq, 10) || 0;
  var viewerID = parseInt(body.dataset.viewerId, 10) || 0;
  var csrfMeta = document.querySelector("meta[name='csrf-token']");
  var csrf = csrfMeta ? csrfMeta.content : "";

  // Reconnection: exponential backoff with jitter, so a restarted server is not met by
  // every browser at the same instant.
  var minDelay = 500, maxDelay = 30000;
  var pingEvery = 25000, deadAfter = 60000; // the server answers ping with pong
  var ws = null, attempts = 0, retryTimer = null, pingTimer = null, lastHeard = 0;
  var stopped = false, downTimer = null, resyncing = false;

  // ---- small DOM helpers ----

  // el builds an element: el("a", {href: "/x", class: "y"}, [children or text]).
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
  function tagPath(name) { return "/tags/" + encodeURIComponent(name); }

  function flash(node) {
    if (!node) { return; }
    node.classList.remove("live-flash");
    void node.offsetWidth; // restart the animation
    node.classList.add("live-flash");
  }

  function setState(state) { body.dataset.liveState = state; }

  // A bar in an aria-live region: "1 new answer — show". onShow runs on the button.
  function showBar(slot, text, label, onShow) {
    if (!slot) { return; }
    var bar = slot.querySelector(".live-bar");
    if (!bar) {
      bar = el("div", { class: "live-bar" }, [el("span", { class: "live-bar-text" }), el("button", { type: "button", class: "link-button live-bar-show" })]);
      bar.lastChild.addEventListener("click", function () { bar.lastChild.blur(); onShow(); });
      slot.appendChild(bar);
    }
    bar.firstChild.textContent = text + " — ";
    bar.lastChild.textContent = label;
  }

  function hideBar(slot) {
    var bar = slot && slot.querySelector(".live-bar");
    if (bar) { bar.remove(); }
  }

  function hiddenInput(name, value) { return el("input", { type: "hidden", name: name, value: String(value) }); }

  // ---- the question page ----

  var article = document.querySelector("article[data-question]");
  var answersSection = document.getElementById("answers");
  var answersBar = document.getElementById("live-answers-bar");
  var pending = document.getElementById("live-pending"); // new answers wait here, hidden
  // Whether this reader may comment, as the server decided it for this page: new comments
  // get a reply form only then. The script decides nothing of the kind itself.
  var canComment = article ? article.dataset.canComment === "1" : false;

  function commentForm(postID, parentID) {
    var id = "comment-" + postID + "-" + parentID;
    var form = el("form", { action: "/posts/" + postID + "/comments", method: "post", class: "comment-form", novalidate: "" }, [
      hiddenInput("_csrf", csrf),
    ]);
    if (parentID) { form.appendChild(hiddenInput("parent_id", parentID)); }
    form.appendChild(el("label", { for: id, class: "visually-hidden" }, [parentID ? "Your reply" : "Your comment"]));
    form.appendChild(el("textarea", { id: id, name: "body", rows: "2", maxlength: "600", placeholder: "15 to 600 characters; *italic*, **bold**, `code` and links work." }));
    form.appendChild(el("button", { type: "submit", class: "button button-small" }, [parentID ? "Reply" : "Add comment"]));
    return form;
  }

  function timeEl(iso) { return el("time", { datetime: iso }, ["just now"]); }

  // fetchBlock asks the server for an answer's block exactly as this reader's page draws
  // it (GET /posts/{id}/block): its buttons depend on who reads (their vote, whether they
  // may accept, edit, delete, vote, comment), the event's data is the same for everyone,
  // and a copy of those rules here drifted from the server's. Resolves to the element,
  // null when the answer is gone; rejects when the server could not be asked.
  function fetchBlock(id) {
    return fetch("/posts/" + id + "/block", { credentials: "same-origin", headers: { Accept: "text/html" } }).then(function (res) {
      if (res.status === 404) { return null; }
      if (!res.ok) { throw new Error("answer " + id + ": " + res.status); }
      return res.text().then(function (markup) {
        var t = document.createElement("template");
        t.innerHTML = markup; // the page's own template: bodies sanitized, text escaped
        return t.content.querySelector(".post");
      });
    });
  }

  function commentNode(c) {
    var author = c.author || {};
    var bodyDiv = el("div", { class: "comment-body" }, [
      el("span", { class: "comment-score", "data-comment-score": c.id, title: "score", hidden: c.score ? null : "" }, [String(c.score || 0)]),
    ]);
    bodyDiv.insertAdjacentHTML("beforeend", c.body_html || ""); // sanitized by the server
    bodyDiv.appendChild(document.createTextNode(" – "));
    bodyDiv.appendChild(el("a", { href: author.url, class: "comment-author" }, [author.display_name || ""]));
    bodyDiv.appendChild(document.createTextNode(" "));
    bodyDiv.appendChild(el("time", { class: "muted", datetime: c.created_at }, ["just now"]));
    if (canComment && csrf) {
      bodyDiv.appendChild(el("details", { class: "comment-reply" }, [el("summary", {}, ["reply"]), commentForm(c.post_id, c.id)]));
    }
    return el("li", { class: "comment live-new", id: "comment-" + c.id }, [bodyDiv]);
  }

  function childList(parent, before) {
    for (var i = 0; i < parent.children.length; i++) {
      if (parent.children[i].matches("ol.comment-list")) { return parent.children[i]; }
    }
    var list = el("ol", { class: "comment-list" });
    parent.insertBefore(list, before || null);
    return list;
  }

  function countAnswers() {
    var heading = document.getElementById("answers-heading");
    if (!heading || !answersSection) { return; }
    var n = answersSection.querySelectorAll(":scope > .post:not(.post-gone)").length;
    heading.textContent = n + (n === 1 ? " Answer" : " Answers");
  }

  function pendingCount() { return pending ? pending.children.length : 0; }

  function updateAnswersBar() {
    var n = pendingCount();
    if (n === 0) { hideBar(answersBar); return; }
    showBar(answersBar, plural(n, "new answer", "new answers"), "show", revealAnswers);
  }

  // revealAnswers puts the waiting answers on the page, each as the server draws it for
  // this reader, fetched now: when the reader asks, not when the event came, so that an
  // answer on a question with many readers costs a request only per reader who looks.
  var revealing = false;
  function revealAnswers() {
    if (revealing || !pending) { return; }
    revealing = true;
    hideBar(answersBar);
    var waiting = Array.prototype.slice.call(pending.children);
    Promise.all(waiting.map(function (slot) {
      return fetchBlock(slot.dataset.answer).catch(function () { return undefined; });
    })).then(function (blocks) {
      revealing = false;
      var first = null;
      blocks.forEach(function (node, i) {
        var slot = waiting[i];
        if (slot.parentNode !== pending || node === undefined) { return; } // deleted meanwhile, or to try again
        slot.remove();
        if (!node || document.getElementById(node.id)) { return; }
        node.classList.add("live-new");
        answersSection.insertBefore(node, pending);
        if (!first) { first = node; }
      });
      updateAnswersBar(); // offers again what could not be fetched
      countAnswers();
      if (first) {
        first.setAttribute("tabindex", "-1");
        first.focus({ preventScroll: true });
        first.scrollIntoView({ behavior: "smooth", block: "start" });
      }
    });
  }

  function setAccepted(answerID) {
    document.querySelectorAll("#answers .post").forEach(function (post) {
      var id = parseInt(post.id.slice(5), 10);
      var on = id === answerID;
      post.classList.toggle("post-accepted", on);
      var button = post.querySelector(".accept-form .accept");
      if (button) {
        button.classList.toggle("is-accepted", on);
        button.setAttribute("aria-pressed", on ? "true" : "false");
        button.title = on ? "Unaccept this answer" : "Accept this answer: it solved your problem";
        var hint = button.querySelector(".visually-hidden");
        if (hint) { hint.textContent = on ? " Accepted (select to unaccept)" : " Accept this answer"; }
        return;
      }
      var mark = post.querySelector(".vote-cell > span.accept");
      if (on && !mark) {
        post.querySelector(".vote-cell").appendChild(el("span", { class: "accept is-accepted", title: "The asker accepted this answer" }, [
          "✓", el("span", { class: "visually-hidden" }, [" Accepted answer"]),
        ]));
      } else if (!on && mark) {
        mark.remove();
      }
    });
  }

  function postBody(post) { return post.querySelector(":scope > .post-main > .post-body"); }

  var questionEvents = {
    "answer.created": function (a) {
      if (!answersSection || !pending || document.getElementById("post-" + a.id)) { return; }
      // A slot until the reader asks to see it; its block is fetched then, with whatever
      // came to it meanwhile (comments, votes, edits).
      pending.appendChild(el("div", { id: "post-" + a.id, "data-answer": a.id }));
      updateAnswersBar();
    },
    "comment.created": function (c) {
      if (document.getElementById("comment-" + c.id)) { return; }
      var post = document.getElementById("post-" + c.post_id);
      if (!post || post.parentNode === pending) { return; }
      var node = commentNode(c), list;
      var parent = c.parent_id ? document.getElementById("comment-" + c.parent_id) : null;
      if (parent) {
        list = childList(parent);
      } else {
        var section = post.querySelector(":scope > .post-main > .comments");
        list = childList(section, section.querySelector(":scope > .comment-add"));
      }
      list.appendChild(node);
      flash(node);
    },
    "vote.changed": function (v) {
      var target = v.comment_id ? document.querySelector("[data-comment-score='" + v.comment_id + "']")
        : document.querySelector("[data-score='" + v.post_id + "']");
      if (!target || target.textContent === String(v.score)) { return; }
      target.textContent = String(v.score);
      if (v.comment_id) { target.hidden = !v.score; }
      flash(target);
    },
    "answer.accepted": function (d) { setAccepted(d.answer_id); },
    "post.updated": function (p) {
      var post = document.getElementById("post-" + p.id);
      if (!post) { return; }
      var bodyNode = postBody(post);
      if (bodyNode && p.body_html !== undefined && bodyNode.innerHTML !== p.body_html) {
        bodyNode.innerHTML = p.body_html; // sanitized by the server
        flash(bodyNode);
      }
      var score = post.querySelector("[data-score='" + p.id + "']");
      if (score) { score.textContent = String(p.score); }
      if (p.type !== "question" || !article) { return; }
      var h1 = article.querySelector(".question-head h1");
      if (h1 && p.title && h1.textContent !== p.title) { h1.textContent = p.title; flash(h1); }
      var tags = post.querySelector(":scope > .post-main > .tags");
      if (tags && p.tags) {
        tags.replaceChildren.apply(tags, p.tags.map(function (t) { return el("li", {}, [el("a", { class: "tag", href: tagPath(t) }, [t])]); }));
      }
      if ((p.closed_reason || "") !== (article.dataset.closed || "")) {
        article.dataset.closed = p.closed_reason || "";
        showBar(answersBar, p.closed_reason ? "This question was closed" : "This question was reopened", "reload", function () { location.reload(); });
      }
    },
    "post.deleted": function (d) {
      var post = document.getElementById("post-" + d.post_id);
      if (!post) { return; }
      if (pending && post.parentNode === pending) { post.remove(); updateAnswersBar(); return; }
      if (post.classList.contains("post-gone")) { return; }
      post.classList.add("post-gone");
      post.setAttribute("inert", "");
      var main = post.querySelector(".post-main");
      var what = post.querySelector(".anchor") ? "answer" : "question";
      main.insertBefore(el("p", { class: "gone-note", role: "note" }, ["This " + what + " was deleted."]), main.firstChild);
      countAnswers();
    },
  };

  // presence.changed: "3 people are viewing this question" (the count includes this reader).
  function showPresence(p) {
    var box = document.getElementById("live-presence");
    if (!box) { return; }
    if (!p || p.count < 2) { box.hidden = true; return; }
    box.hidden = false;
    box.textContent = p.count === 1 ? "1 person is viewing this question" : p.count + " people are viewing this question";
    var names = (p.users || []).filter(function (u) { return u.id !== viewerID; }).map(function (u) { return u.name; });
    box.title = names.length ? "Signed in: " + names.join(", ") : "";
  }

  // ---- question lists: home and tag pages ----

  var list = document.querySelector("[data-live-list]");
  var listBar = document.getElementById("live-questions-bar");
  var newQuestions = []; // newest last
  var seenQuestions = {};

  function summaryNode(q) {
    var author = q.author || {};
    var answers = q.answer_count || 0;
    var score = q.score || 0;
    return el("li", { class: "question-summary live-new", id: "q-" + q.id }, [
      el("div", { class: "stats" }, [
        el("span", { class: "stat" }, [el("strong", {}, [String(score)]), (score === 1 || score === -1) ? " vote" : " votes"]),
        el("span", { class: "stat" + (answers ? " has-answers" : "") }, [el("strong", {}, [String(answers)]), answers === 1 ? " answer" : " answers"]),
      ]),
      el("div", { class: "summary-main" }, [
        el("h3", {}, [el("a", { href: q.url }, [q.title || ""])]),
        el("div", { class: "summary-meta" }, [
          el("ul", { class: "tags" }, (q.tags || []).map(function (t) { return el("li", {}, [el("a", { class: "tag", href: tagPath(t) }, [t])]); })),
          el("span", { class: "byline" }, [
            el("a", { href: author.url }, [author.display_name || ""]), " ",
            el("span", { class: "rep" }, [String(author.reputation || "")]), " asked ", timeEl(q.created_at),
          ]),
        ]),
      ]),
    ]);
  }

  function revealQuestions() {
    // Only the first page of the newest questions takes them in place; elsewhere the
    // newest page is where they are.
    if (!list || list.dataset.livePrepend !== "1") {
      var here = location.pathname.indexOf("/tags/") === 0 ? location.pathname : "/";
      location.assign(here + "?sort=newest");
      return;
    }
    var added = 0;
    newQuestions.forEach(function (q) {
      if (!document.getElementById("q-" + q.id)) { list.insertBefore(summaryNode(q), list.firstChild); added++; }
    });
    newQuestions = [];
    hideBar(listBar);
    var count = document.querySelector("#questions-heading .count");
    if (count && added) { count.textContent = String((parseInt(count.textContent, 10) || 0) + added); }
    var first = list.firstChild;
    if (first) { var link = first.querySelector("h3 a"); if (link) { link.focus({ preventScroll: true }); } }
  }

  var listEvents = {
    "question.created": function (q) {
      if (seenQuestions[q.id] || document.getElementById("q-" + q.id)) { return; }
      seenQuestions[q.id] = true;
      newQuestions.push(q);
      showBar(listBar, plural(newQuestions.length, "new question", "new questions"), "show", revealQuestions);
    },
  };

  // ---- the socket ----

  function onReset(seq) {
    lastSeq = seq;
    resyncing = false;
    if (article) {
      // Too much was missed to replay: the page's data is stale. Reload it, unless the
      // reader is writing something a reload would lose.
      var typing = Array.prototype.some.call(document.querySelectorAll("textarea"), function (t) { return t.value.trim() !== ""; });
      if (!typing) { location.reload(); return; }
      showBar(answersBar, "This page has changed while you were away", "reload", function () { location.reload(); });
    } else if (listBar) {
      showBar(listBar, "New questions may have arrived", "reload", function () { location.reload(); });
    }
  }

  function send(frame) {
    if (ws && ws.readyState === WebSocket.OPEN) { ws.send(JSON.stringify(frame)); }
  }

  function subscribe() { send({ type: "subscribe", topic: topic, since: lastSeq }); }

  function handle(f) {
    if (f.type === "error" && !f.topic) { return; } // about a frame, not the page's topic
    if (f.topic && f.topic !== topic) { return; }
    switch (f.type) {
    case "subscribed":
      attempts = 0;
      resyncing = false;
      setState("live");
      return;
    case "reset":
      onReset(f.seq || 0);
      return;
    case "error":
      if (f.code === "rate_limited" || f.code === "unavailable") {
        clearTimeout(retryTimer);
        retryTimer = setTimeout(subscribe, backoff());
        return;
      }
      if (f.code === "bad_request" && lastSeq > 0) {
        // Our since is ahead of the server's log (a restored database, say): what we
        // show cannot be trusted to resume from. Start over as after a reset.
        onReset(0);
        subscribe(); // from the start of the log (or a reset), unless the page reloaded
        return;
      }
      // not_found, forbidden: this topic is not to be followed (the question was deleted
      // or made private). Stop; the page still works.
      stop();
      return;
    case "event":
      if (f.event === "presence.changed") { showPresence(f.data); return; }
      if (f.ephemeral) { return; }
      if (typeof f.seq === "number") {
        if (f.seq <= lastSeq) { return; } // already applied
        if (f.seq > lastSeq + 1) { // a gap: ask again from what we have, once
          if (!resyncing) { resyncing = true; subscribe(); }
          return;
        }
        lastSeq = f.seq;
      }
      var apply = (article ? questionEvents : listEvents)[f.event];
      if (apply && f.data) {
        try { apply(f.data); } catch (err) { if (window.console) { console.error("live update", f.event, err); } }
      }
      return;
    }
  }

  function backoff() {
    var ceiling = Math.min(maxDelay, minDelay * Math.pow(2, attempts));
    attempts++;
    return ceiling / 2 + Math.random() * ceiling / 2;
  }

  function connect() {
    clearTimeout(retryTimer);
    if (stopped) { return; }
    setState("connecting");
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    var sock;
    try {
      sock = new WebSocket(proto + "//" + location.host + "/ws");
    } catch (err) {
      scheduleReconnect();
      return;
    }
    ws = sock;
    sock.onopen = function () {
      lastHeard = Date.now();
      clearTimeout(downTimer);
      body.classList.remove("live-down");
      subscribe();
    };
    sock.onmessage = function (ev) {
      lastHeard = Date.now();
      var f;
      try { f = JSON.parse(ev.data); } catch (err) { return; }
      handle(f);
    };
    sock.onclose = function () {
      if (ws !== sock) { return; }
      ws = null;
      scheduleReconnect();
    };
  }

  function drop() {
    if (!ws) { return; }
    var sock = ws;
    ws = null;
    sock.onclose = sock.onmessage = sock.onopen = null;
    try { sock.close(); } catch (err) { /* already closed */ }
  }

  function scheduleReconnect() {
    if (stopped) { return; }
    setState("offline");
    // Say so only when it lasts: a quick reconnect should go unnoticed.
    clearTimeout(downTimer);
    downTimer = setTimeout(function () { body.classList.add("live-down"); }, 4000);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, backoff());
  }

  function stop() {
    stopped = true;
    clearTimeout(retryTimer);
    clearInterval(pingTimer);
    drop();
    setState("stopped");
  }

  // A socket can die without a close (a laptop lid, a dropped Wi-Fi): ping, and give up on
  // a connection that has said nothing for too long.
  pingTimer = setInterval(function () {
    if (!ws || ws.readyState !== WebSocket.OPEN) { return; }
    if (Date.now() - lastHeard > deadAfter) { drop(); scheduleReconnect(); return; }
    send({ type: "ping" });
  }, pingEvery);

  window.addEventListener("offline", function () { drop(); scheduleReconnect(); });
  window.addEventListener("online", function () {
    if (ws || stopped) { return; }
    attempts = 0;
    connect();
  });
  // A page restored from the back/forward cache resumes from where it left off.
  window.addEventListener("pagehide", function () { drop(); clearTimeout(retryTimer); });
  window.addEventListener("pageshow", function (ev) { if (ev.persisted && !ws) { attempts = 0; connect(); } });

  connect();
})();
