"""Specification of the kinds of figure (linreg.plots)."""

import matplotlib.ticker
import numpy as np
import pytest

from linreg import display, plots, style


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


def test_data_and_fit_draws_the_gridlines_under_the_points():
    # a point on a gridline crossing would otherwise look hollow
    assert plots.data_and_fit([0, 1, 2], [1, 3, 5]).axes[0].get_axisbelow() is True


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
    alt = display.alt_text(plots.landing_figure(points, fit, exact, checkpoints=(1, 10)))
    assert f"y = {exact[0]:.3f} + {exact[1]:.3f}x" in alt
    assert "after 1 and 10 epochs" in alt and "after 1000 epochs" in alt
    # page 2 counts epoch k's loss before its update: losses[0] is the random start's MSE
    assert f"falling from {fit.losses[0]:.3g} at the random start (0 epochs)" in alt


def test_landing_figure_counts_both_panels_alike_a_dot_on_the_right_is_the_mse_of_its_line_on_the_left():
    from linreg import data, scratch

    points = data.line_data()
    fit = scratch.gradient_descent(points.x_train, points.y_train, epochs=1000)
    left, right = plots.landing_figure(points, fit, scratch.closed_form(points.x_train, points.y_train)).axes
    x, y = points.x_train[:, 0], points.y_train[:, 0]
    lines = {line.get_color(): line for line in left.get_lines() if line.get_label().startswith("after")}
    dots = [line for line in right.get_lines() if line.get_marker() == "o"]
    assert len(dots) == len(lines) == 4  # after 1, 10, 100 and 1000 epochs
    for dot in dots:
        line = lines[dot.get_color()]
        grid, fitted = line.get_data()
        slope = (fitted[-1] - fitted[0]) / (grid[-1] - grid[0])
        intercept = fitted[0] - slope * grid[0]
        assert dot.get_ydata()[0] == pytest.approx(np.mean((intercept + slope * x - y) ** 2), rel=1e-9)
        assert f"after {dot.get_xdata()[0]:g} epoch" in line.get_label()
    curve = right.get_lines()[0]
    assert curve.get_xdata()[0] == 0 and curve.get_ydata()[0] == pytest.approx(fit.losses[0])  # the start


def test_landing_figure_names_a_wrong_argument():
    from linreg import data, scratch

    points = data.line_data()
    fit = scratch.gradient_descent(points.x_train, points.y_train, epochs=20)
    exact = scratch.closed_form(points.x_train, points.y_train)
    with pytest.raises(ValueError, match="checkpoints must lie between 1 and 19"):
        plots.landing_figure(points, fit, exact, checkpoints=(1, 20))
    with pytest.raises(ValueError, match="checkpoints can name at most 3 epochs"):
        plots.landing_figure(points, fit, exact, checkpoints=(1, 2, 3, 4))
    stepwise = scratch.gradient_descent(points.x_train, points.y_train, epochs=20, batch_size=40, record_steps=True)
    with pytest.raises(ValueError, match="fit.path must hold"):
        plots.landing_figure(points, stepwise, exact, checkpoints=(1,))
    with pytest.raises(ValueError, match="least_squares must be the exact pair"):
        plots.landing_figure(points, fit, (1.0,), checkpoints=(1,))


def test_loss_curves_draw_each_named_method_in_its_colour():
    fig = plots.loss_curves({"Adam (lr 0.5)": [1.0, 0.5], "SGD (lr 0.01)": [1.0, 0.9]})
    assert [line.get_color() for line in fig.axes[0].lines] == [style.METHOD_COLORS["Adam"],
                                                                 style.METHOD_COLORS["SGD"]]


def test_curves_of_one_method_are_told_apart_by_the_colour_cycle():
    fig = plots.loss_curves({"SGD (lr 0.1)": [1.0, 0.5], "SGD (lr 0.3)": [1.0, 0.9]})
    assert [line.get_color() for line in fig.axes[0].lines] == style.LINE_COLORS[:2]


def test_legend_below_puts_the_legend_under_the_axes_out_of_the_curves_way():
    fig = plots.loss_curves({"zeroed": [1.0, 0.5], "never zeroed": [1.0, 2.0]}, legend_below=True)
    fig.canvas.draw()
    legend, ax = fig.axes[0].get_legend(), fig.axes[0]
    assert legend.get_window_extent().y1 < ax.get_window_extent().y0


def test_labels_that_are_not_strings_take_the_colour_cycle():
    fig = plots.loss_curves({1: [1.0, 0.5], 2: [1.0, 0.9]})
    assert [line.get_color() for line in fig.axes[0].lines] == style.LINE_COLORS[:2]


# memory_order_figure (page 1) ------------------------------------------------------------------------------------

def test_memory_order_figure_has_two_grids_and_a_strip_with_alt_text():
    import torch

    fig = plots.memory_order_figure(torch.arange(12.0).view(3, 4))
    assert len(fig.axes) == 3
    assert [ax.get_title() for ax in fig.axes[:2]] == ["x: shape (3, 4)", "x.t(): shape (4, 3)"]
    assert "0, 4, 8, 1..." in display.alt_text(fig)


def test_memory_order_figure_alt_text_reads_a_small_tensor_in_full():
    import torch

    alt = display.alt_text(plots.memory_order_figure(torch.arange(6.0).view(2, 3)))
    assert "x.view(-1) reads 0, 1, 2, 3, 4, 5 in order" in alt and "x.t().reshape(-1) reads 0, 3, 1, 4, 2, 5," in alt


def test_memory_order_figure_labels_the_strip_in_flattening_order():
    import torch

    strip = plots.memory_order_figure(torch.arange(6.0).view(2, 3)).axes[2]
    assert [text.get_text() for text in strip.texts] == ["0", "1", "2", "3", "4", "5", "0", "3", "1", "4", "2", "5"]


def test_memory_order_figure_needs_a_2d_tensor():
    import torch

    with pytest.raises(ValueError, match="x must have 2 dimensions"):
        plots.memory_order_figure(torch.arange(6.0))
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        plots.memory_order_figure([[0.0, 1.0]])


@pytest.mark.parametrize("rendering", ["light", "dark"])
def test_every_value_label_of_the_memory_order_figure_reads_on_its_cell(rendering):
    import contextlib

    import torch
    from matplotlib.colors import to_hex

    fig = plots.memory_order_figure(torch.arange(12.0).view(3, 4))
    with display.dark_palette(fig) if rendering == "dark" else contextlib.nullcontext():
        checked = 0
        for ax in fig.axes:
            for image in ax.images:
                cells = image.get_array()
                for label in ax.texts:
                    col, row = (int(round(v)) for v in label.get_position())
                    cell = to_hex(image.get_cmap()(image.norm(cells[row, col])))
                    ratio = style.contrast_ratio(to_hex(label.get_color()), cell)
                    assert ratio >= 4.5, f"{rendering}: label {label.get_text()} on {cell}: {ratio:.1f}:1"
                    checked += 1
    assert checked == 12 + 12 + 24


def _lab(color: str) -> np.ndarray:
    """CIE L*a*b* of an sRGB colour (D65), to compare how different two colours look."""
    import matplotlib.colors

    rgb = np.array(matplotlib.colors.to_rgb(color))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    f = np.cbrt(np.maximum(xyz / np.array([0.95047, 1.0, 1.08883]), 0.008856))
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("palette", ["light", "dark"])
def test_the_ten_class_colours_differ_from_each_other_in_both_renderings(palette):
    colors = [style.DARK_SWAP.get(c, c) if palette == "dark" else c for c in plots.CLASS_COLORS]
    assert len(colors) == len(plots.CLASS_MARKERS) == len(set(plots.CLASS_MARKERS)) == 10
    distances = [np.linalg.norm(_lab(a) - _lab(b)) for i, a in enumerate(colors) for b in colors[i + 1:]]
    assert min(distances) > 20  # CIE76: 2 is a just-noticeable difference


@pytest.mark.parametrize("color", plots.CLASS_COLORS)
def test_every_class_colour_keeps_3_to_1_contrast_on_the_dark_background(color):
    assert style.contrast_ratio(style.DARK_SWAP.get(color, color), style.DARK_BACKGROUND) >= 3


def test_latent_scatter_gives_each_of_ten_classes_its_own_colour_and_marker():
    fig = plots.latent_scatter(np.random.RandomState(0).randn(50, 2), np.arange(50) % 10)
    collections = fig.axes[0].collections
    colors = {tuple(np.round(c.get_facecolor()[0][:3], 3)) for c in collections}
    paths = {c.get_paths()[0].vertices.tobytes() for c in collections}
    assert len(collections) == len(colors) == len(paths) == 10


def test_latent_scatter_refuses_more_classes_than_it_can_tell_apart():
    with pytest.raises(ValueError, match="11 classes"):
        plots.latent_scatter(np.zeros((11, 2)), np.arange(11))


def test_data_and_curves_draws_dashed_curves_on_top():
    fig = plots.data_and_curves([0, 1], [1, 3], {"fit": ([0, 1], [1, 3]), "truth": ([0, 1], [1, 3])},
                                dashed=["truth"])
    fit, truth = fig.axes[0].lines
    assert fit.get_linestyle() == "-" and truth.get_linestyle() == "--"
    assert truth.get_zorder() > fit.get_zorder() and truth.get_linewidth() < fit.get_linewidth()


def test_data_and_curves_refuses_to_dash_a_curve_it_does_not_draw():
    with pytest.raises(ValueError, match=r"dashed names curves that are not in curves: \['truth'\]"):
        plots.data_and_curves([0, 1], [1, 3], {"fit": ([0, 1], [1, 3])}, dashed=["truth"])


def test_data_and_curves_takes_the_points_label_opacity_and_curve_colours_it_is_given():
    fig = plots.data_and_curves([0, 1, 2], [1, 3, 5], {"prediction": ([0, 2], [1, 5])}, point_alpha=0.8,
                                points_label="test points", colors=("green",))
    ax = fig.axes[0]
    [points] = ax.collections
    assert points.get_label() == "test points" and points.get_alpha() == 0.8
    assert ax.lines[0].get_color() == style.COLORS["green"]


@pytest.mark.parametrize(("argument", "value"), [("point_alpha", 1.5), ("colors", ("crimson",)), ("colors", "red")])
def test_data_and_curves_rejects_an_opacity_or_colour_it_cannot_draw(argument, value):
    with pytest.raises(ValueError, match=argument):
        plots.data_and_curves([0, 1], [1, 3], {"fit": ([0, 1], [1, 3])}, **{argument: value})


def test_a_floor_is_a_dotted_line_in_the_legend_of_a_loss_figure():
    fig = plots.loss_curves({"train": [1.0, 0.1]}, floor=("noise floor", 0.05))
    (floor,) = [line for line in fig.axes[0].lines if line.get_label() == "noise floor"]
    assert floor.get_linestyle() == ":" and set(floor.get_ydata()) == {0.05}
    assert "noise floor" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    fig = plots.losses_and_lr([1.0, 0.5], [0.1, 0.1], floor=("floor", 0.2))
    assert [line.get_label() for line in fig.axes[0].lines].count("floor") == 1
    with pytest.raises(ValueError, match=r"floor must be a \(label, value\) pair"):
        plots.loss_curves({"train": [1.0]}, floor=0.05)
    with pytest.raises(ValueError, match="floor's value must be a positive number"):
        plots.losses_and_lr([1.0], [0.1], floor=("floor", 0.0))


def test_a_sweep_can_mark_a_rate_used_elsewhere_with_a_labelled_vertical_line():
    fig = plots.lr_sweep([0.01, 0.1, 1.0], [0.5, 0.1, 0.2], marks={"the schedules' 0.8": 0.8})
    (mark,) = [line for line in fig.axes[0].lines if line.get_label() == "the schedules' 0.8"]
    assert set(mark.get_xdata()) == {0.8}
    with pytest.raises(ValueError, match=r"marks\['x'\] must be a positive learning rate"):
        plots.lr_sweep([0.01, 0.1], [0.5, 0.1], marks={"x": 0})


def test_lr_sweep_circles_one_best_rate_or_every_rate_of_a_tie():
    best = plots.lr_sweep([0.01, 0.1, 1.0], [0.5, 0.01, 0.02]).axes[0]
    assert best.get_legend().get_texts()[-1].get_text() == "best: lr = 0.1"
    tied = plots.lr_sweep([0.01, 0.1, 0.3, 1.0], [0.5, 0.01 * (1 + 1e-9), 0.01, float("nan")]).axes[0]
    assert tied.get_legend().get_texts()[-1].get_text() == "lowest, tied: lr 0.1 to 0.3"
    circles = [c for c in tied.collections if c.get_label().startswith("lowest")]
    assert circles[0].get_offsets().shape[0] == 2


def test_a_short_log_axis_is_labelled_in_decimals_down_to_its_curves_and_a_long_one_in_powers_of_ten():
    short = plots.loss_curves_linear_and_log({"train": np.geomspace(0.6, 0.07, 30)}).axes[1]
    low, high = short.get_ylim()
    shown = [t for t in short.get_yticks() if low <= t <= high]
    labels = [short.yaxis.get_major_formatter()(t) for t in shown]
    assert len(shown) >= 4 and min(shown) <= 0.08 and all("10" not in label for label in labels), labels
    long = plots.loss_curves({"train": np.geomspace(1e3, 1e-3, 30)}).axes[0]
    assert isinstance(long.yaxis.get_major_formatter(), matplotlib.ticker.LogFormatterSciNotation)
