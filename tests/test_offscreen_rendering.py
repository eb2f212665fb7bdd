"""Pages that render only what is near the screen lose nothing a reader sees or can do (issue 24).

A phone pays for a long page mostly in style and layout work on load. So notebook
cells and the blocks of Markdown and reference pages that are off-screen are neither
styled nor laid out until the reader scrolls near them (``content-visibility: auto``
in ``notebook.css`` and ``site.css``), code blocks get their copy button when they
come into view (Material's ``content.lazy``), and names and whitespace in highlighted
code are bare text (``render.unwrap_plain_tokens``). ``make bench`` measures the gain
(Lighthouse, ``benchmarks/lighthouse.py``); these tests hold the reader's side of it:
links to headings and the table of contents land on their heading, folded source
opens and shows its code, code keeps its colours, search finds what is below the fold.
"""

from __future__ import annotations

import contextlib
import json

import pytest
from test_browser import PALETTES, _open, _page_url, _set_palette, browser, site_url
from test_site import NAV, NOTEBOOKS, page_html

pytestmark = [pytest.mark.browser, pytest.mark.site]
SHARED_FIXTURES = (browser, site_url)  # the browser tests' Chromium and local server, used here too

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LONG_NOTEBOOK = "tutorials/02-gradient-descent.ipynb"
REFERENCE = "reference/surfaces.md"


@contextlib.contextmanager
def _visit(browser, url: str, viewport: dict):
    """A first visit of ``url`` at ``viewport`` (a phone's: touch, 2x pixels); yields the page."""
    phone = viewport["width"] < 600
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone,
                                  device_scale_factor=2 if phone else 1)
    try:
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        yield page
    finally:
        context.close()


def _heading_in_the_middle(page) -> str:
    """The id of a section heading halfway down the article (with a page of content below it)."""
    return page.evaluate("""() => {
        const headings = [...document.querySelectorAll("article :is(h2, h3)[id]")];
        return headings[Math.floor(headings.length / 2)].id;
    }""")


# Where a heading is relative to where the browser should put it when it scrolls to it:
# its top at Material's scroll margin below the header (0 when it landed right).
_LANDING_ERROR = """id => {
    const heading = document.getElementById(id);
    const margin = parseFloat(getComputedStyle(heading).scrollMarginTop) || 0;
    return heading.getBoundingClientRect().top - margin;
}"""


def test_cells_far_below_the_fold_are_not_rendered_on_load_but_are_when_reached(browser, site_url, built_site):
    url = _page_url(site_url, LONG_NOTEBOOK, built_site)
    with _visit(browser, url, PHONE) as page:
        last = page.locator(".jp-Notebook > .jp-Cell").last
        rendered = "cell => cell.firstElementChild.checkVisibility({contentVisibilityAuto: true})"
        assert not last.evaluate(rendered), "the last cell was rendered on load: off-screen cells cost a phone"
        last.scroll_into_view_if_needed()
        page.wait_for_function(f"({rendered})(document.querySelector('.jp-Notebook').lastElementChild)")


def test_a_phones_closed_navigation_drawer_is_not_rendered_and_opening_it_shows_its_links(
        browser, site_url, built_site):
    url = _page_url(site_url, LONG_NOTEBOOK, built_site)
    with _visit(browser, url, PHONE) as page:
        link = page.locator(".md-sidebar--primary a.md-nav__link", has_text="Autograd").first
        assert not link.evaluate("a => a.checkVisibility()"), "the closed drawer's links were rendered on load"
        page.locator("label.md-header__button[for=__drawer]").click()
        link.wait_for(state="visible")
        link.click()
        page.wait_for_url("**/03-autograd/")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("source", [LONG_NOTEBOOK, REFERENCE])
def test_a_link_to_a_heading_deep_in_a_page_lands_on_that_heading(browser, site_url, built_site, source, viewport):
    url = _page_url(site_url, source, built_site)
    with _visit(browser, url, viewport) as page:
        anchor = _heading_in_the_middle(page)
    with _visit(browser, f"{url}#{anchor}", viewport) as page:
        page.wait_for_timeout(500)  # cells near the heading render and take their real height
        error = page.evaluate(_LANDING_ERROR, anchor)
        assert abs(error) <= 2, f"#{anchor} landed {error:.0f} px off its place"
        # Scrolling up renders the blocks above it: what is on screen must not jump.
        page.mouse.wheel(0, -400)
        page.wait_for_timeout(300)
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(300)
        error = page.evaluate(_LANDING_ERROR, anchor)
        assert abs(error) <= 2, f"after scrolling up and back, #{anchor} is {error:.0f} px off its place"


@pytest.mark.parametrize("source", [LONG_NOTEBOOK, REFERENCE])
def test_the_table_of_contents_takes_the_reader_to_a_heading_and_marks_it(browser, site_url, built_site, source):
    url = _page_url(site_url, source, built_site)
    with _visit(browser, url, DESKTOP) as page:
        anchor = _heading_in_the_middle(page)
        link = page.locator(f'.md-sidebar--secondary a.md-nav__link[href="#{anchor}"]')
        link.click()
        page.wait_for_timeout(800)
        error = page.evaluate(_LANDING_ERROR, anchor)
        assert abs(error) <= 2, f"the table of contents took the reader {error:.0f} px away from #{anchor}"
        page.wait_for_function(
            f"""document.querySelector('.md-sidebar--secondary a.md-nav__link[href="#{anchor}"]')
                .classList.contains('md-nav__link--active')""", timeout=5000)


def _first_page_with(built_site, sources: list[str], marker: str) -> str:
    found = [source for source in sources if marker in page_html(built_site, source)]
    assert found, f"no page has {marker!r}: this test checks nothing"
    return found[0]


@pytest.mark.parametrize("kind", ["linreg-source", "mkdocstrings-source"])
def test_a_folded_source_block_opens_and_shows_its_code_with_a_copy_button(browser, site_url, built_site, kind):
    source = _first_page_with(built_site, NOTEBOOKS if kind == "linreg-source" else NAV, f'<details class="{kind}">')
    with _visit(browser, _page_url(site_url, source, built_site), PHONE) as page:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        blocks = page.locator(f"details.{kind}")
        block = blocks.nth(blocks.evaluate_all("all => all.map(d => d.open).lastIndexOf(false)"))
        block.scroll_into_view_if_needed()
        assert block.locator("pre").count() == 0, "the folded code was built before the reader opened it"
        block.locator("summary").click()
        code = block.locator("pre > code").last
        code.wait_for(state="visible")
        assert code.bounding_box()["height"] > 40, "the unfolded source shows no code"
        text = code.inner_text()
        assert "def " in text or "class " in text, text[:200]
        block.locator("button.md-code__button").last.click()
        page.wait_for_selector(".md-dialog--active:has-text('Copied to clipboard')")
        assert page.evaluate("navigator.clipboard.readText()").strip() == text.strip()


def test_folded_source_is_in_the_page_for_readers_without_javascript(browser, site_url, built_site):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(_page_url(site_url, REFERENCE, built_site))
        block = page.locator("details.mkdocstrings-source").first
        block.locator("summary").click()
        assert "def " in block.locator("pre").last.inner_text()
    finally:
        context.close()


@pytest.mark.parametrize("palette", list(PALETTES))
@pytest.mark.parametrize("source", [NOTEBOOKS[0], REFERENCE])
def test_names_in_highlighted_code_keep_the_colour_the_theme_gives_them(browser, site_url, built_site, source,
                                                                        palette):
    """A name is bare text in its code block; the theme's colour for a name token is the same."""
    scheme = PALETTES[palette]
    with _open(browser, _page_url(site_url, source, built_site), scheme) as (page, problems):
        _set_palette(page, scheme)
        differ = page.evaluate("""() => [...document.querySelectorAll(".highlight pre")]
            .filter(pre => !pre.closest(".linenodiv, .jp-RenderedText")).slice(0, 20).flatMap(pre => {
            const around = pre.querySelector("code") || pre;
            const probe = Object.assign(document.createElement("span"), {className: "n", textContent: "x"});
            around.append(probe);
            const [name, code] = [getComputedStyle(probe).color, getComputedStyle(around).color];
            probe.remove();
            return name === code ? [] : [`${name} vs ${code}`];
        })""")
        assert not differ, f"a name token would be coloured differently from the code around it: {differ[:3]}"
        assert not problems, "\n".join(problems)


def test_no_highlighted_code_wraps_names_or_whitespace_in_spans(built_site):
    for source in NAV:
        html = page_html(built_site, source)
        assert '<span class="n">' not in html and '<span class="w">' not in html, source


def test_search_finds_a_section_of_a_formula_page_below_the_fold(browser, site_url, built_site):
    index = json.loads((built_site / "search" / "search_index.json").read_text())
    page_url = _page_url(site_url, LONG_NOTEBOOK, built_site).removeprefix(site_url)
    sections = [doc for doc in index["docs"] if doc["location"].startswith(page_url + "#") and len(doc["title"]) > 12]
    assert sections, f"the search index has no section of {page_url}"
    wanted = sections[-1]  # the last section: far below the fold
    with _open(browser, site_url, "default") as (page, problems):
        page.locator("label.md-search__icon, .md-search__input").first.click()
        # typed key by key: Material's search reacts to keyboard events, not to fill()
        page.locator("input.md-search__input").press_sequentially(wanted["title"], delay=20)
        page.wait_for_selector(".md-search-result__item", timeout=15000)
        # a result links to the section, with the search terms to highlight: page/?h=terms#section
        links = page.eval_on_selector_all(".md-search-result__item a",
                                          "links => links.map(a => a.pathname + a.hash)")
        assert "/" + wanted["location"] in links, (wanted, links[:5])
        assert not problems, "\n".join(problems)
