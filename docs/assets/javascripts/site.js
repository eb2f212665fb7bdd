// A box that scrolls sideways must be reachable with the keyboard (WCAG 2.1.1):
// Material's wrappers around wide tables, and display formulas wider than the
// column (on a phone), become focusable when they overflow.
const scrollingBoxes = ".md-typeset__scrollwrap, .md-typeset .katex-display";

function focusableWhenScrolling(box) {
  // A formula box skipped off-screen (site.css) reports its placeholder size: measure it once laid out.
  if (box.firstElementChild && !box.firstElementChild.checkVisibility({ contentVisibilityAuto: true })) return;
  const scrolls = box.scrollWidth > box.clientWidth;
  if (scrolls && box.tabIndex < 0) box.tabIndex = 0;
  if (!scrolls && box.hasAttribute("tabindex")) box.removeAttribute("tabindex");
}

// A box starts or stops scrolling when it or its content changes size: the window
// resizes, or a web font arrives (KaTeX's glyphs make a formula wider than the
// fallback font did). The ResizeObserver reports a box (and its content) once the
// browser has laid it out: at once for what is on screen, later for a block the reader
// scrolls to (notebook.css and site.css skip the layout of what is off-screen). Only
// the boxes it reports are measured: measuring them all would lay out every block.
// Until then a box counts as one that scrolls, so that a keyboard reader who tabs past
// blocks not laid out yet still stops on it; it stops being a tab stop once measured.
// Material wraps wide tables after the page loads: look once it has.
const resized = new ResizeObserver((entries) => {
  for (const { target } of entries) focusableWhenScrolling(target.matches(scrollingBoxes) ? target : target.parentElement);
});
document$.subscribe(() => requestAnimationFrame(() => {
  document.querySelectorAll(scrollingBoxes).forEach((box) => {
    if (!box.hasAttribute("tabindex")) box.tabIndex = 0;
    resized.observe(box);
    if (box.firstElementChild) resized.observe(box.firstElementChild);
  });
}));

// A link to a heading (a URL with #section, or a link in the table of contents) lands
// before the blocks around the heading have their real height: notebook.css and
// site.css skip the layout of what is off-screen, and the browser lays the blocks near
// the heading out once it has scrolled there. A block above the heading that then grows
// pushes it down (the browser keeps the top of the block at the top of the screen in
// place, not the heading). So for a moment after such a landing, the heading is put back
// where the browser meant to put it, until it stays there or the reader scrolls.
function landOnFragment() {
  const id = decodeURIComponent(location.hash.slice(1));
  const target = id && document.getElementById(id);
  if (!target) return;
  const controller = new AbortController();
  for (const type of ["wheel", "touchstart", "keydown", "pointerdown"])
    addEventListener(type, () => controller.abort(), { passive: true, signal: controller.signal });
  let frames = 0, steady = 0;
  const settle = () => {
    if (controller.signal.aborted) return;
    const margin = parseFloat(getComputedStyle(target).scrollMarginTop) || 0;
    const off = target.getBoundingClientRect().top - margin;
    if (Math.abs(off) > 1 && window.innerHeight + window.scrollY < document.documentElement.scrollHeight - 1) {
      target.scrollIntoView();
      steady = 0;
    } else {
      steady += 1;
    }
    if (steady < 10 && ++frames < 120) requestAnimationFrame(settle);
    else controller.abort();
  };
  requestAnimationFrame(settle);
}
addEventListener("load", landOnFragment);

// KaTeX's fonts are fetched when a formula is first laid out, and formulas off-screen
// are laid out only when the reader nears them: fetch the two faces nearly every
// formula uses once the page has loaded, so they are there before the reader is.
addEventListener("load", () => {
  if (!document.querySelector(".katex")) return;
  document.fonts.load("1em KaTeX_Main");
  document.fonts.load("italic 1em KaTeX_Math");
});
addEventListener("hashchange", landOnFragment);

// Videos come as a light and a dark player (linreg.animation); the stylesheet
// shows the one for the palette in force. Their posters arrive as data-poster
// (a hidden player would fetch its poster anyway): only the player shown gets it,
// now and after the reader switches palettes.
// Which player is shown follows site.css's rules, read from the palette and the
// player's class rather than from its computed style: asking for a computed style
// would style the whole page before the browser's own first pass.
function isShown(video) {
  if (document.body.getAttribute("data-md-color-scheme") !== "slate") return !video.hidden;
  return video.classList.contains("linreg-dark") || (!video.hidden && !video.classList.contains("linreg-light"));
}

function postersForShownVideos() {
  document.querySelectorAll(".linreg-video video[data-poster]").forEach((video) => {
    if (!isShown(video)) return;
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

// Folded source blocks (a reference entry's "Source code in ...", a page's "How linreg
// does it") carry their highlighted code as the text of a <noscript> (hooks/render.py):
// most are never opened, and as markup each would cost hundreds of elements on load. The
// code is built when the reader opens the block, with the copy button Material gives a
// code block (its clipboard handler serves buttons added later too).
let foldedBlocks = 0;
document.addEventListener("toggle", (event) => {
  const block = event.target;
  const folded = block.open && block.querySelector(":scope > noscript.linreg-folded");
  if (!folded) return;
  folded.insertAdjacentHTML("afterend", folded.textContent);
  folded.remove();
  block.querySelectorAll("pre > code").forEach((code) => {
    const pre = code.parentElement;
    pre.id = `__linreg_folded_${foldedBlocks++}`;
    const nav = Object.assign(document.createElement("nav"), { className: "md-code__nav" });
    const button = Object.assign(document.createElement("button"), { className: "md-code__button", title: "Copy to clipboard" });
    button.dataset.clipboardTarget = `#${pre.id} > code`;
    button.dataset.mdType = "copy";
    nav.append(button);
    pre.insertBefore(nav, code);
    code.tabIndex = 0;  // a long line scrolls: reachable with the keyboard
  });
}, true);  // "toggle" does not bubble
