"""The claims page 4 (losses and optimizers) makes, checked against its executed outputs."""

import html
import math
import re

import pytest

pytestmark = pytest.mark.site

OPTIMIZERS = ("SGD", "SGD with momentum 0.9", "RMSprop", "Adam")
KEYS = dict(zip(OPTIMIZERS, ("sgd", "momentum", "rmsprop", "adam"), strict=True))


@pytest.fixture(scope="module")
def page(executed_page):
    return executed_page("04-losses-and-optimizers")


def _measure(cell: str) -> tuple[float, float]:
    """A cell of the sweep's table as the measure it prints: (arrival step, excess); what it leaves out is nan."""
    if cell == "overflow":
        return math.inf, math.inf
    if cell.startswith("("):
        return math.inf, float(cell.strip("()"))  # never arrived: ranked by its excess
    return int(cell.split()[1]), math.nan


@pytest.fixture(scope="module")
def sweep(page):
    """The sweep's table: optimizer -> ({learning rate: (arrival step, excess)}, best learning rate)."""
    short = dict(zip(("SGD", "momentum", "RMSprop", "Adam"), OPTIMIZERS, strict=True))
    table = page.text[page.text.index("arrives at step ..., or (worst loss above the minimum, last 10 steps)"):]
    table = table[:table.index("best lr")]
    header = re.search(r"^lr\s+(SGD.*)$", table, flags=re.M).group(1).split()
    assert [short[column] for column in header] == list(OPTIMIZERS)
    rows = [(float(lr), re.findall(r"step \d+|\(\S+\)|overflow", cells))
            for lr, cells in re.findall(r"^lr ([\d.]+)\s+(.*)$", table, flags=re.M)]
    best = page.numbers(r"^best lr\s+{n}\s+{n}\s+{n}\s+{n}$")
    return {name: ({lr: _measure(cells[k]) for lr, cells in rows}, best[k]) for k, name in enumerate(OPTIMIZERS)}


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


# The sweep: each optimizer at its own best learning rate, chosen by the measure the race ranks by.

def test_every_optimizer_is_swept_over_the_same_36_rates_ten_per_factor_of_ten(sweep):
    grids = {tuple(measures) for measures, _ in sweep.values()}
    assert len(grids) == 1
    (grid,) = grids
    assert len(grid) == 36 and grid[0] == 0.001 and grid[-1] == 3.16 and grid[10] == 0.01


def test_each_best_rate_arrives_first_or_if_none_arrives_is_the_closest_and_is_inside_the_grid(page, sweep):
    for name, (measures, best) in sweep.items():
        arrivals = {lr: step for lr, (step, _) in measures.items()}
        if min(arrivals.values()) <= 100:  # it arrives somewhere: the earliest arrival, the smaller rate on a tie
            assert arrivals[best] == min(arrivals.values())
            assert best == min(lr for lr, step in arrivals.items() if step == arrivals[best])
        else:  # it never arrives: the lowest excess (the table prints one digit)
            excess = {lr: e for lr, (_, e) in measures.items()}
            assert excess[best] == min(excess.values())
            assert page.glue[f"{KEYS[name]}_score"] == pytest.approx(excess[best], rel=0.5)
        rates = list(measures)
        assert rates[0] < best < rates[-1]
        assert page.glue[f"{KEYS[name]}_lr"] == best


def test_the_measure_is_what_the_race_ranks_by_and_is_shown_open(page):
    assert "best_lr = {\n    name: rates[row.index(min(row))] for name, row in measures.items()\n}" in page.code
    for function in ("optimizer_paths.sweep", "optimizer_paths.race_measure"):
        shown = [out for cell in page.notebook.cells if cell.cell_type == "code" for out in cell.outputs
                 if f"How linreg does it: {function}\n" in out.get("data", {}).get("text/plain", "")]
        assert len(shown) == 1 and '<details class="linreg-source" open>' in shown[0]["data"]["text/html"]


def test_rmsprop_leads_sgd_by_the_cited_margin_and_its_best_is_a_plateau_to_the_top_of_the_grid(page, sweep):
    glue = page.glue
    sgd = {lr: step for lr, (step, _) in sweep["SGD"][0].items()}
    rmsprop = {lr: step for lr, (step, _) in sweep["RMSprop"][0].items()}
    assert glue["rmsprop_lead"] == min(sgd.values()) - min(rmsprop.values()) > 0
    low, high, by_step = glue["rmsprop_near"]
    plateau = [step for lr, step in rmsprop.items() if low <= lr <= high]
    assert high == max(rmsprop) and max(plateau) <= by_step == min(rmsprop.values()) + 2
    assert glue["rmsprop_lead_min"] == min(sgd.values()) - by_step > 0
    low, high, by_step = glue["sgd_near"]
    assert max(step for lr, step in sgd.items() if low <= lr <= high) <= by_step
    next_rate, next_arrival = glue["sgd_next"]
    assert next_arrival == f"step {sgd[next_rate]}" and sgd[next_rate] > 5 * min(sgd.values())
    first_blown, first_overflow = glue["sgd_first_diverged"], glue["sgd_first_overflow"]
    assert all(sweep["SGD"][0][lr][1] > 1e6 for lr in sgd if lr >= first_blown)  # the figure's crosses
    assert not any(sweep["SGD"][0][lr][1] > 1e6 for lr in sgd if lr < first_blown)  # nan: it arrived
    assert all(sweep["SGD"][0][lr][1] == math.inf for lr in sgd if lr >= first_overflow)
    assert page.says(f"from {first_blown:g} on it diverges")
    # each word for a run gone wrong is defined where it is used: the figure's crosses and the table's "overflow"
    assert page.says("The figure's crosses mark a run that blew up, its loss ending more than 1,000,000 above the "
                     "minimum's")
    assert page.says('the table prints "overflow"')
    assert page.says("RMSprop's is a plateau")


def test_one_rate_for_all_would_have_handicapped_them(page, sweep):
    assert page.glue["sgd_at_rmsprop_lr"] == "overflow"
    assert page.says("at RMSprop's best rate SGD ends in overflow")
    assert page.glue["rmsprop_at_sgd_lr"] == f"step {sweep['RMSprop'][0][sweep['SGD'][1]][0]}"
    assert not page.says("differ by a factor of")


def test_the_sweep_figure_names_each_best_rate_and_arrival(page, sweep):
    alt = page.alt_containing("The sweep: 100 steps at each learning rate, two panels")
    for name, (measures, best) in sweep.items():
        step, excess = measures[best]
        if step <= 100:
            assert f"{name}: from step {step} at its best rate, {best:g}" in alt
        else:
            assert f"{name}: at no rate within 100 steps; at its best rate, {best:g}, the loss stays up to" in alt


def test_the_race_uses_the_sweeps_best_rates(sweep, race):
    assert {name: row[0] for name, row in race.items()} == {name: best for name, (_, best) in sweep.items()}
    for name, (measures, best) in sweep.items():
        arrival = measures[best][0]
        assert race[name][4] == (arrival if arrival <= 100 else None)


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
    assert page.says(f"RMSprop arrives first, from step {rmsprop}")
    assert page.says(f"and SGD from step {sgd} at {page.glue_text['sgd_lr']}")


def test_momentum_and_adam_do_not_reach_the_minimum_at_any_rate_of_the_sweep(page, sweep, race):
    for name in ("SGD with momentum 0.9", "Adam"):
        assert race[name][4] is None
        assert all(step > 100 for step, _ in sweep[name][0].values())
        floor = page.numbers(r"least-squares minimum: weight \S+, bias \S+, MSE {n}")[0]
        assert page.glue[f"{KEYS[name]}_score"] > 0.01 * floor and race[name][3] > 1.01 * floor
    assert page.says("Momentum 0.9 and Adam arrive at no rate within 100 steps.")


def test_the_loss_curves_alt_text_says_which_fall_steadily_and_which_swing(page, race):
    alt = page.alt_containing("The race: the loss after each step, on a log scale")
    for name in ("SGD", "RMSprop"):
        assert f"{name} falls at every step, within 1% of the minimum's loss from step {race[name][4]}" in alt
    for name in ("SGD with momentum 0.9", "Adam"):
        # the curves still swing at step 100: their last value is where they end, not how low they got
        assert re.search(rf"{name} falls in waves, ending at {race[name][3]:.3g}(, rising)?[;.]", alt)


def test_the_verdict_is_for_100_steps_rmsprop_leaves_the_minimum_later_and_sgd_stays(page):
    sgd = re.search(r"^SGD\s+at lr (\S+): within 1% from step (\d+), still at step 300", page.text, re.M)
    rmsprop = re.search(r"^RMSprop\s+at lr (\S+): within 1% from step (\d+), out again from step (\d+);\n"
                        r"\s+loss above the minimum at step 300: (\S+)$", page.text, re.M)
    assert sgd and rmsprop
    assert (float(sgd.group(1)), float(rmsprop.group(1))) == (page.glue["sgd_lr"], page.glue["rmsprop_lr"])
    assert 100 < int(rmsprop.group(3)) == page.glue["rmsprop_out_again"]
    floor = page.numbers(r"least-squares minimum: weight \S+, bias \S+, MSE {n}")[0]
    assert page.glue["rmsprop_excess_300"] == pytest.approx(float(rmsprop.group(4)), rel=0.05)
    assert page.glue["rmsprop_excess_300_ratio"] == pytest.approx(page.glue["rmsprop_excess_300"] / floor, rel=0.01)
    assert page.glue["rmsprop_excess_300_ratio"] > 1
    assert page.says("The verdict holds for 100 steps")


def test_the_overshoots_are_stated_per_coordinate_with_their_own_steps(page):
    for key in ("momentum", "adam"):
        weight, weight_step, bias, bias_step = page.glue[f"{key}_overshoot"]
        assert weight > page.numbers(r"least-squares minimum: weight {n}")[0]
        assert weight_step != bias_step  # two coordinates, two moments: not one point
        assert f"weight {weight:.1f} (step {weight_step}) and bias {bias:.1f} (step {bias_step})" == \
            page.glue_text[f"{key}_overshoot"]


def test_all_four_overshoot_early_and_momentum_and_adam_are_the_ones_still_swinging(page, race):
    best_weight, best_bias = page.numbers(r"least-squares minimum: weight {n}, bias {n}")
    assert page.glue["sgd_first_weight"] > best_weight + 3  # SGD's first step throws the weight far past it
    assert page.glue["rmsprop_first_bias"] > best_bias + 1  # and RMSprop's first step the bias
    assert page.glue["sgd_first_weight"] > page.glue["momentum_overshoot"][0]  # further than momentum ever gets
    assert page.says(f"SGD's first step already throws the weight to {page.glue_text['sgd_first_weight']}")
    assert page.says("What sets momentum and Adam apart is that they are still swinging at step 100")
    assert not page.says("Both swing well past the minimum")


def test_the_contour_alt_text_says_sgd_and_rmsprop_end_on_the_minimum_and_the_others_do_not(page):
    alt = page.alt_containing("Contour plot of the MSE with four paths")
    assert "swing" not in alt and "first step" not in alt  # only what the numbers below say
    ends = dict(zip(OPTIMIZERS, page.numbers(
        r"at the end: SGD {n}, SGD with momentum 0\.9 {n}, RMSprop {n}, Adam {n}\.", alt), strict=True))
    assert max(ends["SGD"], ends["RMSprop"]) < 1e-4 < 0.01 < min(ends["SGD with momentum 0.9"], ends["Adam"])


def test_momentum_loses_because_its_swings_shrink_by_0_9_per_step_whatever_the_rate(page, sweep):
    glue = page.glue
    excess = {rate: e for rate, (_, e) in sweep["SGD with momentum 0.9"][0].items()}
    low_rate, high_rate, low, high = glue["momentum_flat"]
    flat = [e for rate, e in excess.items() if low_rate <= rate <= high_rate]  # every rate of the stretch
    assert len(flat) >= 4
    predicted = glue["momentum_predicted"][2]
    assert predicted / 3 < low <= high < 4 * predicted and low >= 0.99 * predicted  # "the sweep agrees"
    assert all(low * 0.5 <= e <= high * 1.5 for e in flat)  # the table prints one digit
    assert low <= glue["momentum_score"] and glue_bounds_are_exact(page)
    decay, start, predicted = glue["momentum_predicted"]
    assert decay == pytest.approx(0.9**100) and predicted == pytest.approx(start * decay)
    # the sweep's window is steps 91 to 100: the bound there runs from start * 0.9**91 down to the step-100 value
    assert glue["momentum_predicted_91"] == pytest.approx(start * 0.9**91)
    assert high < 1.5 * glue["momentum_predicted_91"]  # "roughly agrees" over the same window
    assert page.says("The sweep roughly agrees")
    assert page.numbers(r"^momentum 0\.9, predicted: {n} \(step 91\) to {n} \(step 100\) above the minimum$") == [
        round(glue["momentum_predicted_91"], 3), round(predicted, 3)]
    assert page.says("over many steps the distance to the minimum can shrink on average only by about")
    assert min(excess.values()) == min(flat)  # "no rate does better"
    assert page.says("whose two roots multiply to $\\beta$")


def glue_bounds_are_exact(page) -> bool:
    """The stretch's bounds are printed to four decimals and cited as printed: no rounding into a wrong range."""
    printed = page.numbers(r"the sweep: {n} to {n} at every rate from {n} to {n}$")
    low_rate, high_rate, low, high = page.glue["momentum_flat"]
    return printed == [round(low, 4), round(high, 4), low_rate, high_rate] and page.says(
        f"momentum's excess lies between {low:.4f} and {high:.4f}")


def test_the_momentum_verdict_is_about_beta_0_9_and_a_beta_tuned_the_same_way_wins(page):
    rows = re.findall(r"^β = (\S+)\s+best lr (\S+)\s+(?:step (\d+)|\(\S+\))$", page.text, re.M)
    arrivals = {float(beta): (int(step) if step else math.inf, float(lr)) for beta, lr, step in rows}
    assert len(arrivals) == 8 and arrivals[0.9][0] == math.inf
    best = min(arrivals, key=lambda beta: arrivals[beta])
    assert page.glue["beta_best"] == best and page.glue["beta_best_arrives"] == arrivals[best][0]
    assert page.glue["beta_best_lr"] == arrivals[best][1]
    assert arrivals[best][0] < page.glue["arrived_rmsprop"] < page.glue["arrived_sgd"] == arrivals[0.0][0]
    assert page.glue["beta_theory"] == pytest.approx(((3.0 ** 0.5 - 1) / (3.0 ** 0.5 + 1)) ** 2, abs=0.01)
    assert abs(page.glue["beta_theory"] - best) < 0.1 and page.glue["beta_09_kappa"] > 1000
    assert page.says("So the race's loss is the loss of $\\beta = 0.9$")
    assert not page.says("this bowl is not narrow enough")


def test_sgds_first_gradient_is_its_first_step_over_its_rate(page, step_sizes):
    assert page.glue_text["first_gradient"] == f"{step_sizes['SGD', 'weight'][0]:.0f}"


def test_the_bowl_is_only_about_three_times_more_curved_one_way(page):
    assert 2 < page.glue["curvature_ratio"] < 4


def test_the_colour_claim_is_limited_to_the_race_figures_and_settings_keep_the_optimizers_colour(page):
    assert not page.says("on every page")
    assert page.says("SGD, in SGD's colour; the line styles tell the learning rates apart")
    assert page.says("keep its colour and tell the settings apart by line style")
    assert page.says("Each optimizer has one colour in the static figures")  # not in the explorable's highlight
    assert page.says("draws its chosen run in one highlight colour, whatever the optimizer")


# How far each optimizer steps.

def test_the_step_table_covers_every_optimizer_and_parameter(step_sizes):
    assert len(step_sizes) == 8


def test_sgds_first_step_moves_the_weight_several_times_as_far_as_the_bias(step_sizes):
    assert step_sizes["SGD", "weight"][0] > 3 * step_sizes["SGD", "bias"][0]


def test_adams_first_step_is_lr_up_to_epsilon_and_no_step_is_larger(page, step_sizes):
    assert step_sizes["Adam", "weight"][0] == step_sizes["Adam", "bias"][0] == 1.0
    assert page.glue["adam_largest_step"] <= 1.0 + 1e-3
    assert page.says(f"No step of Adam on this run is larger than {page.glue_text['adam_largest_step']}")
    assert page.says("which is $\\eta$ up to its $\\epsilon = 10^{-8}$")
    assert not page.says("first step is exactly")


def test_adams_steps_are_at_most_about_lr_and_later_far_smaller(page, step_sizes):
    adam = [step_sizes["Adam", parameter] for parameter in ("weight", "bias")]
    first, late = page.glue["adam_first_steps"], page.glue["adam_late_step"]
    printed_first = [min(min(sizes[:3]) for sizes in adam), max(max(sizes[:3]) for sizes in adam)]  # steps 1 to 3
    assert [round(v, 2) for v in first] == printed_first and 0.95 < first[0] <= first[1] <= 1.0 + 1e-6
    assert round(late, 2) >= max(max(sizes[4:]) for sizes in adam) and late < 0.25  # steps 50 and 100 of the table
    assert page.says(f"its first three are {first[0]:.2f} to {first[1]:.2f} times $\\eta$")
    assert page.says(f"from step 50 on none is larger than {page.glue_text['adam_late_step']}$\\eta$")
    assert not page.says("moves each parameter by about $\\eta$")


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
    alt = page.alt_containing("SGD with four learning rates, on a log scale")
    finals = [float(v) for v in re.findall(r"SGD, lr (?:0\.01|0\.1|0\.3) falls at every step, to (\S+);", alt)]
    start = page.numbers(r"MSE every 5 steps: {n}", page.text)[0]  # every run starts from the same point
    assert len(finals) == 3 and max(finals) < start and min(finals) == finals[1]
    rises, steps, last = page.numbers(r"SGD, lr 0\.4 rises at {n} of its {n} steps, to {n}", alt)
    assert rises == steps == 30 and last > start
    assert "optimizer_paths.mse_along(run, x_d, y_d)\n    for name, run in runs.items()" in page.code  # after each step


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

def test_the_momentum_explorable_holds_35_runs_with_the_rates_the_race_and_the_beta_sweep_chose(page):
    assert page.glue["momentum_runs"] == 35
    assert page.says("A run counts as diverged, drawn dashed and stopped, once its loss passes a million times its "
                     "start.")


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
    glue = page.glue
    assert counts == {0.0: glue["reach_0"], glue["beta_best"]: glue["reach_small_beta"], 0.5: glue["reach_05"],
                      0.8: glue["reach_08"], 0.9: 0}
    assert glue["reach_05"] > glue["reach_0"] and glue["reach_08"] > glue["reach_0"]
    assert glue["momentum_09_lowest"] > 1.01 * glue["floor"]


def test_the_fallback_figure_shows_the_tuned_beta_arriving_first(page):
    alt = html.unescape(page.alt_containing("with four momenta, on a log scale"))
    arrivals = {label: int(step) for label, step in
                re.findall(r"(SGD[^;,]*?) falls [^;]*?within 1% of the minimum's loss from step (\d+)", alt)}
    assert arrivals[f"SGD with momentum {page.glue_text['beta_best']}"] == min(arrivals.values())
    assert "SGD with momentum 0.9 falls in waves, ending at" in alt


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


def test_adams_step_bound_is_stated_for_this_problem_not_as_a_rule(page):
    assert page.glue["adam_largest_step"] <= 1.01  # "stayed within 1.00 eta" on this run
    assert page.says("on this problem Adam's stayed within")
    assert "On this problem Adam's steps are at most about lr = 0.01" in page.text
    assert not page.says('"about $\\eta$ per step"')  # no quotation of a claim the page never makes


def test_the_heading_and_the_error_message_read_plainly(page):
    assert "### Momentum's β, tuned like the learning rate" in page.markdown
    assert page.says("(it counts epochs; with full batches one epoch is one step)")
    assert "DivergedError: training diverged at epoch" in page.text


def test_exercises_have_collapsed_solutions(page):
    solutions = [c for c in page.notebook.cells if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) == 4


def test_no_paragraph_of_prose_turns_into_a_list_where_a_cited_number_starts_a_line(built_site):
    from test_site import page_html

    html = page_html(built_site, "tutorials/04-losses-and-optimizers.ipynb")
    article = html[html.index("<article"):]
    lists = re.findall(r"<ol>\s*<li>(.{0,40})", article, flags=re.S)
    # The race's two measures and the exercises are the page's only numbered lists.
    assert len(lists) == 2 and lists[0].startswith("<strong>when it arrives"), lists


def test_the_reason_for_momentums_prediction_follows_the_prediction_and_the_explorable_is_below(page):
    prose = " ".join(page.markdown.split())
    prediction = prose.index("the reason for the prediction follows right after it")
    reason = prose.index("The reason momentum 0.9 loses: each momentum step keeps 90% of the previous one")
    assert prediction < reason < prose.index("Does the race's verdict last beyond its budget")
    assert prose.index("The explorable below") < prose.index("### Try it: momentum and the learning rate")
    assert not page.says("The explorable at the end")
