// Material wraps wide tables in a scrolling box after the page loads; a box that
// scrolls must be reachable with the keyboard (WCAG 2.1.1), so make it focusable.
document$.subscribe(() => {
  requestAnimationFrame(() => {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach((box) => {
      if (box.scrollWidth > box.clientWidth) box.tabIndex = 0;
    });
  });
});
