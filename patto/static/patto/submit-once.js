// A form that creates something is sent once: while the page waits for the answer its submit buttons are
// disabled, so a double click does not send it twice (the server answers a second copy with the first
// one's result anyway: patto/core/idempotency.py). Only forms with a one-time token ({% form_token %}).
(function () {
  "use strict";
  var BUTTONS = 'button[type="submit"], button:not([type]), input[type="submit"]';

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.querySelector('input[name="form_token"]')) { return; }
    if (form.hasAttribute("data-sending")) { event.preventDefault(); return; }
    // Disabled after the other handlers ran (one may cancel the submit, htmx sends it itself) and after the
    // browser took the clicked button's name and value (a disabled button is not sent).
    window.setTimeout(function () {
      if (event.defaultPrevented) { return; }
      form.setAttribute("data-sending", "");
      form.setAttribute("aria-busy", "true");
      form.querySelectorAll(BUTTONS).forEach(function (button) { button.disabled = true; });
    }, 0);
  });

  // Back to the page (the browser's back-forward cache keeps it as it was left): usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(function (form) {
      form.removeAttribute("data-sending");
      form.removeAttribute("aria-busy");
      form.querySelectorAll(BUTTONS).forEach(function (button) { button.disabled = false; });
    });
  });
})();
