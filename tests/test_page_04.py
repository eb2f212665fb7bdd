"""The claims page 4 (losses and optimizers) makes, checked against its executed outputs."""

import re

import pytest

pytestmark = pytest.mark.site



@pytest.fixture(scope="module")
def page(executed_page):
    return executed_page("04-losses-and-optimizers")






@pytest.fixture(scope="module")
def step_sizes(page):
    """The step-size table: (optimizer, parameter) -> sizes at steps 1, 2, 3, 10, 50, 100, in units of lr."""
    rows = re.findall(r"^(SGD|SGD with momentum 0\.9|RMSprop|Adam)\s+(weight|bias)((?:\s+[\d.]+){6})$",
                      page.text, flags=re.M)
    return {(name, parameter): [float(v) for v in sizes.split()] for name, parameter, sizes in rows}


def test_the_squared_errors_0_1_4_have_mean_1_6667_and_sum_5(page):
    assert page.glue["mse_mean"] == pytest.approx(5 / 3, abs=1e-6)
    assert page.glue["mse_sum"] == 5.0
    assert page.says("their sum is 5 and their mean $5/3 \\approx$ 1.6667")


def test_optim_sgd_matches_the_closed_form_to_the_printed_four_decimals(page):
    by_sgd = page.numbers(r"optim.SGD:\s+a = {n}, b = {n}", page.text)
    assert by_sgd == page.numbers(r"closed form:\s+a = {n}, b = {n}", page.text)


def test_zero_grad_sets_the_gradient_to_none(page):
    assert "a.grad after zero_grad(): None" in page.text


def test_the_page_seeds_no_global_generator_it_does_not_use(page):
    assert "manual_seed" not in page.code


def test_the_step_table_covers_every_optimizer_and_parameter(step_sizes):
    assert len(step_sizes) == 8


def test_sgds_first_step_moves_the_weight_several_times_as_far_as_the_bias(step_sizes):
    assert step_sizes["SGD", "weight"][0] > 3 * step_sizes["SGD", "bias"][0]


def test_adams_first_step_is_exactly_lr_and_no_step_is_larger(page, step_sizes):
    assert step_sizes["Adam", "weight"][0] == step_sizes["Adam", "bias"][0] == 1.0
    assert page.glue["adam_largest_step"] <= 1.0 + 1e-3
    assert page.says("No step of Adam on this run is larger than 1.00")


def test_rmsprops_first_step_is_ten_lr_and_its_steps_shrink(step_sizes):
    for parameter in ("weight", "bias"):
        sizes = step_sizes["RMSprop", parameter]
        assert sizes[0] == 10.0
        assert all(later < earlier for earlier, later in zip(sizes, sizes[1:], strict=False))


def test_the_loss_ratios_in_the_prose_and_the_alt_text_are_the_computed_ones(page):
    alt = page.alt_containing("times lower than SGD")
    assert "hundred" not in alt
    ratios = [page.glue[f"{key}_ratio"] for key in ("momentum", "rmsprop", "adam")]
    assert f"{ratios[0]:.0f}, {ratios[1]:.0f} and {ratios[2]:.0f} times lower than SGD" in alt
    for name, ratio in zip(("SGD with momentum 0.9", "RMSprop", "Adam"), ratios, strict=True):
        printed = page.numbers(rf"^{name}\s+final MSE {{n}}:\s+{{n}} times lower than SGD's {{n}}", page.text)
        assert printed[1] == pytest.approx(ratio, abs=0.05)
        assert printed[2] / printed[0] == pytest.approx(ratio, rel=0.01)
    assert page.says(f"ends {ratios[0]:.0f} times lower than SGD")


def test_rmsprop_ends_lowest_of_the_four(page):
    assert page.glue["rmsprop_ratio"] > max(page.glue["momentum_ratio"], page.glue["adam_ratio"]) > 1
    assert page.says("RMSprop ends lowest here")


def test_sgd_flattens_out_above_1(page):
    assert page.glue["sgd_final_loss"] > 1.0
    assert f"ending at {page.glue['sgd_final_loss']:.2f}" in page.alt_containing("times lower than SGD")


def test_momentum_falls_in_waves_adam_has_bumps_and_rmsprop_falls_at_every_step(page):
    rises = {name: int(page.numbers(rf"^{name}\s+final MSE .*the loss rises in {{n}} stretches", page.text)[0])
             for name in ("SGD with momentum 0.9", "RMSprop", "Adam")}
    assert rises["RMSprop"] == 0 and rises["SGD with momentum 0.9"] > 2 and rises["Adam"] >= 1
    alt = page.alt_containing("times lower than SGD")
    assert f"rising in {rises['SGD with momentum 0.9']} stretches" in alt
    assert f"Adam's loss rises in {rises['Adam']} stretches" in alt and "RMSprop's falls at every step" in alt


def test_the_contour_alt_text_states_where_each_path_ends(page):
    alt = page.alt_containing("Contour plot of the MSE over weight and bias, minimum")
    weight, bias, below = page.numbers(r"SGD .* ends at weight {n}, bias {n}, {n} below the minimum", alt)
    assert bias < -1.0 and below == pytest.approx(-1.0 - bias, abs=0.06)
    assert [weight, bias] == pytest.approx(page.numbers(r"^SGD\s+0.01\s+{n}\s+{n}", page.text), abs=0.006)
    assert page.glue["sgd_distance"] > 1.0
    (momentum,) = page.numbers(r"spirals back to {n} from it", alt)
    (rmsprop,) = page.numbers(r"RMSprop .* ends {n} from the minimum", alt)
    (adam,) = page.numbers(r"Adam .* ends {n} from it", alt)
    assert max(momentum, rmsprop, adam) < 0.2


def test_momentum_and_adam_overshoot_the_minimum(page):
    momentum_weight, momentum_bias = page.numbers(r"weight {n}, bias {n}", page.glue_text["momentum_overshoot"])
    adam_weight, _ = page.numbers(r"weight {n}, bias {n}", page.glue_text["adam_overshoot"])
    assert momentum_weight > 5 and momentum_bias > 0
    assert adam_weight > 1.0


def test_sgds_stability_limit_lies_between_0_3_and_0_4(page):
    assert 0.3 < page.glue["lr_limit"] < 0.4
    assert page.says(f"the limit is {page.glue_text['lr_limit']}: between 0.3 and 0.4")


def test_three_rates_fall_0_1_lowest_and_0_4_rises_at_every_step(page):
    alt = page.alt_containing("SGD with learning rates 0.01, 0.1, 0.3 and 0.4")
    finals = page.numbers(r"ending at {n}, {n}, {n} \(0\.1 lowest\)", alt)
    start = page.numbers(r"MSE every 5 steps: {n}", page.text)[0]  # every run starts from the same point
    assert max(finals) < start and min(finals) == finals[1]
    rises, steps, last = page.numbers(r"with 0\.4 the loss rises at {n} of its {n} steps, to {n}", alt)
    assert rises == steps == 29 and last > start


def test_the_weight_bounces_shrinking_at_0_3_and_growing_at_0_4(page):
    for lr in ("0.3", "0.4"):
        gaps = [float(v) for v in re.search(rf"lr {lr}: weight - 1 = (.*) \.\.\.", page.text).group(1).split()]
        assert all(a * b < 0 for a, b in zip(gaps, gaps[1:], strict=False))  # the sign flips every step
        sizes = [abs(gap) for gap in gaps]
        if lr == "0.3":
            assert all(later < earlier for earlier, later in zip(sizes, sizes[1:], strict=False))
            assert page.glue["weight_gap_03_last"] < sizes[-1]
        else:
            assert all(later > earlier for earlier, later in zip(sizes, sizes[1:], strict=False))
            assert page.glue["weight_gap_04_last"] > sizes[-1]


def test_adam_with_lr_0_01_moves_each_parameter_by_about_1_in_100_steps(page):
    assert all(0.9 <= distance <= 1.0 for distance in page.numbers(r"moved by {n} and {n}", page.text))


def test_adam_with_lr_3_overshoots_by_several_units_with_steps_of_at_most_lr(page):
    weight_step, bias_step, weight, bias = page.numbers(
        r"largest step: {n} lr \(weight\), {n} lr \(bias\); furthest out: weight {n}, bias {n}", page.text)
    assert max(weight_step, bias_step) <= 1.0
    assert weight - 1.0 > 3 and bias + 1.0 > 3


def test_nesterov_overshoots_less_than_plain_momentum(page):
    alt = page.alt_containing("two momentum paths")
    plain_reach, nesterov_reach, plain_end, nesterov_end = page.numbers(
        r"up to weight {n}, Nesterov momentum only to {n}; after 100 steps they end {n} and {n}", alt)
    assert nesterov_reach < plain_reach
    assert max(plain_end, nesterov_end) < 0.2


def test_the_steepest_direction_is_almost_exactly_the_weight(page):
    weight, bias = page.numbers(r"steepest direction \(weight, bias\) \[{n}, {n}\]", page.text)
    assert abs(weight) > 0.99 and abs(bias) < 0.05
    assert page.says("The steepest direction is almost exactly the weight")


# The momentum explorable (issue 12).

def test_the_momentum_explorable_holds_35_runs(page):
    assert page.glue["momentum_runs"] == 35


def test_the_explorable_reports_the_races_final_weight_and_bias_for_momentum_0_9(page):
    weight, bias = re.search(r"SGD with momentum 0\.9\s+0\.01\s+(-?\d+\.\d{3})\s+(-?\d+\.\d{3})", page.text).groups()
    assert page.glue_text["momentum_final_01_09"] == f"weight {weight}, bias {bias}"


def test_without_momentum_the_largest_steady_rate_is_below_the_limit_and_momentum_raises_it(page):
    glue = page.glue
    assert glue["momentum_steady_0"] < glue["lr_limit"] < glue["momentum_steady_09"] <= glue["momentum_limit_09"]


def test_momentum_0_95_ends_far_above_the_best_run(page):
    race = [float(v) for v in re.findall(r"^SGD with momentum 0\.9\s+\S+\s+\S+\s+\S+\s+(\d+\.\d{4})$", page.text,
                                         flags=re.M)]
    assert page.glue["momentum_095_lowest"] > 10 * race[0]  # "still far": ten times momentum 0.9's final loss
    assert page.glue["momentum_best"][1] != 0.95
