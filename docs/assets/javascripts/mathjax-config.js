// MathJax 3 configuration: typeset math in Markdown pages (arithmatex) *and* in
// notebook Markdown cells and Markdown outputs, which mkdocs-jupyter leaves as
// raw $...$ inside .jp-MarkdownOutput / .jp-RenderedMarkdown blocks.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    // Only these blocks hold math: a "$" in ordinary prose or code stays text.
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex|jp-MarkdownOutput|jp-RenderedMarkdown",
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
