// Small progressive enhancements; every page works without them.
document.addEventListener("change", function (event) {
  var select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) { select.form.requestSubmit(); }
});
