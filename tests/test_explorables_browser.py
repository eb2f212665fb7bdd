"""The explorables and the "Run it in your browser" block on the built site, in a real browser (issue 12).

Each slider changes the figure and the figure reports the numbers the page prints; both palettes
colour it from the palette's variables; the keyboard moves the sliders; axe-core finds nothing
serious. The Python block runs offline (every request off the site is refused and none is tried),
reproduces the page's a and b, can be stopped, and says so when the runtime cannot load.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from test_browser import (
    PALETTES,
    _open,
    _page_url,
    _serious_accessibility_violations,
    _set_palette,
    browser,
    site_url,
)
from test_site import page_html

pytestmark = [pytest.mark.browser, pytest.mark.site]
SHARED_FIXTURES = (browser, site_url)

PAGES = {"tutorials/02-gradient-descent.ipynb": 1, "tutorials/04-losses-and-optimizers.ipynb": 2,
         "tutorials/08-schedulers.ipynb": 2}  # page -> number of sliders
PAGE_2 = "tutorials/02-gradient-descent.ipynb"
MEASUREMENTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "explorables.txt"


def _figure(page):
    """The page's explorable, once the site's script has set it up.

    The script is deferred: on a busy machine the network can go idle (what ``_open``
    waits for) before the parser reaches the end of a long page and runs it; and it sets
    a figure up when the reader scrolls near it.
    """
    figure = page.locator("figure.linreg-explorable")
    # The script sets a figure up when the reader nears it. Scrolled to as a link to it scrolls: the cells
    # above render as they come near and take their real heights, which the browser's own scrollIntoView
    # follows (Playwright's scroll_into_view_if_needed, computed once, can land thousands of px away).
    figure.first.evaluate("f => f.scrollIntoView({block: 'center'})")
    figure.locator(".linreg-explorable__live").first.wait_for(state="visible", timeout=15000)
    return figure


def _drawing(page) -> str:
    return page.evaluate("[...document.querySelectorAll('figure.linreg-explorable svg')]"
                         ".map(s => s.innerHTML).join('')")


def _readout(page) -> str:
    return _figure(page).locator(".linreg-explorable__readout").first.inner_text()


@pytest.mark.parametrize("source", PAGES)
def test_the_live_figure_replaces_the_static_one_when_javascript_runs(browser, site_url, built_site, source):
    with _open(browser, _page_url(site_url, source, built_site), "default") as (page, problems):
        figure = _figure(page)
        assert figure.locator(".linreg-explorable__live").is_visible()
        assert not figure.locator(".linreg-explorable__fallback").is_visible()
        assert figure.locator("svg polyline").count() > 2
        assert not problems, "\n".join(problems)


@pytest.mark.parametrize("source", PAGES)
def test_the_static_fallback_is_in_the_page_for_readers_without_javascript(built_site, source):
    html = page_html(built_site, source)
    fallback = html.split('class="linreg-explorable__fallback">', 1)[1].split("</div>", 1)[0]
    assert "<img" in fallback and 'alt="' in fallback


@pytest.mark.parametrize("source", PAGES)
def test_moving_each_slider_changes_the_figure_and_its_readout(browser, site_url, built_site, source):
    with _open(browser, _page_url(site_url, source, built_site), "default") as (page, problems):
        sliders = _figure(page).locator("input[type=range]")
        assert sliders.count() == PAGES[source]
        for i in range(sliders.count()):
            slider = sliders.nth(i)
            before, text = _drawing(page), _readout(page)
            target = "0" if slider.input_value() != "0" else slider.get_attribute("max")
            slider.fill(target)
            assert _drawing(page) != before and _readout(page) != text
        assert not problems, "\n".join(problems)


@pytest.mark.parametrize("source", PAGES)
def test_the_keyboard_moves_a_slider_and_its_spoken_value(browser, site_url, built_site, source):
    with _open(browser, _page_url(site_url, source, built_site), "default") as (page, _):
        slider = _figure(page).locator("input[type=range]").first
        slider.focus()
        value, spoken = slider.input_value(), slider.get_attribute("aria-valuetext")
        step = -1 if value != "0" else 1  # a slider that starts at its first value can only move right
        page.keyboard.press("ArrowLeft" if step < 0 else "ArrowRight")
        assert slider.input_value() == str(int(value) + step)
        assert slider.get_attribute("aria-valuetext") != spoken
        assert page.locator(f"output[for='{slider.get_attribute('id')}']").inner_text() == slider.get_attribute(
            "aria-valuetext")


@pytest.mark.parametrize("source", [*PAGES, "tutorials/03-autograd.ipynb", "tutorials/09-neural-networks.ipynb",
                                    "tutorials/12-hyperparameter-search.ipynb"])
def test_a_slider_focused_from_the_keyboard_shows_a_visible_outline(browser, site_url, built_site, source):
    with _open(browser, _page_url(site_url, source, built_site), "default") as (page, _):
        slider = _figure(page).locator("input[type=range]").first
        slider.focus()  # no pointer has been used, so the browser treats this focus as the keyboard's
        assert slider.evaluate("s => s.matches(':focus-visible')")
        outline = slider.evaluate("s => [getComputedStyle(s).outlineStyle, "
                                  "parseFloat(getComputedStyle(s).outlineWidth)]")
        assert outline[0] != "none" and outline[1] >= 2, outline


def test_page_2_figure_reports_the_a_and_b_of_the_pages_loop_at_its_learning_rate(browser, site_url, built_site,
                                                                                  executed_page):
    glue = executed_page("02-gradient-descent").glue_text
    with _open(browser, _page_url(site_url, PAGE_2, built_site), "default") as (page, _):
        readout = _readout(page)
    assert readout.startswith("Learning rate 0.1: after 1000 epochs")
    assert f"b = {glue['loop_b']}" in readout and f"a = {glue['loop_a']}" in readout


def test_page_4_figure_reports_the_weight_and_bias_of_the_pages_momentum_race(browser, site_url, built_site,
                                                                            executed_page):
    printed = executed_page("04-losses-and-optimizers").text
    lr, weight, bias = re.search(r"^SGD with momentum 0\.9\s+(\S+)\s+(-?\d+\.\d{3})\s+(-?\d+\.\d{3})", printed,
                                 flags=re.M).groups()  # the race's row: its learning rate, final weight and bias
    with _open(browser, _page_url(site_url, "tutorials/04-losses-and-optimizers.ipynb", built_site), "default") as (
            page, _):
        readout = _readout(page)
    assert readout.startswith(f"Learning rate {lr}, Momentum β 0.9: after 100 steps")
    numbers = dict(re.findall(r"(weight|bias) = (-?\d+\.\d{4})", readout))
    # The table rounds to 3 decimals and the readout to 4, both from the same float: re-rounding the readout
    # can differ in the last digit (1.0844959 prints 1.084 and 1.0845), so compare within both roundings.
    assert abs(float(numbers["weight"]) - float(weight)) <= 0.0005 + 0.00005
    assert abs(float(numbers["bias"]) - float(bias)) <= 0.0005 + 0.00005


def test_page_8_figure_reports_the_validation_loss_of_the_pages_steplr_run(browser, site_url, built_site,
                                                                         executed_page):
    printed = executed_page("08-schedulers").text
    val = float(re.search(r"training\.fit (\d+\.\d{8})", printed).group(1))
    with _open(browser, _page_url(site_url, "tutorials/08-schedulers.ipynb", built_site), "default") as (page, _):
        readout = _readout(page)
    # the rate the last epoch trained with (history.lr[-1]), then the losses after that epoch
    assert readout.startswith("Step size (epochs) 30, Factor γ 0.5: in epoch 100 the learning rate is 0.100; "
                              "that epoch's training loss (the mean over its batches) ")
    assert f"the validation loss after it {val:.5f}" in readout


def test_a_diverged_run_is_drawn_dashed_and_says_where_it_diverged(browser, site_url, built_site):
    with _open(browser, _page_url(site_url, PAGE_2, built_site), "default") as (page, _):
        slider = _figure(page).locator("input[type=range]")
        slider.fill(slider.get_attribute("max"))
        readout = _readout(page)
        diverged_at = int(re.search(r"diverged at epoch (\d+)", readout).group(1))
        # the zoomed loss axis is named as a range, not as epochs the run never had
        zoomed_to = re.search(r"The loss panel is zoomed to epochs 0\u2013(\d+)\.", readout)
        assert zoomed_to and int(zoomed_to.group(1)) > diverged_at and "its first" not in readout
        for plot in ("surface", "loss"):  # the path and the loss curve, both dashed
            assert page.locator(f"figure.linreg-explorable svg[id$='-{plot}'] polyline.lx-diverged").count() >= 1


@pytest.mark.parametrize("palette", list(PALETTES))
@pytest.mark.parametrize("source", PAGES)
def test_the_figure_follows_the_palette_and_axe_finds_nothing_serious(browser, site_url, built_site, source, palette):
    scheme = PALETTES[palette]
    with _open(browser, _page_url(site_url, source, built_site), scheme) as (page, problems):
        _set_palette(page, scheme)
        _figure(page)
        # A schedule draws its chosen learning rate (.lx-rate) as page 8's static figures do: green in both palettes.
        colours = page.evaluate("""() => {
            const path = document.querySelector('figure.linreg-explorable .lx-path, figure.linreg-explorable .lx-rate');
            const plot = document.querySelector('figure.linreg-explorable .lx-plot');
            return [getComputedStyle(path).stroke, getComputedStyle(plot).backgroundColor,
                    path.classList.contains('lx-rate')];
        }""")
        path = "rgb(0, 158, 115)" if colours[2] else "rgb(192, 57, 43)" if palette == "light" else "rgb(255, 123, 107)"
        assert colours[:2] == [path, "rgb(252, 252, 253)" if palette == "light" else "rgb(30, 33, 41)"]
        # The live figure, in this palette. The rest of the page is test_browser.py's: it runs axe on every
        # page in both palettes, and a whole notebook page took axe about 7 s (its code's coloured tokens).
        serious = _serious_accessibility_violations(page, within="figure.linreg-explorable")
        assert not serious, "axe-core: " + "; ".join(serious)
        assert not problems, "\n".join(problems)


def test_pages_without_an_explorable_load_neither_its_script_nor_its_stylesheet(built_site):
    html = page_html(built_site, "tutorials/01-tensors.ipynb")
    assert "explorables.js" not in html and "explorables.css" not in html


# The "Run it in your browser" block on page 2

def _offline(page) -> list[str]:
    """Refuse every request that would leave the local site; return the list of those tried."""
    tried: list[str] = []

    def refuse(route):
        tried.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]|data:|blob:).*"), refuse)
    page.context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]|data:|blob:).*"), refuse)
    return tried


def test_the_page_loads_no_python_until_run_is_pressed(browser, site_url, built_site):
    with _open(browser, _page_url(site_url, PAGE_2, built_site), "default") as (page, _):
        fetched = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        assert not [url for url in fetched if "/vendor/pyodide/" in url or "pyodide-worker" in url]


def test_run_reproduces_the_pages_a_and_b_offline(browser, site_url, built_site, executed_page):
    glue = executed_page("02-gradient-descent").glue_text
    with _open(browser, _page_url(site_url, PAGE_2, built_site), "default") as (page, problems):
        tried = _offline(page)
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url))
        block = page.locator("div.linreg-pyodide")
        pressed = time.perf_counter()
        block.locator("button.linreg-pyodide__run").click()
        page.wait_for_function("document.querySelector('div.linreg-pyodide').dataset.state !== 'running'",
                               timeout=120_000)
        seconds = time.perf_counter() - pressed
        output = block.locator("output").inner_text()
        status = block.locator(".linreg-pyodide__status").inner_text()
        assert block.get_attribute("data-state") == "done", status
        assert f"a = {glue['loop_a']}, b = {glue['loop_b']}" in output
        assert not tried, f"requests that would leave the site: {tried}"
        assert not problems, "\n".join(problems)
    # What Run costs a reader, for the record (test-artifacts/explorables.txt).
    on_demand = {url.rsplit("/", 1)[-1] for url in fetched if "/vendor/pyodide/" in url or "worker" in url}
    sizes = {name: next(built_site.rglob(name)).stat().st_size for name in sorted(on_demand)}
    MEASUREMENTS.parent.mkdir(parents=True, exist_ok=True)
    MEASUREMENTS.write_text(f"Run to output (test's clock): {seconds:.2f} s; the block says: {status}\n"
                            f"fetched on Run: {sizes}, {sum(sizes.values())} bytes in all\n")


def test_edited_code_runs_and_a_python_error_is_shown(browser, site_url, built_site):
    with _open(browser, _page_url(site_url, PAGE_2, built_site), "default") as (page, _):
        block = page.locator("div.linreg-pyodide")
        block.locator("textarea").fill("print(len(x), len(y))\n1 / 0")
        block.locator("button.linreg-pyodide__run").click()
        page.wait_for_function("document.querySelector('div.linreg-pyodide').dataset.state !== 'running'",
                               timeout=120_000)
        assert block.get_attribute("data-state") == "error"
        output = block.locator("output").inner_text()
        assert output.startswith("80 80") and "ZeroDivisionError" in output


def test_stop_ends_a_long_run_and_the_page_stays_responsive(browser, site_url, built_site):
    with _open(browser, _page_url(site_url, PAGE_2, built_site), "default") as (page, _):
        block = page.locator("div.linreg-pyodide")
        block.locator("textarea").fill("while True:\n    pass")
        block.locator("button.linreg-pyodide__run").click()
        page.wait_for_function("document.querySelector('.linreg-pyodide__status').textContent.includes('running')",
                               timeout=120_000)
        assert page.evaluate("1 + 1") == 2  # the page answers while Python loops in the worker
        block.locator("button.linreg-pyodide__stop").click()
        assert block.get_attribute("data-state") == "stopped"
        assert block.locator("button.linreg-pyodide__run").is_enabled()


def test_a_missing_runtime_is_reported_clearly(browser, site_url, built_site):
    with _open(browser, _page_url(site_url, PAGE_2, built_site), "default") as (page, _):
        page.context.route(re.compile(r".*/pyodide\.asm\.wasm$"), lambda route: route.fulfill(status=404))
        block = page.locator("div.linreg-pyodide")
        block.locator("button.linreg-pyodide__run").click()
        page.wait_for_function("document.querySelector('div.linreg-pyodide').dataset.state !== 'running'",
                               timeout=120_000)
        assert block.get_attribute("data-state") == "unavailable"
        assert "The Python runtime could not be loaded" in block.locator(".linreg-pyodide__status").inner_text()
