"""The claims the landing page (docs/index.md) makes about its figure, checked against the built page."""

import html
import re

import pytest

pytestmark = pytest.mark.site


@pytest.fixture(scope="module")
def home(built_site):
    return (built_site / "index.html").read_text()


@pytest.fixture(scope="module")
def alt(home):
    """The alt text of the landing figure (computed when the page was built)."""
    alts = {html.unescape(a) for a in re.findall(r'<img[^>]*\balt="([^"]*)"', home)}
    (figure,) = [a for a in alts if "epochs of gradient descent" in a]
    return figure


@pytest.fixture(scope="module")
def prose(home):
    """The paragraph that introduces the figure, as plain text."""
    section = home[home.index('id="where-this-is-going"'):]
    paragraph = re.search(r"<p>(.*?)</p>", section, flags=re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", "", paragraph).split())


NUMBER = r"(-?\d+(?:\.\d+)?(?:e[-+]\d+)?)"


def numbers(alt, pattern):
    """The numbers ``pattern`` (with ``{n}`` where each number stands) finds in ``alt``."""
    return [float(v) for v in re.search(pattern.replace("{n}", NUMBER), alt).groups()]


def test_the_prose_and_the_figure_name_the_same_data_and_epochs(prose, alt):
    assert "80 noisy points" in prose and "Left: 80 noisy points" in alt
    assert "after 1, 10 and 100 epochs" in prose and "after 1, 10 and 100 epochs" in alt
    assert "after 1000 epochs" in prose and "after 1000 epochs" in alt


def test_the_figure_draws_the_exact_least_squares_line_the_prose_points_to(prose, alt):
    assert "exact least-squares line" in prose
    assert "exact least-squares line y = " in alt


def test_the_1000_epoch_line_lies_inside_the_least_squares_band_to_six_decimals(prose, alt):
    assert "runs inside it: gradient descent has reached the least-squares answer, to six decimals" in prose
    (gap,) = numbers(alt, r"the two are at most {n} apart")
    # "to six decimals": less than half a unit of the sixth decimal anywhere on the plot, which also puts it
    # deep inside the band (7 points wide: several hundredths of y at this figure's scale)
    assert gap < 0.5e-6


def test_each_dashed_line_fits_better_than_the_one_before_and_the_final_line_best(alt):
    checkpoint_mses = numbers(alt, r"with training MSE {n}, {n} and {n}\.")
    (final_mse,) = numbers(alt, r"after 1000 epochs \(MSE {n}\)")
    assert checkpoint_mses == sorted(checkpoint_mses, reverse=True)
    assert final_mse < checkpoint_mses[-1]


def test_the_loss_panel_falls(alt):
    first, last = numbers(alt, r"falling from {n} at epoch 1 to {n} at epoch 1000")
    assert last < first


# The code that drew the figure is shown on the page, in a tab beside it ------------------------------------------

@pytest.fixture(scope="module")
def figure_code(project_root):
    """The body of the landing page's executed block, as docs/index.md has it."""
    source = (project_root / "docs" / "index.md").read_text()
    (body,) = re.findall(r'^```python [^\n]*exec="on"[^\n]*\n(.*?)^```', source, flags=re.M | re.S)
    return body


@pytest.fixture(scope="module")
def tabs(home):
    """The tabbed set markdown-exec made of the block: its labels, and the text of each tab."""
    start = home.index('<div class="tabbed-set')
    labels = re.findall(r"<label[^>]*>([^<]*)</label>", home[start:])[:2]
    content = home[home.index('<div class="tabbed-content"', start):]
    blocks = re.split(r'<div class="tabbed-block">', content)[1:3]
    return labels, blocks


def test_the_figure_comes_first_and_its_code_one_tab_away(tabs):
    labels, (first, second) = tabs
    assert labels == ["The figure", "The code that drew it"]
    assert "<img" in first and "epochs of gradient descent" in first
    assert second.index("<pre") < second.index("</div>")  # the code tab holds the code, nothing before it


def test_the_home_page_shows_every_line_of_the_code_that_drew_its_figure(tabs, figure_code):
    assert "markdown-exec: hide" not in figure_code  # markdown-exec would leave such a line out
    pre = re.search(r"<pre.*?</pre>", tabs[1][1], flags=re.S).group(0)  # the code tab's first (only) block
    shown = html.unescape(re.sub(r"<[^>]+>", "", pre)).strip().splitlines()
    assert [line.rstrip() for line in shown] == [line.rstrip() for line in figure_code.strip().splitlines()]


def test_the_prose_points_to_the_page_that_shows_the_functions_the_code_calls(prose, figure_code):
    assert {"scratch.gradient_descent", "scratch.closed_form"} <= set(re.findall(r"scratch\.\w+", figure_code))
    assert "The second tab holds the code that drew the figure" in prose and "page 2" in prose
