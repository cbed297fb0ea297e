// A table wider than the screen scrolls inside its .table-responsive box (WCAG 1.4.10 allows this for data
// tables). Such a box must be reachable and scrollable with the keyboard (WCAG 2.1.1): while it scrolls it is a
// focusable region named by the table's caption. Checked again when the window changes size.
(function () {
  var counter = 0;
  function mark() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-region", "");
        var caption = box.querySelector("caption");
        if (caption) {
          if (!caption.id) { caption.id = "table-caption-" + (++counter); }
          box.setAttribute("role", "region");
          box.setAttribute("aria-labelledby", caption.id);
        }
      } else if (!scrolls && box.hasAttribute("data-scroll-region")) {
        ["tabindex", "data-scroll-region", "role", "aria-labelledby"].forEach(function (name) { box.removeAttribute(name); });
      }
    });
  }
  mark();
  window.addEventListener("resize", mark);
})();
