"""linreg.tuning: search spaces, the objective, trial records, grid/random/Ax searches and their figures."""

import math
import sys

import numpy as np
import pytest

from linreg import DivergedError, tuning
from linreg.display import alt_text
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


def test_run_trials_numbers_the_trials_from_one_and_times_each():
    trials = tuning.run_trials(bowl, tuning.grid_points(SPACE, 2))
    assert [t.number for t in trials] == [1, 2, 3, 4]
    assert all(t.train_seconds >= 0 and t.method_seconds == 0 for t in trials)
    assert [t.val_loss for t in trials] == [bowl(p) for p in tuning.grid_points(SPACE, 2)]


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


# --------------------------------------------------------------------------- figures


@pytest.fixture(scope="module")
def results():
    return {"grid": tuning.run_trials(bowl, tuning.grid_points(SPACE, 3)),
            "random": tuning.run_trials(bowl, tuning.random_points(SPACE, 9, seed=0))}


def test_trials_figure_has_one_panel_per_method_and_a_shared_colour_bar(results):
    fig = tuning.trials_figure(results, SPACE, x="lr", y="momentum")
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["grid (9 trials)", "random (9 trials)"]
    assert len(fig.axes) == 3  # two panels and the colour bar


def test_trials_figure_rings_each_methods_best_trial(results):
    fig = tuning.trials_figure(results, SPACE, x="lr", y="momentum")
    for ax, trials in zip(fig.axes, results.values(), strict=False):
        best = tuning.best_trial(trials)
        ring = ax.collections[-1].get_offsets()
        assert ring.tolist() == [[best.params["lr"], best.params["momentum"]]]


def test_trials_figure_alt_text_names_each_methods_best_loss(results):
    alt = alt_text(tuning.trials_figure(results, SPACE, x="lr", y="momentum"))
    for name, trials in results.items():
        best = tuning.best_trial(trials)
        assert f"{name}: best loss {best.val_loss:.3g} at trial {best.number}" in alt


def test_trials_figure_panels_all_show_the_whole_search_space(results):
    fig = tuning.trials_figure(results, SPACE, x="lr", y="momentum")
    for ax in fig.axes[:2]:
        (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
        assert x_low < 0.001 and x_high > 0.5 and y_low < 0.0 and y_high > 0.95
    assert fig.axes[0].get_ylim() == fig.axes[1].get_ylim()


def test_trials_figure_draws_diverged_trials_as_crosses():
    trials = [Trial(1, {"lr": 0.1, "momentum": 0.0}, 0.5), Trial(2, {"lr": 0.4, "momentum": 0.9}, math.inf)]
    fig = tuning.trials_figure({"grid": trials}, SPACE, x="lr", y="momentum")
    assert "diverged" in [text.get_text() for text in fig.axes[0].get_legend().get_texts()]


def test_trials_figure_refuses_an_axis_that_is_not_in_the_space(results):
    with pytest.raises(ValueError, match="x must name a parameter"):
        tuning.trials_figure(results, SPACE, x="batch_size", y="momentum")


def test_best_so_far_figure_draws_each_methods_running_minimum(results):
    fig = tuning.best_so_far_figure(results)
    for ax in fig.axes:
        lines = ax.get_lines()
        assert [line.get_label() for line in lines] == list(results)
        for line, trials in zip(lines, results.values(), strict=True):
            assert np.array_equal(line.get_ydata(), tuning.best_so_far(trials))
    assert [ax.get_yscale() for ax in fig.axes] == ["log", "linear"]


def test_best_so_far_figure_zooms_on_the_best_loss_found(results):
    fig = tuning.best_so_far_figure(results, zoom=1.5)
    overall = min(tuning.best_trial(trials).val_loss for trials in results.values())
    low, high = fig.axes[1].get_ylim()
    assert low < overall and high == pytest.approx(1.5 * overall)


def test_best_so_far_figure_alt_text_gives_each_final_best_and_its_trial(results):
    alt = alt_text(tuning.best_so_far_figure(results))
    best = tuning.best_trial(results["random"])
    assert f"random ends at {best.val_loss:.3g}, found at trial {best.number}" in alt


# --------------------------------------------------------------------------- Ax


def test_importing_linreg_tuning_does_not_import_ax():
    import subprocess

    code = "import sys, linreg.tuning; print(any(m == 'ax' or m.startswith('ax.') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.fixture(scope="module")
def ax_run():
    """A seeded Ax search of the bowl along lr, long enough for the Gaussian process to take over."""
    return tuning.ax_search(lambda p: bowl({**p, "momentum": 0.5}), {"lr": Range(0.001, 0.5)}, 7, seed=3)


def test_ax_search_with_a_seed_repeats_its_proposals():
    first, second = (tuning.ax_search(bowl, SPACE, 3, seed=5) for _ in range(2))
    assert [t.params for t in first.trials] == [t.params for t in second.trials]
    assert [t.params for t in tuning.ax_search(bowl, SPACE, 3, seed=6).trials] != [t.params for t in first.trials]


def test_ax_search_records_one_trial_per_budget_unit_with_its_overhead(ax_run):
    assert [t.number for t in ax_run.trials] == list(range(1, 8))
    assert all(t.method_seconds > 0 for t in ax_run.trials)
    assert 1 <= ax_run.best_number <= 7


def test_ax_search_finds_the_bottom_of_a_one_dimensional_bowl(ax_run):
    assert tuning.best_trial(ax_run.trials).params["lr"] == pytest.approx(0.2, abs=0.03)


def test_ax_search_prints_nothing_to_stderr(capfd):
    tuning.ax_search(bowl, SPACE, 2, seed=0)
    assert capfd.readouterr().err == ""


def test_ax_search_reports_a_diverged_run_as_failed_and_carries_on():
    def objective(params):
        if params["lr"] > 0.3:
            raise DivergedError("too fast")
        return params["lr"]

    search = tuning.ax_search(objective, {"lr": Range(0.0, 1.0)}, 3, seed=0)
    assert len(search.trials) == 3
    assert search.trials[0].diverged  # the centre, lr 0.5
    assert search.best_params is None or search.best_params["lr"] <= 0.3


def test_ax_search_runs_torch_on_one_thread_and_restores_the_thread_count():
    import torch

    before = torch.get_num_threads()
    seen = []
    torch.set_num_threads(2)
    try:
        tuning.ax_search(lambda p: seen.append(torch.get_num_threads()) or bowl(p), SPACE, 1, seed=0)
        assert seen == [1] and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
