"""linreg.bayesian: Ax's ask-train-tell loop on the searches' objective, space and trial records."""

import sys

import pytest

from linreg import DivergedError, bayesian, tuning
from linreg.tuning import Range

SPACE = {"lr": Range(0.001, 0.5), "momentum": Range(0.0, 0.95)}


def bowl(params):
    """A cheap objective with its minimum 0.01 at lr 0.2, momentum 0.5."""
    return (params["lr"] - 0.2) ** 2 + (params["momentum"] - 0.5) ** 2 + 0.01


def test_importing_the_search_modules_does_not_import_ax():
    import subprocess

    code = ("import sys, linreg.tuning, linreg.bayesian, linreg.search_plots; "
            "print(any(m == 'ax' or m.startswith('ax.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.fixture(scope="module")
def ax_run():
    """A seeded Ax search of the bowl along lr, long enough for the Gaussian process to take over."""
    return bayesian.ax_search(lambda p: bowl({**p, "momentum": 0.5}), {"lr": Range(0.001, 0.5)}, 7, seed=3)


def test_ax_search_with_a_seed_repeats_its_proposals():
    first, second = (bayesian.ax_search(bowl, SPACE, 3, seed=5) for _ in range(2))
    assert [t.params for t in first.trials] == [t.params for t in second.trials]
    assert [t.params for t in bayesian.ax_search(bowl, SPACE, 3, seed=6).trials] != [t.params for t in first.trials]


def test_ax_search_records_one_trial_per_budget_unit_with_its_overhead(ax_run):
    assert [t.number for t in ax_run.trials] == list(range(1, 8))
    assert all(t.method_seconds > 0 for t in ax_run.trials)
    assert 1 <= ax_run.best_number <= 7


def test_ax_search_names_the_step_that_proposed_each_trial_centre_then_sobol_then_the_model(ax_run):
    # ax-platform 1.3's default strategy: the centre, Sobol draws up to 5 trials, then the GP (MBM).
    assert ax_run.nodes == ["CenterOfSearchSpace", "Sobol", "Sobol", "Sobol", "Sobol", "MBM", "MBM"]
    assert ax_run.trials[0].params == {"lr": pytest.approx((0.001 + 0.5) / 2)}


def test_ax_search_finds_the_bottom_of_a_one_dimensional_bowl(ax_run):
    assert tuning.best_trial(ax_run.trials).params["lr"] == pytest.approx(0.2, abs=0.03)


def test_ax_search_prints_nothing_to_stderr(capfd):
    bayesian.ax_search(bowl, SPACE, 2, seed=0)
    assert capfd.readouterr().err == ""


def test_ax_search_reports_a_diverged_run_as_failed_and_carries_on():
    def objective(params):
        if params["lr"] > 0.3:
            raise DivergedError("too fast")
        return params["lr"]

    search = bayesian.ax_search(objective, {"lr": Range(0.0, 1.0)}, 3, seed=0)
    assert len(search.trials) == 3
    assert search.trials[0].diverged  # the centre, lr 0.5
    assert search.best_params is None or search.best_params["lr"] <= 0.3


def test_ax_search_runs_torch_on_one_thread_and_restores_the_thread_count():
    import torch

    before = torch.get_num_threads()
    seen = []
    torch.set_num_threads(2)
    try:
        bayesian.ax_search(lambda p: seen.append(torch.get_num_threads()) or bowl(p), SPACE, 1, seed=0)
        assert seen == [1] and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
