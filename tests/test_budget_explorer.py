"""linreg.budget_explorer: each search's best loss within k trials, read from trials already run (page 12)."""

from __future__ import annotations

import json
import math

import pytest

from linreg import budget_explorer as budget
from linreg.explorables import MAX_JSON_BYTES
from linreg.interactive import explorable
from linreg.tuning import Trial, best_so_far, best_trial


def trials(*losses):
    return [Trial(number, {"lr": 0.1 * number}, loss) for number, loss in enumerate(losses, start=1)]


@pytest.fixture(scope="module")
def searches():
    return {"grid search": trials(5.0, 4.0, 0.3, 0.2),
            "random search": trials(0.5, math.inf, 0.25, 0.1),
            "Ax": trials(0.4, 0.45, 0.2, 0.3)}


@pytest.fixture(scope="module")
def explorer(searches):
    return budget.budget_explorer(searches, steps={"Ax": ["CenterOfSearchSpace", "Sobol", "MBM", "MBM"]})


def test_the_slider_runs_over_every_budget_from_one_trial_to_all_of_them(explorer):
    (control,) = explorer.controls
    assert control.name == "k" and control.values == (1, 2, 3, 4)
    assert explorer.budget == 4
    assert [entry["settings"] for entry in explorer.runs] == [{"k": k} for k in (1, 2, 3, 4)]


def test_the_best_at_each_budget_is_tunings_best_so_far_and_its_trial_tunings_best_trial(explorer, searches):
    for m, (name, method_trials) in enumerate(searches.items()):
        curve = best_so_far(method_trials)
        for k, entry in enumerate(explorer.runs, start=1):
            assert entry["best"][m] == curve[k - 1]
            assert entry["trial"][m] == best_trial(method_trials[:k]).number, (name, k)


def test_at_the_full_budget_each_method_reports_its_best_trial(explorer, searches):
    last = explorer.runs[-1]
    for m, method_trials in enumerate(searches.values()):
        winner = best_trial(method_trials)
        assert (last["best"][m], last["trial"][m]) == (winner.val_loss, winner.number)


def test_a_diverged_trial_never_counts_and_is_null_in_the_json(explorer):
    data = json.loads(explorer.to_json())
    assert data["methods"][1]["losses"][1] is None
    assert data["runs"][1]["best"][1] == 0.5 and data["runs"][1]["trial"][1] == 1


def test_a_tie_keeps_the_earliest_trial():
    assert budget.BudgetMethod("a", (0.3, 0.1, 0.1)).best_within(3) == (0.1, 2)


def test_a_method_with_only_diverged_trials_so_far_has_no_best_yet():
    assert budget.BudgetMethod("a", (math.inf, 0.2)).best_within(1) == (math.inf, None)


def test_the_leader_changes_with_the_budget(explorer):
    assert [explorer.leaders(k) for k in (1, 2, 3, 4)] == [["Ax"], ["Ax"], ["Ax"], ["random search"]]


def test_an_exact_tie_names_every_leader():
    tied = budget.budget_explorer({"a": trials(0.2), "b": trials(0.2)})
    assert tied.leaders(1) == ["a", "b"]


@pytest.mark.parametrize("k", [0, 5, 1.5, True])
def test_leaders_names_a_budget_out_of_range(explorer, k):
    with pytest.raises(ValueError, match="k must be a whole number of trials from 1 to 4"):
        explorer.leaders(k)


def test_the_json_carries_every_loss_at_full_precision_and_which_step_proposed_each_ax_trial(explorer, searches):
    data = json.loads(explorer.to_json())
    assert data["kind"] == "budget"
    assert [m["name"] for m in data["methods"]] == list(searches)
    assert data["methods"][0]["losses"] == [t.val_loss for t in searches["grid search"]]
    assert data["methods"][0]["steps"] == [] and data["methods"][2]["steps"][:2] == ["CenterOfSearchSpace", "Sobol"]
    assert data["modelStep"] == "MBM" and data["stepNames"]["Sobol"] == "a Sobol point"
    assert data["zoom"] == 1.25


def test_sixteen_trials_of_three_methods_take_a_few_kib(searches):
    many = {name: trials(*[0.1 + i / 100 for i in range(16)]) for name in searches}
    size = len(budget.budget_explorer(many).to_json().encode())
    assert size < 8 * 1024 < MAX_JSON_BYTES


def test_interactive_explorable_displays_it_with_one_slider_at_the_chosen_budget(explorer):
    html = explorable(explorer, name="budget", caption="c", fallback="<p>static</p>", selected={"k": 4})._repr_html_()
    assert html.count('type="range"') == 1
    assert 'max="3"' in html and 'value="3"' in html and 'aria-valuetext="4"' in html


@pytest.mark.parametrize(("args", "kwargs", "error", "message"), [
    ({}, {}, TypeError, "results must be a non-empty dict"),
    ({"a": []}, {}, TypeError, r"results\['a'\] must be a non-empty list"),
    ({"a": trials(0.1), "b": trials(0.1, 0.2)}, {}, ValueError, "the same budget"),
    ({"a": [Trial(2, {}, 0.1)]}, {}, ValueError, "trials 1, 2, ... in the order they ran"),
    ({"a": trials(0.1)}, {"steps": {"b": ["Sobol"]}}, ValueError, "steps must name methods of results"),
    ({"a": trials(0.1, 0.2)}, {"steps": {"a": ["Sobol"]}}, ValueError, "one step .* per trial"),
    ({"a": trials(0.1)}, {"zoom": 1.0}, ValueError, "zoom must be a number greater than 1"),
    ({"a": trials(math.inf)}, {}, ValueError, "every trial diverged"),
])
def test_budget_explorer_names_a_bad_argument(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        budget.budget_explorer(args, **kwargs)


def test_explorable_refuses_what_is_not_an_explorer():
    with pytest.raises(TypeError, match="explorer must have controls and to_json"):
        explorable({"controls": []}, name="x", caption="c", fallback="<p>static</p>")
