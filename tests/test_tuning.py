"""linreg.tuning: search spaces, the objective, trial records, grid and random search."""

import math

import numpy as np
import pytest

from linreg import DivergedError, tuning
from linreg.tuning import Range, Trial

SPACE = {"lr": Range(0.001, 0.5), "momentum": Range(0.0, 0.95)}


def bowl(params):
    """A cheap objective with its minimum 0.01 at lr 0.2, momentum 0.5."""
    return (params["lr"] - 0.2) ** 2 + (params["momentum"] - 0.5) ** 2 + 0.01


@pytest.fixture(scope="module")
def splits():
    return tuning.line_b_splits()


# --------------------------------------------------------------------------- Range


def test_range_spreads_values_evenly_on_a_linear_scale():
    assert Range(0.0, 0.9).evenly(4) == pytest.approx([0.0, 0.3, 0.6, 0.9])


def test_range_spreads_values_evenly_over_orders_of_magnitude_on_a_log_scale():
    assert Range(0.001, 1.0, log=True).evenly(4) == pytest.approx([0.001, 0.01, 0.1, 1.0])


def test_integer_range_gives_whole_numbers():
    values = Range(4, 64, log=True, integer=True).evenly(5)
    assert values == [4, 8, 16, 32, 64] and all(isinstance(v, int) for v in values)


@pytest.mark.parametrize("low, high", [(1.0, 1.0), (2.0, 1.0)])
def test_range_refuses_an_empty_or_reversed_interval(low, high):
    with pytest.raises(ValueError, match="low must be smaller than high"):
        Range(low, high)


def test_log_range_refuses_a_bound_at_or_below_zero():
    with pytest.raises(ValueError, match="log-scale range needs low > 0"):
        Range(0.0, 1.0, log=True)


def test_range_refuses_a_bound_that_is_not_a_finite_number():
    with pytest.raises(TypeError, match="high must be a finite number"):
        Range(0.0, math.inf)


def test_integer_range_refuses_fractional_bounds():
    with pytest.raises(ValueError, match="whole-number bounds"):
        Range(0.5, 4, integer=True)


# --------------------------------------------------------------------------- grid and random points


def test_grid_points_are_every_combination_with_the_first_parameter_slowest():
    lrs, momenta = np.linspace(0.001, 0.5, 4), np.linspace(0.0, 0.95, 4)
    by_hand = [{"lr": float(lr), "momentum": float(m)} for lr in lrs for m in momenta]
    assert tuning.grid_points(SPACE, 4) == by_hand


def test_grid_has_per_axis_to_the_power_of_the_dimension_points():
    space3 = {**SPACE, "batch_size": Range(4, 64, integer=True)}
    assert len(tuning.grid_points(space3, 3)) == 27


def test_random_points_draw_the_same_numbers_as_a_hand_written_loop():
    rng = np.random.default_rng(7)
    by_hand = [{"lr": rng.uniform(0.001, 0.5), "momentum": rng.uniform(0.0, 0.95)} for _ in range(5)]
    assert tuning.random_points(SPACE, 5, seed=7) == by_hand


def test_random_points_depend_on_the_seed_only():
    assert tuning.random_points(SPACE, 4, seed=1) == tuning.random_points(SPACE, 4, seed=1)
    assert tuning.random_points(SPACE, 4, seed=1) != tuning.random_points(SPACE, 4, seed=2)


def test_log_uniform_points_stay_in_range_and_cover_the_small_orders_of_magnitude():
    lrs = [p["lr"] for p in tuning.random_points({"lr": Range(1e-4, 1.0, log=True)}, 200, seed=0)]
    assert min(lrs) >= 1e-4 and max(lrs) <= 1.0
    assert sum(lr < 1e-2 for lr in lrs) > 60  # half the orders of magnitude; a uniform draw puts 1% there


def test_a_space_entry_that_is_not_a_range_is_named_in_the_error():
    with pytest.raises(TypeError, match=r"space\['lr'\] must be a linreg.tuning.Range"):
        tuning.grid_points({"lr": (0.001, 0.5)}, 4)


# --------------------------------------------------------------------------- the objective


def test_line_b_splits_are_disjoint_and_of_the_requested_sizes(splits):
    train, val, test = splits
    assert (len(train), len(val), len(test)) == (120, 40, 40)
    assert not (set(train.indices) & set(val.indices) or set(train.indices) & set(test.indices)
                or set(val.indices) & set(test.indices))


def test_train_and_score_depends_on_the_hyperparameters_alone(splits):
    train, val, _ = splits
    params = {"lr": 0.1, "momentum": 0.5}
    assert tuning.train_and_score(params, train, val) == tuning.train_and_score(params, train, val)
    assert tuning.train_and_score({"lr": 0.01}, train, val) != tuning.train_and_score(params, train, val)


def test_train_and_score_with_a_good_learning_rate_approaches_the_noise_and_a_tiny_one_does_not(splits):
    train, val, _ = splits
    assert tuning.train_and_score({"lr": 0.15, "momentum": 0.4}, train, val) < 0.02
    assert tuning.train_and_score({"lr": 0.001}, train, val) > 1.0


def test_train_and_score_scores_the_model_train_model_returns(splits):
    import torch

    train, val, _ = splits
    params = {"lr": 0.1, "momentum": 0.5}
    model = tuning.train_model(params, train)
    x, y = val[:]
    with torch.no_grad():
        by_hand = torch.nn.functional.mse_loss(model(x), y).item()
    assert tuning.train_and_score(params, train, val) == pytest.approx(by_hand, rel=1e-6)


def test_train_and_score_uses_a_batch_size_given_in_params(splits):
    train, val, _ = splits
    assert (tuning.train_and_score({"lr": 0.05, "batch_size": 4}, train, val)
            != tuning.train_and_score({"lr": 0.05, "batch_size": 64}, train, val))


def test_train_and_score_refuses_a_fractional_batch_size(splits):
    train, val, _ = splits
    with pytest.raises(TypeError, match=r"params\['batch_size'\] must be a positive integer"):
        tuning.train_and_score({"lr": 0.1, "batch_size": 30.5}, train, val)


def test_train_and_score_names_an_unknown_hyperparameter(splits):
    train, val, _ = splits
    with pytest.raises(ValueError, match=r"unknown names \['weight_decay'\]"):
        tuning.train_and_score({"lr": 0.1, "weight_decay": 0.1}, train, val)


def test_train_and_score_raises_diverged_error_for_an_exploding_run(splits):
    train, val, _ = splits
    with pytest.raises(DivergedError):
        tuning.train_and_score({"lr": 1e4}, train, val)


# --------------------------------------------------------------------------- trials


def test_run_trials_numbers_the_trials_from_one_and_scores_each():
    trials = tuning.run_trials(bowl, tuning.grid_points(SPACE, 2))
    assert [t.number for t in trials] == [1, 2, 3, 4]
    assert [t.val_loss for t in trials] == [bowl(p) for p in tuning.grid_points(SPACE, 2)]


def test_run_trials_times_each_objective_call_and_nothing_else(monkeypatch):
    # A fake clock: each trial reads it before and after the objective, which
    # "takes" 1.5 s; the 10 s between trials must not count.
    ticks = iter([0.0, 1.5, 10.0, 11.5])
    monkeypatch.setattr(tuning.time, "perf_counter", lambda: next(ticks))
    trials = tuning.run_trials(bowl, tuning.grid_points(SPACE, 2)[:2])
    assert [t.train_seconds for t in trials] == [1.5, 1.5]
    assert [t.method_seconds for t in trials] == [0.0, 0.0]  # a fixed list of points costs no choosing


def test_a_diverged_run_is_recorded_with_an_infinite_loss_and_the_search_goes_on():
    def objective(params):
        if params["lr"] > 0.3:
            raise DivergedError("too fast")
        return params["lr"]

    trials = tuning.run_trials(objective, [{"lr": 0.1}, {"lr": 0.4}, {"lr": 0.2}])
    assert [t.diverged for t in trials] == [False, True, False]
    assert math.isinf(trials[1].val_loss)


def test_a_nan_loss_counts_as_diverged():
    assert tuning.run_trials(lambda p: float("nan"), [{"lr": 0.1}])[0].diverged


def test_an_objective_that_returns_no_number_is_refused():
    with pytest.raises(TypeError, match="objective must return a number"):
        tuning.run_trials(lambda p: "low", [{"lr": 0.1}])


def test_best_trial_is_the_lowest_loss_and_the_earliest_on_a_tie():
    trials = [Trial(1, {}, 0.5), Trial(2, {}, math.inf), Trial(3, {}, 0.2), Trial(4, {}, 0.2)]
    assert tuning.best_trial(trials).number == 3


def test_best_trial_of_a_search_where_every_run_diverged_raises():
    with pytest.raises(ValueError, match="every trial diverged"):
        tuning.best_trial([Trial(1, {}, math.inf)])


def test_best_so_far_is_the_running_minimum_and_infinite_before_the_first_finite_loss():
    curve = tuning.best_so_far([Trial(1, {}, math.inf), Trial(2, {}, 0.4), Trial(3, {}, 0.6), Trial(4, {}, 0.1)])
    assert curve.tolist() == [math.inf, 0.4, 0.4, 0.1]


# --------------------------------------------------------------------------- honest reporting


def test_loss_on_is_the_mean_squared_error_of_any_function_of_x(splits):
    _, val, _ = splits
    x, y = val[:]
    assert tuning.loss_on(lambda x: 1.5 + 2 * x, val) == pytest.approx(((y - (1.5 + 2 * x)) ** 2).mean().item())


def test_loss_on_refuses_a_model_that_is_not_callable(splits):
    with pytest.raises(TypeError, match="model must be a function of x"):
        tuning.loss_on(0.5, splits[1])


@pytest.fixture(scope="module")
def flattery(splits):
    dataset = splits[0].dataset
    return tuning.flattery_beyond_chance(dataset, SPACE, {"lr": 0.1, "momentum": 0.5}, dataset,
                                         lambda x: 1.5 + 2 * x, splits=3, budget=4)


def test_flattery_beyond_chance_gives_one_value_per_split_for_the_pick_the_fixed_configuration_and_chance(flattery):
    assert {name: len(values) for name, values in flattery.items()} == {
        "the search's pick": 3, "fixed in advance": 3, "chance": 3}


def test_flattery_beyond_chance_subtracts_what_the_split_does_to_the_true_line(splits, flattery):
    # Scored on the whole data set as "new points", the true line's chance is its loss there minus on validation.
    import torch
    from torch.utils.data import random_split

    dataset = splits[0].dataset
    _, val, _ = random_split(dataset, [0.6, 0.2, 0.2], generator=torch.Generator().manual_seed(0))
    line = lambda x: 1.5 + 2 * x  # noqa: E731
    assert flattery["chance"][0] == pytest.approx(tuning.loss_on(line, dataset) - tuning.loss_on(line, val))


def test_flattery_beyond_chance_names_a_bad_number_of_splits(splits):
    with pytest.raises(ValueError, match="splits"):
        tuning.flattery_beyond_chance(splits[0].dataset, SPACE, {"lr": 0.1}, splits[0].dataset, abs, splits=0)
