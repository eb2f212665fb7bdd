"""linreg.explorables: the data behind the interactive figures (runs, divergence, JSON, size)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from linreg import data, explorables, scratch
from linreg.training import History

RATES = (0.01, 0.1, 0.75, 1.0)


@pytest.fixture(scope="module")
def line():
    return data.line_data()


@pytest.fixture(scope="module")
def lr_explorer(line):
    return explorables.learning_rate_explorer(line.x_train, line.y_train, RATES, epochs=1000)


@pytest.fixture(scope="module")
def momentum_explorer():
    x, y = data.surface_line_data(seed=1)
    return explorables.momentum_explorer(x, y, [0.01, 0.5], [0.0, 0.9], steps=100)


# learning_rate_explorer

def test_there_is_one_run_per_learning_rate_in_the_order_given(lr_explorer):
    assert [run.settings["lr"] for run in lr_explorer.runs] == list(RATES)
    assert lr_explorer.controls[0].values == RATES


def test_a_run_ends_exactly_where_scratch_gradient_descent_does(lr_explorer, line):
    fit = scratch.gradient_descent(line.x_train, line.y_train, lr=0.1, epochs=1000)
    assert lr_explorer.run(lr=0.1).final == (fit.b, fit.a)  # (weight, bias) = (slope, intercept)


def test_runs_above_the_stable_rate_are_flagged_diverged_where_the_loss_blew_up(lr_explorer):
    # For recipe A, 2 / (largest curvature of the MSE) is about 0.79: 0.75 converges, 1.0 diverges.
    assert [run.diverged for run in lr_explorer.runs] == [False, False, False, True]
    run = lr_explorer.run(lr=1.0)
    assert run.losses[-1] > explorables.BLOWUP * run.losses[0] >= run.losses[-2]
    assert run.steps[-1] == run.diverged_at


def test_paths_keep_the_start_the_first_steps_and_the_last_and_at_most_150_points(lr_explorer):
    run = lr_explorer.run(lr=0.01)
    assert run.steps[0] == 0 and run.steps[-1] == 1000 and list(run.steps[:50]) == list(range(50))
    assert len(run.steps) == len(run.weights) == len(run.biases) == len(run.losses) <= 150


def test_losses_are_the_mse_at_each_kept_point(lr_explorer, line):
    run = lr_explorer.run(lr=0.1)
    x, y = line.x_train[:, 0], line.y_train[:, 0]
    expected = ((run.biases[:, None] + run.weights[:, None] * x - y) ** 2).mean(axis=1)
    np.testing.assert_allclose(run.losses, expected)


def test_the_contours_are_level_curves_of_the_loss(lr_explorer, line):
    x, y = line.x_train[:, 0], line.y_train[:, 0]
    for curve in lr_explorer.contours:
        losses = ((curve[:, 1][:, None] + curve[:, 0][:, None] * x - y) ** 2).mean(axis=1)
        np.testing.assert_allclose(losses, losses[0], rtol=1e-9)


def test_the_view_holds_the_start_the_minimum_and_a_typical_converging_path(lr_explorer):
    w0, w1, b0, b1 = lr_explorer.view
    start = lr_explorer.runs[0]
    assert w0 < start.weights[0] < w1 and b0 < start.biases[0] < b1
    assert w0 < lr_explorer.minimum[0] < w1 and b0 < lr_explorer.minimum[1] < b1
    typical = lr_explorer.run(lr=0.1)
    assert w0 <= typical.weights.min() and typical.weights.max() <= w1
    assert b0 <= typical.biases.min() and typical.biases.max() <= b1


def test_a_run_that_swings_far_out_does_not_widen_the_view(momentum_explorer):
    w0, w1, _, _ = momentum_explorer.view
    wild = max(momentum_explorer.runs, key=lambda run: np.ptp(run.weights) if not run.diverged else 0)
    assert np.ptp(wild.weights) > w1 - w0


def test_the_json_round_trips_with_four_decimals_and_full_final_parameters(lr_explorer):
    document = json.loads(lr_explorer.to_json())
    run = document["runs"][1]
    assert run["settings"] == {"lr": 0.1} and run["divergedAt"] is None
    assert run["final"] == [round(v, 6) for v in lr_explorer.runs[1].final]
    np.testing.assert_allclose(run["w"], lr_explorer.runs[1].weights, atol=5e-5)
    assert document["runs"][3]["divergedAt"] == lr_explorer.runs[3].diverged_at


def test_page_two_sized_explorer_fits_the_150_kib_budget(line):
    rates = [float(f"{10 ** (k / 8):.3g}") for k in range(-16, 3)]
    explorer = explorables.learning_rate_explorer(line.x_train, line.y_train, rates, epochs=1000)
    assert len(explorer.to_json().encode()) <= explorables.MAX_JSON_BYTES


def test_an_explorer_too_large_for_a_page_is_refused(line, monkeypatch):
    monkeypatch.setattr(explorables, "MAX_JSON_BYTES", 1000)
    with pytest.raises(ValueError, match="more than the 0 KiB"):
        explorables.learning_rate_explorer(line.x_train, line.y_train, [0.1, 0.2], epochs=100)


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"learning_rates": []}, ValueError, "learning_rates must hold at least one value"),
    ({"learning_rates": [0.1, -1.0]}, ValueError, "learning_rates must be a positive"),
    ({"learning_rates": [0.1, 0.1]}, ValueError, "must not repeat"),
    ({"learning_rates": 0.1}, TypeError, "learning_rates must be a sequence"),
    ({"learning_rates": [0.1], "epochs": 0}, ValueError, "epochs must be a positive integer"),
    ({"learning_rates": [0.1], "blowup": 0}, ValueError, "blowup must be a positive"),
])
def test_learning_rate_explorer_names_a_bad_argument(line, kwargs, error, message):
    with pytest.raises(error, match=message):
        explorables.learning_rate_explorer(line.x_train, line.y_train, **kwargs)


def test_asking_for_a_setting_not_on_the_grid_lists_what_is(lr_explorer):
    with pytest.raises(KeyError, match=r"lr in \[0.01, 0.1, 0.75, 1.0\]"):
        lr_explorer.run(lr=0.5)


# momentum_explorer

def test_momentum_runs_cover_the_grid_the_momentum_varying_fastest(momentum_explorer):
    assert [tuple(run.settings.values()) for run in momentum_explorer.runs] == [
        (0.01, 0.0), (0.01, 0.9), (0.5, 0.0), (0.5, 0.9)]


def test_momentum_lets_a_rate_converge_that_diverges_without_it(momentum_explorer):
    assert momentum_explorer.run(lr=0.5, momentum=0.0).diverged
    assert not momentum_explorer.run(lr=0.5, momentum=0.9).diverged


def test_a_momentum_run_ends_where_optimizer_paths_optimizer_path_does(momentum_explorer):
    import torch

    from linreg import optimizer_paths

    x, y = data.surface_line_data(seed=1)
    path = optimizer_paths.optimizer_path(x, y, lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9), epochs=100)
    assert momentum_explorer.run(lr=0.01, momentum=0.9).final == path.final


@pytest.mark.parametrize("momenta", [[1.0], [-0.1], [1.5]])
def test_a_momentum_outside_zero_to_one_is_refused(momenta):
    x, y = data.surface_line_data(seed=1)
    with pytest.raises(ValueError, match="momenta must lie in"):
        explorables.momentum_explorer(x, y, [0.01], momenta, steps=5)


# schedule_explorer

def _fake_training(step_size, gamma):
    rates = [0.8 * gamma ** (epoch // step_size) for epoch in range(20)]
    return History(train_loss=[1 / (e + 1) for e in range(20)], val_loss=[1.1 / (e + 1) for e in range(20)], lr=rates)


def test_a_schedule_explorer_keeps_each_runs_rates_and_losses():
    explorer = explorables.schedule_explorer(_fake_training, {"step_size": [5, 10], "gamma": [0.5]})
    assert [run.settings for run in explorer.runs] == [{"step_size": 5, "gamma": 0.5}, {"step_size": 10, "gamma": 0.5}]
    assert explorer.run(step_size=5, gamma=0.5).lr[5] == 0.4
    assert isinstance(explorer.runs[0].settings["step_size"], int)  # a step size stays a count of epochs


def test_a_schedule_run_that_diverges_is_kept_and_flagged():
    def training(gamma):
        if gamma > 1:
            raise explorables.DivergedError("too high")
        return _fake_training(5, gamma)

    explorer = explorables.schedule_explorer(training, {"gamma": [0.5, 2.0]})
    assert [run.diverged for run in explorer.runs] == [False, True]
    assert json.loads(explorer.to_json())["runs"][1] == {"settings": {"gamma": 2.0}, "lr": [], "train": [], "val": [],
                                                          "diverged": True}


def test_a_schedule_explorer_needs_a_function_and_a_grid():
    with pytest.raises(TypeError, match="train must be callable"):
        explorables.schedule_explorer(None, {"gamma": [0.5]})
    with pytest.raises(ValueError, match="grid must be a non-empty dict"):
        explorables.schedule_explorer(_fake_training, {})
