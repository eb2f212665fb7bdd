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


def test_the_1000_epoch_line_lies_inside_the_least_squares_band(prose, alt):
    assert "runs inside it" in prose
    (gap,) = numbers(alt, r"the two are at most {n} apart")
    assert gap < 1e-3  # the band is several hundredths of y wide


def test_each_dashed_line_fits_better_than_the_one_before_and_the_final_line_best(alt):
    checkpoint_mses = numbers(alt, r"with training MSE {n}, {n} and {n}\.")
    (final_mse,) = numbers(alt, r"after 1000 epochs \(MSE {n}\)")
    assert checkpoint_mses == sorted(checkpoint_mses, reverse=True)
    assert final_mse < checkpoint_mses[-1]


def test_the_loss_panel_falls(alt):
    first, last = numbers(alt, r"falling from {n} at epoch 1 to {n} at epoch 1000")
    assert last < first
