"""Specification of the house style and the generic figures (linreg.plots)."""

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from linreg import plots


def test_importing_plots_applies_the_house_style():
    assert matplotlib.rcParams["figure.facecolor"] == plots.STYLE["figure.facecolor"]
    assert matplotlib.rcParams["axes.spines.right"] is False


def test_house_style_card_is_opaque_and_light_so_it_reads_on_both_palettes():
    face = matplotlib.colors.to_rgba(plots.STYLE["figure.facecolor"])
    ink = matplotlib.colors.to_rgba(plots.STYLE["text.color"])
    assert face[3] == 1.0
    assert sum(face[:3]) / 3 > 0.95 and sum(ink[:3]) / 3 < 0.25  # light card, dark ink


def test_new_figure_returns_a_bare_figure_and_an_array_of_axes():
    fig, axes = plots.new_figure(ncols=3)
    assert isinstance(fig, Figure) and axes.shape == (3,)
    assert fig.canvas.manager is None  # not registered with pyplot: nothing shows twice


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_new_figure_rejects_bad_grid_sizes(bad):
    with pytest.raises(ValueError, match="ncols must be a positive integer"):
        plots.new_figure(ncols=bad)


def test_loss_curves_draws_one_line_per_curve_on_a_log_scale():
    fig = plots.loss_curves({"train": [1.0, 0.1], "validation": [1.2, 0.2]})
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.lines) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train", "validation"]


def test_loss_curves_refuses_non_positive_values_on_a_log_scale():
    with pytest.raises(ValueError, match="pass log=False"):
        plots.loss_curves({"train": [1.0, 0.0]})
    assert plots.loss_curves({"train": [1.0, 0.0]}, log=False).axes[0].get_yscale() == "linear"


def test_loss_curves_rejects_empty_input():
    with pytest.raises(ValueError, match="non-empty mapping"):
        plots.loss_curves({})
    with pytest.raises(ValueError, match=r"curves\['train'\]"):
        plots.loss_curves({"train": []})


def test_data_and_fit_draws_the_given_lines():
    fig = plots.data_and_fit([0, 1, 2], [1, 3, 5], lines={"fit": (1.0, 2.0), "truth": (1.0, 2.0)})
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    np.testing.assert_allclose(ax.lines[0].get_ydata()[[0, -1]], [1.0, 5.0])


def test_data_and_fit_checks_lengths():
    with pytest.raises(ValueError, match="x and y must hold the same number"):
        plots.data_and_fit([0, 1, 2], [1, 3])


def test_alt_text_prefers_the_description_then_the_titles():
    fig, (ax,) = plots.new_figure()
    ax.set_title("Loss")
    assert plots.alt_text(fig) == "Figure: Loss"
    plots.describe(fig, "Loss falls steadily")
    assert plots.alt_text(fig) == "Loss falls steadily"
    with pytest.raises(ValueError, match="alt"):
        plots.describe(fig, "  ")


def test_figure_png_is_2x_and_carries_its_alt_text():
    import sys
    sys.path.insert(0, "hooks")
    from postprocess import png_description

    fig, (ax,) = plots.new_figure(width=3, height=2)
    plots.describe(fig, "a tiny figure")
    png, size = plots.figure_png(fig)
    assert png.startswith(b"\x89PNG") and png_description(png) == "a tiny figure"
    assert size["width"] > 100 and size["height"] > 50
    assert b"Software" not in png  # deterministic bytes: no version stamp


def test_figure_png_is_deterministic():
    def draw():
        fig, (ax,) = plots.new_figure(width=3, height=2)
        ax.plot([0, 1], [1, 0])
        return plots.figure_png(fig)[0]

    assert draw() == draw()


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
    assert plots.method_of(label) == method


def test_method_of_rejects_a_label_that_is_not_a_string():
    with pytest.raises(TypeError, match="label must be a string"):
        plots.method_of(3)


def test_every_method_has_its_own_colour():
    assert len(set(plots.METHOD_COLORS.values())) == len(plots.METHOD_COLORS)


def test_loss_curves_draw_each_named_method_in_its_colour():
    fig = plots.loss_curves({"Adam (lr 0.5)": [1.0, 0.5], "SGD (lr 0.01)": [1.0, 0.9]})
    assert [line.get_color() for line in fig.axes[0].lines] == [plots.METHOD_COLORS["Adam"],
                                                                 plots.METHOD_COLORS["SGD"]]


def test_curves_of_one_method_are_told_apart_by_the_colour_cycle():
    fig = plots.loss_curves({"SGD (lr 0.1)": [1.0, 0.5], "SGD (lr 0.3)": [1.0, 0.9]})
    assert [line.get_color() for line in fig.axes[0].lines] == plots.LINE_COLORS[:2]


def test_curves_that_name_no_method_take_the_colour_cycle():
    assert plots.line_colors(["train", "Adam"]) == {"train": plots.LINE_COLORS[0], "Adam": plots.LINE_COLORS[1]}


def test_line_colors_needs_a_colour_to_cycle():
    with pytest.raises(ValueError, match="cycle"):
        plots.line_colors(["train"], cycle=[])


def test_labels_that_are_not_strings_take_the_colour_cycle():
    fig = plots.loss_curves({1: [1.0, 0.5], 2: [1.0, 0.9]})
    assert [line.get_color() for line in fig.axes[0].lines] == plots.LINE_COLORS[:2]
