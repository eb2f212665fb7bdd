"""Figures follow the reader's palette (issue 11): each figure has a light and a dark file,
the page shows the one that matches the palette in force (stored choice, toggle or system
preference) and the browser fetches only that one.
"""

from __future__ import annotations

import re

import pytest
from test_browser import _open, _page_url, _set_palette, browser, site_url
from test_site import NAV, page_html

pytestmark = [pytest.mark.browser, pytest.mark.site]
SHARED_FIXTURES = (browser, site_url)

# Corner pixel of a figure's visible rendering: the light card or the slate background.
CARD, SLATE = (0xFC, 0xFC, 0xFD), (0x1E, 0x21, 0x29)

# Bring each shown figure into view, as a reader scrolling down would, and wait until it loads.
_SCROLL_TO_END = """async () => {
    for (const i of [...document.images].filter(i => i.offsetParent)) {
        i.scrollIntoView();
        await new Promise(r => {
            if (i.complete && i.naturalWidth) return r();
            i.addEventListener('load', r, {once: true});
            setTimeout(r, 5000);
        });
    }
}"""

# For every image shown: which rendering it is and its corner colour.
_SHOWN = """() => [...document.querySelectorAll('img[src*="#only-"]')].filter(i => i.offsetParent).map(i => {
    const canvas = document.createElement('canvas');
    canvas.width = i.naturalWidth; canvas.height = i.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(i, 0, 0);
    return [i.getAttribute('src').split('#')[1], [...context.getImageData(2, 2, 1, 1).data.slice(0, 3)]];
})"""


def _figure_page(built_site) -> str:
    """The page with the most figures in two renderings."""
    return max(NAV, key=lambda source: page_html(built_site, source).count("#only-dark"))


def _figure_files(built_site, source: str, which: str) -> set[str]:
    return set(re.findall(rf'src="[^"]*/([0-9a-f]+\.png)#only-{which}"', page_html(built_site, source)))


def _requested_figures(page) -> set[str]:
    return {name for name in page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
            for name in re.findall(r"/media/([0-9a-f]+\.png)", name)}


def test_every_figure_on_a_figure_page_has_a_light_and_a_dark_file(built_site):
    source = _figure_page(built_site)
    light, dark = _figure_files(built_site, source, "light"), _figure_files(built_site, source, "dark")
    assert len(light) >= 3 and len(dark) == len(light) and not light & dark


@pytest.mark.parametrize(("scheme", "shown", "hidden", "corner"),
                         [("default", "light", "dark", CARD), ("slate", "dark", "light", SLATE)])
def test_a_first_visit_fetches_and_shows_only_the_palettes_figures(browser, site_url, built_site,
                                                                    scheme, shown, hidden, corner):
    source = _figure_page(built_site)
    with _open(browser, _page_url(site_url, source, built_site), scheme) as (page, problems):
        page.evaluate(_SCROLL_TO_END)
        requested = _requested_figures(page) & (_figure_files(built_site, source, "light")
                                                | _figure_files(built_site, source, "dark"))
        visible = page.evaluate(_SHOWN)
    # (figures inside a closed "Solution" block are not shown, so not fetched either)
    assert requested and requested <= _figure_files(built_site, source, shown)
    assert not requested & _figure_files(built_site, source, hidden), f"{hidden} figures were fetched"
    assert visible and all(which == f"only-{shown}" for which, _ in visible)
    assert sum(tuple(pixel) == corner for _, pixel in visible) >= len(visible) - 1, f"corners: {visible}"
    assert not problems, "\n".join(problems)


def test_the_system_preference_picks_the_dark_figures_on_a_first_visit(browser, site_url, built_site):
    source = _figure_page(built_site)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(_page_url(site_url, source, built_site), wait_until="networkidle")
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
        page.evaluate(_SCROLL_TO_END)
        visible = page.evaluate(_SHOWN)
        requested = _requested_figures(page)
    finally:
        context.close()
    assert visible and all(which == "only-dark" and tuple(pixel) != CARD for which, pixel in visible)
    # The page applies the system's palette before any figure starts loading (overrides/main.html),
    # so no light figure is fetched even with no stored choice.
    assert not requested & _figure_files(built_site, source, "light"), "light figures were fetched"


def test_the_toggle_swaps_the_figures_for_the_other_palettes(browser, site_url, built_site):
    source = _figure_page(built_site)
    with _open(browser, _page_url(site_url, source, built_site), "default") as (page, problems):
        _set_palette(page, "slate")
        page.evaluate(_SCROLL_TO_END)
        visible = page.evaluate(_SHOWN)
        assert not problems, "\n".join(problems)
    assert visible and all(which == "only-dark" and tuple(pixel) != CARD for which, pixel in visible)


@pytest.mark.parametrize(("scheme", "ink", "background"),
                         [("default", "rgb(31, 36, 48)", "rgb(252, 252, 253)"),
                          ("slate", "rgb(226, 229, 235)", "rgb(30, 33, 41)")])
def test_graphs_take_the_palettes_ink_and_background_from_the_stylesheet(browser, site_url, built_site,
                                                                         scheme, ink, background):
    source = max(NAV, key=lambda s: page_html(built_site, s).count('<figure class="linreg-graph">'))
    with _open(browser, _page_url(site_url, source, built_site), scheme) as (page, problems):
        inks = page.evaluate("[...document.querySelectorAll('.linreg-graph svg text')]"
                             ".map(t => getComputedStyle(t).fill)")
        backgrounds = page.evaluate("[...document.querySelectorAll('.linreg-graph svg')]"
                                    ".map(s => getComputedStyle(s).backgroundColor)")
        assert not problems, "\n".join(problems)
    assert inks and set(inks) == {ink}
    assert backgrounds and set(backgrounds) == {background}


def _video_page(built_site) -> str:
    return max(NAV, key=lambda s: page_html(built_site, s).count('class="linreg-dark"'))


# For every player: its palette class, whether it is displayed, its poster file and its corner colour.
_PLAYERS = """async () => {
    const players = [...document.querySelectorAll('.linreg-video video')];
    for (const v of players) if (v.offsetParent) { v.scrollIntoView(); await new Promise(r => setTimeout(r, 200)); }
    return players.map(v => [v.className, !!v.offsetParent, v.poster.split('/').pop(), v.preload]);
}"""


@pytest.mark.parametrize(("scheme", "shown", "hidden"),
                         [("default", "linreg-light", "linreg-dark"), ("slate", "linreg-dark", "linreg-light")])
def test_videos_show_the_palettes_player_and_fetch_only_its_poster(browser, site_url, built_site,
                                                                    scheme, shown, hidden):
    source = _video_page(built_site)
    html = page_html(built_site, source)
    assert html.count('class="linreg-dark"') >= 1 and " poster=" not in html  # posters come from site.js
    with _open(browser, _page_url(site_url, source, built_site), scheme) as (page, problems):
        players = page.evaluate(_PLAYERS)
        requested = {name.rsplit("/", 1)[-1] for name in
                     page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")}
        assert not problems, "\n".join(problems)
    displayed = [p for p in players if p[1]]
    assert displayed and all(cls == shown and poster.endswith(".png") for cls, _, poster, _ in displayed)
    assert all(poster == "" for cls, shown_, poster, _ in players if cls == hidden)
    assert all(preload == "none" for *_, preload in players)
    posters = {poster for *_, poster, _ in displayed}
    hidden_posters = set(re.findall(rf'class="{hidden}"[^>]*data-poster="[^"]*/([0-9a-f]+\.png)"', html))
    assert posters <= requested and not hidden_posters & requested
    assert not any(name.endswith(".mp4") for name in requested)  # nothing of a video before play


def test_the_toggle_swaps_the_video_players(browser, site_url, built_site):
    source = _video_page(built_site)
    with _open(browser, _page_url(site_url, source, built_site), "default") as (page, problems):
        _set_palette(page, "slate")
        players = page.evaluate(_PLAYERS)
        assert not problems, "\n".join(problems)
    assert [cls for cls, displayed, poster, _ in players if displayed] == \
        [cls for cls, *_ in players if cls == "linreg-dark"]
    assert all(poster for cls, displayed, poster, _ in players if displayed)
