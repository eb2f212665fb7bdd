"""Page 9's width-and-activation figure on the built site, in a real browser (issue 23).

It starts at the page's network and reports its printed loss; each slider redraws the curve and the
readout with the precomputed values; the keyboard moves the sliders and their spoken values; both palettes
colour it from the palette's variables; axe-core finds nothing serious; it is readable at 390 px.
"""

from __future__ import annotations

import json
import re

import pytest
from test_browser import PALETTES, _open, _page_url, _serious_accessibility_violations, _set_palette, browser, site_url
from test_explorables_browser import _drawing, _figure, _readout
from test_site import page_html

pytestmark = [pytest.mark.browser, pytest.mark.site]
SHARED_FIXTURES = (browser, site_url)
PAGE_9 = "tutorials/09-neural-networks.ipynb"


def _data(built_site) -> dict:
    html = page_html(built_site, PAGE_9)
    text = re.search(r'class="linreg-explorable__data"[^>]*>(.*?)</script>', html, flags=re.S).group(1)
    return json.loads(text.replace("<\\/", "</"))


def test_the_figure_starts_at_the_pages_network_and_reports_its_printed_loss(browser, site_url, built_site,
                                                                            executed_page):
    printed = executed_page("09-neural-networks").text
    loss = re.search(r"lr 0\.01: loss epoch 1 [\d.]+, epoch 200 ([\d.]+)", printed).group(1)
    with _open(browser, _page_url(site_url, PAGE_9, built_site), "default") as (page, problems):
        readout = _readout(page)
        assert not problems, "\n".join(problems)
    assert readout.startswith(f"Hidden units per layer 64, Activation ReLU: training loss at epoch 200: {loss} ")


def test_the_fallback_is_a_static_figure_with_an_alt_text(built_site):
    html = page_html(built_site, PAGE_9)
    fallback = html.split('class="linreg-explorable__fallback">', 1)[1].split("</div>", 1)[0]
    assert "<img" in fallback and 'alt="Six panels' in fallback


def test_each_slider_redraws_the_curve_and_reports_the_precomputed_loss(browser, site_url, built_site):
    data = _data(built_site)
    widths, kinds = (c["values"] for c in data["controls"])
    with _open(browser, _page_url(site_url, PAGE_9, built_site), "default") as (page, problems):
        figure = _figure(page)
        width, kind = figure.locator("input[type=range]").nth(0), figure.locator("input[type=range]").nth(1)
        for w_index, k_index in ((0, 0), (3, 1), (len(widths) - 1, 2), (len(widths) - 1, 0)):
            before, text = _drawing(page), _readout(page)
            width.fill(str(w_index))
            kind.fill(str(k_index))
            chosen = {"hidden": widths[w_index], "activation": kinds[k_index]}
            (run,) = [r for r in data["runs"] if r["settings"] == chosen]
            readout = _readout(page)
            assert readout.startswith(f"Hidden units per layer {widths[w_index]}, Activation {kinds[k_index]}: "
                                      f"training loss at epoch 200: {run['finalLoss']:.3f} ")
            assert _drawing(page) != before and readout != text
            assert kind.get_attribute("aria-valuetext") == kinds[k_index]
        assert not problems, "\n".join(problems)


def test_the_keyboard_moves_the_activation_and_its_spoken_name(browser, site_url, built_site):
    with _open(browser, _page_url(site_url, PAGE_9, built_site), "default") as (page, _):
        kind = _figure(page).locator("input[type=range]").nth(1)
        kind.focus()
        assert kind.get_attribute("aria-valuetext") == "ReLU"
        page.keyboard.press("ArrowRight")
        assert kind.get_attribute("aria-valuetext") == "tanh"
        assert page.locator(f"output[for='{kind.get_attribute('id')}']").inner_text() == "tanh"
        assert _readout(page).startswith("Hidden units per layer 64, Activation tanh")


@pytest.mark.parametrize("palette", list(PALETTES))
def test_the_figure_follows_the_palette_and_axe_finds_nothing_serious(browser, site_url, built_site, palette):
    scheme = PALETTES[palette]
    with _open(browser, _page_url(site_url, PAGE_9, built_site), scheme) as (page, problems):
        _set_palette(page, scheme)
        _figure(page)
        stroke = page.evaluate("getComputedStyle(document.querySelector('figure.linreg-explorable .lx-path')).stroke")
        assert stroke == ("rgb(192, 57, 43)" if palette == "light" else "rgb(255, 123, 107)")
        serious = _serious_accessibility_violations(page, within="figure.linreg-explorable")
        assert not serious, "axe-core: " + "; ".join(serious)
        assert not problems, "\n".join(problems)


def test_at_390_px_the_figure_fits_and_its_text_is_at_least_9_px(browser, site_url, built_site):
    with _open(browser, _page_url(site_url, PAGE_9, built_site), "default") as (page, _):
        page.set_viewport_size({"width": 390, "height": 844})
        figure = _figure(page)
        page.wait_for_timeout(400)  # the script redraws 150 ms after a resize
        box = figure.bounding_box()
        assert box["width"] <= 390
        sizes = page.evaluate("""() => [...document.querySelectorAll('figure.linreg-explorable svg text')].map(t => {
            const svg = t.ownerSVGElement, scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return parseFloat(getComputedStyle(t).fontSize) * scale; })""")
        assert sizes and min(sizes) >= 9
