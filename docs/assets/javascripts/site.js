// A box that scrolls sideways must be reachable with the keyboard (WCAG 2.1.1):
// Material's wrappers around wide tables, and display formulas and graphs wider than
// the column (on a phone), become focusable when they overflow.
const scrollingBoxes = ".md-typeset__scrollwrap, .md-typeset .katex-display, .linreg-graph";

function focusableWhenScrolling() {
  document.querySelectorAll(scrollingBoxes).forEach((box) => {
    const scrolls = box.scrollWidth > box.clientWidth;
    if (scrolls && box.tabIndex < 0) box.tabIndex = 0;
    if (!scrolls && box.hasAttribute("tabindex")) box.removeAttribute("tabindex");
  });
}

// A box starts or stops scrolling when it or its content changes size: the window
// resizes, or a web font arrives (KaTeX's glyphs make a formula wider than the
// fallback font did). Material wraps wide tables after the page loads: look once it has.
const resized = new ResizeObserver(() => requestAnimationFrame(focusableWhenScrolling));
document$.subscribe(() => requestAnimationFrame(() => {
  document.querySelectorAll(scrollingBoxes).forEach((box) => {
    resized.observe(box);
    if (box.firstElementChild) resized.observe(box.firstElementChild);
  });
}));

// Videos come as a light and a dark player (linreg.animation); the stylesheet
// shows the one for the palette in force. Their posters arrive as data-poster
// (a hidden player would fetch its poster anyway): only the player shown gets it,
// now and after the reader switches palettes.
function postersForShownVideos() {
  document.querySelectorAll(".linreg-video video[data-poster]").forEach((video) => {
    if (getComputedStyle(video).display === "none") return;
    video.poster = video.dataset.poster;
    video.removeAttribute("data-poster");
  });
}

document$.subscribe(postersForShownVideos);
new MutationObserver(postersForShownVideos)
  .observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

// A notebook code cell's copy button (hooks/render.py) copies the code the cell
// shows; Material's own notice confirms it, as it does for its code blocks.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".linreg-copy");
  if (!button) return;
  const code = button.parentElement.querySelector("pre").textContent.replace(/\n$/, "");
  navigator.clipboard.writeText(code).then(
    () => alert$.next("Copied to clipboard"),
    () => alert$.next("The browser did not allow copying"));
});
