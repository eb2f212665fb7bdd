"""Page 9 (lines, curves, neural networks): what its prose and alt texts say, checked against its outputs."""

import html
import math
import re

import pytest

pytestmark = pytest.mark.site


@pytest.fixture(scope="module")
def page(executed_page):
    return executed_page("09-neural-networks")




def alt_numbers(page, start: str, pattern: str) -> list[float]:
    """The numbers ``pattern``'s groups capture in the one alt text that begins with ``start``."""
    alts = [html.unescape(alt) for alt in page.alts]  # a video's label is HTML-escaped
    (alt,) = [alt for alt in alts if alt.startswith(start)]
    match = re.search(pattern, alt)
    assert match, f"{pattern!r} not in {alt!r}"
    return [float(group.replace(",", "")) for group in match.groups()]


# --- the code the page teaches is on the page


def test_the_page_shows_linear_regression_mlp_and_collapse_linear_layers(page):
    for name in ("models.LinearRegression", "models.MLP", "models.collapse_linear_layers"):
        assert f"How linreg does it: {name}" in page.text


def test_printing_the_mlp_lists_a_relu_after_each_of_the_first_two_linear_layers(page):
    assert page.says("with an `nn.ReLU`")
    printout = page.text[page.text.index("MLP(\n  (layers): Sequential("):]
    layers = re.findall(r"\((\d)\): (\w+)\(", printout[:printout.index("\n)\n")])
    assert [kind for _, kind in layers] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]


# --- recipe E: a line


def test_recipe_e_starts_from_a_random_line_whose_loss_is_not_the_2_of_other_write_ups(page):
    assert page.printed(f"epoch 1: loss {page.glue['line_first']:.5f}")
    assert abs(page.glue["line_first"] - 2) > 0.5  # the prose says ours starts elsewhere


def printed_loss(page, epoch):
    return float(re.search(rf"epoch +{epoch}: loss ([\d.]+)", page.text).group(1))


def test_recipe_e_loses_most_of_its_loss_by_epoch_20_but_not_at_every_step(page):
    first, at_20, last = (printed_loss(page, epoch) for epoch in (1, 20, 100))
    assert page.glue["line_drop_by_20"] == pytest.approx((first - at_20) / (first - last), abs=1e-3)
    assert page.glue["line_drop_by_20"] > 0.9
    assert page.printed(f"share of the drop from epoch 1 to 100 done by epoch 20: {page.glue_text['line_drop_by_20']}")
    assert page.says(f"{page.glue_text['line_drop_by_20']} of the whole drop has happened by epoch 20")
    assert printed_loss(page, 10) > printed_loss(page, 5)  # "higher at epoch 10 than at epoch 5"
    settled = page.glue["line_settled"]
    assert settled > 20  # "these swings die out only slowly"
    assert page.printed(f"within 5% of the noise floor from epoch {settled} on")
    (alt_settled,) = alt_numbers(page, "Training loss of the linear model",
                                 r"from epoch (\d+) on the loss stays within 5% of the floor")
    assert alt_settled == settled
    assert 'floor=("noise floor", noise_floor)' in page.code


def test_recipe_e_ends_a_hair_below_the_noise_floor(page):
    glue = page.glue
    assert 0 < glue["noise_floor"] - glue["line_final"] < 1e-3 * glue["noise_floor"]
    assert page.printed(f"epoch 100: loss {glue['line_final']:.5f}")
    assert page.printed(f"MSE of the true line 2x + 1: {glue['noise_floor']:.5f}")


def test_recipe_e_learned_slope_and_intercept_are_within_a_few_hundredths_of_2_and_1(page):
    assert page.glue["slope"] == pytest.approx(2, abs=0.05)
    assert page.glue["intercept"] == pytest.approx(1, abs=0.05)


def test_the_learned_and_true_lines_lie_on_each_other_and_both_show(page):
    slope, intercept = page.glue["slope"], page.glue["intercept"]
    gap = max(abs(intercept - 1), abs(slope + intercept - 3))  # two lines differ most at an end of [0, 1]
    assert page.glue["line_gap"] == pytest.approx(gap, abs=1e-3)
    assert page.glue["line_gap"] < 0.1 / 5  # "a small fraction of the noise's standard deviation of 0.1 to 0.6"
    (alt_gap,) = alt_numbers(page, "1,000 of the noisy points", r"they are at most ([\d.]+) apart")
    assert alt_gap == pytest.approx(page.glue["line_gap"], abs=1e-3)
    assert 'dashed=["true line 2x + 1"]' in page.code  # the true line dashed, on top of the learned one


def test_each_recipe_states_the_noise_its_function_draws(page):
    import inspect

    from linreg import data

    assert page.says(r"$\varepsilon \sim \mathcal{N}\big(0,\ (0.1 + 0.5x)^2\big)$")
    assert "noise_std = 0.1 + 0.5 * x" in inspect.getsource(data.noisy_line)
    assert page.says(r"\varepsilon \sim \mathcal{N}(0,\ 1)")
    assert inspect.signature(data.polynomial_data).parameters["noise"].default == 1.0
    assert page.says(r"\varepsilon \sim \mathcal{N}\big(0,\ 0.3^2\big)")
    assert inspect.signature(data.wavy_curve).parameters["noise"].default == 0.3
    assert "data.polynomial_data(seed=0, n=500)" in page.code and "data.wavy_curve(seed=0, n=1000)" in page.code


# --- recipe F: a parabola


def test_the_recorder_keeps_every_epoch_and_the_start(page):
    assert page.printed("predictions recorded: 201 (epochs 0 to 200)")
    assert page.code.count("recorder(0, ") == 2  # recipe F's and the network's, before any update
    assert page.code.count(".predictions[::4],") == 3  # every fourth recording is a frame


def test_the_page_writes_the_polynomial_features_it_trains_on(page):
    assert "def polynomial_features(x):" in page.code and "return torch.cat([x, x**2], dim=1)" in page.code
    assert "data.polynomial_features" not in page.code
    assert page.printed("inputs: (500, 1) -> features: (500, 2)")


def test_the_parabola_loss_falls_mostly_by_epoch_40_and_slowly_after(page):
    glue = page.glue
    assert glue["poly_first"] - glue["poly_40"] > 0.9 * (glue["poly_first"] - glue["poly_final"])  # "most"
    assert glue["poly_40"] - glue["poly_final"] < 0.1 * (glue["poly_first"] - glue["poly_40"])  # "slowly"


def test_the_parabola_animation_bends_into_shape_early_then_creeps_onto_the_data(page):
    assert any(alt.startswith("The prediction curve starts far from the data, bends into its shape within the first "
                              "few dozen epochs, then creeps slowly") for alt in page.alts)
    glue = page.glue
    assert glue["poly_40"] < 0.1 * glue["poly_first"]  # far from the data at first, in shape by epoch 40
    assert glue["poly_final"] < glue["poly_40"]  # still creeping closer


def test_least_squares_is_a_little_away_from_the_true_parameters(page):
    rows = re.findall(r"^(b|w1|w2) .*?([\d.]+) +(-?[\d.]+) +(-?[\d.]+)$", page.text, flags=re.M)
    assert len(rows) == 3
    assert all(0 < abs(float(true) - float(exact)) < 0.2 for _, true, exact, _ in rows)


def test_adam_ends_just_above_the_least_squares_loss_but_its_parameters_are_not_there_yet(page):
    glue = page.glue
    assert glue["lstsq_loss"] <= glue["poly_final"] < 1.05 * glue["lstsq_loss"]
    assert glue["lstsq_loss"] <= glue["poly_true_loss"]  # no parabola beats least squares
    assert abs(glue["poly_true_loss"] - 1) < 0.2  # "close to the noise's variance of 1"
    rows = re.findall(r"^(b|w1|w2) .*?([\d.]+) +(-?[\d.]+) +(-?[\d.]+)$", page.text, flags=re.M)
    assert max(abs(float(exact) - float(adam)) for _, _, exact, adam in rows) > 0.05


# --- the network at two learning rates


def test_at_lr_0_01_the_loss_ends_above_the_noise_floor_by_the_glued_share(page):
    glue = page.glue
    final, floor, above = glue["slow_vs_floor"]
    assert abs(floor - 0.3**2) < 0.02  # "close to the noise's variance of 0.09"
    assert above > 0.2  # "not every detail"
    assert final == pytest.approx(floor * (1 + above))
    assert page.printed(f"epoch 200 {final:.3f} (noise floor {floor:.3f})")


def test_the_lr_0_01_network_follows_the_curve_by_epoch_60_and_changes_little_after(page):
    start, at_60, end = alt_numbers(page, "The network's prediction starts",
                                    r"almost flat line, ([\d.]+) from.*\(([\d.]+) away\).*?([\d.]+) after 200 "
                                    r"epochs")
    assert at_60 < 0.3 < start
    assert 0.8 * at_60 < end <= at_60
    assert page.printed(f"RMS distance from x sin x: start {start:.2f}, after 60 epochs {at_60:.2f}, "
                        f"after 200 {end:.2f}")


def test_powers_of_x_follow_the_wave_from_degree_6_and_reach_the_noise_floor_at_8(page):
    rows = dict(re.findall(r"^degree (\d): \d+ parameters, MSE ([\d.]+)$", page.text, flags=re.M))
    mse = {int(degree): float(value) for degree, value in rows.items()}
    floor = page.glue["wave_noise_floor"]
    assert sorted(mse) == [2, 4, 6, 8]
    assert mse[2] > 5 * floor and mse[4] > 5 * floor  # "cannot follow the wiggle"
    assert mse[6] < 1.5 * floor  # "comes close"
    assert mse[8] < 1.01 * floor  # "reaches the noise floor"
    assert page.glue["wave_poly_8"] == pytest.approx(mse[8], abs=1e-3)
    assert page.glue["columns_10_inputs"] == math.comb(18, 8)
    assert page.glue["slow_vs_floor"][0] > mse[8]  # "the degree-8 polynomial came closer" than the network


def test_the_polynomial_lies_closer_to_the_noiseless_curve_than_the_network(page):
    (poly,) = page.numbers(r"^degree-8 polynomial: RMS distance from x sin x {n}$")
    (network,) = page.numbers(r"after 200 {n}$")
    assert page.glue["distances_to_curve"] == pytest.approx([poly, network], abs=0.005)
    assert poly < network  # "came closer", on the curve as well as on the data
    assert page.says(f"its RMS distance is {poly:.2f} from x sin x against the network's {network:.2f}")


def test_at_lr_1_the_loss_peaks_orders_of_magnitude_above_the_start_and_never_recovers(page):
    match = re.search(r"lr 1: loss epoch 1 ([\d.]+), highest ([\d,]+), epoch 200 ([\d.]+)", page.text)
    first, peak, final = (float(group.replace(",", "")) for group in match.groups())
    assert page.glue["fast_orders"] == int(math.log10(peak / first)) >= 3
    assert math.isfinite(final)  # never NaN: fit would have raised DivergedError
    assert page.glue["fast_vs_slow"] > 10
    at_150, at_180, at_200 = page.numbers(r"lr 1: loss epoch 150 {n}, epoch 180 {n}, epoch 200 {n}")
    assert at_150 > at_180 > at_200 == pytest.approx(final, abs=0.01)  # "still falling at the end"
    assert page.glue["fast_late"] == pytest.approx([at_150, at_200], abs=0.01)
    assert page.says("it recovers only slowly: still falling at the end")
    assert "levels off" not in " ".join(page.alts)


def test_the_lr_1_network_never_comes_close_to_the_curve(page):
    closest, good = alt_numbers(page, "With learning rate 1",
                                r"never comes closer than ([\d.]+) to the curve \(RMS distance\), against ([\d.]+) "
                                r"for lr 0\.01")
    (end,) = alt_numbers(page, "The network's prediction starts", r"([\d.]+) after 200 epochs")
    assert good == end and closest > 5 * good
    assert page.printed(f"closest to x sin x after the start: {closest:.2f}")


def test_dead_units_exist_before_training_and_lr_1_leaves_many_more(page):
    glue = page.glue
    assert 0 < glue["dead_start"] <= glue["dead_slow"] < glue["dead_fast"]
    assert glue["dead_fast"] > 32  # "most of the 64"
    assert page.printed(f"at the start {glue['dead_start']}, after lr 0.01 {glue['dead_slow']}, "
                         f"after lr 1 {glue['dead_fast']}")


def test_the_watched_rerun_is_the_lr_1_run_of_the_animation(page):
    assert page.printed("the same run as above: True")


def test_units_die_and_come_back_and_adam_moves_dead_units_with_zero_gradient(page):
    glue = page.glue
    assert glue["deaths"] > 0 and glue["revivals"] > 0  # "not by a steady march"
    assert glue["deaths"] - glue["revivals"] == glue["dead_fast"] - glue["dead_start"]
    assert 0 < glue["dead_moved"] <= glue["dead_steps"] and glue["dead_moved_max"] > 0
    assert page.printed(f"steps that found a unit dead (zero gradient): {glue['dead_steps']:,}")
    assert page.printed(f"of those, steps in which Adam moved them anyway: {glue['dead_moved']:,}")
    assert page.says("the average of the gradients shrinks by a factor of 0.9 per")
    assert page.says("Under plain SGD a zero gradient means no step at all")


def test_the_loss_figure_alt_states_the_printed_runs(page):
    slow_end, fast_end = alt_numbers(page, "Log-scale training loss of the network",
                                     r"falls to ([\d.]+); with lr 1 .* at ([\d.]+), far above")
    assert page.printed(f"epoch 200 {slow_end:.3f} (noise floor")
    assert fast_end > 10 * slow_end


def test_plain_sgd_at_lr_1_stops_with_diverged_error_naming_the_learning_rate(page):
    printed = " ".join(page.text.split())
    assert re.search(r"DivergedError: training diverged at epoch \d+: the loss became (inf|nan)", printed)
    assert "(lr=1)" in printed
    message = re.search(r"^DivergedError:.*(?:\n.+)*", page.text, flags=re.M).group()
    assert max(len(line) for line in message.splitlines()) <= 80  # wrapped, no sideways scroll


def test_under_plain_sgd_the_loss_grows_every_epoch_until_it_overflows(page):
    printed = re.search(r"((?:^epoch \d+: loss [\d.e+]+\n)+)DivergedError", page.text, flags=re.M).group(1)
    losses = [float(v) for v in re.findall(r"^epoch \d+: loss ([\d.e+]+)$", printed, flags=re.M)]
    (diverged_at,) = page.numbers(r"DivergedError: training diverged at epoch {n}")
    assert len(losses) == diverged_at - 1 >= 2  # every epoch before the overflow is printed
    assert all(later > 100 * earlier for earlier, later in zip(losses, losses[1:], strict=False))
    assert page.says("does not merely recover slowly: the loss grows without bound until it overflows (the callback "
                     "below prints each epoch's loss)")


# --- why the ReLUs matter


def test_three_linear_layers_collapse_into_one_but_not_with_relus(page):
    assert page.printed("parameters: stack 4353 -> single layer 2")
    assert page.printed("same outputs: True")
    assert page.printed("same outputs with ReLUs: False")


def test_with_relus_the_output_is_no_straight_line_at_all(page):
    # without ReLUs: a straight line up to float32 rounding (printed as a bound: its digits vary by run)
    assert re.search(r"^without ReLUs: outputs span [\d.]+, within 1e-05 of their best straight line$", page.text,
                     flags=re.M)
    span, stray_relu = page.numbers(r"^with ReLUs: outputs span {n}, at most {n} from their best straight line")
    assert stray_relu > 0.1 * span


# --- exercises: every solution states its answer in words


def answers(page) -> list[str]:
    return re.findall(r"^Answer.*$", page.text, flags=re.M)


def test_every_solution_prints_an_answer(page):
    solutions = [cell for cell in page.notebook.cells if "solution" in cell.metadata.get("tags", [])]
    assert len(answers(page)) == len(solutions) == 4


def epochs_needed(page, lr: str) -> tuple[int | None, int | None]:
    first, stays = re.search(rf"^lr +{re.escape(lr)}: first within 5% at epoch (\d+|never), "
                             r"within 5% for good from epoch (\d+|never)$", page.text, flags=re.M).groups()
    return tuple(None if v == "never" else int(v) for v in (first, stays))


def test_the_learning_rate_answer_gives_first_touch_and_staying_for_each_rate(page):
    (reach_1, stay_1), (reach_01, stay_01), (_, stay_001) = (epochs_needed(page, lr) for lr in ("1.0", "0.1", "0.01"))
    assert stay_01 == page.glue["line_settled"]  # the page's run, 400 epochs instead of 100
    assert reach_1 < reach_01 and reach_1 < stay_1  # "touches the band first ... but overshoots out of it again"
    assert abs(stay_1 - stay_01) <= 3  # "about when lr 0.1 does"
    assert stay_001 is not None and stay_001 > 5 * stay_01
    assert page.printed(f"lr 0.01 needs {stay_001} epochs")


def test_a_thousand_epochs_bring_adam_onto_least_squares(page):
    (gap,) = page.numbers(r"Answer: every parameter is within {n} of least squares")
    assert gap < 1e-3


def seed_losses(page, name: str) -> list[float]:
    line = re.search(rf"^{name} +final loss, seeds 0-2: (.*)$", page.text, flags=re.M).group(1)
    return [float(v) for v in re.findall(r"([\d.]+) \(dead [\d+]+\)", line)]


def test_width_and_depth_answer_separates_seed_noise_and_dead_units_from_size(page):
    narrow, ours, wide, deep = (seed_losses(page, name) for name in
                                ("2 x 4 units", "2 x 64 units", "2 x 128 units", "4 x 64 units"))
    assert all(len(losses) == 3 for losses in (narrow, ours, wide, deep))
    assert ours[0] == pytest.approx(page.glue["slow_vs_floor"][0], abs=1e-3)  # seed 0 is the page's network
    assert min(narrow) > 2 * max(ours) and max(narrow) > 3 * min(narrow)  # far above, and seed-dependent
    assert min(ours) <= max(wide) and min(wide) <= max(ours)  # 128 within the spread of 64
    assert all(d < o for d, o in zip(deep, ours, strict=True))  # "four layers of 64 end lower on every seed"
    # "none of the shapes Exercise 3 tries gets below" the degree-8 polynomial
    assert min(narrow + ours + wide + deep) > page.glue["wave_poly_8"]
    narrow_line = re.search(r"^2 x 4 units .*$", page.text, flags=re.M).group()
    assert all(sum(map(int, dead.split("+"))) >= 1 for dead in re.findall(r"dead ([\d+]+)", narrow_line))


def test_momentum_answer_matches_its_numbers(page):
    (plain,) = page.numbers(r"SGD lr 0\.01, momentum 0\.0: final loss {n}")
    (momentum,) = page.numbers(r"SGD lr 0\.01, momentum 0\.9: final loss {n}")
    (plain_03,) = page.numbers(r"SGD lr 0\.03, momentum 0\.0: final loss {n}")
    (plain_1,) = page.numbers(r"SGD lr 0\.1, momentum 0\.0: final loss {n}")
    assert momentum < plain / 2  # "much further"
    assert momentum < plain_03 / 2 and momentum < plain_1 / 2  # "not just as a larger step"
    assert page.printed(f"yet plain SGD at lr 0.1 ends at {plain_1:.3f}, and at 0.03 at {plain_03:.3f} "
                        "(the two larger plain rates tried).")
    tried = re.findall(r"^SGD lr ([\d.]+), momentum 0\.0:", page.text, flags=re.M)
    assert sorted(map(float, tried)) == [0.01, 0.03, 0.1]  # the two larger plain rates, and 0.01


def test_the_fit_is_within_the_stated_distance_of_2_and_1(page):
    slope, intercept = page.glue["slope"], page.glue["intercept"]
    assert page.glue["fit_error"] == pytest.approx(max(abs(slope - 2), abs(intercept - 1)), abs=1e-3)
    assert page.says(f"within about {page.glue_text['fit_error']} of the 2 and 1")  # rounded: 0.01002 reads 0.010


def test_the_network_is_not_said_to_save_all_choosing(page):
    assert "what the network saved is the choosing" not in page.markdown
    assert page.says("What the network saved is designing the features; it still needed choices of its own")


def test_the_units_left_alive_at_lr_1_are_counted(page):
    assert page.glue["alive_fast"] == 64 - page.glue["dead_fast"]
    assert page.glue["alive_fast"] < 32  # "those few"


def test_the_prediction_recorder_is_shown(page):
    assert "How linreg does it: animation.PredictionRecorder" in page.text


def test_the_width_answer_states_its_budget_and_gives_the_seed_spread_to_the_initial_weights(page):
    wrapped = re.search(r"^Answer: at lr 0\.01 after 200 epochs.*?(?:alive|\d\))\.$", page.text, flags=re.M | re.S)
    answer = " ".join(wrapped.group().split())  # printed wrapped at 80 columns
    assert "on the training loss" in answer and "that is on the initial weights" in answer
    assert "a network this narrow depends strongly on where it starts" in answer
    assert "kinks" not in answer and "fragile" not in answer  # no cause the outputs do not show
    assert all(len(line) <= 80 for line in wrapped.group().splitlines())
    # the dead units each shape ends with, as printed per seed, summed over its layers
    units = {"2 x 4 units": 8, "2 x 64 units": 128, "2 x 128 units": 256, "4 x 64 units": 256}
    totals = {}
    for name, n_units in units.items():
        line = re.search(rf"^{re.escape(name)} +final loss.*$", page.text, flags=re.M).group()
        totals[name] = [sum(map(int, d.split("+"))) for d in re.findall(r"dead ([\d+]+)", line)]
        assert len(totals[name]) == 3
        assert f"{name} {min(totals[name])}-{max(totals[name])} of {n_units}" in answer
    assert all(min(t) > 0 for t in totals.values())  # "Every network ends with dead units"
    if "128 units per layer lose more than 64 and still keep more alive" in answer:
        wide, narrow = totals["2 x 128 units"], totals["2 x 64 units"]
        assert min(wide) > max(narrow) and min(256 - d for d in wide) > max(128 - d for d in narrow)


# --- width and activation, trained (the explorable)


def width_table(page):
    """The printed table: width -> {activation: loss at epoch 200}."""
    table = page.text.split("units     none     ReLU     tanh\n", 1)[1].split("best straight line", 1)[0]
    rows = re.findall(r"^ *(\d+) +([\d.]+) +([\d.]+) +([\d.]+)$", table, flags=re.M)
    assert [int(w) for w, *_ in rows] == [1, 2, 4, 8, 16, 32, 64]
    return {int(w): dict(zip(("none", "ReLU", "tanh"), map(float, losses), strict=True)) for w, *losses in rows}


def test_the_width_grid_is_trained_as_the_pages_network_only_width_and_activation_changing(page):
    assert "def train_width(hidden, activation):" in page.code
    assert "    torch.manual_seed(0)\n    model = models.MLP(n_in=1, hidden=hidden, n_out=1)" in page.code
    assert "optimizer = torch.optim.Adam(model.parameters(), lr=0.01)" in page.code
    assert "history = fit(model, nn.MSELoss(), optimizer, [(x_wave, y_wave)], 200)" in page.code
    assert page.printed("the page's network (64, ReLU) is the run above: True")
    assert page.says("Each run is\n`train_mlp`'s: seed 0, Adam at lr 0.01, 200 full-batch epochs")


def test_no_width_or_activation_trained_gets_below_the_degree_8_polynomial(page):
    assert page.says("none of the 21 widths and activations trained further down,\nand none of the shapes "
                     f"Exercise 3 tries, gets below {page.glue_text['wave_poly_8']} either")
    losses = [loss for row in width_table(page).values() for loss in row.values()]
    assert len(losses) == 21 and min(losses) > page.glue["wave_poly_8"]


def test_the_width_tables_page_setting_is_the_printed_lr_0_01_loss(page):
    table = width_table(page)
    assert table[64]["ReLU"] == round(page.glue["slow_vs_floor"][0], 3) == round(page.glue["width_relu_64"], 3)


def test_without_an_activation_every_width_ends_at_the_best_lines_loss_on_a_straight_line(page):
    table, glue = width_table(page), page.glue
    assert len({row["none"] for row in table.values()}) == 1  # "the same loss" at every width
    low, high = glue["width_none"]
    assert f"{low:.3f}" == f"{high:.3f}" == page.glue_text["width_none"]
    assert abs(low - glue["width_best_line"]) < 0.01  # "about that of the best straight line"
    assert page.printed(f"best straight line: {glue['width_best_line']:.3f}; with no activation every curve is "
                        "straight: True")


def test_relu_bends_more_with_width_and_levels_off_from_16_units(page):
    table, glue = width_table(page), page.glue
    relu = {w: row["ReLU"] for w, row in table.items()}
    assert relu[1] >= glue["width_best_line"] - 0.01  # "no better than a line"
    assert relu[1] > relu[4] > relu[8] > relu[16]  # "only part of the way down", "much further"
    assert relu[4] > 2 * relu[8]  # "much further"
    assert all(abs(relu[w] - relu[16]) < 0.1 * relu[16] for w in (16, 32, 64))  # "stays near"
    for name, width in (("width_relu_1", 1), ("width_relu_4", 4), ("width_relu_8", 8), ("width_relu_16", 16)):
        assert round(glue[name], 3) == relu[width]


def test_tanh_is_lower_than_relu_at_every_width_and_near_the_noise_floor_from_8_units(page):
    table, glue = width_table(page), page.glue
    assert all(row["tanh"] < row["ReLU"] for row in table.values())
    low, high = glue["width_tanh_8_64"]
    assert (round(low, 3), round(high, 3)) == (min(table[w]["tanh"] for w in (8, 16, 32, 64)),
                                               max(table[w]["tanh"] for w in (8, 16, 32, 64)))
    assert abs(high - glue["wave_noise_floor"]) < 0.1 * glue["wave_noise_floor"]  # "close to the noise floor"
    assert page.says("it is not\na verdict on the activations in general")


def test_the_width_fallback_alt_states_the_tables_losses(page):
    table = width_table(page)
    numbers = alt_numbers(page, "Six panels, the data with x sin x dashed",
                          r"\(loss ([\d.]+) and ([\d.]+)\).*at 4 units \(([\d.]+)\).*at 64 \(([\d.]+)\); "
                          r"with tanh ([\d.]+) and ([\d.]+)\.")
    assert numbers == [table[4]["none"], table[64]["none"], table[4]["ReLU"], table[64]["ReLU"],
                       table[4]["tanh"], table[64]["tanh"]]
    floor, line = page.glue["wave_noise_floor"], table[4]["none"]
    assert floor < table[4]["ReLU"] < line  # "still misses most of the wave at 4 units":
    assert table[4]["ReLU"] - floor > 0.5 * (line - floor)  # more than half the line's excess loss remains


def test_the_width_grid_says_its_learning_rate_is_the_networks_own_untuned_one(page):
    assert page.says("None of these settings was tuned for an activation: all use lr 0.01,\n"
                     "the rate of the page's ReLU network, which was not tuned either.")
    width_cell = next(cell.source for cell in page.notebook.cells if "def train_width" in cell.source)
    assert "lr=0.01" in width_cell
