"""Page 3's autograd step-through figure on the built site, in a real browser (issue 23).

It opens at the end of the backward pass with the gradients the page prints; Previous, Next, the slider
and its arrow keys step through the forward values and then the gradients, each step named in
``aria-valuetext``; the graph keeps torchviz's colours in both palettes, axe-core finds nothing serious,
and at phone width its smallest text stays at 9 CSS px or more.
"""

from __future__ import annotations

import pytest
from test_browser import PALETTES, _open, _page_url, _serious_accessibility_violations, _set_palette, browser, site_url
from test_explorables_browser import _figure, _readout
from test_site import page_html

pytestmark = [pytest.mark.browser, pytest.mark.site]
SHARED_FIXTURES = (browser, site_url)

PAGE_3 = "tutorials/03-autograd.ipynb"


def _shown(page) -> dict:
    """What the graph shows now: each box's value and gradient lines, and the highlighted boxes."""
    return page.evaluate("""() => {
        const svg = document.querySelector('figure.linreg-explorable svg.lx-ag-graph');
        const texts = cls => [...svg.querySelectorAll('.' + cls)].map(t => t.textContent);
        return {values: texts('lx-ag-value'), grads: texts('lx-ag-grad'),
                current: [...svg.querySelectorAll('.lx-ag-current .lx-ag-label')].map(t => t.textContent)};
    }""")


def test_the_figure_opens_at_the_end_of_the_backward_pass_with_the_gradients_the_page_prints(
        browser, site_url, built_site, executed_page):
    notebook = executed_page("03-autograd")
    glue = notebook.glue_text
    printed = f"a.grad = {glue['penalised_a_grad']}, b.grad = {glue['penalised_b_grad']}"
    assert notebook.printed(printed)
    with _open(browser, _page_url(site_url, PAGE_3, built_site), "default") as (page, problems):
        _figure(page)
        readout = _readout(page)
        steps = glue["figure_steps"]
        assert readout.startswith(f"Step {steps} of {steps}, backward pass: AccumulateGrad of b.")
        assert readout.endswith(f"Every leaf now holds its gradient: {printed}.")
        shown = _shown(page)
        # where b's two paths meet, both gradients and their sum
        assert (f"{glue['b_grad_from_penalty']} + ({glue['b_grad_from_data']}) = {glue['penalised_b_grad']}"
                in shown["grads"])
        assert f".grad {glue['penalised_a_grad']}" in shown["grads"]
        assert not problems, "\n".join(problems)


def test_the_static_graph_is_the_fallback_for_readers_without_javascript(built_site):
    html = page_html(built_site, PAGE_3)
    fallback = html.split('class="linreg-explorable__fallback">', 1)[1].split("</figure>", 1)[0]
    assert "<svg" in fallback and "AccumulateGrad" in fallback and 'aria-label="' in fallback


def test_previous_next_and_the_slider_step_through_the_values_and_then_the_gradients(browser, site_url, built_site):
    with _open(browser, _page_url(site_url, PAGE_3, built_site), "default") as (page, problems):
        figure = _figure(page)
        slider = figure.locator("input[type=range]")
        slider.fill("0")  # the start: only the leaves have values, nothing has a gradient
        first = _shown(page)
        assert len(first["values"]) == 2 and first["grads"] == [] and set(first["current"]) == {"a", "b", "(1)"}
        assert _readout(page).startswith("Step 1 of ")
        figure.get_by_role("button", name="Next").click()
        after = _shown(page)
        assert len(after["values"]) == 3 and after["current"] == ["MulBackward0"]
        assert slider.get_attribute("aria-valuetext") == "Step 2 of {}, forward pass: MulBackward0".format(
            int(slider.get_attribute("max")) + 1)
        figure.get_by_role("button", name="Previous").click()
        assert _shown(page) == first
        slider.fill(slider.get_attribute("max"))
        assert len(_shown(page)["grads"]) > len(_shown(page)["values"]) // 2
        assert not problems, "\n".join(problems)


def test_the_keyboard_moves_the_step_and_its_spoken_name(browser, site_url, built_site):
    with _open(browser, _page_url(site_url, PAGE_3, built_site), "default") as (page, _):
        figure = _figure(page)
        slider = figure.locator("input[type=range]")
        last = slider.input_value()
        spoken = slider.get_attribute("aria-valuetext")
        assert spoken.startswith(f"Step {int(last) + 1} of {int(last) + 1}, backward pass")
        slider.focus()
        page.keyboard.press("ArrowLeft")
        assert slider.input_value() == str(int(last) - 1)
        assert slider.get_attribute("aria-valuetext") != spoken
        # the buttons are in the tab order and work with Enter; the focused one shows a ring
        previous = figure.get_by_role("button", name="Previous")
        previous.focus()
        page.keyboard.press("Enter")
        assert slider.input_value() == str(int(last) - 2)
        ring = previous.evaluate("b => getComputedStyle(b).outlineStyle")
        assert ring != "none"


@pytest.mark.parametrize("palette", list(PALETTES))
def test_the_graph_keeps_the_pages_colours_in_each_palette_and_axe_finds_nothing_serious(
        browser, site_url, built_site, palette):
    scheme = PALETTES[palette]
    with _open(browser, _page_url(site_url, PAGE_3, built_site), scheme) as (page, problems):
        _set_palette(page, scheme)
        _figure(page)
        fills = page.evaluate("""() => {
            const fill = sel => getComputedStyle(document.querySelector('svg.lx-ag-graph ' + sel)).fill;
            const static_ = sel => getComputedStyle(document.querySelector('.linreg-graph svg ' + sel)).fill;
            return [[fill('.lx-ag-param rect'), fill('.lx-ag-op rect'), fill('.lx-ag-output rect')],
                    [static_('[fill="lightblue" i]'), static_('[fill="lightgrey" i]'), static_('[fill="#caff70" i]')]];
        }""")
        assert fills[0] == fills[1]  # the same colours as the page's static graphs, palette by palette
        serious = _serious_accessibility_violations(page, within="figure.linreg-explorable")
        assert not serious, "axe-core: " + "; ".join(serious)
        assert not problems, "\n".join(problems)


def test_at_phone_width_the_graphs_text_stays_readable(browser, site_url, built_site):
    with _open(browser, _page_url(site_url, PAGE_3, built_site), "default") as (page, _):
        page.set_viewport_size({"width": 390, "height": 844})
        _figure(page)
        smallest = page.evaluate("""() => {
            const svg = document.querySelector('svg.lx-ag-graph');
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return Math.min(...[...svg.querySelectorAll('text')].map(
                t => parseFloat(getComputedStyle(t).fontSize) * scale));
        }""")
        assert smallest >= 9
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
