// A box that scrolls sideways must be reachable with the keyboard (WCAG 2.1.1):
// Material's wrappers around wide tables, and display formulas wider than the
// column (on a phone), become focusable when they overflow.
const scrollingBoxes = ".md-typeset__scrollwrap, .md-typeset .katex-display";

function focusableWhenScrolling() {
  document.querySelectorAll(scrollingBoxes).forEach((box) => {
    const scrolls = box.scrollWidth > box.clientWidth;
    if (scrolls && box.tabIndex < 0) box.tabIndex = 0;
    if (!scrolls && box.hasAttribute("tabindex")) box.removeAttribute("tabindex");
  });
}

// Material wraps wide tables after the page loads: look once it has.
document$.subscribe(() => requestAnimationFrame(focusableWhenScrolling));
addEventListener("resize", () => requestAnimationFrame(focusableWhenScrolling));
