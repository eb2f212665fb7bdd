// MathJax 3 configuration: typeset math in Markdown pages (arithmatex, \(...\))
// *and* in notebook Markdown cells and Markdown outputs, which mkdocs-jupyter
// leaves as raw $...$ in the HTML.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    // MathJax skips <pre> and <code> (code and printed outputs) by default.
    // Material's usual recipe (ignoreHtmlClass ".*|" + processHtmlClass) leaves
    // notebook cells untypeset, so the whole article is searched for delimiters.
    menuOptions: { settings: { assistiveMml: true, explorer: false } },
  },
  loader: { load: ["ui/safe"] },
};

// Material swaps pages without reloads when instant navigation is on; typeset
// again whenever a page is (re)displayed.
if (typeof document$ !== "undefined") {
  document$.subscribe(() => {
    if (window.MathJax && MathJax.typesetPromise) {
      MathJax.startup.output.clearCache();
      MathJax.typesetClear();
      MathJax.texReset();
      MathJax.typesetPromise();
    }
  });
}
