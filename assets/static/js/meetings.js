// Meeting times in the reader's own zone. The server writes a meeting's time in the
// reader's profile zone when they chose one; otherwise in the meeting's zone, marked
// data-browser-zone, and this script rewrites it in the browser's zone. The exact time
// stays on hover (the title). Without JavaScript the meeting's own zone is shown, named.
(function () {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat) return;
  var day = { weekday: "short", day: "numeric", month: "short", year: "numeric" };
  var clock = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  function fmt(d, opts) { return new Intl.DateTimeFormat(undefined, opts).format(d); }
  function zoned(opts) { var o = {}; for (var k in opts) o[k] = opts[k]; o.timeZoneName = "short"; return o; }
  var els = document.querySelectorAll("time[data-browser-zone]");
  for (var i = 0; i < els.length; i++) {
    var el = els[i], a = new Date(el.getAttribute("data-start")), b = new Date(el.getAttribute("data-end"));
    if (isNaN(a) || isNaN(b)) continue;
    var sameDay = fmt(a, day) === fmt(b, day);
    el.textContent = sameDay
      ? fmt(a, day) + ", " + fmt(a, clock) + "–" + fmt(b, zoned(clock))
      : fmt(a, day) + " " + fmt(a, clock) + " – " + fmt(b, day) + " " + fmt(b, zoned(clock));
  }
})();
