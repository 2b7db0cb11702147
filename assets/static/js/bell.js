// The header's notification bell: the unread count, kept live over the person's own
// topic (user:{id}), which only they may subscribe to. The page embeds the topic's head
// seq read before the count, so nothing that happens between render and subscribe is
// missed. Without JavaScript the bell still shows the count the page was drawn with.
(function () {
  "use strict";
  var bell = document.querySelector("[data-bell-topic]");
  if (!bell || !window.WebSocket) return;
  var counter = bell.querySelector("[data-bell-count]");
  var topic = bell.dataset.bellTopic;
  if (!topic) return; // the server runs without live updates: the count is the page's
  var lastSeq = Number(bell.dataset.bellSeq) || 0;
  var sock = null, retries = 0;

  function setCount(n) {
    n = Math.max(0, Number(n) || 0);
    counter.firstChild.nodeValue = n > 99 ? "99+" : String(n);
    counter.hidden = n === 0;
    bell.dataset.unread = String(n);
  }

  // refresh asks the API for the count, after a reset or a gap in the numbering.
  function refresh() {
    fetch("/api/v1/notifications?unread=1", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (body) { if (body) setCount(body.unread); })
      .catch(function () {});
  }

  function connect() {
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    sock = new WebSocket(proto + "//" + location.host + "/ws");
    sock.onopen = function () {
      retries = 0;
      sock.send(JSON.stringify({ type: "subscribe", topic: topic, since: lastSeq }));
    };
    sock.onmessage = function (msg) {
      var f;
      try { f = JSON.parse(msg.data); } catch (e) { return; }
      if (f.topic && f.topic !== topic) return;
      if (f.type === "subscribed") { bell.dataset.live = "subscribed"; return; }
      if (f.type === "reset") { refresh(); return; }
      if (f.type !== "event" || f.event !== "notification.created") return;
      if (f.seq) {
        if (f.seq <= lastSeq) return;
        if (f.seq > lastSeq + 1) refresh();
        lastSeq = f.seq;
      }
      if (f.data && typeof f.data.unread === "number") setCount(f.data.unread);
    };
    sock.onclose = function () {
      sock = null;
      delete bell.dataset.live;
      retries++;
      setTimeout(connect, Math.min(30000, 1000 * Math.pow(2, retries)) * (0.5 + Math.random() / 2));
    };
  }
  connect();
})();
