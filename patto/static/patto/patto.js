// Small progressive enhancements; every page works without them.
// No list submits its form on change (WCAG 3.2.2 "On input": an arrow key in the language list reloaded the
// page in the other language); every form, the language switch included, is sent with its button.
