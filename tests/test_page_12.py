"""The claims page 12 (hyperparameter search) makes in its prose, checked against its executed outputs."""

import numpy as np
import pytest

pytestmark = pytest.mark.site

METHODS = {"grid": "grid search", "random": "random search", "ax": "Ax"}


@pytest.fixture(scope="module")
def page(executed_page):
    return executed_page("12-hyperparameter-search")


@pytest.fixture(scope="module")
def losses(page):
    """Every trial's validation loss, per method, in the order the searches ran them."""
    return {key: np.array(page.glue[f"{key}_losses"], dtype=float) for key in METHODS}


def test_every_method_ran_the_same_budget_of_16_trials(page, losses):
    assert {key: len(values) for key, values in losses.items()} == {"grid": 16, "random": 16, "ax": 16}
    assert page.glue["n_trials"] == 48


def test_hand_written_searches_match_the_library_functions(page):
    assert "same points: True | same losses: True" in page.text
    assert "tuning.random_points draws the same points: True" in page.text


def test_the_smallest_learning_rate_gets_nowhere_and_large_rate_with_large_momentum_overshoots(losses):
    grid = losses["grid"].reshape(4, 4)  # rows: lr 0.001 ... 0.5; columns: momentum 0 ... 0.95
    assert np.all(grid[0] > 1.0), "the smallest learning rate ends far from the fit"
    assert np.all(np.diff(grid[0]) < 0), "momentum helps the smallest learning rate"
    assert np.all(grid[-1, :3] < 0.02), "a large learning rate works with little or moderate momentum"
    assert grid[-1, -1] > 1.0, "and overshoots with a large one"


def test_near_and_poor_counts_are_those_of_the_trials(page, losses):
    overall = min(values.min() for values in losses.values())
    for key, values in losses.items():
        assert page.glue[f"{key}_near"] == int(np.sum(values <= 1.25 * overall))
        assert page.glue[f"{key}_poor"] == int(np.sum(values > 0.1))


def test_ax_lands_the_most_trials_near_the_best_and_wastes_the_fewest(page):
    assert page.glue["ax_near"] > max(page.glue["grid_near"], page.glue["random_near"])
    assert page.glue["ax_poor"] < min(page.glue["grid_poor"], page.glue["random_poor"])


def test_ax_starts_at_the_centre_of_the_space(page):
    assert page.glue["ax_first_params"] == pytest.approx([(0.001 + 0.5) / 2, 0.95 / 2])


def test_best_losses_and_their_trials_are_the_minima_of_the_trials(page, losses):
    for key, values in losses.items():
        assert page.glue[f"{key}_best"] == pytest.approx(values.min())
        assert page.glue[f"{key}_best_trial"] == int(np.argmin(values)) + 1


def test_ranking_orders_the_methods_by_best_loss(page):
    order = sorted(METHODS, key=lambda key: page.glue[f"{key}_best"])
    assert page.glue["ranking"] == ", then ".join(METHODS[key] for key in order)
    assert page.glue["winner"] == METHODS[order[0]]


def test_bayesian_optimisation_does_not_win_at_this_budget(page):
    assert page.says("Bayesian optimisation does **not** win here")
    assert page.glue["ax_best"] > min(page.glue["grid_best"], page.glue["random_best"])


def test_axs_best_is_its_centre_point_and_later_trials_found_nothing_better(page):
    assert page.glue["ax_best_trial"] == 1


def test_nobody_wins_by_much_and_every_best_is_close_to_the_validation_noise(page):
    bests = [page.glue[f"{key}_best"] for key in METHODS]
    assert page.glue["spread"] == pytest.approx((max(bests) - min(bests)) / min(bests))
    assert page.glue["spread"] < 0.10
    assert all(best < 1.1 * page.glue["val_floor"] for best in bests)


def test_ax_cost_sentence_matches_the_measured_times(page):
    ratio = page.glue["ax_ms"] / page.glue["train_ms"]
    assert page.glue["ax_ratio"] == pytest.approx(ratio)
    assert page.glue["ax_cost_word"] == ("far longer" if ratio > 1 else "less")


def test_chosen_configuration_is_the_lowest_validation_loss_of_all_48_trials(page, losses):
    assert page.glue["chosen_val"] == pytest.approx(min(values.min() for values in losses.values()))


def test_held_out_loss_is_higher_than_the_searchs_best_validation_loss(page):
    assert page.glue["test_loss"] > page.glue["chosen_val"]
    assert page.glue["test_ratio"] == pytest.approx(page.glue["test_loss"] / page.glue["chosen_val"])


def test_chosen_model_scores_below_the_true_line_on_validation_but_not_on_test(page):
    assert page.glue["chosen_val"] < page.glue["val_floor"]
    assert page.glue["test_floor"] < page.glue["test_loss"] < 1.1 * page.glue["test_floor"]


def test_chance_in_the_splits_is_the_larger_part_of_the_gap(page):
    optimism = page.glue["val_floor"] - page.glue["chosen_val"]
    chance = page.glue["test_floor"] - page.glue["val_floor"]
    assert chance > optimism > 0


def test_figure_alt_texts_name_each_methods_best(page):
    trials_alt, curves_alt = page.alts[0], page.alts[1]
    for key, name in METHODS.items():
        best, trial = page.glue[f"{key}_best"], page.glue[f"{key}_best_trial"]
        assert f"{name}: best loss {best:.3g} at trial {trial}" in trials_alt
        assert f"{name} ends at {best:.3g}, found at trial {trial}" in curves_alt
