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

  // Stop double submissions: the second click on a slow network would post twice.
  document.querySelectorAll("form[method='post']").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (ev.defaultPrevented) { return; }
      if (form.dataset.submitting) { ev.preventDefault(); return; }
      form.dataset.submitting = "1";
      setTimeout(function () { delete form.dataset.submitting; }, 4000);
    });
  });
})();
