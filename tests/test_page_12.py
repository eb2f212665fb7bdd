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


@pytest.fixture(scope="module")
def model_chosen(page, losses):
    """The validation losses of the trials Ax's Gaussian process (its MBM step) proposed."""
    return losses["ax"][np.array(page.glue["ax_nodes"]) == "MBM"]


# --- the set-up: one space, one budget, the library equals the hand-written searches -------


def test_every_method_ran_the_same_budget_of_16_trials(losses):
    assert {key: len(values) for key, values in losses.items()} == {"grid": 16, "random": 16, "ax": 16}


def test_hand_written_searches_match_the_library_functions(page):
    assert "same points: True | same losses: True | same best trial: True" in page.text
    assert "tuning.random_points draws the same points: True" in page.text


def test_the_page_shows_the_search_helpers_it_uses(page):
    for name in ("tuning.train_model", "tuning.train_and_score", "tuning.Range", "tuning.run_trials",
                 "tuning.best_trial", "tuning.grid_points", "tuning.random_points", "bayesian.ax_search",
                 "tuning.loss_on", "tuning.flattery_beyond_chance"):
        assert f"show_source({name}" in page.code


# --- Ax: which step proposed which trial ---------------------------------------------------


def test_ax_opens_with_the_centre_and_four_sobol_points_then_its_model_chooses(page):
    nodes = page.glue["ax_nodes"]
    assert nodes[:5] == ["CenterOfSearchSpace", "Sobol", "Sobol", "Sobol", "Sobol"]
    assert set(nodes[5:]) == {"MBM"}
    assert page.glue["ax_opening_count"] == 5 and page.glue["ax_model_count"] == 11
    assert page.glue["ax_first_model_trial"] == 6
    assert "CenterOfSearchSpace proposed trial(s) [1]" in page.text


def test_ax_starts_at_the_centre_of_the_space(page):
    assert page.glue["ax_first_params"] == pytest.approx([(0.001 + 0.5) / 2, 0.95 / 2])


# --- where each method looked ----------------------------------------------------------------


def test_the_smallest_learning_rate_gets_nowhere_and_large_rate_with_large_momentum_overshoots(losses):
    grid = losses["grid"].reshape(4, 4)  # rows: lr 0.001 ... 0.5; columns: momentum 0 ... 0.95
    assert np.all(grid[0] > 1.0), "the smallest learning rate ends far from the fit"
    assert np.all(np.diff(grid[0]) < 0), "momentum helps the smallest learning rate"
    assert np.all(grid[-1, :3] < 0.02), "a large learning rate works with little or moderate momentum"
    assert grid[-1, -1] > 1.0, "and overshoots with a large one"


def test_near_and_poor_counts_are_those_of_the_trials(page, losses, model_chosen):
    overall = min(values.min() for values in losses.values())
    for key, values in losses.items():
        assert page.glue[f"{key}_near"] == int(np.sum(values <= 1.25 * overall))
        assert page.glue[f"{key}_poor"] == int(np.sum(values > 0.1))
    assert page.glue["ax_model_near"] == int(np.sum(model_chosen <= 1.25 * overall))
    assert page.glue["ax_model_poor"] == int(np.sum(model_chosen > 0.1))


def test_ax_lands_the_most_trials_near_the_best_and_the_fewest_above_0_1(page):
    assert page.glue["ax_near"] > max(page.glue["grid_near"], page.glue["random_near"])
    assert page.glue["ax_poor"] < min(page.glue["grid_poor"], page.glue["random_poor"])


def test_axs_model_concentrated_on_the_band_while_still_exploring(page):
    assert page.glue["ax_model_near"] > page.glue["ax_model_count"] / 2
    assert page.glue["ax_model_poor"] > 0


# --- how fast each found its best, and whether one run can rank them ------------------------


def test_best_losses_and_their_trials_are_the_minima_of_the_trials(page, losses):
    for key, values in losses.items():
        assert page.glue[f"{key}_best"] == pytest.approx(values.min())
        assert page.glue[f"{key}_best_trial"] == int(np.argmin(values)) + 1


def test_ranking_orders_the_methods_by_best_loss(page):
    order = sorted(METHODS, key=lambda key: page.glue[f"{key}_best"])
    assert page.glue["ranking"] == ", then ".join(METHODS[key] for key in order)


def test_bayesian_optimisation_does_not_win_at_this_budget(page):
    assert page.says("Bayesian optimisation does **not** win here")
    assert page.glue["ax_best"] > min(page.glue["grid_best"], page.glue["random_best"])


def test_nobody_wins_by_much(page):
    bests = [page.glue[f"{key}_best"] for key in METHODS]
    assert page.glue["spread"] == pytest.approx((max(bests) - min(bests)) / min(bests))
    assert page.glue["spread"] < 0.10


def test_random_search_with_other_seeds_spans_all_three_results(page):
    low, high, _ = page.numbers(r"random search with seeds 1 to 10: best validation loss from {n} to {n}, median {n}")
    assert page.glue["seed_min"] == pytest.approx(low, abs=5e-6)
    assert page.glue["seed_max"] == pytest.approx(high, abs=5e-6)
    for key in METHODS:
        assert page.glue["seed_min"] <= page.glue[f"{key}_best"] <= page.glue["seed_max"]


def test_axs_best_is_its_centre_point_which_no_model_chose(page, model_chosen, losses):
    assert page.glue["ax_best_trial"] == 1 and page.glue["ax_nodes"][0] == "CenterOfSearchSpace"
    assert model_chosen.min() > losses["ax"][0]


def test_ax_cost_sentence_matches_the_measured_times(page):
    ratio = page.glue["ax_ms"] / page.glue["train_ms"]
    assert page.glue["ax_ratio"] == pytest.approx(ratio)
    assert page.glue["ax_cost_word"] == ("far longer" if ratio > 1 else "less")
    assert page.glue["ax_extra_runs"] == pytest.approx(16 * ratio)


def test_figure_alt_texts_name_each_methods_best(page):
    trials_alt, curves_alt = page.alts[0], page.alts[1]
    for key, name in METHODS.items():
        best, trial = page.glue[f"{key}_best"], page.glue[f"{key}_best_trial"]
        assert f"{name}: best loss {best:.3g} at trial {trial}" in trials_alt
        assert f"{name} ends at {best:.3g}, found at trial {trial}" in curves_alt


# --- do it right: held-out data, and chance told apart from the search's optimism ------------


def test_chosen_configuration_is_the_lowest_validation_loss_of_all_48_trials(page, losses):
    lowest = min(values.min() for values in losses.values())
    assert page.glue["chosen_val"] == pytest.approx(lowest, rel=1e-5)  # retrained: the same model


def test_held_out_and_new_data_losses_are_higher_than_the_searchs_best_validation_loss(page):
    g = page.glue
    assert g["new_loss"] > g["chosen_val"] and g["test_loss"] > g["new_loss"]
    assert g["test_ratio"] == pytest.approx(g["test_loss"] / g["chosen_val"])


def test_almost_all_of_the_flattery_is_chance_in_the_split(page):
    g = page.glue
    assert g["flattery"] == pytest.approx(g["new_loss"] - g["chosen_val"])
    assert g["chance"] == pytest.approx(g["new_floor"] - g["val_floor"])
    assert g["search_part"] == pytest.approx(g["flattery"] - g["chance"])
    assert g["chance"] > 0.8 * g["flattery"]
    assert g["gap_share"] == pytest.approx((g["test_floor"] - g["val_floor"]) / (g["test_loss"] - g["chosen_val"]))
    assert g["gap_share"] > 0.8


def test_the_chosen_model_looks_better_than_the_true_line_on_validation_but_is_worse_on_new_data(page):
    g = page.glue
    assert g["looks_vs_true"] == ("below" if g["chosen_val"] < g["val_floor"] else "above")
    assert g["looks_vs_true"] == "below"
    assert g["excess"] == pytest.approx(g["new_loss"] - g["new_floor"]) and g["excess"] > 0


def test_100000_new_points_score_the_true_line_close_to_the_noise_variance(page):
    assert page.glue["new_floor"] == pytest.approx(0.1 ** 2, abs=0.0002)


def test_the_test_split_overstates_by_about_its_own_chance(page):
    g = page.glue
    assert g["test_chance"] == pytest.approx(g["test_floor"] - g["new_floor"]) and g["test_chance"] > 0
    assert abs((g["test_loss"] - g["new_loss"]) - g["test_chance"]) < 0.5 * g["test_chance"]


def test_over_30_splits_only_the_search_pick_is_flattered_beyond_chance(page):
    g = page.glue
    assert abs(g["fixed_beyond"]) < g["fixed_se"], "the fixed configuration: zero within its standard error"
    assert g["pick_beyond"] > g["fixed_beyond"]
    assert g["optimism"] == pytest.approx(g["pick_beyond"] - g["fixed_beyond"])
    ratio = g["optimism"] / g["optimism_se"]
    assert g["optimism_verdict"].startswith("small on this problem but clearly there" if ratio > 2 else
                                            "small on this problem: one to two" if ratio > 1 else
                                            "too small on this problem")


def test_the_searchs_optimism_is_about_a_hundredth_of_the_loss_and_far_below_split_chance(page):
    g = page.glue
    assert g["optimism_pct"] == pytest.approx(g["optimism"] / g["new_floor"])
    assert 0 < g["optimism_pct"] < 0.03
    assert g["chance_ratio"] == pytest.approx(g["split_sd"] / g["optimism"])
    assert g["chance_ratio"] > 5


def test_exercise_answers_are_stated_in_words(page):
    assert page.numbers(r"grid search: {n} of 16 trials below 0.01 on the log scale")
    assert "than on the linear scale" in page.text
    assert "4 ** 3 = 64 trials, four times the budget" in page.text
    gain, chance = page.numbers(r"than with 2 parameters by {n}, far less than one split's chance \({n}\)")
    assert 5 * gain < chance
