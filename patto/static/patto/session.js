// WCAG 2.2.1 Timing adjustable. Before the idle timeout, a dialog offers to stay signed in (a POST to the
// keep-alive view); when the session has ended, it says so and that nothing typed is lost. After signing in
// again, what was typed in a form sent too late is put back (the server kept it: accounts.middleware).
// Timings come from the dialog's data attributes, in seconds, as the server counted them for this page.
(function () {
  "use strict";

  var TOUCH_SLACK_MS = 30000; // the server records activity at most every 30 s (SessionLifetimeMiddleware)

  function each(list, callback) { Array.prototype.forEach.call(list, callback); }

  function putBackTyped() {
    var source = document.getElementById("typed-before-expiry");
    if (!source) { return; }
    var kept = JSON.parse(source.textContent);
    var names = Object.keys(kept.fields);
    var forms = Array.prototype.filter.call(document.forms, function (form) { return form.method === "post"; });
    var form = forms.filter(function (f) { return new URL(f.action, location.href).pathname === kept.action; })[0] ||
      forms.filter(function (f) { return names.some(function (name) { return f.elements.namedItem(name); }); })[0];
    if (!form) { return; }
    var restored = 0;
    names.forEach(function (name) {
      var values = kept.fields[name];
      var field = form.elements.namedItem(name);
      if (!field) { return; }
      each(field instanceof RadioNodeList ? field : [field], function (item) {
        var type = (item.type || "").toLowerCase();
        if (["hidden", "file", "password", "submit", "button"].indexOf(type) !== -1) { return; }
        if (type === "checkbox" || type === "radio") {
          item.checked = values.indexOf(item.value) !== -1;
        } else if (item.tagName === "SELECT" && item.multiple) {
          each(item.options, function (option) { option.selected = values.indexOf(option.value) !== -1; });
        } else {
          item.value = values[0];
        }
        restored += 1;
      });
    });
    var notice = document.getElementById("typed-restored");
    if (restored && notice) {
      form.parentNode.insertBefore(notice, form);
      notice.hidden = false;
      notice.focus();
    }
  }

  function warnBeforeExpiry() {
    var dialog = document.getElementById("session-warning");
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    var warnMs = Number(dialog.dataset.warnSeconds) * 1000;
    var idleFullMs = Number(dialog.dataset.idleFullSeconds) * 1000;
    var idleEnds, absoluteEnds, timer, returnFocus;

    function show(state) {
      each(dialog.querySelectorAll("[data-session-state]"), function (part) {
        part.hidden = part.dataset.sessionState !== state;
      });
      var heading = dialog.querySelector("[data-session-state='" + state + "'] h2");
      var text = dialog.querySelector("[data-session-state='" + state + "'] p");
      dialog.setAttribute("aria-labelledby", heading.id);
      dialog.setAttribute("aria-describedby", text.id);
      if (!dialog.open) {
        returnFocus = document.activeElement;
        dialog.showModal();
      }
      dialog.querySelector("[data-session-state='" + state + "'] button").focus();
    }

    function close() {
      if (dialog.open) { dialog.close(); }
    }

    function tick() {
      clearTimeout(timer);
      var now = Date.now();
      var ends = Math.min(idleEnds, absoluteEnds);
      if (now >= ends) {
        show("expired");
      } else if (now >= ends - warnMs) {
        show(absoluteEnds <= idleEnds ? "limit" : "warning");
        timer = setTimeout(tick, ends - now);
      } else {
        timer = setTimeout(tick, ends - warnMs - now);
      }
    }

    function schedule(idleSeconds, absoluteSeconds) {
      idleEnds = Date.now() + idleSeconds * 1000;
      if (absoluteSeconds !== undefined) { absoluteEnds = Date.now() + absoluteSeconds * 1000; }
      tick();
    }

    dialog.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(this.action, {method: "POST", body: new FormData(this), credentials: "same-origin", redirect: "manual"})
        .then(function (response) {
          if (response.status !== 200) { throw new Error("signed out"); }
          return response.json();
        })
        .then(function (remaining) {
          close();
          schedule(remaining.idle, remaining.absolute);
        })
        .catch(function () { show("expired"); });
    });
    each(dialog.querySelectorAll("[data-session-close]"), function (button) {
      button.addEventListener("click", close);
    });
    dialog.addEventListener("close", function () {
      if (returnFocus && document.contains(returnFocus)) { returnFocus.focus(); }
    });
    // Requests made by htmx count as activity for the server too.
    document.body.addEventListener("htmx:afterRequest", function () {
      if (idleFullMs) { schedule((idleFullMs - TOUCH_SLACK_MS) / 1000); }
    });
    schedule(Number(dialog.dataset.idleSeconds), Number(dialog.dataset.absoluteSeconds));
  }

  putBackTyped();
  warnBeforeExpiry();
})();
