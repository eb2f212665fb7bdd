"""Page 10's latent-space explorable on the built site, in a real browser (issue 23).

It starts at the code the page prints, shows the decode the build precomputed for the grid point the reader
picks (by keyboard, click or drag), says where it is in ``aria-valuetext``, follows both palettes with nothing
serious for axe-core, and stays readable at 390 px.
"""

from __future__ import annotations

import json
import re

import pytest
from test_browser import PALETTES, _open, _page_url, _serious_accessibility_violations, _set_palette, browser, site_url
from test_explorables_browser import _figure, _readout
from test_site import page_html

pytestmark = [pytest.mark.browser, pytest.mark.site]
SHARED_FIXTURES = (browser, site_url)

PAGE = "tutorials/10-autoencoders.ipynb"
PLANE = "figure.linreg-explorable svg.lx-plane"


def _node(page) -> tuple[int, int]:
    i, j = _figure(page).get_attribute("data-node").split(",")
    return int(i), int(j)


def _data(page) -> dict:
    return json.loads(page.locator("figure.linreg-explorable script.linreg-explorable__data").text_content())


def _drawn_ink(page) -> list[float]:
    """The ink of each pixel the digit panel draws, row by row (0 where it draws none)."""
    return page.evaluate("""() => {
        const svg = document.querySelector('figure.linreg-explorable svg.lx-digit');
        const frame = svg.querySelector('rect.lx-frame'), size = frame.width.baseVal.value / 8;
        const ink = new Array(64).fill(0);
        svg.querySelectorAll('rect.lx-ink').forEach(r => {
            const c = Math.round((r.x.baseVal.value - 20) / size), row = Math.round((r.y.baseVal.value - 22) / size);
            ink[row * 8 + c] = Number(r.getAttribute('fill-opacity'));
        });
        return ink;
    }""")


def _precomputed_ink(data: dict, node: tuple[int, int]) -> list[float]:
    i, j = node
    start = (j * len(data["gridX"]) + i) * 64 * 2
    return [int(data["images"][start + 2 * k:start + 2 * k + 2], 16) / 255 for k in range(64)]


def test_the_live_figure_replaces_the_static_one_which_the_page_keeps_for_readers_without_javascript(
        browser, site_url, built_site):
    fallback = page_html(built_site, PAGE).split('class="linreg-explorable__fallback">', 1)[1].split("</div>", 1)[0]
    assert "<img" in fallback and 'alt="' in fallback
    with _open(browser, _page_url(site_url, PAGE, built_site), "default") as (page, problems):
        figure = _figure(page)
        assert not figure.locator(".linreg-explorable__fallback").is_visible()
        assert figure.locator("svg.lx-plane use.lx-d0").count() > 10
        assert figure.locator(".lx-latent-key .lx-key-item").count() == 10
        assert not problems, "\n".join(problems)


def test_each_digit_is_drawn_in_a_shape_of_its_own_as_in_the_static_scatter(browser, site_url, built_site):
    # colour alone would leave classes apart only for readers who tell those colours apart (plots.CLASS_MARKERS)
    with _open(browser, _page_url(site_url, PAGE, built_site), "slate") as (page, problems):
        _figure(page)
        shapes = page.evaluate("""() => {
            const plane = document.querySelector('figure.linreg-explorable svg.lx-plane');
            const byDigit = {};
            for (const dot of plane.querySelectorAll('g > use')) {
                const digit = dot.getAttribute('class').replace('lx-d', '');
                const marker = plane.querySelector(dot.getAttribute('href'));
                (byDigit[digit] = byDigit[digit] || new Set()).add(marker.getAttribute('d'));
            }
            const key = [...document.querySelectorAll('.lx-latent-key .lx-key-item path')]
                .map(p => p.getAttribute('d'));
            return {byDigit: Object.fromEntries(Object.entries(byDigit).map(([d, s]) => [d, [...s]])), key};
        }""")
        assert not problems, "\n".join(problems)
    by_digit = shapes["byDigit"]
    assert sorted(by_digit) == [str(d) for d in range(10)]
    assert all(len(paths) == 1 for paths in by_digit.values()), "one shape per digit"
    assert len({paths[0] for paths in by_digit.values()}) == 10, "ten different shapes"
    assert len(set(shapes["key"])) == 10, "the key shows the ten shapes too"


def test_it_starts_at_the_code_the_page_prints_and_shows_that_codes_own_decode(browser, site_url, built_site,
                                                                             executed_page):
    printed = executed_page("10-autoencoders").text
    label, code1, code2 = re.search(r"the first training image, a (\d), has the code \((-?[\d.]+), (-?[\d.]+)\)",
                                    printed).groups()
    article = "an" if label == "8" else "a"
    with _open(browser, _page_url(site_url, PAGE, built_site), "default") as (page, _):
        readout = _readout(page)
        spoken = page.locator(PLANE).get_attribute("aria-valuetext")
        data = _data(page)
        assert _node(page) == tuple(data["start"])
        assert _drawn_ink(page) == pytest.approx(_precomputed_ink(data, tuple(data["start"])), abs=1e-3)
    # the start lies on a grid point, so the nearest training code there is its own: said as such, not "0.00 away"
    assert readout.startswith(f"At code 1 = {code1}, code 2 = {code2}: "
                              f"the start, the code of the first training image ({article} {label}) itself.")
    assert "nearest training code" not in readout
    assert spoken.startswith(f"code 1 = {code1}, code 2 = {code2}: the start, the code of the first training image")


def test_arrow_keys_move_the_point_one_grid_step_and_home_brings_it_back(browser, site_url, built_site):
    with _open(browser, _page_url(site_url, PAGE, built_site), "default") as (page, _):
        plane = page.locator(PLANE)
        _figure(page)
        data = _data(page)
        i, j = _node(page)
        plane.focus()
        assert page.evaluate(f"document.querySelector('{PLANE}').matches(':focus-visible')")
        assert page.evaluate(f"getComputedStyle(document.querySelector('{PLANE}')).outlineStyle") == "solid"
        spoken = plane.get_attribute("aria-valuetext")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowUp")
        assert _node(page) == (i + 1, j + 1)
        assert _drawn_ink(page) == pytest.approx(_precomputed_ink(data, (i + 1, j + 1)), abs=1e-3)
        spoken_now = plane.get_attribute("aria-valuetext")
        assert spoken_now != spoken
        assert spoken_now.startswith(f"code 1 = {data['gridX'][i + 1]:.2f}, code 2 = {data['gridY'][j + 1]:.2f}")
        page.keyboard.press("Shift+ArrowLeft")
        assert _node(page) == (max(i + 1 - 5, 0), j + 1)
        page.keyboard.press("Home")
        assert _node(page) == (i, j) and plane.get_attribute("aria-valuetext") == spoken


def test_a_click_or_a_drag_picks_the_grid_point_nearest_the_pointer(browser, site_url, built_site):
    with _open(browser, _page_url(site_url, PAGE, built_site), "default") as (page, problems):
        plane = page.locator(PLANE)
        _figure(page)
        data = _data(page)
        plane.scroll_into_view_if_needed()  # setting the figure up can shift the page: click where the plane is now
        box = plane.bounding_box()
        page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.1)  # top right
        i, j = _node(page)
        assert i > len(data["gridX"]) * 0.75 and j > len(data["gridY"]) * 0.75
        assert _drawn_ink(page) == pytest.approx(_precomputed_ink(data, (i, j)), abs=1e-3)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.8, steps=5)  # to bottom left
        page.mouse.up()
        i2, j2 = _node(page)
        assert i2 < len(data["gridX"]) * 0.4 and j2 < len(data["gridY"]) * 0.4
        # on a touch screen a vertical swipe over the plane scrolls the page; a tap or sideways drag moves the point
        assert plane.evaluate("e => getComputedStyle(e).touchAction") == "pan-y"
        assert not problems, "\n".join(problems)


@pytest.mark.parametrize("palette", list(PALETTES))
def test_the_figure_follows_the_palette_and_axe_finds_nothing_serious(browser, site_url, built_site, palette):
    scheme = PALETTES[palette]
    with _open(browser, _page_url(site_url, PAGE, built_site), scheme) as (page, problems):
        _set_palette(page, scheme)
        _figure(page)
        colours = page.evaluate("""() => ['.lx-d7', '.lx-ink'].map(s =>
            getComputedStyle(document.querySelector('figure.linreg-explorable ' + s)).fill)""")
        assert colours == (["rgb(31, 36, 48)"] * 2 if palette == "light" else ["rgb(226, 229, 235)"] * 2)
        serious = _serious_accessibility_violations(page, within="figure.linreg-explorable")
        assert not serious, "axe-core: " + "; ".join(serious)
        assert not problems, "\n".join(problems)


def test_at_390_px_the_plane_fits_and_its_text_is_at_least_9_css_px(browser, site_url, built_site):
    with _open(browser, _page_url(site_url, PAGE, built_site), "default") as (page, _):
        _figure(page)  # set up at 1280 px, then narrowed: the figure's layout follows the width
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(300)
        sizes = page.evaluate(f"""() => {{
            const svg = document.querySelector('{PLANE}');
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return {{width: svg.getBoundingClientRect().right,
                     smallest: Math.min(...[...svg.querySelectorAll('text')].map(t =>
                         parseFloat(getComputedStyle(t).fontSize) * scale))}};
        }}""")
        assert sizes["width"] <= 390
        assert sizes["smallest"] >= 9
