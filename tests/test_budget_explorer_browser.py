"""Page 12's budget explorable on the built site, in a real browser (issue 23).

It starts at the page's budget of 16 trials and reports the bests the page prints; moving the budget
shows each method's best within its first k trials, as computed from the page's own trial losses;
the keyboard moves it and says the new budget; Ax's trials placed before its model are drawn hollow;
both palettes colour it and axe-core finds nothing serious; at 390 px its text stays readable.
"""

from __future__ import annotations

import re

import pytest
from test_browser import PALETTES, _open, _page_url, _serious_accessibility_violations, _set_palette, browser, site_url
from test_explorables_browser import _figure, _readout
from test_site import page_html

pytestmark = [pytest.mark.browser, pytest.mark.site]
SHARED_FIXTURES = (browser, site_url)

PAGE = "tutorials/12-hyperparameter-search.ipynb"
METHODS = {"grid search": "grid_losses", "random search": "random_losses", "Ax": "ax_losses"}


@pytest.fixture(scope="module")
def executed(executed_page):
    return executed_page("12-hyperparameter-search")


def _expected(executed, k: int) -> dict[str, tuple[str, int]]:
    """Each method's lowest loss within its first k trials (to 5 decimals) and the trial, from the page's glue."""
    out = {}
    for name, key in METHODS.items():
        losses = executed.glue[key][:k]
        best = min(range(k), key=lambda i: (losses[i], i))
        out[name] = (f"{losses[best]:.5f}", best + 1)
    return out


def _reported(readout: str) -> dict[str, tuple[str, int]]:
    return {name: (loss, int(trial))
            for name, loss, trial in re.findall(r"(grid search|random search|Ax) (\d+\.\d{5}) \(trial (\d+)", readout)}


def test_the_figure_starts_at_the_pages_budget_and_reports_its_printed_bests(browser, site_url, built_site, executed):
    printed = {name: (loss, int(trial)) for name, loss, trial in
               re.findall(r"^\s*(grid search|random search|Ax): best loss (\d+\.\d{5}) at trial\s+(\d+)",
                          executed.text, flags=re.M)}
    assert len(printed) == 3
    with _open(browser, _page_url(site_url, PAGE, built_site), "default") as (page, problems):
        figure = _figure(page)
        slider = figure.locator("input[type=range]")
        assert slider.count() == 1 and slider.get_attribute("aria-valuetext") == "16"
        readout = _readout(page)
        assert not figure.locator(".linreg-explorable__fallback").is_visible()
        assert not problems, "\n".join(problems)
    assert readout.startswith("Within 16 trials (the whole budget)")
    assert _reported(readout) == printed
    assert "(trial 1, the centre of the space)" in readout


@pytest.mark.parametrize("k", [1, 5, 9, 10])
def test_each_budget_shows_the_best_of_the_pages_first_k_trials(browser, site_url, built_site, executed, k):
    with _open(browser, _page_url(site_url, PAGE, built_site), "default") as (page, problems):
        slider = _figure(page).locator("input[type=range]")
        before = page.evaluate("document.querySelector('figure.linreg-explorable svg').innerHTML")
        slider.fill(str(k - 1))
        readout = _readout(page)
        assert page.evaluate("document.querySelector('figure.linreg-explorable svg').innerHTML") != before
        assert not problems, "\n".join(problems)
    assert readout.startswith(f"Within {k} trial")
    assert _reported(readout) == _expected(executed, k)
    span = next(s for s in executed.glue["budget_spans"] if s[0] <= k <= s[1])
    assert readout.endswith(f"Lowest: {span[2]}.")


def test_the_keyboard_moves_the_budget_and_its_spoken_value(browser, site_url, built_site):
    with _open(browser, _page_url(site_url, PAGE, built_site), "default") as (page, _):
        slider = _figure(page).locator("input[type=range]")
        slider.focus()
        page.keyboard.press("ArrowLeft")
        assert slider.get_attribute("aria-valuetext") == "15"
        assert _readout(page).startswith("Within 15 trials, ")
        page.keyboard.press("Home")
        assert slider.get_attribute("aria-valuetext") == "1" and _readout(page).startswith("Within 1 trial, ")


def test_axs_trials_before_its_model_are_hollow_and_the_ones_it_chose_filled(browser, site_url, built_site, executed):
    nodes = executed.glue["ax_nodes"]
    with _open(browser, _page_url(site_url, PAGE, built_site), "default") as (page, _):
        _figure(page)
        whole = "figure.linreg-explorable svg[id$='-surface']"
        hollow = page.locator(f"{whole} circle.lx-mark-2.lx-hollow").count()
        filled = page.locator(f"{whole} circle.lx-mark-2:not(.lx-hollow)").count()
    assert (hollow, filled) == (sum(n != "MBM" for n in nodes), nodes.count("MBM"))


def test_the_whole_descent_panel_starts_just_below_the_best_loss_not_a_decade_under_it(browser, site_url, built_site):
    with _open(browser, _page_url(site_url, PAGE, built_site), "default") as (page, _):
        _figure(page)
        whole = page.locator("figure.linreg-explorable svg[id$='-surface']")
        marks = whole.locator("circle.lx-mark").evaluate_all("cs => cs.map(c => Number(c.getAttribute('cy')))")
        axis = whole.locator("line.lx-budget").evaluate("l => [l.y1.baseVal.value, l.y2.baseVal.value]")
    lowest_mark = max(marks)  # SVG's y grows downwards
    top, bottom = min(axis), max(axis)  # the budget line spans the plot's height
    # the best loss of all (at the budget of 16, every method's last mark) sits within 5% of the plot's height
    # from its bottom: below it, only the margin that keeps its marker whole
    assert bottom - lowest_mark <= 0.05 * (bottom - top) + 1


@pytest.mark.parametrize("palette", list(PALETTES))
def test_the_figure_follows_the_palette_and_axe_finds_nothing_serious(browser, site_url, built_site, palette):
    scheme = PALETTES[palette]
    with _open(browser, _page_url(site_url, PAGE, built_site), scheme) as (page, problems):
        _set_palette(page, scheme)
        _figure(page)
        card = page.evaluate("getComputedStyle(document.querySelector('figure.linreg-explorable .lx-plot'))"
                             ".backgroundColor")
        assert card == ("rgb(252, 252, 253)" if palette == "light" else "rgb(30, 33, 41)")
        serious = _serious_accessibility_violations(page, within="figure.linreg-explorable")
        assert not serious, "axe-core: " + "; ".join(serious)
        assert not problems, "\n".join(problems)


def test_the_static_fallback_is_the_best_so_far_figure_with_its_alt_text(built_site):
    html = page_html(built_site, PAGE)
    fallback = html.split('class="linreg-explorable__fallback">', 1)[1].split("</figure>", 1)[0]
    assert "<img" in fallback and 'alt="Step lines of the lowest validation loss found so far' in fallback
