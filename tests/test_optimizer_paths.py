"""Specification of linreg.optimizer_paths: where a torch.optim optimizer walks from a start (page 4)."""

import numpy as np
import pytest
import torch

from linreg import DivergedError, data, optimizer_paths, scratch


def sgd(lr):
    return lambda params: torch.optim.SGD(params, lr=lr)


def minibatch_walk(recipe_d, lr=0.01, epochs=10):
    """Page 2's walk on recipe D: plain SGD in mini-batches of 5 from weight -15, bias -10."""
    return optimizer_paths.optimizer_path(*recipe_d, sgd(lr), epochs=epochs, batch_size=5)


def test_a_minibatch_walk_starts_far_away_and_records_every_step(recipe_d):
    path = minibatch_walk(recipe_d)
    assert (path.weights[0], path.biases[0]) == (-15.0, -10.0)
    assert path.steps_per_epoch == 12  # 60 points in mini-batches of 5
    assert len(path.weights) == len(path.biases) == 10 * 12 + 1
    assert path.losses.shape == (10,)


def test_a_minibatch_walk_with_lr_0_01_finds_the_weight_but_not_yet_the_bias(recipe_d):
    weight, bias = minibatch_walk(recipe_d, lr=0.01).final
    assert weight == pytest.approx(1.0, abs=0.1)
    assert bias < -1.5


def test_a_minibatch_walk_with_lr_0_1_reaches_weight_1_and_bias_minus_1(recipe_d):
    weight, bias = minibatch_walk(recipe_d, lr=0.1).final
    assert weight == pytest.approx(1.0, abs=0.1)
    assert bias == pytest.approx(-1.0, abs=0.1)


def test_a_minibatch_walks_loss_falls_every_epoch(recipe_d):
    assert np.all(np.diff(minibatch_walk(recipe_d).losses) < 0)


def test_a_minibatch_walk_is_reproducible_and_its_shuffling_follows_the_seed(recipe_d):
    first, second = minibatch_walk(recipe_d), minibatch_walk(recipe_d)
    np.testing.assert_array_equal(first.weights, second.weights)
    other = optimizer_paths.optimizer_path(*recipe_d, sgd(0.01), epochs=10, batch_size=5, seed=1)
    assert not np.array_equal(first.weights, other.weights)


def test_optimizer_path_follows_plain_sgd_by_hand(recipe_d):
    x, y = recipe_d
    path = optimizer_paths.optimizer_path(x, y, sgd(0.01), epochs=2)
    w, b = -15.0, -10.0
    for _ in range(2):
        error = (b + w * x - y).double()
        w, b = w - 0.01 * 2 * (x * error).mean().item(), b - 0.01 * 2 * error.mean().item()
    assert path.final == pytest.approx((w, b), rel=1e-5)


def test_each_loss_is_measured_before_its_update(recipe_d):
    x, y = recipe_d
    path = optimizer_paths.optimizer_path(x, y, sgd(0.01), epochs=3)
    for step in range(3):
        w, b = path.weights[step], path.biases[step]
        assert path.losses[step] == pytest.approx(torch.mean((b + w * x - y) ** 2).item(), rel=1e-5)


def test_optimizer_path_raises_diverged_error_when_lr_is_too_high(recipe_d):
    with pytest.raises(DivergedError, match="lr=1"):
        optimizer_paths.optimizer_path(*recipe_d, sgd(1.0), epochs=100)


def test_optimizer_path_with_slightly_too_high_lr_grows_the_loss(recipe_d):
    path = optimizer_paths.optimizer_path(*recipe_d, sgd(0.4), epochs=20)
    assert path.losses[-1] > 100 * path.losses[0]


@pytest.mark.parametrize(("kwargs", "error", "name"), [
    ({"epochs": 0}, ValueError, "epochs"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"batch_size": 61}, ValueError, "batch_size"),
    ({"seed": -1}, ValueError, "seed"),
])
def test_optimizer_path_rejects_invalid_arguments_by_name(recipe_d, kwargs, error, name):
    with pytest.raises(error, match=name):
        optimizer_paths.optimizer_path(*recipe_d, sgd(0.1), **kwargs)


def test_optimizer_path_rejects_a_factory_that_is_not_callable_or_not_an_optimizer(recipe_d):
    with pytest.raises(TypeError, match="make_optimizer"):
        optimizer_paths.optimizer_path(*recipe_d, "sgd")
    with pytest.raises(TypeError, match="make_optimizer"):
        optimizer_paths.optimizer_path(*recipe_d, lambda p: p)


def test_optimizer_path_records_the_learning_rate(recipe_d):
    path = optimizer_paths.optimizer_path(*recipe_d, lambda params: torch.optim.Adam(params, lr=0.5), epochs=1)
    assert path.lr == 0.5


def test_optimizer_paths_start_together_and_return_one_labelled_path_per_optimizer(recipe_d):
    makers = {"SGD": sgd(0.1), "Adam": lambda params: torch.optim.Adam(params, lr=0.5)}
    paths = optimizer_paths.optimizer_paths(*recipe_d, makers, epochs=3)
    assert list(paths) == ["SGD", "Adam"]
    for name, path in paths.items():
        assert path.name == name
        assert (path.weights[0], path.biases[0]) == (-15.0, -10.0)
        assert path.losses.shape == (3,)


def test_optimizer_paths_pass_the_start_and_budget_to_every_run(recipe_d):
    paths = optimizer_paths.optimizer_paths(*recipe_d, {"SGD": sgd(0.1)}, weight=2.0, bias=3.0, epochs=4)
    assert (paths["SGD"].weights[0], paths["SGD"].biases[0], len(paths["SGD"].losses)) == (2.0, 3.0, 4)


def test_optimizer_paths_reject_an_empty_mapping(recipe_d):
    with pytest.raises(ValueError, match="optimizers"):
        optimizer_paths.optimizer_paths(*recipe_d, {})


# Claims the prose of page 4 makes about printed numbers.

def test_page_4_optim_sgd_on_recipe_a_matches_the_closed_form_to_4_decimals():
    d = data.line_data()
    a_start, b_start = scratch.initial_parameters(42)
    path = optimizer_paths.optimizer_path(d.x_train, d.y_train, sgd(0.1), weight=b_start, bias=a_start, epochs=1000)
    a_exact, b_exact = scratch.closed_form(d.x_train, d.y_train)
    assert round(path.final[1], 4) == round(a_exact, 4)
    assert round(path.final[0], 4) == round(b_exact, 4)


def test_page_4_sgd_limit_on_recipe_d_lies_between_0_3_and_0_4(recipe_d):
    def losses(lr):
        return optimizer_paths.optimizer_path(*recipe_d, sgd(lr), epochs=30).losses

    assert losses(0.3)[-1] < losses(0.3)[0] / 1000
    assert losses(0.4)[-1] > losses(0.4)[0] * 1000


def test_page_4_adam_with_lr_0_01_moves_each_parameter_about_1_in_100_steps(recipe_d):
    path = optimizer_paths.optimizer_path(*recipe_d, lambda p: torch.optim.Adam(p, lr=0.01), epochs=100)
    assert 0.5 < path.final[0] + 15.0 < 1.1
    assert 0.5 < path.final[1] + 10.0 < 1.1


def test_page_4_adam_with_lr_3_overshoots_and_the_loss_rises_again_without_diverging(recipe_d):
    path = optimizer_paths.optimizer_path(*recipe_d, lambda p: torch.optim.Adam(p, lr=3.0), epochs=100)
    first_dip = int(np.argmax(np.diff(path.losses) > 0))  # the first step where the loss goes up
    assert path.losses[first_dip:].max() > 5 * path.losses[first_dip]
    assert path.losses[-1] < path.losses[0] / 100


def test_page_4_momentum_0_9_swings_die_out_by_a_factor_0_9_per_step_in_loss(recipe_d):
    # heavy-ball momentum on a quadratic, underdamped in both directions: |root| = sqrt(beta) per step
    x, y = recipe_d
    bias, weight = scratch.closed_form(x, y)
    floor = torch.mean((bias + weight * x - y) ** 2).item()
    path = optimizer_paths.optimizer_path(x, y, lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9), epochs=100)
    excess = path.losses - floor
    assert excess[-10:].max() == pytest.approx(excess[0] * 0.9 ** 100, rel=2)


# Measuring a run for a race: when it arrives, how far off it still is.

def test_mse_along_is_the_full_data_loss_at_the_start_and_after_every_step(recipe_d):
    x, y = recipe_d
    path = optimizer_paths.optimizer_path(x, y, sgd(0.1), epochs=3)
    after = optimizer_paths.mse_along(path, x, y)
    assert after.shape == (4,) and after.dtype == np.float64
    w, b = path.weights[2], path.biases[2]
    assert after[2] == pytest.approx(float(((b + w * x.double() - y.double()) ** 2).mean()), rel=1e-12)
    assert after[0] == pytest.approx(path.losses[0], rel=1e-5)  # the start is the first step's loss before its update


def test_mse_along_needs_an_optimizer_path(recipe_d):
    with pytest.raises(TypeError, match="path"):
        optimizer_paths.mse_along([1.0, 2.0], *recipe_d)


def test_race_measure_is_the_step_from_which_the_loss_stays_near_the_floor_and_the_last_excess():
    assert optimizer_paths.race_measure([9.0, 1.005, 1.5, 1.004, 1.0], floor=1.0, last=2) == (3, 0.0040000000000000036)
    assert optimizer_paths.race_measure([1.0, 1.0], floor=1.0) == (0, 0.0)  # there from the start


def test_a_run_that_never_arrives_measures_one_past_its_last_step_and_ranks_behind_any_that_does():
    never = optimizer_paths.race_measure([9.0, 3.0, 2.0], floor=1.0, last=1)
    late = optimizer_paths.race_measure([9.0, 3.0, 1.0], floor=1.0, last=1)
    assert never == (3, 1.0) and late == (2, 0.0) and late < never


@pytest.mark.parametrize(("kwargs", "error", "name"), [
    ({"losses": [1.0]}, ValueError, "losses"),
    ({"floor": 0.0}, ValueError, "floor"),
    ({"within": 1.5}, ValueError, "within"),
    ({"last": 0}, ValueError, "last"),
])
def test_race_measure_names_a_bad_argument(kwargs, error, name):
    arguments = {"losses": [2.0, 1.0], "floor": 1.0} | kwargs
    with pytest.raises(error, match=name):
        optimizer_paths.race_measure(**arguments)


def test_a_sweep_measures_each_rate_and_a_diverged_run_as_worst(recipe_d):
    x, y = recipe_d
    bias, weight = scratch.closed_form(x, y)
    floor = float(((bias + weight * x.double() - y.double()) ** 2).mean())
    measures = optimizer_paths.sweep(x, y, lambda params, lr: torch.optim.SGD(params, lr=lr), [0.1, 0.25, 1.0],
                                     floor=floor, steps=50)
    assert measures[1][0] < measures[0][0] <= 50 and measures[2] == (np.inf, np.inf)
    assert min(measures) == measures[1]


def test_a_sweep_needs_an_optimizer_factory_and_positive_rates(recipe_d):
    with pytest.raises(TypeError, match="make_optimizer"):
        optimizer_paths.sweep(*recipe_d, "SGD", [0.1], floor=1.0)
    with pytest.raises(ValueError, match="learning_rates"):
        optimizer_paths.sweep(*recipe_d, lambda params, lr: torch.optim.SGD(params, lr=lr), [-0.1], floor=1.0)
