"""The claims page 4 (losses and optimizers) makes, checked against its executed outputs."""

import math
import re

import pytest

pytestmark = pytest.mark.site

OPTIMIZERS = ("SGD", "SGD with momentum 0.9", "RMSprop", "Adam")
KEYS = dict(zip(OPTIMIZERS, ("sgd", "momentum", "rmsprop", "adam"), strict=True))


@pytest.fixture(scope="module")
def page(executed_page):
    return executed_page("04-losses-and-optimizers")


@pytest.fixture(scope="module")
def sweep(page):
    """The sweep's table: optimizer -> ({learning rate: score}, best learning rate); inf where a run diverged."""
    short = dict(zip(("SGD", "momentum", "RMSprop", "Adam"), OPTIMIZERS, strict=True))
    header = re.search(r"^score\s+(.*)$", page.text, flags=re.M).group(1).split()
    assert [short[column] for column in header] == list(OPTIMIZERS)
    rows = re.findall(r"^lr (\S+)\s+(.*)$", page.text, flags=re.M)
    rows = [(float(lr), cells.split()) for lr, cells in rows if len(cells.split()) == len(OPTIMIZERS)]
    best = [float(v) for v in re.search(r"^best lr\s+(.*)$", page.text, flags=re.M).group(1).split()]
    return {name: ({lr: math.inf if cells[k] == "diverged" else float(cells[k]) for lr, cells in rows}, best[k])
            for k, name in enumerate(OPTIMIZERS)}


@pytest.fixture(scope="module")
def race(page):
    """The race's table: optimizer -> (lr, weight, bias, final MSE, step from which within 1%, or None)."""
    rows = {}
    for name in OPTIMIZERS:
        found = re.search(rf"^{re.escape(name)}\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(step (\d+)|not in 100 steps)$",
                          page.text, flags=re.M)
        lr, weight, bias, loss = (float(v) for v in found.group(1, 2, 3, 4))
        rows[name] = (lr, weight, bias, loss, int(found.group(6)) if found.group(6) else None)
    return rows


@pytest.fixture(scope="module")
def step_sizes(page):
    """The step-size table: (optimizer, parameter) -> sizes at steps 1, 2, 3, 10, 50, 100, in units of lr."""
    rows = re.findall(r"^(SGD|SGD with momentum 0\.9|RMSprop|Adam)\s+(weight|bias)((?:\s+[\d.]+){6})$",
                      page.text, flags=re.M)
    return {(name, parameter): [float(v) for v in sizes.split()] for name, parameter, sizes in rows}


# Losses and optim.SGD.

def test_the_squared_errors_0_1_4_have_mean_1_6667_and_sum_5(page):
    assert page.glue["mse_mean"] == pytest.approx(5 / 3, abs=1e-6)
    assert page.glue["mse_sum"] == 5.0
    assert page.says("their sum is 5 and their mean $5/3 \\approx$ 1.6667")


def test_both_loss_forms_agree_with_page_2s_numpy_formula(page):
    values = page.numbers(r"F\.mse_loss:\s+{n}\nF\.mse_loss\(reduction='sum'\):\s+{n}\npage 2's NumPy formula:\s+{n}")
    assert values[0] == values[2] == pytest.approx(5 / 3, abs=1e-4)


def test_optim_sgd_matches_the_closed_form_to_the_printed_four_decimals(page):
    by_sgd = page.numbers(r"optim.SGD:\s+a = {n}, b = {n}", page.text)
    assert by_sgd == page.numbers(r"closed form:\s+a = {n}, b = {n}", page.text)


def test_zero_grad_sets_the_gradient_to_none(page):
    assert "a.grad after zero_grad(): None" in page.text


def test_the_page_seeds_no_global_generator_it_does_not_use(page):
    assert "manual_seed" not in page.code


# The loop every optimizer runs is on the page.

def test_the_optimizer_loop_is_shown_open_with_backward_step_and_zero_grad(page):
    shown = [out for cell in page.notebook.cells if cell.cell_type == "code" for out in cell.outputs
             if "How linreg does it: optimizer_paths.optimizer_path\n" in out.get("data", {}).get("text/plain", "")]
    assert len(shown) == 1 and '<details class="linreg-source" open>' in shown[0]["data"]["text/html"]
    for line in ("loss.backward()", "optimizer.step()", "optimizer.zero_grad()"):
        assert line in shown[0]["data"]["text/plain"]


# The sweep: each optimizer at its own best learning rate, chosen the same way.

def test_every_optimizer_is_swept_over_the_same_rates(sweep):
    grids = {tuple(scores) for scores, _ in sweep.values()}
    assert grids == {(0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)}


def test_each_best_rate_is_the_lowest_score_and_lies_inside_the_grid(page, sweep):
    for name, (scores, best) in sweep.items():
        rates = list(scores)
        assert scores[best] == min(scores.values())
        assert rates[0] < best < rates[-1]  # "inside the grid, not at its edge"
        assert page.glue[f"{KEYS[name]}_lr"] == best
        assert page.glue[f"{KEYS[name]}_score"] == pytest.approx(scores[best], rel=0.5)  # the table prints one digit
        assert page.glue_text[f"{KEYS[name]}_score"] == f"{page.glue[f'{KEYS[name]}_score']:.2g}"


def test_rates_tied_at_rounding_error_are_named_and_the_smallest_is_taken(page, sweep):
    for name, (scores, best) in sweep.items():
        exact = [rate for rate, score in scores.items() if score < 1e-9]
        if len(exact) > 1:
            assert f"{name} at {' and '.join(format(rate, 'g') for rate in exact)}" in page.glue["exact_rates"]
            assert best == min(exact)
    assert page.glue["exact_rates"]


def test_the_best_rates_spread_as_cited(page, sweep):
    bests = [best for _, best in sweep.values()]
    assert page.glue["best_lr_spread"] == pytest.approx(max(bests) / min(bests))
    assert page.glue["best_lr_spread"] > 10


def test_the_sweep_figure_names_each_best_rate(page, sweep):
    alt = page.alt_containing("Score against learning rate")
    for name, (_, best) in sweep.items():
        assert f"{name} at {best:g}" in alt


def test_the_race_uses_the_sweeps_best_rates(sweep, race):
    assert {name: row[0] for name, row in race.items()} == {name: best for name, (_, best) in sweep.items()}


def test_the_race_table_prints_the_least_squares_minimum_not_the_true_line(page):
    weight, bias = page.numbers(r"least-squares minimum: weight {n}, bias {n}")
    assert (weight, bias) != (1.0, -1.0)
    assert page.glue_text["weight_best"] == f"{weight:.3f}"
    assert not page.says("minimum at weight 1, bias -1")


# The verdict, read from the race.

def test_sgd_and_rmsprop_reach_the_minimum_and_rmsprop_first(page, race):
    sgd, rmsprop = race["SGD"][4], race["RMSprop"][4]
    assert sgd is not None and rmsprop is not None and rmsprop < sgd <= 100
    assert (page.glue["arrived_sgd"], page.glue["arrived_rmsprop"]) == (sgd, rmsprop)
    assert page.says(f"from step {sgd} on its loss stays within 1% of the minimum's")
    assert page.says(f"gets there first, from step {rmsprop}")


def test_momentum_and_adam_do_not_reach_the_minimum_at_any_rate_of_the_sweep(sweep, race):
    for name in ("SGD with momentum 0.9", "Adam"):
        assert race[name][4] is None
        assert min(sweep[name][0].values()) > 1e3 * max(min(sweep[other][0].values()) for other in ("SGD", "RMSprop"))


def test_the_loss_curves_alt_text_says_which_fall_steadily_and_which_swing(page, race):
    alt = page.alt_containing("Loss curves on a log scale for 100 steps")
    falls = dict(re.findall(r"'([^']+)': (True|False)", re.search(r"the loss falls at every step: (\{.*\})",
                                                                   page.text).group(1)))
    assert falls == {"SGD": "True", "SGD with momentum 0.9": "False", "RMSprop": "True", "Adam": "False"}
    momentum, adam = race["SGD with momentum 0.9"][3], race["Adam"][3]
    assert (f"SGD and RMSprop fall at every step to the minimum's {page.numbers('MSE {n}')[0]:.4f}, momentum and "
            f"Adam fall in waves and end at {momentum:.3f} and {adam:.3f}") in alt


def test_the_overshoots_are_stated_per_coordinate_with_their_own_steps(page):
    for key in ("momentum", "adam"):
        weight, weight_step, bias, bias_step = page.glue[f"{key}_overshoot"]
        assert weight > page.numbers(r"least-squares minimum: weight {n}")[0]
        assert weight_step != bias_step  # two coordinates, two moments: not one point
        assert f"weight {weight:.1f} (step {weight_step}) and bias {bias:.1f} (step {bias_step})" == \
            page.glue_text[f"{key}_overshoot"]


def test_the_contour_alt_text_says_sgd_and_rmsprop_end_on_the_minimum_and_the_others_do_not(page):
    alt = page.alt_containing("Contour plot of the MSE with four paths")
    ends = dict(zip(OPTIMIZERS, page.numbers(
        r"at the end: SGD {n}, SGD with momentum 0\.9 {n}, RMSprop {n}, Adam {n}\.", alt), strict=True))
    assert max(ends["SGD"], ends["RMSprop"]) < 1e-4 < 0.01 < min(ends["SGD with momentum 0.9"], ends["Adam"])


def test_momentum_loses_because_its_swings_shrink_by_0_9_per_step_whatever_the_rate(page, sweep):
    glue = page.glue
    scores = sweep["SGD with momentum 0.9"][0]
    low_rate, high_rate, low, high = glue["momentum_flat"]
    flat = [score for rate, score in scores.items() if low_rate <= rate <= high_rate]
    assert len(flat) >= 4  # a stretch of the grid, with no rate inside it left out
    assert all(glue["momentum_predicted"][2] / 3 < score < 3 * glue["momentum_predicted"][2] for score in flat)
    assert low == pytest.approx(min(flat), rel=0.5) and high == pytest.approx(max(flat), rel=0.5)  # one digit printed
    decay, excess, predicted = glue["momentum_predicted"]
    assert decay == pytest.approx(0.9**100) and predicted == pytest.approx(excess * decay)
    assert min(scores.values()) == min(flat)  # "no rate does better"
    assert page.says("whose two roots multiply to $\\beta$")


def test_sgds_first_gradient_is_its_first_step_over_its_rate(page, step_sizes):
    assert page.glue_text["first_gradient"] == f"{step_sizes['SGD', 'weight'][0]:.0f}"


def test_the_bowl_is_only_about_three_times_more_curved_one_way(page):
    assert 2 < page.glue["curvature_ratio"] < 4


def test_the_colour_claim_is_limited_to_the_race_figures(page):
    assert not page.says("on every page")
    assert page.says("their colours tell the learning rates apart, not optimizers")


# How far each optimizer steps.

def test_the_step_table_covers_every_optimizer_and_parameter(step_sizes):
    assert len(step_sizes) == 8


def test_sgds_first_step_moves_the_weight_several_times_as_far_as_the_bias(step_sizes):
    assert step_sizes["SGD", "weight"][0] > 3 * step_sizes["SGD", "bias"][0]


def test_adams_first_step_is_exactly_lr_and_no_step_is_larger(page, step_sizes):
    assert step_sizes["Adam", "weight"][0] == step_sizes["Adam", "bias"][0] == 1.0
    assert page.glue["adam_largest_step"] <= 1.0 + 1e-3
    assert page.says(f"No step of Adam on this run is larger than {page.glue_text['adam_largest_step']}")


def test_rmsprops_first_step_is_ten_lr_and_its_steps_shrink(step_sizes):
    for parameter in ("weight", "bias"):
        sizes = step_sizes["RMSprop", parameter]
        assert sizes[0] == 10.0
        assert all(later <= earlier for earlier, later in zip(sizes, sizes[1:], strict=False))
        assert sizes[1] < sizes[0]


# Too high a learning rate.

def test_sgds_stability_limit_lies_between_0_3_and_0_4(page):
    assert 0.3 < page.glue["lr_limit"] < 0.4
    assert page.says(f"the limit is {page.glue_text['lr_limit']}: between 0.3 and 0.4")


def test_the_steepest_direction_is_almost_exactly_the_weight(page):
    weight, bias = page.numbers(r"steepest direction \(weight, bias\) \[{n}, {n}\]", page.text)
    assert abs(weight) > 0.99 and abs(bias) < 0.05
    assert page.says("The steepest direction is almost exactly the weight")


def test_three_rates_fall_0_1_lowest_and_0_4_rises_at_every_step(page):
    alt = page.alt_containing("SGD with learning rates 0.01, 0.1, 0.3 and 0.4")
    finals = page.numbers(r"the first three fall, to {n}, {n} and {n};", alt)
    start = page.numbers(r"MSE every 5 steps: {n}", page.text)[0]  # every run starts from the same point
    assert max(finals) < start and min(finals) == finals[1]
    rises, steps, last = page.numbers(r"with 0\.4 the loss rises at {n} of its {n} steps, to {n}", alt)
    assert rises == steps == 29 and last > start


def test_the_weight_bounces_shrinking_at_0_3_and_growing_at_0_4(page):
    for lr in ("0.3", "0.4"):
        gaps = [float(v) for v in re.search(rf"lr {lr}: weight - best = (.*) \.\.\.", page.text).group(1).split()]
        assert all(a * b < 0 for a, b in zip(gaps, gaps[1:], strict=False))  # the sign flips every step
        sizes = [abs(gap) for gap in gaps]
        if lr == "0.3":
            assert all(later < earlier for earlier, later in zip(sizes, sizes[1:], strict=False))
            assert page.glue["weight_gap_03_last"] < sizes[-1]
            assert page.glue_text["weight_gap_start"] == f"{sizes[0]:.0f}"
        else:
            assert all(later > earlier for earlier, later in zip(sizes, sizes[1:], strict=False))
            assert page.glue["weight_gap_04_last"] > sizes[-1]


# The momentum explorable.

def test_the_momentum_explorable_holds_35_runs(page):
    assert page.glue["momentum_runs"] == 35


def test_the_explorable_starts_at_the_races_momentum_run_and_reports_its_final_weight_and_bias(page, race):
    lr, weight, bias, _, _ = race["SGD with momentum 0.9"]
    assert page.glue_text["momentum_final_race"] == f"weight {weight:.3f}, bias {bias:.3f}"
    assert page.glue["momentum_lr"] == lr


def test_without_momentum_the_largest_steady_rate_is_below_the_limit_and_momentum_raises_it(page):
    glue = page.glue
    assert glue["momentum_steady_0"] < glue["lr_limit"] < glue["momentum_steady_09"] <= glue["momentum_limit_09"]


def test_a_moderate_momentum_reaches_the_minimum_at_more_rates_and_0_9_at_none(page):
    reached = dict(re.findall(r"^β = (\S+)\s+ends within 1% of the minimum's loss at learning rates: \[(.*)\]$",
                              page.text, flags=re.M))
    counts = {float(beta): len(lrs.split(",")) if lrs else 0 for beta, lrs in reached.items()}
    assert counts[0.5] > counts[0.0] and counts[0.8] > counts[0.0]
    assert counts[0.9] == counts[0.95] == 0
    assert page.says("a moderate momentum ($\\beta$ = 0.5 or 0.8) gets there at more rates than none at all")


def test_momentum_0_95_ends_far_above_the_minimum(page, race):
    assert page.glue["momentum_095_lowest"] > 10 * race["SGD"][3]


# Exercises: answerable, answered in words.

def test_adam_with_lr_0_01_moves_each_parameter_by_about_1_in_100_steps(page):
    moved = page.numbers(r"moved by {n} and {n}, of the {n} and {n} to the minimum", page.text)
    assert all(0.9 <= distance <= 1.0 for distance in moved[:2])
    assert moved[2] > 10 * moved[0] and moved[3] > 5 * moved[1]


def test_nesterov_swings_out_less_than_plain_momentum_and_ends_closer(page):
    plain_reach, plain_end = page.numbers(r"^nesterov=False: weight out to {n}, ends {n} from the minimum")
    nesterov_reach, nesterov_end = page.numbers(r"^nesterov=True: weight out to {n}, ends {n} from the minimum")
    assert nesterov_reach < plain_reach and nesterov_end < plain_end
    assert "Nesterov momentum swings out less and ends closer" in page.text


def test_a_summed_loss_with_lr_divided_by_80_ends_on_the_same_line(page):
    assert page.numbers(r"^mean, lr 0\.1: a = {n}, b = {n}") == page.numbers(r"^sum, lr 0\.00125: a = {n}, b = {n}")


def test_adam_with_lr_3_overshoots_by_several_units_with_steps_of_at_most_lr(page):
    weight_step, bias_step, weight = page.numbers(
        r"largest step / lr: {n} \(weight\), {n} \(bias\); furthest out: weight {n}", page.text)
    assert max(weight_step, bias_step) <= 1.0
    assert weight - page.numbers(r"least-squares minimum: weight {n}")[0] > 3  # "several units past the minimum"
    assert "It does not diverge" in page.text


def test_exercises_have_collapsed_solutions(page):
    solutions = [c for c in page.notebook.cells if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) == 4
