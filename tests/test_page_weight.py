"""Light pages, measured as a reader's browser gets them (issue 13), and pages that fit a phone.

Budgets (``benchmarks/page_weight.py`` defines and measures them; ``make bench``
prints them per page, with LCP and CLS):

* shared overhead (CSS, JavaScript, fonts, search data: all but a page's own
  HTML and media) <= 800 KiB uncompressed and <= 250 KiB gzip-compressed;
* a whole first visit, scrolled to the end, <= 1.25 MiB.

Plus: the search index waits until the reader starts a search; every formula is
typeset at build time, in both palettes; at 390 px nothing is cut off.
"""

from __future__ import annotations

import contextlib
import re
import sys

import pytest
from test_browser import PALETTES, _open, _page_url, _set_palette, browser, site_url
from test_site import NAV, NOTEBOOKS, ROOT, page_html

sys.path.insert(0, str(ROOT / "benchmarks"))
import page_weight  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.site]
SHARED_FIXTURES = (browser, site_url)  # the browser tests' Chromium and local server, used here too

PHONE = {"width": 390, "height": 844}


def _has_math(built_site, source: str) -> bool:
    return 'class="katex"' in page_html(built_site, source)


@pytest.mark.parametrize("source", NAV)
def test_a_first_visit_stays_within_the_page_weight_budgets(browser, site_url, built_site, source):
    weight = page_weight.measure(browser, _page_url(site_url, source, built_site), built_site)
    heaviest = sorted(weight.requests.items(), key=lambda item: -item[1])[:6]
    assert not weight.over_budget(), (f"{source}: {'; '.join(weight.over_budget())}; heaviest: "
                                      + ", ".join(f"{path} {size // 1024} KiB" for path, size in heaviest))


def test_the_search_index_is_fetched_only_when_the_reader_starts_a_search(browser, site_url):
    with _open(browser, site_url, "default") as (page, problems):
        fetched = []
        page.on("request", lambda r: fetched.append(r.url) if r.url.endswith("search_index.json") else None)
        page.wait_for_timeout(300)
        assert not fetched, "the search index was fetched on page load"
        with page.expect_response(re.compile(r"search/search_index\.json$")):
            page.locator("label.md-search__icon, .md-search__input").first.click()
        page.locator("input.md-search__input").press_sequentially("gradient", delay=30)
        page.wait_for_selector(".md-search-result__item", timeout=15000)
        assert len(fetched) == 1
        assert not problems, "\n".join(problems)


def test_the_browser_reads_every_rule_of_the_notebook_stylesheet(browser, site_url, built_site):
    css = (built_site / "assets" / "stylesheets" / "notebook.css").read_text()
    with _open(browser, _page_url(site_url, NOTEBOOKS[0], built_site), "default") as (page, problems):
        parsed = page.evaluate("""() => {
            const count = rules => [...rules].reduce((n, r) => n + 1 + (r.cssRules ? count(r.cssRules) : 0), 0);
            return count([...document.styleSheets].find(s => (s.href || '').endsWith('/notebook.css')).cssRules);
        }""")
    # one rule per block, an @media block and each rule inside it: a rule the browser drops is a syntax error
    written = re.sub(r"/\*.*?\*/", "", css, flags=re.S).count("{")
    assert parsed == written, "the browser dropped rules of notebook.css (a syntax error)"


# Text outside formulas, code and printed outputs: where raw TeX would show if a formula was missed.
_PROSE_TEXT = """() => {
  const skip = "pre, code, script, style, .katex, .jp-OutputArea, .md-search, nav";
  const walker = document.createTreeWalker(document.querySelector("article"), NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.closest(skip)) texts.push(node.textContent);
  }
  return texts.join(" ");
}"""

# Contrast between each formula's colour and the page background (WCAG's formula).
_FORMULA_CONTRAST = """() => {
  const channels = colour => colour.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = rgb => {
    const [r, g, b] = rgb.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = luminance(channels(getComputedStyle(document.body).backgroundColor));
  return [...document.querySelectorAll(".katex-html")].map(el => {
    const fg = luminance(channels(getComputedStyle(el).color));
    const [hi, lo] = fg > background ? [fg, background] : [background, fg];
    return (hi + 0.05) / (lo + 0.05);
  });
}"""


# Each formula's width; one measured as 0 is scrolled into view and measured again. Most formulas sit in
# blocks whose rendering `content-visibility: auto` skips until they come near the screen, and Chromium
# has, rarely, given a skipped formula no box yet (one formula in one CI run); a formula that takes no
# space on the screen is still 0 there.
_FORMULA_WIDTHS = """async () => {
  const widths = [];
  for (const formula of document.querySelectorAll('.katex-html')) {
    let width = formula.getBoundingClientRect().width;
    if (width === 0) {
      formula.scrollIntoView({block: 'center'});
      await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
      width = formula.getBoundingClientRect().width;
    }
    widths.push([formula.textContent.slice(0, 40), width]);
  }
  return widths;
}"""


@pytest.mark.parametrize("palette", list(PALETTES))
@pytest.mark.parametrize("source", NAV)
def test_every_formula_is_typeset_and_readable_in_both_palettes(browser, site_url, built_site, source, palette):
    if not _has_math(built_site, source):
        pytest.skip("no math on this page")
    scheme = PALETTES[palette]
    with _open(browser, _page_url(site_url, source, built_site), scheme) as (page, problems):
        _set_palette(page, scheme)
        assert page.locator(".katex-error").count() == 0, "KaTeX error markup on the page"
        prose = page.evaluate(_PROSE_TEXT)
        for raw in ("$", "\\(", "\\)", "\\[", "\\]", "\\frac", "\\begin"):
            where = max(0, prose.find(raw) - 80)
            assert raw not in prose, f"raw TeX {raw!r} left in the text: ...{prose[where:where + 160]}..."
        page.evaluate("document.fonts.ready")
        assert page.evaluate("document.fonts.check('16px KaTeX_Main')"), "KaTeX's fonts did not load"
        sizes = page.evaluate(_FORMULA_WIDTHS)
        assert sizes, "no typeset formula on a page with math"
        empty = [formula for formula, width in sizes if width == 0]
        assert not empty, f"a formula takes no space, even scrolled into view: {empty[:3]}"
        contrast = page.evaluate(_FORMULA_CONTRAST)
        assert min(contrast) >= 4.5, f"a formula is hard to read in the {palette} palette: contrast {min(contrast):.1f}"
        assert not problems, "\n".join(problems)


@contextlib.contextmanager
def _phone(browser, url: str):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        yield page
    finally:
        context.close()


# Elements of the article that reach past what shows them: past the viewport with no box
# that scrolls sideways in between, or past an ancestor that clips them. Formulas count
# as one element each (KaTeX's inner boxes overlap by design); an inline element that
# wraps is measured line by line; 2 px of slack for the padding of inline code.
_CUT_OFF = """() => {
  const width = document.documentElement.clientWidth;
  const article = document.querySelector("article");
  const cut = [];
  for (const el of article.querySelectorAll("*")) {
    if (el.closest(".katex-mathml") || (el.parentElement.closest(".katex") && !el.matches(".katex"))) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const right = Math.max(...[...el.getClientRects()].map(r => r.right));
    let scroller = null, clipper = null;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (overflow === "auto" || overflow === "scroll") { scroller = up; break; }
      if ((overflow === "hidden" || overflow === "clip") && up !== document.documentElement) { clipper = up; break; }
    }
    const name = el.tagName.toLowerCase() + (el.className && typeof el.className === "string"
      ? "." + el.className.trim().split(/\\s+/).slice(0, 2).join(".") : "");
    const past = right - (clipper ? clipper.getBoundingClientRect().right : width);
    if (clipper && past > 2 && !clipper.closest(".katex"))
      cut.push(`${name} clipped by ${clipper.className || clipper.tagName} (${Math.round(past)} px)`);
    else if (!clipper && !scroller && past > 2)
      cut.push(`${name} reaches ${Math.round(right)} px`);
  }
  return cut;
}"""


@pytest.mark.parametrize("source", NAV)
def test_nothing_is_cut_off_on_a_390_px_phone(browser, site_url, built_site, source):
    with _phone(browser, _page_url(site_url, source, built_site)) as page:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the page scrolls sideways"
        cut = page.evaluate(_CUT_OFF)
        assert not cut, f"{source}: {len(cut)} elements cut off at 390 px, e.g. {cut[:5]}"


def test_wide_formulas_scroll_in_their_own_focusable_box_on_a_phone(browser, site_url, built_site):
    source = "tutorials/02-gradient-descent.ipynb"
    with _phone(browser, _page_url(site_url, source, built_site)) as page:
        # An off-screen formula is laid out only when the reader nears it (site.css), and
        # site.js marks its box when a ResizeObserver reports it: look at each in view.
        boxes = page.evaluate("""async () => {
            const settle = () => new Promise(r => setTimeout(r, 150));
            const found = [];
            for (const box of document.querySelectorAll('.katex-display')) {
              box.scrollIntoView({block: 'center'});
              await settle();
              if (box.scrollWidth <= box.clientWidth) continue;
              box.scrollLeft = box.scrollWidth;
              found.push({overflow: getComputedStyle(box).overflowX, scrolled: box.scrollLeft > 0,
                          tabindex: box.tabIndex});
            }
            return found;
        }""")
        assert boxes, f"no display formula of {source} is wider than a phone: this test checks nothing"
        assert all(b["overflow"] == "auto" and b["scrolled"] for b in boxes), boxes
        focusable = [b["tabindex"] for b in boxes]
        assert focusable == [0] * len(boxes), "a formula box that scrolls is not reachable with the keyboard"
