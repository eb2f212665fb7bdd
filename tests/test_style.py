"""Specification of the house style (linreg.style): colours, contrast, method colours, new_figure."""

import matplotlib
import pytest
from matplotlib.figure import Figure

from linreg import style


def test_importing_style_applies_the_house_style():
    assert matplotlib.rcParams["figure.facecolor"] == style.STYLE["figure.facecolor"]
    assert matplotlib.rcParams["axes.spines.right"] is False


def test_house_style_card_is_opaque_and_light_so_it_reads_on_both_palettes():
    face = matplotlib.colors.to_rgba(style.STYLE["figure.facecolor"])
    ink = matplotlib.colors.to_rgba(style.STYLE["text.color"])
    assert face[3] == 1.0
    assert sum(face[:3]) / 3 > 0.95 and sum(ink[:3]) / 3 < 0.25  # light card, dark ink


def test_new_figure_returns_a_bare_figure_and_an_array_of_axes():
    fig, axes = style.new_figure(ncols=3)
    assert isinstance(fig, Figure) and axes.shape == (3,)
    assert fig.canvas.manager is None  # not registered with pyplot: nothing shows twice


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_new_figure_rejects_bad_grid_sizes(bad):
    with pytest.raises(ValueError, match="ncols must be a positive integer"):
        style.new_figure(ncols=bad)


@pytest.mark.parametrize(("label", "method"), [
    ("SGD", "SGD"),
    ("SGD (lr 0.01)", "SGD"),
    ("SGD with momentum 0.9", "SGD with momentum"),
    ("SGD with Nesterov momentum 0.9", "SGD with Nesterov momentum"),
    ("RMSprop (lr 0.2)", "RMSprop"),
    ("Adam, lr 0.5", "Adam"),
    ("AdamW", None),
    ("train", None),
])
def test_method_of_reads_the_method_a_label_starts_with(label, method):
    assert style.method_of(label) == method


def test_method_of_rejects_a_label_that_is_not_a_string():
    with pytest.raises(TypeError, match="label must be a string"):
        style.method_of(3)


def test_every_method_has_its_own_colour():
    assert len(set(style.METHOD_COLORS.values())) == len(style.METHOD_COLORS)


def test_curves_that_name_no_method_take_the_colour_cycle():
    assert style.line_colors(["train", "Adam"]) == {"train": style.LINE_COLORS[0], "Adam": style.LINE_COLORS[1]}


def test_line_colors_needs_a_colour_to_cycle():
    with pytest.raises(ValueError, match="cycle"):
        style.line_colors(["train"], cycle=[])


@pytest.mark.parametrize("name", ["blue", "orange", "green", "red", "purple", "sky", "yellow"])
def test_every_data_colour_keeps_3_to_1_contrast_on_the_dark_background(name):
    assert style.contrast_ratio(style.COLORS[name], style.DARK_BACKGROUND) >= 3


@pytest.mark.parametrize("method", list(style.METHOD_COLORS))
def test_every_method_colour_keeps_3_to_1_contrast_on_the_dark_background(method):
    color = style.DARK_SWAP.get(style.METHOD_COLORS[method], style.METHOD_COLORS[method])
    assert style.contrast_ratio(color, style.DARK_BACKGROUND) >= 3


@pytest.mark.parametrize("key", ["text.color", "axes.labelcolor", "xtick.color", "ytick.color"])
def test_text_in_both_styles_meets_4_5_to_1_against_its_own_background(key):
    assert style.contrast_ratio(style.STYLE[key], style.STYLE["figure.facecolor"]) >= 4.5
    assert style.contrast_ratio(style.DARK_STYLE[key], style.DARK_STYLE["figure.facecolor"]) >= 4.5


def test_spines_keep_3_to_1_contrast_in_the_dark_style():
    assert style.contrast_ratio(style.DARK_STYLE["axes.edgecolor"], style.DARK_STYLE["figure.facecolor"]) >= 3
