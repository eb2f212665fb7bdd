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


def test_landing_figure_draws_the_exact_least_squares_line_under_the_final_fit():
    from linreg import data, scratch

    points = data.line_data()
    fit = scratch.gradient_descent(points.x_train, points.y_train, epochs=1000)
    exact = scratch.closed_form(points.x_train, points.y_train)
    left = plots.landing_figure(points, fit, exact).axes[0]
    lines = {line.get_label(): line for line in left.get_lines()}
    band, final = lines["exact least squares"], lines["after 1000 epochs"]
    x_band, y_band = band.get_data()
    assert np.allclose(y_band, exact[0] + exact[1] * x_band)
    assert band.get_linewidth() > final.get_linewidth()  # a band the final line runs inside
    assert left.get_lines().index(band) < left.get_lines().index(final)  # drawn underneath


def test_landing_figure_alt_text_states_the_computed_numbers():
    from linreg import data, scratch

    points = data.line_data()
    fit = scratch.gradient_descent(points.x_train, points.y_train, epochs=1000)
    exact = scratch.closed_form(points.x_train, points.y_train)
    alt = plots.alt_text(plots.landing_figure(points, fit, exact, checkpoints=(1, 10)))
    assert f"y = {exact[0]:.3f} + {exact[1]:.3f}x" in alt
    assert "after 1 and 10 epochs" in alt and "after 1000 epochs" in alt
    assert f"to {fit.losses[-1]:.3g} at epoch 1000" in alt


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


def _figure_with_everything():
    """A figure with the artists a page draws: lines, scatter, legend, annotation, contours, colorbar."""
    fig, (ax, ax2) = plots.new_figure(ncols=2, width=6, height=3)
    ax.plot([0, 1, 2], [2, 1, 0.5], label="SGD with Nesterov momentum",
            color=plots.METHOD_COLORS["SGD with Nesterov momentum"])
    ax.scatter([0, 1], [1, 2], color=plots.COLORS["blue"], label="data")
    ax.annotate("minimum", xy=(1, 1), xytext=(1.5, 1.5), arrowprops={"arrowstyle": "->"})
    ax.legend()
    grid = np.linspace(-1, 1, 20)
    contours = ax2.contourf(grid, grid, np.add.outer(grid ** 2, grid ** 2))
    fig.colorbar(contours, ax=ax2)
    return fig


def _light_and_dark(fig):
    import io
    import sys

    from PIL import Image
    sys.path.insert(0, "hooks")
    from postprocess import split_dark

    light, dark = split_dark(plots.figure_png(fig)[0])
    return Image.open(io.BytesIO(light)).convert("RGB"), Image.open(io.BytesIO(dark)).convert("RGB")


def test_figure_png_carries_a_dark_rendering_of_the_same_size():
    light, dark = _light_and_dark(_figure_with_everything())
    assert light.size == dark.size


def test_the_dark_rendering_has_the_slate_background_and_the_light_one_the_card():
    light, dark = _light_and_dark(_figure_with_everything())
    assert matplotlib.colors.to_hex(np.array(light.getpixel((2, 2))) / 255).upper() == plots.STYLE["figure.facecolor"]
    assert matplotlib.colors.to_hex(np.array(dark.getpixel((2, 2))) / 255).upper() == plots.DARK_BACKGROUND


def test_rendering_the_dark_version_leaves_the_figure_in_the_light_style():
    fig = _figure_with_everything()
    plots.figure_png(fig)
    assert matplotlib.colors.to_hex(fig.get_facecolor()).upper() == plots.STYLE["figure.facecolor"]
    assert matplotlib.colors.to_hex(fig.axes[0].get_facecolor()).upper() == plots.STYLE["axes.facecolor"]
    assert matplotlib.colors.to_hex(fig.axes[0].lines[0].get_color()).upper() == plots.COLORS["ink"]
    assert type(fig.get_layout_engine()).__name__ == "ConstrainedLayoutEngine"


def test_the_dark_rendering_recolours_text_and_ink_lines():
    fig = _figure_with_everything()
    ax = fig.axes[0]
    with plots.dark_palette(fig):
        assert matplotlib.colors.to_hex(ax.lines[0].get_color()).upper() == plots.DARK_SWAP[plots.COLORS["ink"]]
        assert matplotlib.colors.to_hex(ax.texts[0].get_color()).upper() == plots.DARK_SWAP[plots.COLORS["ink"]]
        assert matplotlib.colors.to_hex(ax.collections[0].get_facecolor()[0]).upper() == plots.COLORS["blue"]
    assert matplotlib.colors.to_hex(ax.lines[0].get_color()).upper() == plots.COLORS["ink"]


def test_the_dark_palette_also_recolours_3d_panes_and_grids():
    fig, (ax,) = plots.new_figure(projection="3d")
    ax.plot_surface(*np.meshgrid([0, 1], [0, 1]), np.zeros((2, 2)))
    light, dark = _light_and_dark(fig)
    assert light.size == dark.size
    assert np.asarray(dark).mean() < np.asarray(light).mean() - 100  # mostly dark, not a light card


@pytest.mark.parametrize("name", ["blue", "orange", "green", "red", "purple", "sky", "yellow"])
def test_every_data_colour_keeps_3_to_1_contrast_on_the_dark_background(name):
    assert plots.contrast_ratio(plots.COLORS[name], plots.DARK_BACKGROUND) >= 3


@pytest.mark.parametrize("method", list(plots.METHOD_COLORS))
def test_every_method_colour_keeps_3_to_1_contrast_on_the_dark_background(method):
    color = plots.DARK_SWAP.get(plots.METHOD_COLORS[method], plots.METHOD_COLORS[method])
    assert plots.contrast_ratio(color, plots.DARK_BACKGROUND) >= 3


@pytest.mark.parametrize("key", ["text.color", "axes.labelcolor", "xtick.color", "ytick.color"])
def test_text_in_both_styles_meets_4_5_to_1_against_its_own_background(key):
    assert plots.contrast_ratio(plots.STYLE[key], plots.STYLE["figure.facecolor"]) >= 4.5
    assert plots.contrast_ratio(plots.DARK_STYLE[key], plots.DARK_STYLE["figure.facecolor"]) >= 4.5


def test_spines_keep_3_to_1_contrast_in_the_dark_style():
    assert plots.contrast_ratio(plots.DARK_STYLE["axes.edgecolor"], plots.DARK_STYLE["figure.facecolor"]) >= 3
