"""Specification of linreg.surfaces: loss surfaces and optimizer paths (pages 2 and 4)."""

import numpy as np
import pytest
import torch

from linreg import DivergedError, data, plots, scratch, style, surfaces
from linreg.animation import Video
from linreg.display import alt_text, describe


@pytest.fixture(scope="module")
def recipe_d():
    return data.surface_line_data()


@pytest.fixture(scope="module")
def small_surface(recipe_d):
    return surfaces.loss_surface(*recipe_d, np.linspace(-20, 5, 21), np.linspace(-15, 5, 17))


def test_loss_surface_has_one_loss_per_bias_and_weight(small_surface):
    assert small_surface.losses.shape == (17, 21)


def test_loss_surface_equals_the_mse_of_each_line(recipe_d):
    x, y = recipe_d
    surface = surfaces.loss_surface(x, y, [-2.0, 1.0], [0.5, -1.0, 3.0])
    expected = torch.mean((3.0 + (-2.0) * x - y) ** 2).item()
    assert surface.losses[2, 0] == pytest.approx(expected, rel=1e-5)


def test_loss_at_matches_the_grid_values(small_surface):
    i, j = 5, 7
    value = small_surface.loss_at([small_surface.weights[j]], [small_surface.biases[i]])
    assert value[0] == pytest.approx(small_surface.losses[i, j])


def test_loss_surface_minimum_of_recipe_d_is_near_weight_1_bias_minus_1(recipe_d):
    surface = surfaces.loss_surface(*recipe_d, np.linspace(-3, 5, 81), np.linspace(-5, 3, 81))
    i, j = np.unravel_index(surface.losses.argmin(), surface.losses.shape)
    assert surface.weights[j] == pytest.approx(1.0, abs=0.1)
    assert surface.biases[i] == pytest.approx(-1.0, abs=0.1)


@pytest.mark.parametrize("bad", [[1.0], [[1.0, 2.0]], [0.0, np.nan]])
def test_loss_surface_rejects_bad_grid_axes(recipe_d, bad):
    with pytest.raises(ValueError, match="weights"):
        surfaces.loss_surface(*recipe_d, bad, [0.0, 1.0])


def test_loss_surface_rejects_mismatched_data(recipe_d):
    x, y = recipe_d
    with pytest.raises(ValueError, match="x and y"):
        surfaces.loss_surface(x, y[:-1], [0.0, 1.0], [0.0, 1.0])


def test_descent_path_starts_far_away_and_records_every_mini_batch_step(recipe_d):
    path = surfaces.descent_path(*recipe_d)
    assert (path.weights[0], path.biases[0]) == (-15.0, -10.0)
    assert path.steps_per_epoch == 12  # 60 points in mini-batches of 5
    assert len(path.weights) == len(path.biases) == 10 * 12 + 1
    assert path.losses.shape == (10,)


def test_descent_path_lr_0_01_finds_the_weight_but_not_yet_the_bias(recipe_d):
    weight, bias = surfaces.descent_path(*recipe_d, lr=0.01).final
    assert weight == pytest.approx(1.0, abs=0.1)
    assert bias < -1.5


def test_descent_path_lr_0_1_reaches_weight_1_and_bias_minus_1(recipe_d):
    weight, bias = surfaces.descent_path(*recipe_d, lr=0.1).final
    assert weight == pytest.approx(1.0, abs=0.1)
    assert bias == pytest.approx(-1.0, abs=0.1)


def test_descent_path_loss_falls_every_epoch(recipe_d):
    assert np.all(np.diff(surfaces.descent_path(*recipe_d).losses) < 0)


def test_descent_path_is_reproducible(recipe_d):
    first, second = surfaces.descent_path(*recipe_d), surfaces.descent_path(*recipe_d)
    np.testing.assert_array_equal(first.weights, second.weights)


def test_optimizer_path_follows_plain_sgd_by_hand(recipe_d):
    x, y = recipe_d
    path = surfaces.optimizer_path(x, y, lambda p: torch.optim.SGD(p, lr=0.01), epochs=2)
    w, b = -15.0, -10.0
    for _ in range(2):
        error = (b + w * x - y).double()
        w, b = w - 0.01 * 2 * (x * error).mean().item(), b - 0.01 * 2 * error.mean().item()
    assert path.final == pytest.approx((w, b), rel=1e-5)


def test_optimizer_path_raises_diverged_error_when_lr_is_too_high(recipe_d):
    with pytest.raises(DivergedError, match="lr=1"):
        surfaces.optimizer_path(*recipe_d, lambda p: torch.optim.SGD(p, lr=1.0), epochs=100)


def test_optimizer_path_with_slightly_too_high_lr_grows_the_loss(recipe_d):
    path = surfaces.optimizer_path(*recipe_d, lambda p: torch.optim.SGD(p, lr=0.4), epochs=20)
    assert path.losses[-1] > 100 * path.losses[0]


@pytest.mark.parametrize(("kwargs", "error", "name"), [
    ({"epochs": 0}, ValueError, "epochs"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"batch_size": 61}, ValueError, "batch_size"),
    ({"seed": -1}, ValueError, "seed"),
])
def test_optimizer_path_rejects_invalid_arguments_by_name(recipe_d, kwargs, error, name):
    with pytest.raises(error, match=name):
        surfaces.optimizer_path(*recipe_d, lambda p: torch.optim.SGD(p, lr=0.1), **kwargs)


def test_optimizer_path_rejects_a_factory_that_is_not_callable_or_not_an_optimizer(recipe_d):
    with pytest.raises(TypeError, match="make_optimizer"):
        surfaces.optimizer_path(*recipe_d, "sgd")
    with pytest.raises(TypeError, match="make_optimizer"):
        surfaces.optimizer_path(*recipe_d, lambda p: p)


def test_descent_path_rejects_non_positive_lr(recipe_d):
    with pytest.raises(ValueError, match="lr"):
        surfaces.descent_path(*recipe_d, lr=0)


def test_optimizer_paths_start_together_and_return_one_path_per_optimizer(recipe_d):
    paths = surfaces.optimizer_paths(*recipe_d, epochs=3)
    assert list(paths) == list(surfaces.DEFAULT_OPTIMIZERS)
    for path in paths.values():
        assert (path.weights[0], path.biases[0]) == (-15.0, -10.0)
        assert path.losses.shape == (3,)


def test_momentum_adam_and_rmsprop_end_closer_to_the_minimum_than_plain_sgd(recipe_d):
    paths = surfaces.optimizer_paths(*recipe_d)
    final_loss = {name: path.losses[-1] for name, path in paths.items()}
    sgd = final_loss.pop("SGD (lr 0.01)")
    assert all(loss < sgd / 10 for loss in final_loss.values())


def test_optimizer_paths_reject_an_empty_mapping(recipe_d):
    with pytest.raises(ValueError, match="optimizers"):
        surfaces.optimizer_paths(*recipe_d, {})


def test_grid_around_spans_every_path_and_the_extra_point():
    p = surfaces.OptimizerPath("p", np.array([0.0, 2.0]), np.array([1.0, 3.0]), np.array([1.0]), 1)
    weights, biases = surfaces.grid_around(p, include=(-1.0, 5.0), n=11)
    assert weights.min() < -1.0 and weights.max() > 2.0
    assert biases.min() < 1.0 and biases.max() > 5.0


def test_grid_around_needs_a_path():
    with pytest.raises(ValueError, match="path"):
        surfaces.grid_around()


def test_contour_figure_draws_each_path_and_a_legend(small_surface, recipe_d):
    paths = surfaces.optimizer_paths(*recipe_d, epochs=2)
    fig = surfaces.contour_figure(small_surface, paths, minimum=(1.0, -1.0), title="paths")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [*paths, "minimum"]
    assert ax.get_title() == "paths"


def test_contour_figure_accepts_a_numpy_descent_result():
    x, y = data.line_data().x_train, data.line_data().y_train
    fit = scratch.gradient_descent(x, y, epochs=5)
    surface = surfaces.loss_surface(x, y, *surfaces.grid_around(fit))
    fig = surfaces.contour_figure(surface, {"GD": fit})
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_xdata(), fit.weights)


def test_contour_figure_rejects_something_that_is_not_a_surface():
    with pytest.raises(TypeError, match="surface"):
        surfaces.contour_figure(np.zeros((3, 3)))


def test_surface_3d_figure_is_a_3d_axes_with_the_path_at_its_loss_height(small_surface, recipe_d):
    path = surfaces.descent_path(*recipe_d, epochs=1)
    fig = surfaces.surface_3d_figure(small_surface, path)
    ax = fig.axes[0]
    assert ax.name == "3d"
    heights = ax.lines[0].get_data_3d()[2]
    np.testing.assert_allclose(heights, small_surface.loss_at(path.weights, path.biases))


def test_learning_rate_figure_has_one_titled_panel_per_run():
    d = data.line_data()
    runs = {f"lr={lr}": scratch.gradient_descent(d.x_train, d.y_train, lr=lr, epochs=5) for lr in (0.01, 0.9)}
    fig = surfaces.learning_rate_figure(d.x_train, d.y_train, runs)
    assert [ax.get_title() for ax in fig.axes] == list(runs)


def test_learning_rate_figure_needs_a_run():
    with pytest.raises(ValueError, match="runs"):
        surfaces.learning_rate_figure([0.0, 1.0], [1.0, 2.0], {})


def test_animate_descent_renders_a_small_mp4_with_one_frame_per_shown_step(small_surface, recipe_d):
    path = surfaces.descent_path(*recipe_d, epochs=1)  # 13 points
    video = surfaces.animate_descent(*recipe_d, small_surface, path, alt="a walk downhill", every=5)
    assert isinstance(video, Video)
    assert video.frames == 4  # steps 0, 5, 10 and the last, 12
    assert video.mp4[4:8] == b"ftyp"
    assert video.size_kib < 200


def test_animate_descent_requires_a_path(small_surface, recipe_d):
    with pytest.raises(TypeError, match="path"):
        surfaces.animate_descent(*recipe_d, small_surface, [1, 2], alt="x")


def test_animate_descent_rejects_non_positive_every(small_surface, recipe_d):
    path = surfaces.descent_path(*recipe_d, epochs=1)
    with pytest.raises(ValueError, match="every"):
        surfaces.animate_descent(*recipe_d, small_surface, path, alt="x", every=0)


def test_figures_carry_alt_text(small_surface):
    fig = describe(surfaces.contour_figure(small_surface), "contours of the MSE")
    assert alt_text(fig) == "contours of the MSE"


# Claims the prose of page 4 makes about printed numbers.

def test_page_4_optim_sgd_on_recipe_a_matches_the_closed_form_to_4_decimals():
    d = data.line_data()
    a_start, b_start = scratch.initial_parameters(42)
    path = surfaces.optimizer_path(d.x_train, d.y_train, lambda p: torch.optim.SGD(p, lr=0.1),
                                   weight=b_start, bias=a_start, epochs=1000)
    a_exact, b_exact = scratch.closed_form(d.x_train, d.y_train)
    assert round(path.final[1], 4) == round(a_exact, 4)
    assert round(path.final[0], 4) == round(b_exact, 4)


def test_page_4_sgd_limit_on_recipe_d_lies_between_0_3_and_0_4(recipe_d):
    def losses(lr):
        return surfaces.optimizer_path(*recipe_d, lambda p: torch.optim.SGD(p, lr=lr), epochs=30).losses

    assert losses(0.3)[-1] < losses(0.3)[0] / 1000
    assert losses(0.4)[-1] > losses(0.4)[0] * 1000


def test_page_4_adam_with_lr_0_01_moves_each_parameter_about_1_in_100_steps(recipe_d):
    path = surfaces.optimizer_path(*recipe_d, lambda p: torch.optim.Adam(p, lr=0.01), epochs=100)
    assert 0.5 < path.final[0] + 15.0 < 1.1
    assert 0.5 < path.final[1] + 10.0 < 1.1


def test_page_4_adam_with_lr_3_overshoots_and_the_loss_rises_again_without_diverging(recipe_d):
    path = surfaces.optimizer_path(*recipe_d, lambda p: torch.optim.Adam(p, lr=3.0), epochs=100)
    first_dip = int(np.argmax(np.diff(path.losses) > 0))  # the first step where the loss goes up
    assert path.losses[first_dip:].max() > 5 * path.losses[first_dip]
    assert path.losses[-1] < path.losses[0] / 100


def test_optimizer_path_records_the_learning_rate(recipe_d):
    path = surfaces.optimizer_path(*recipe_d, lambda params: torch.optim.Adam(params, lr=0.5), epochs=1)
    assert path.lr == 0.5


def test_every_default_optimizer_is_named_after_its_method():
    methods = [style.method_of(name) for name in surfaces.DEFAULT_OPTIMIZERS]
    assert methods == ["SGD", "SGD with momentum", "RMSprop", "Adam"]


def test_contour_paths_take_their_methods_colours(small_surface, recipe_d):
    paths = surfaces.optimizer_paths(*recipe_d, epochs=2)
    fig = surfaces.contour_figure(small_surface, paths)
    drawn = {line.get_label(): line.get_color() for line in fig.axes[0].lines}
    for name in paths:
        assert drawn[name] == style.METHOD_COLORS[style.method_of(name)]


def test_an_optimizer_has_the_same_colour_on_the_surface_and_in_the_loss_curves(small_surface, recipe_d):
    paths = surfaces.optimizer_paths(*recipe_d, epochs=2)
    on_surface = {line.get_label(): line.get_color()
                  for line in surfaces.contour_figure(small_surface, paths).axes[0].lines}
    in_curves = {line.get_label(): line.get_color()
                 for line in plots.loss_curves({name: p.losses for name, p in paths.items()}).axes[0].lines}
    assert {name: on_surface[name] for name in paths} == in_curves


def test_paths_that_name_no_method_keep_the_path_colours(small_surface, recipe_d):
    walk = surfaces.descent_path(*recipe_d, epochs=1)
    fig = surfaces.contour_figure(small_surface, {"lr = 0.01": walk, "lr = 0.1": walk})
    colors = [line.get_color() for line in fig.axes[0].lines if not line.get_label().startswith("_")]
    assert colors == surfaces.PATH_COLORS[:2]
