"""The claims page 12 (hyperparameter search) makes in its prose, checked against its executed outputs."""

import inspect
import math

import numpy as np
import pytest

from linreg import bayesian

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
                 "tuning.loss_on", "tuning.flattery_beyond_chance", "tuning.best_so_far"):
        assert f"show_source({name}" in page.code


# --- Ax: which step proposed which trial ---------------------------------------------------


def test_ax_opens_with_the_centre_and_four_sobol_points_then_its_model_chooses(page):
    nodes = page.glue["ax_nodes"]
    assert nodes[:5] == ["CenterOfSearchSpace", "Sobol", "Sobol", "Sobol", "Sobol"]
    assert set(nodes[5:]) == {"MBM"}
    assert page.glue["ax_opening_count"] == 5 and page.glue["ax_model_count"] == 11
    assert page.glue["ax_first_model_trial"] == 6
    assert "CenterOfSearchSpace proposed trial(s) [1]" in page.text


def test_ax_prints_its_warnings_and_counts_its_deprecation_notices(page):
    assert page.says("returns the warnings Ax gives about the search (printed below), and only counts the deprecation "
                     "notices")
    assert page.numbers(r"warnings from Ax: {n} \(deprecation notices, counted only: {n}\)")


def test_the_objective_is_repeatable_and_ax_s_own_pick_is_shown_with_its_measured_loss(page, losses):
    (example, again) = page.numbers(r"lr 0\.1, momentum 0\.5: validation loss {n}; again: {n}, identical: True")
    assert example == again  # "the objective itself is repeatable"
    assert page.says("(the objective itself is repeatable: its training is seeded, and the same settings give the "
                     "same loss)")
    assert "has no noise" not in page.markdown
    number, measured, lowest = page.glue["ax_pick"]
    assert measured == losses["ax"][number - 1] and lowest == losses["ax"].min()
    assert page.printed(f"Ax's own pick (get_best_parameterization, by its model): trial {number}, "
                        f"measured loss {measured:.5f}")
    assert page.says(f"Here it picks trial {number},\nwhose measured loss, {measured:.5f}, is "
                     f"{measured / lowest - 1:.0%} above the lowest.")


def test_ax_starts_at_the_centre_of_the_space(page):
    assert page.glue["ax_first_params"] == pytest.approx([(0.001 + 0.5) / 2, 0.95 / 2])


# --- where each method looked ----------------------------------------------------------------


def test_the_smallest_learning_rate_gets_nowhere_and_momentum_0_95_does_far_worse_at_every_larger_one(page, losses):
    grid = losses["grid"].reshape(4, 4)  # rows: lr 0.001 ... 0.5; columns: momentum 0 ... 0.95
    assert np.all(grid[0] > 1.0), "the smallest learning rate ends far from the fit"
    assert np.all(np.diff(grid[0]) < 0), "momentum helps the smallest learning rate"
    high, lower = grid[1:, -1], grid[1:, :3]
    assert page.glue["grid_high_momentum"] == pytest.approx(high.tolist())
    assert page.glue["grid_lower_momenta"] == pytest.approx(lower.max())
    assert high.min() > 5 * lower.max() and lower.max() < 0.02, "0.95 fails where every smaller momentum works"
    assert page.says(f"momentum 0.95 does far worse, with losses {page.glue_text['grid_high_momentum']}, where every "
                     f"smaller momentum stays at or below {page.glue_text['grid_lower_momenta']}")
    printed = [page.numbers(rf"^lr {lr:.4f} +{{n}} +{{n}} +{{n}} +{{n}}$") for lr in np.linspace(0.001, 0.5, 4)]
    assert np.allclose(printed, grid, rtol=5e-4)  # the table the prose points to shows these losses


def test_near_and_poor_counts_are_those_of_the_trials(page, losses, model_chosen):
    overall = min(values.min() for values in losses.values())
    for key, values in losses.items():
        assert page.glue[f"{key}_near"] == int(np.sum(values <= 1.25 * overall))
        assert page.glue[f"{key}_poor"] == int(np.sum(values > 0.1))
    assert page.glue["ax_model_near"] == int(np.sum(model_chosen <= 1.25 * overall))
    assert page.glue["ax_model_poor"] == int(np.sum(model_chosen > 0.1))


def test_the_printed_counts_are_the_glued_ones(page):
    for key, name in METHODS.items():
        near, poor = page.numbers(rf"{name}: +{{n}} near, +{{n}} above 0.1")
        assert (near, poor) == (page.glue[f"{key}_near"], page.glue[f"{key}_poor"])


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


def test_nobody_wins_by_much_and_the_stated_bound_holds(page):
    bests = [page.glue[f"{key}_best"] for key in METHODS]
    spread = (max(bests) - min(bests)) / min(bests)
    assert page.glue["spread"] == pytest.approx(spread) and spread < 0.10
    bound = float(page.glue_text["spread_bound"].rstrip("%")) / 100
    assert spread <= bound < spread + 0.001, "'within' the cited percentage: a bound, rounded up"
    assert page.says(f"the three best losses lie within {page.glue_text['spread_bound']} of each other")
    assert f"the highest of the three is {page.glue_text['spread']} above the lowest" in page.text


def test_the_grid_curve_follows_the_loops_order_smallest_learning_rate_first(page, losses):
    assert "for lr in lrs for m in momenta" in page.code and "same points: True" in page.text
    assert np.all(np.minimum.accumulate(losses["grid"])[:4] > 1.0), "its first four trials: one column, stuck"
    assert page.says("another order would draw another curve, and only the grid's final value")


def test_axs_best_in_the_seed_0_run_is_its_centre_point(page):
    assert page.glue["ax_best_trial"] == 1 and page.glue["ax_nodes"][0] == "CenterOfSearchSpace"


def test_axs_models_best_in_the_seed_0_run_ties_the_centre_within_the_stated_tolerance(page, losses, model_chosen):
    g = page.glue
    model_numbers = [n + 1 for n, node in enumerate(g["ax_nodes"]) if node == "MBM"]
    assert g["ax_model_best_trial"] == model_numbers[int(np.argmin(model_chosen))]
    gap = (model_chosen.min() - losses["ax"].min()) / losses["ax"].min()
    assert g["ax_tie_gap"] == pytest.approx(gap) and 0 <= gap <= g["tie"] == 0.001, "a tie: within 0.1%"
    trial, gap_pct = page.numbers(r"Ax's best trial chosen by its model: trial {n}, loss [\d.]+, {n}% above")
    assert (trial, gap_pct / 100) == pytest.approx((g["ax_model_best_trial"], gap), abs=1e-5)  # 3 decimals of a %
    assert page.says("which we count as a tie")


# --- a smaller budget: the explorable over k (issue 23) ------------------------------------------


def _best_within(values, k):
    """The lowest of the first k losses and its trial number (the earliest on a tie)."""
    first = values[:k]
    return first.min(), int(np.argmin(first)) + 1


def test_the_budget_caption_says_a_marker_sits_on_the_best_so_far_curve_not_at_its_trials_loss(page):
    assert "In the live figure every trial up to k is a marker on its curve" in page.code
    assert "whatever that trial itself scored" in page.code


def test_the_budget_explorable_reads_the_pages_own_trials_and_axs_steps(page):
    assert 'budget_explorer(results, steps={"Ax": bayes.nodes})' in page.code
    assert 'selected={"k": BUDGET}' in page.code
    assert "Explorable(name='budget', runs=16)" in page.text


def test_the_leaders_at_each_budget_are_the_lowest_of_each_methods_first_k_trials(page, losses):
    spans = page.glue["budget_spans"]
    assert spans[0][0] == 1 and spans[-1][1] == 16
    assert all(a[1] + 1 == b[0] and a[2] != b[2] for a, b in zip(spans, spans[1:], strict=False))  # contiguous
    for first, last, leaders in spans:
        for k in range(first, last + 1):
            bests = {name: _best_within(losses[key], k)[0] for key, name in METHODS.items()}
            lowest = min(bests.values())
            assert leaders == " and ".join(name for name, best in bests.items() if best == lowest), k
        assert page.printed(f"budget {first:>2} to {last:>2}: lowest so far {leaders}")
    assert spans[-1][2] == page.glue["ranking"].split(", then ")[0], "at the full budget, the page's winner"


def test_the_lead_changes_hands_and_the_prose_names_each_span(page):
    spans = page.glue["budget_spans"]
    leads = "; ".join(f"{names} within {first} to {last} trials" for first, last, names in spans)
    assert page.says(f"The lead changes hands with the budget: {leads}.")
    assert len({names for _, _, names in spans}) == 3, "each of the three methods leads at some budget"
    assert spans[0][2] == "Ax", "Ax leads the smallest budgets"


def test_axs_best_at_every_budget_is_its_first_trial_the_centre_no_model_chose(page, losses):
    assert page.glue["budget_ax_trials"] == [1] and page.glue["budget_ax_steps"] == ["CenterOfSearchSpace"]
    assert all(_best_within(losses["ax"], k)[1] == 1 for k in range(1, 17))
    assert page.says("Ax's rests on its first trial, the centre of the space, a good configuration here that no "
                     "model chose: it stays Ax's best at every budget.")


def test_grid_search_at_a_small_budget_is_its_loop_order_not_a_smaller_grid(page, losses):
    assert page.says("for grid search it is the first *k* points of the 4 × 4 grid in its loop order")
    grid_leads = [span for span in page.glue["budget_spans"] if span[2] == "grid search"]
    assert grid_leads and grid_leads[0][0] > 4, "its lead starts after the first column, the smallest rate"


def test_random_search_and_ax_trials_do_not_depend_on_the_budget(page):
    # The page says a search of k trials would have run the same first k trials: random_points draws point
    # after point from one generator, and Ax is asked for one trial at a time.
    import inspect

    from linreg import bayesian, tuning

    space = {"lr": tuning.Range(0.001, 0.5), "momentum": tuning.Range(0.0, 0.95)}
    assert tuning.random_points(space, 5, seed=0) == tuning.random_points(space, 16, seed=0)[:5]
    assert "client.get_next_trials(max_trials=1)" in inspect.getsource(bayesian.ax_search)


# --- one run is one draw: both random methods rerun with other seeds -------------------------


@pytest.fixture(scope="module")
def seeds(page):
    """Per method, the printed best-loss range and the per-seed counts near the best and above 0.1."""
    out = {}
    for name, key, runs in (("random search", "r", 11), ("Ax", "a", 5)):
        low, high, _ = page.numbers(rf"{name}, seeds 0 to {runs - 1}:\n  best loss from {{n}} to {{n}}, median {{n}}")
        out[key] = {"best": (low, high), "near": page.glue[f"{key}_near"], "poor": page.glue[f"{key}_poor"]}
        assert len(out[key]["near"]) == len(out[key]["poor"]) == runs
        assert f"near the best: {out[key]['near']}" in page.text and f"above 0.1:     {out[key]['poor']}" in page.text
    return out


def test_seed_0_of_each_method_is_the_run_shown_above(page, seeds):
    assert seeds["r"]["near"][0] == page.glue["random_near"] and seeds["r"]["poor"][0] == page.glue["random_poor"]
    assert seeds["a"]["near"][0] == page.glue["ax_near"] and seeds["a"]["poor"][0] == page.glue["ax_poor"]


def test_the_best_values_over_seeds_overlap_and_hold_grid_search(page, seeds):
    g = page.glue
    assert (g["seed_min"], g["seed_max"]) == pytest.approx(seeds["r"]["best"], abs=5e-6)
    assert (g["ax_seed_min"], g["ax_seed_max"]) == pytest.approx(seeds["a"]["best"], abs=5e-6)
    for low, high in (seeds["r"]["best"], seeds["a"]["best"]):
        assert low <= g["grid_best"] <= high
    assert max(g["seed_min"], g["ax_seed_min"]) < min(g["seed_max"], g["ax_seed_max"])


def test_ax_tends_to_waste_a_little_less_but_the_ranges_overlap(page, seeds):
    g, r, a = page.glue, seeds["r"], seeds["a"]
    assert 0 < np.median(r["poor"]) - np.median(a["poor"]) <= 2, "a little less above 0.1, by the median"
    for kind in ("near", "poor"):
        assert max(min(r[kind]), min(a[kind])) <= min(max(r[kind]), max(a[kind])), f"the {kind} ranges overlap"
        for key in ("r", "a"):
            assert g[f"{key}_{kind}_median"] == pytest.approx(np.median(seeds[key][kind]))
            assert g[f"{key}_{kind}_range"] == f"{min(seeds[key][kind])} to {max(seeds[key][kind])}"
    assert g["r_poor_as_few"] == sum(count <= max(a["poor"]) for count in r["poor"]) > 0
    assert (g["random_runs"], g["ax_runs"]) == (11, 5)


def test_axs_model_proposed_the_best_trial_in_only_some_runs(page):
    nodes = page.glue["ax_best_from"]
    assert f"step that proposed Ax's best trial, per seed:\n  {nodes}" in page.text
    assert page.glue["ax_model_best_runs"] == nodes.count("MBM") < len(nodes)
    assert set(nodes) - {"MBM"} <= {"CenterOfSearchSpace", "Sobol"}


def test_ties_between_axs_model_and_its_first_five_trials_are_counted_as_ties(page):
    g = page.glue
    line = page.text.split("Ax's model's best against its first five trials' best, per seed:\n  ")[1].split("\n")[0]
    gaps = [float(gap.rstrip("%")) / 100 for gap in line.split(", ")]
    assert len(gaps) == g["ax_runs"]
    lower, tied, higher = (sum(gap < -g["tie"] for gap in gaps), sum(abs(gap) <= g["tie"] for gap in gaps),
                           sum(gap > g["tie"] for gap in gaps))
    assert (g["ax_model_lower_runs"], g["ax_tie_runs"], g["ax_opening_lower_runs"]) == (lower, tied, higher)
    assert page.printed(f"model lower by more than {page.glue_text['tie']}: {lower} runs, "
                        f"within {page.glue_text['tie']} (a tie): {tied}, higher: {higher}")
    assert lower < g["ax_runs"], "Ax's best does not always come from its model"
    for gap, node in zip(gaps, g["ax_best_from"], strict=True):
        if gap < -g["tie"]:
            assert node == "MBM"
        elif gap > g["tie"]:
            assert node != "MBM"


def test_the_count_of_random_runs_wasting_no_more_than_axs_worst_is_printed(page):
    g = page.glue
    worst, as_few, runs = page.numbers(r"no more trials above 0.1 than Ax's worst run \({n}\): {n} of {n}")
    assert (worst, as_few, runs) == (max(g["a_poor"]), g["r_poor_as_few"], g["random_runs"])
    assert page.says("A range over 11 runs tends to be wider than one over 5, so the medians compare more fairly")
    assert page.says(f"Ax's median of wasted trials is lower ({page.glue_text['a_poor_median']} against "
                     f"{page.glue_text['r_poor_median']})")
    assert g["a_poor_median"] < g["r_poor_median"]


# --- what a trial costs -------------------------------------------------------------------------


def test_ax_cost_sentence_matches_the_measured_times(page):
    g = page.glue
    train = {name: page.numbers(rf"{name}: training +{{n}} ms a trial")[0] for name in METHODS.values()}
    outside = [train["grid search"], train["random search"]]  # the unit: training runs outside Ax's loop
    assert g["train_ms"] == pytest.approx(np.mean(outside), abs=0.1)
    assert g["ax_train_ms"] == pytest.approx(train["Ax"], abs=0.1)
    assert g["outside_range"] == pytest.approx(sorted(outside), abs=0.1)
    low, high = sorted(outside)  # as printed, to one decimal: the range the prose compares with
    assert g["ax_train_word"] == ("within" if low <= train["Ax"] <= high else
                                  "above" if train["Ax"] > g["train_ms"] else "below")
    assert page.says(f"{page.glue_text['train_ms']} ms a training run took on average in grid and random search")
    assert page.says(f"outside Ax's loop: {page.glue_text['outside_range']} ms on average")
    assert page.says(f"the same objective measured {page.glue_text['ax_train_ms']} ms a run, "
                     f"{g['ax_train_word']} that range")
    assert "Ax's own computations" not in page.markdown  # no cause the timings cannot show
    for name in ("grid search", "random search"):  # their points are made before the loop: nothing timed
        assert page.printed(f"{name}: training {train[name]:5.1f} ms a trial, choosing it none (points fixed "
                            "before the loop)")
    opening, modelled = page.numbers(r"Ax's choosing: {n} ms a trial for the first 5, {n} ms for each its model chose")
    assert (g["ax_opening_ms"], g["ax_model_ms"]) == pytest.approx((opening, modelled), abs=0.5)
    ratio = g["ax_model_ms"] / g["train_ms"]
    assert g["ax_ratio"] == pytest.approx(ratio)
    assert g["ax_cost_word"] == ("far longer" if ratio > 1 else "less")
    ax_choosing = page.numbers(r"Ax: training +{n} ms a trial, choosing it +{n} ms")[1]
    assert g["ax_extra_runs"] == pytest.approx(16 * ax_choosing / g["train_ms"], rel=0.01)
    printed_ratio, printed_runs = page.numbers(r"Ax's model step / a training run: {n}; Ax's choosing of all 16 "
                                               r"trials = {n} training runs")
    assert (printed_ratio, printed_runs) == (float(page.glue_text["ax_ratio"]), float(page.glue_text["ax_extra_runs"]))
    assert page.says("ms a trial, on average, on its first five trials")
    threads = page.numbers(r"PyTorch threads here: {n}")[0]
    assert g["threads_note"].startswith("this kernel runs on one thread too" if threads == 1 else
                                        f"this kernel runs on {threads:g} threads")


def test_figure_alt_texts_name_each_methods_best(page):
    trials_alt, curves_alt = page.alts[0], page.alts[1]
    for key, name in METHODS.items():
        best, trial = page.glue[f"{key}_best"], page.glue[f"{key}_best_trial"]
        assert f"{name}: best loss {best:#.3g} at trial {trial}" in trials_alt
        assert f"{name} ends at {best:#.3g}, found at trial {trial}" in curves_alt


# --- do it right: held-out data, and chance told apart from the search's optimism ------------


def test_the_reported_configuration_is_random_searchs_pick(page, losses):
    assert page.glue["chosen_val"] == pytest.approx(losses["random"].min(), rel=1e-5)  # retrained: the same model
    assert 'chosen = finals["random search"]' in page.code, "taken by name, whatever the searches find"


def test_whether_the_pick_is_also_the_best_of_all_48_trials_is_said_truly(page, losses):
    of_all = losses["random"].min() == min(values.min() for values in losses.values())
    assert page.glue["pick_of_all"].startswith("is also the lowest of the 48 trials of the three seed-0 runs" if of_all
                                               else "is not the lowest")
    assert f"the lowest of all 48 trials: {of_all}" in page.text


def test_held_out_and_new_data_losses_are_higher_than_the_searchs_best_validation_loss(page):
    g = page.glue
    assert g["new_loss"] > g["chosen_val"] and g["test_loss"] > g["new_loss"]
    assert g["test_ratio"] == pytest.approx(g["test_loss"] / g["chosen_val"])


def test_almost_all_of_the_flattery_is_chance_in_the_split(page):
    g = page.glue
    assert g["flattery"] == pytest.approx(g["new_loss"] - g["chosen_val"])
    assert g["chance"] == pytest.approx(g["new_floor"] - g["val_floor"])
    assert g["chance"] > 0.8 * g["flattery"]
    assert g["gap_share"] == pytest.approx((g["test_floor"] - g["val_floor"]) / (g["test_loss"] - g["chosen_val"]))
    assert g["gap_share"] > 0.8
    assert g["chance_share"] == pytest.approx(g["chance"] / g["flattery"])
    printed = page.numbers(r"the true line's share of the pick's flattery: {n}%; of its test-minus-validation "
                           r"gap: {n}%; test / validation: {n}")
    text = page.glue_text
    assert printed == [float(text["chance_share"].rstrip("%")), float(text["gap_share"].rstrip("%")),
                       float(text["test_ratio"])], "the shares and the ratio the prose cites, printed"
    assert page.says("is not the search's part") is False and page.says("need not be the search's part")


def test_on_one_split_the_fixed_configuration_is_flattered_beyond_chance_as_much_as_the_pick(page):
    g = page.glue
    pick, fixed = page.numbers(r"beyond the true line's: pick \+?{n}, fixed \+?{n}")
    assert (g["pick_left"], g["fixed_left"]) == pytest.approx((pick, fixed), abs=5e-6)
    assert g["pick_left"] == pytest.approx(g["flattery"] - g["chance"], abs=1e-4)  # flattery, chance: 4 decimals
    assert g["fixed_vs_pick"] == ("more" if fixed > pick else "less")
    assert fixed > pick > 0, "the fixed configuration, chosen by nobody, shows the larger remainder"


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
    assert page.numbers(r"the difference / the true line's loss on new data: {n}%; chance's standard deviation / "
                        r"the difference: {n}") == [float(page.glue_text["optimism_pct"].rstrip("%")),
                                                    float(page.glue_text["chance_ratio"])]


def test_exercise_1_the_log_grid_wastes_columns_and_random_search_gains_nothing_beyond_chance(page):
    log_below, linear_below, grid_log, grid_linear = page.numbers(
        r"grid search: {n} of 16 below 0.01 \(linear scale: {n}\), best {n} \(linear: {n}\)")
    assert log_below < linear_below, "fewer for the grid"
    change = "higher" if grid_log > grid_linear else "lower"
    assert page.printed(f"Answer: fewer for the grid ({log_below:.0f} of 16 against {linear_below:.0f} on the linear "
                        f"scale), and its best loss is {change}.")
    low, high = page.numbers(r"learning rates that reach below 0.01: {n} to {n}")
    assert high / low < 10, "the good ones span less than a factor of ten"
    grid = [float(v) for v in page.text.split("the log grid's: [")[1].split("]")[0].split(", ")]
    in_band, below, above = (sum(low <= lr <= high for lr in grid), sum(lr < low for lr in grid),
                             sum(lr > high for lr in grid))
    assert page.printed(f"Its log spacing puts {in_band} of its {len(grid)} columns in the band of learning rates "
                        f"that get there, {below} below it (too small for two epochs) and {above} above it")
    assert below >= 2, "columns on learning rates too small for two epochs"
    # the answer is one paragraph, wrapped (textwrap.fill): any space may be a line break
    gain, seed_low, seed_high = page.numbers(
        r"Random\s+search's\s+best\s+(?:fell|rose)\s+by\s+{n},\s+less\s+than\s+its\s+best\s+moves\s+from\s+seed\s+to\s+"
        r"seed\s+\({n}\s+to\s+{n}\)")
    log_best, linear_best = page.numbers(r"random search: \d+ of 16 below 0.01 \(linear scale: \d+\), best {n} "
                                         r"\(linear: {n}\)")
    assert gain == pytest.approx(abs(linear_best - log_best), abs=2e-5)
    assert page.printed(f"Random search's best {'fell' if log_best < linear_best else 'rose'} by")
    assert abs(gain) < seed_high - seed_low
    assert (seed_low, seed_high) == pytest.approx((page.glue["seed_min"], page.glue["seed_max"]), abs=5e-6)


def test_exercise_2_the_third_parameter_gains_nothing_beyond_chance_and_changes_the_draws(page):
    assert "4 ** 3 = 64 trials, four times the budget" in page.text
    best3 = page.numbers(r"best: {n} at lr")[0]
    word = "lower" if best3 < page.glue["random_best"] else "not lower"
    gain, low, high = page.numbers(rf"Answer: {word} by {{n}}, less than random search's best\n"
                                   r"moves from seed to seed \({n} to {n}\)")
    assert gain == pytest.approx(abs(page.glue["random_best"] - best3), abs=2e-5) and gain < high - low
    same = page.text.split("trials with the same lr and momentum as the 2-parameter search: [")[1].split("]")[0]
    assert len(same.split(",")) < 16, "the same seed draws other learning rates and momenta"
    # two epochs of 120 training samples: one update per batch, the last one short
    train, epochs = page.numbers(r"train {n}, validation")[0], 2
    assert "EPOCHS = 2" in page.code
    assert page.printed(f"The batch size also sets how many updates the {epochs} epochs make: "
                        f"{epochs * math.ceil(train / 4)} at batch 4, {epochs * math.ceil(train / 64)} at batch 64.")


def test_the_trials_figure_draws_axs_opening_trials_as_diamonds_as_the_prose_says(page):
    opening = page.glue["ax_opening_count"]
    alt = page.alt_containing("3 panels, one per search method, each trial a dot at its lr")
    assert "Ax: best loss" in alt and f"({opening} placed before its model, drawn as diamonds;" in alt
    assert page.says(f"(dots in its panel; the {opening} placed before any model are diamonds)")
    assert 'steps={"Ax": bayes.nodes}' in page.code


def test_the_standard_errors_over_the_30_splits_are_called_approximate_and_why(page):
    assert page.says("The standard errors are approximate, and if anything too small: the 30 splits re-divide "
                     "the same 200 points, so they are not independent draws.")


def test_axs_smoothing_is_put_down_to_the_noise_level_it_infers_as_no_noise_level_is_given(page):
    assert page.says("the losses come with no noise level, so its Gaussian process infers one from how they scatter")
    # ax_search reports each loss alone, no standard error: {"val_loss": loss}, not {"val_loss": (loss, sem)}
    assert 'raw_data={"val_loss": loss}' in inspect.getsource(bayesian.ax_search)
