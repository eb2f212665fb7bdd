"""Specification of linreg.optimizer_plots: loss surfaces with paths, the descent animation, sweeps (pages 2, 4)."""

import matplotlib.colors
import numpy as np
import pytest
import torch

from linreg import data, optimizer_paths, optimizer_plots, plots, scratch, style, surfaces
from linreg.animation import Video
from linreg.display import alt_text, describe
from linreg.narrow import narrow_copy

RACE = {
    "SGD": lambda params: torch.optim.SGD(params, lr=0.1),
    "SGD with momentum 0.9": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
    "RMSprop": lambda params: torch.optim.RMSprop(params, lr=1.0),
    "Adam": lambda params: torch.optim.Adam(params, lr=1.0),
}


@pytest.fixture(scope="module")
def race(recipe_d):
    return optimizer_paths.optimizer_paths(*recipe_d, RACE, epochs=2)


@pytest.fixture(scope="module")
def walk(recipe_d):
    """One epoch of page 2's mini-batch walk: 13 points."""
    return optimizer_paths.optimizer_path(*recipe_d, lambda p: torch.optim.SGD(p, lr=0.01), epochs=1, batch_size=5)


def test_contour_figure_draws_each_path_and_a_legend(small_surface, race):
    fig = optimizer_plots.contour_figure(small_surface, race, minimum=(1.0, -1.0), title="paths")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [*race, "least-squares minimum"]
    assert ax.get_title() == "paths"


def test_contour_figure_accepts_a_numpy_descent_result():
    x, y = data.line_data().x_train, data.line_data().y_train
    fit = scratch.gradient_descent(x, y, epochs=5)
    surface = surfaces.loss_surface(x, y, *surfaces.grid_around(fit))
    fig = optimizer_plots.contour_figure(surface, {"GD": fit})
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_xdata(), fit.weights)


def test_contour_figure_rejects_something_that_is_not_a_surface():
    with pytest.raises(TypeError, match="surface"):
        optimizer_plots.contour_figure(np.zeros((3, 3)))


def test_surface_3d_figure_is_a_3d_axes_with_the_path_at_its_loss_height(small_surface, walk):
    fig = optimizer_plots.surface_3d_figure(small_surface, walk)
    ax = fig.axes[0]
    assert ax.name == "3d"
    heights = ax.lines[0].get_data_3d()[2]
    np.testing.assert_allclose(heights, small_surface.loss_at(walk.weights, walk.biases))


def test_surface_3d_figure_stars_the_minimum_at_its_loss_height_and_rings_where_the_path_ends(small_surface, walk):
    minimum = (float(small_surface.weights[3]), float(small_surface.biases[2]))
    ax = optimizer_plots.surface_3d_figure(small_surface, walk, minimum=minimum).axes[0]
    star = next(line for line in ax.lines if line.get_marker() == "*")
    np.testing.assert_allclose(np.ravel(star.get_data_3d()), [*minimum, small_surface.loss_at(*zip(minimum))[0]])
    end = ax.lines[-1].get_data_3d()
    assert (end[0][0], end[1][0]) == (walk.weights[-1], walk.biases[-1])
    assert "least-squares minimum" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_surface_3d_figure_rejects_a_minimum_that_is_not_a_pair(small_surface):
    with pytest.raises(ValueError, match="minimum"):
        optimizer_plots.surface_3d_figure(small_surface, minimum=(1.0, 2.0, 3.0))


def test_surface_3d_figure_looks_from_the_low_side_of_page_2s_bowl(small_surface):
    # The camera sits over large weights (cos azim > 0), the bowl's low side: its high wall, at
    # weight -20, then faces the camera instead of hiding the valley behind it.
    ax = optimizer_plots.surface_3d_figure(small_surface).axes[0]
    high_wall = small_surface.weights[np.argmax(small_surface.losses.mean(axis=0))]
    assert high_wall == small_surface.weights[0]
    assert np.cos(np.radians(ax.azim)) > 0


def test_learning_rate_figure_has_one_titled_panel_per_run():
    d = data.line_data()
    runs = {f"lr={lr}": scratch.gradient_descent(d.x_train, d.y_train, lr=lr, epochs=5) for lr in (0.01, 0.9)}
    fig = optimizer_plots.learning_rate_figure(d.x_train, d.y_train, runs)
    assert [ax.get_title() for ax in fig.axes] == list(runs)


def test_learning_rate_figure_needs_a_run():
    with pytest.raises(ValueError, match="runs"):
        optimizer_plots.learning_rate_figure([0.0, 1.0], [1.0, 2.0], {})


def test_animate_descent_renders_a_small_mp4_with_one_frame_per_shown_step(small_surface, recipe_d, walk):
    video = optimizer_plots.animate_descent(*recipe_d, small_surface, walk, alt="a walk downhill", every=5)
    assert isinstance(video, Video)
    assert video.frames == 4  # steps 0, 5, 10 and the last, 12
    assert video.mp4[4:8] == b"ftyp"
    assert video.size_kib < 200


def test_animate_descent_requires_a_path(small_surface, recipe_d):
    with pytest.raises(TypeError, match="path"):
        optimizer_plots.animate_descent(*recipe_d, small_surface, [1, 2], alt="x")


def test_animate_descent_rejects_non_positive_every(small_surface, recipe_d, walk):
    with pytest.raises(ValueError, match="every"):
        optimizer_plots.animate_descent(*recipe_d, small_surface, walk, alt="x", every=0)


def test_figures_carry_alt_text(small_surface):
    fig = describe(optimizer_plots.contour_figure(small_surface), "contours of the MSE")
    assert alt_text(fig) == "contours of the MSE"


# One colour per optimizer.

def test_contour_paths_take_their_methods_colours(small_surface, race):
    fig = optimizer_plots.contour_figure(small_surface, race)
    drawn = {line.get_label(): line.get_color() for line in fig.axes[0].lines}
    for name in race:
        assert drawn[name] == style.METHOD_COLORS[style.method_of(name)]


def test_an_optimizer_has_the_same_colour_on_the_surface_in_the_loss_curves_and_in_the_sweep(small_surface, race):
    on_surface = {line.get_label(): line.get_color()
                  for line in optimizer_plots.contour_figure(small_surface, race).axes[0].lines}
    in_curves = {line.get_label(): line.get_color()
                 for line in plots.loss_curves({name: p.losses for name, p in race.items()}).axes[0].lines}
    sweep = optimizer_plots.sweep_figure([0.1, 1.0], {name: [1.0, 0.5] for name in race})
    in_sweep = {line.get_label(): line.get_color() for line in sweep.axes[0].lines}
    assert {name: on_surface[name] for name in race} == in_curves == in_sweep


def test_paths_that_name_no_method_keep_the_path_colours(small_surface, walk):
    fig = optimizer_plots.contour_figure(small_surface, {"lr = 0.01": walk, "lr = 0.1": walk})
    colors = [line.get_color() for line in fig.axes[0].lines if not line.get_label().startswith("_")]
    assert colors == optimizer_plots.PATH_COLORS[:2]


# The learning-rate sweep.

def test_sweep_figure_draws_one_curve_per_optimizer_on_log_axes():
    fig = optimizer_plots.sweep_figure([0.01, 0.1, 1.0], {"SGD": [1.0, 0.1, 0.5], "Adam": [3.0, 0.3, 0.03]})
    ax = fig.axes[0]
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    assert [line.get_label() for line in ax.lines] == ["SGD", "Adam"]


def test_sweep_figure_circles_each_curves_best_rate_in_its_colour():
    fig = optimizer_plots.sweep_figure([0.01, 0.1, 1.0], {"SGD": [1.0, 0.1, 0.5], "Adam": [3.0, 0.3, 0.03]})
    circles = [c for c in fig.axes[0].collections if c.get_offsets().shape[0] == 1 and c.get_label().startswith("_")]
    centres = {tuple(c.get_offsets()[0]): matplotlib.colors.to_hex(c.get_edgecolor()[0]) for c in circles}
    assert centres == {(0.1, 0.1): style.METHOD_COLORS["SGD"].lower(), (1.0, 0.03): style.METHOD_COLORS["Adam"].lower()}


def test_sweep_figure_marks_a_diverged_run_with_a_cross_above_every_curve():
    fig = optimizer_plots.sweep_figure([0.01, 0.1, 1.0], {"SGD": [1.0, 0.1, float("inf")]})
    crosses = [c for c in fig.axes[0].collections if c.get_offsets().shape[0] and c.get_offsets()[0][0] == 1.0]
    assert len(crosses) == 1 and crosses[0].get_offsets()[0][1] > 1.0


@pytest.mark.parametrize(("rates", "scores", "message"), [
    ([0.0, 0.1], {"SGD": [1.0, 0.5]}, "learning_rates"),
    ([0.1, 1.0], {}, "scores"),
    ([0.1, 1.0], {"SGD": [1.0]}, "one score per learning rate"),
    ([0.1, 1.0], {"SGD": [float("inf"), float("nan")]}, "every run diverged"),
    ([0.1, 1.0], {"SGD": [0.0, 1.0]}, "log scale"),
])
def test_sweep_figure_names_what_is_wrong_with_its_input(rates, scores, message):
    with pytest.raises(ValueError, match=message):
        optimizer_plots.sweep_figure(rates, scores)


def test_sweep_figure_with_arrival_steps_puts_them_on_top_and_circles_each_chosen_rate_once():
    fig = optimizer_plots.sweep_figure([0.1, 1.0], {"SGD": [1e-15, 0.5], "Adam": [0.2, 0.02]},
                                       settled={"SGD": [12, 101], "Adam": [101, 101]}, steps=100,
                                       best={"SGD": 0.1, "Adam": 1.0})
    top, bottom = fig.axes
    assert top.get_ylim() == (0, 100) and bottom.get_yscale() == "log"
    assert [line.get_label() for line in top.lines] == ["SGD", "Adam"]
    assert top.lines[1].get_xdata().size == 0  # Adam never arrived: nothing to draw on top
    circled = {(ax is top, tuple(c.get_offsets()[0])) for ax in fig.axes for c in ax.collections
               if c.get_offsets().shape[0] == 1 and c.get_label().startswith("_")}
    assert circled == {(True, (0.1, 12.0)), (False, (1.0, 0.02))}


def test_sweep_figure_needs_a_chosen_rate_from_the_grid_and_arrivals_for_every_optimizer():
    with pytest.raises(ValueError, match="best"):
        optimizer_plots.sweep_figure([0.1, 1.0], {"SGD": [1.0, 0.5]}, best={"SGD": 0.3})
    with pytest.raises(ValueError, match="settled"):
        optimizer_plots.sweep_figure([0.1, 1.0], {"SGD": [1.0, 0.5]}, settled={"Adam": [1, 2]}, steps=10)


def test_step_losses_keep_the_methods_colour_and_tell_settings_apart_by_line_style():
    fig = optimizer_plots.step_losses_figure({"SGD (β = 0)": [2.0, 0.5], "SGD with momentum 0.1": [2.0, 0.4],
                                              "SGD with momentum 0.9": [2.0, 0.8]}, title="momenta")
    drawn = [(line.get_color(), line.get_linestyle()) for line in fig.axes[0].lines]
    momentum = style.METHOD_COLORS["SGD with momentum"]
    # plain SGD and momentum have close colours: one family of line styles, so no two curves look alike
    assert drawn == [(style.METHOD_COLORS["SGD"], "-"), (momentum, "--"), (momentum, ":")]
    assert fig.axes[0].lines[0].get_xdata()[0] == 0  # the start


def test_step_losses_alt_text_says_how_each_curve_falls_and_when_it_arrives():
    curves = {"SGD": [9.0, 3.0, 1.005, 1.0], "Adam": [9.0, 2.0, 4.0, 1.5], "SGD, lr 0.4": [9.0, 20.0, 50.0, 30.0]}
    alt = alt_text(optimizer_plots.step_losses_figure(curves, title="race", floor=1.0))
    assert alt == ("race, on a log scale: SGD falls at every step, within 1% of the minimum's loss from step 2; "
                   "Adam falls in waves, ending at 1.5; SGD, lr 0.4 rises at 2 of its 3 steps, to 30. "
                   "A dotted line marks the least-squares minimum's loss, 1.")


def test_step_losses_refuse_losses_a_log_scale_cannot_show():
    with pytest.raises(ValueError, match="positive"):
        optimizer_plots.step_losses_figure({"SGD, lr 0.1": [1.0, 0.0]}, title="x")


def test_race_sweep_figure_says_when_each_optimizer_arrives_at_its_best_rate_or_how_far_off_it_stays():
    inf = float("inf")
    measures = {"SGD": [(12, 0.0), (inf, inf)], "Adam": [(101, 0.3), (101, 0.02)]}
    fig = optimizer_plots.race_sweep_figure([0.1, 1.0], measures, steps=100, best={"SGD": 0.1, "Adam": 1.0},
                                            title="sweep")
    alt = alt_text(fig)
    assert alt.endswith("SGD: from step 12 at its best rate, 0.1; Adam: at no rate within 100 steps; at its best rate, "
                        "1, the loss stays up to 0.02 above the minimum's.")
    assert fig.axes[1].lines[0].get_ydata()[0] == 1e-16  # a zero excess drawn at the bottom of the log scale


def test_race_sweep_figure_draws_a_blown_up_loss_as_a_cross_to_keep_its_scale():
    fig = optimizer_plots.race_sweep_figure([0.1, 1.0], {"SGD": [(12, 0.0), (101, 3e31)]}, steps=100,
                                            best={"SGD": 0.1}, title="sweep")
    assert fig.axes[1].get_ylim()[1] < 1e6
    assert "crosses where a run blew up (its loss overflowed, or ended more than 1,000,000 above" in alt_text(fig)
    assert "blew up (> 1,000,000)" in [text.get_text() for text in fig.axes[1].get_legend().get_texts()]
    with pytest.raises(ValueError, match="blowup"):
        optimizer_plots.race_sweep_figure([0.1], {"SGD": [(12, 0.0)]}, steps=100, best={"SGD": 0.1}, title="s",
                                          blowup=0)


def test_race_sweep_figure_on_a_phone_has_short_labels_and_a_taller_bottom_panel():
    fig = optimizer_plots.race_sweep_figure([0.1, 1.0], {"SGD": [(12, 0.0), (101, 3e31)]}, steps=100,
                                            best={"SGD": 0.1}, title="sweep")
    top, bottom = narrow_copy(fig).axes[:2]
    assert (top.get_ylabel(), bottom.get_ylabel()) == ("arrival step (of 100)", "worst excess (log)")
    assert bottom.bbox.height > 1.3 * top.bbox.height
    assert fig.axes[0].get_ylabel().startswith("step from which")  # the desktop figure keeps its long labels


def test_two_paths_on_one_surface_differ_in_hue_and_their_ends_are_drawn_over_the_star(small_surface, walk):
    fig = optimizer_plots.contour_figure(small_surface, {"lr = 0.01": walk, "lr = 0.1": walk}, minimum=(1.0, -1.0))
    first, second = (matplotlib.colors.to_rgb(c) for c in optimizer_plots.PATH_COLORS[:2])
    assert sum(abs(a - b) for a, b in zip(first, second, strict=True)) > 0.8
    star = next(line for line in fig.axes[0].lines if line.get_label() == "least-squares minimum")
    ends = [line for line in fig.axes[0].lines if line.get_label().startswith("_") and line.get_markersize() == 6]
    assert len(ends) == 2 and all(end.get_zorder() > star.get_zorder() for end in ends)


def test_step_losses_draw_the_floor_the_curves_arrive_at_as_a_dotted_line():
    fig = optimizer_plots.step_losses_figure({"SGD": [9.0, 3.0, 1.005, 1.0]}, title="race", floor=1.0)
    (floor_line,) = [line for line in fig.axes[0].lines if line.get_label() == "least-squares minimum's loss"]
    assert list(floor_line.get_ydata()) == [1.0, 1.0] and floor_line.get_linestyle() == ":"
    without = optimizer_plots.step_losses_figure({"SGD": [9.0, 3.0, 1.005, 1.0]}, title="race")
    assert [line.get_label() for line in without.axes[0].lines] == ["SGD"]
