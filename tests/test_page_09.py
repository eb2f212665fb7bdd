"""Page 9 (lines, curves, neural networks): what its prose and alt texts say, checked against its outputs."""

import html
import math
import re

import pytest

pytestmark = pytest.mark.site


@pytest.fixture(scope="module")
def page(executed_page):
    return executed_page("09-neural-networks")


def printed(page, line: str) -> bool:
    """Whether a cell printed ``line`` (spaces normalised)."""
    return " ".join(line.split()) in " ".join(page.text.split())


def alt_numbers(page, start: str, pattern: str) -> list[float]:
    """The numbers ``pattern``'s groups capture in the one alt text that begins with ``start``."""
    alts = [html.unescape(alt) for alt in page.alts]  # a video's label is HTML-escaped
    (alt,) = [alt for alt in alts if alt.startswith(start)]
    match = re.search(pattern, alt)
    assert match, f"{pattern!r} not in {alt!r}"
    return [float(group.replace(",", "")) for group in match.groups()]


# --- the code the page teaches is on the page


def test_the_page_shows_linear_regression_general_fit_and_collapse_linear_layers(page):
    for name in ("models.LinearRegression", "models.GeneralFit", "models.collapse_linear_layers"):
        assert f"How linreg does it: {name}" in page.text


def test_printing_general_fit_lists_a_relu_after_each_of_the_first_two_linear_layers(page):
    assert page.says("with an `nn.ReLU`")
    printout = page.text[page.text.index("GeneralFit(\n  (layers): Sequential("):]
    layers = re.findall(r"\((\d)\): (\w+)\(", printout[:printout.index("parameters:")])
    assert [kind for _, kind in layers] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]


# --- recipe E: a line


def test_recipe_e_starts_from_a_random_line_whose_loss_is_not_the_2_of_other_write_ups(page):
    assert printed(page, f"epoch 1: loss {page.glue['line_first_loss']:.4f}")
    assert abs(page.glue["line_first_loss"] - 2) > 0.5  # the prose says ours starts elsewhere


def test_recipe_e_loses_most_of_its_loss_in_the_first_twenty_epochs(page):
    assert page.glue["line_drop_by_20"] > 0.9
    (share,) = alt_numbers(page, "Training loss of the linear model", r"(\d+)% of the way down by epoch 20")
    assert share == round(100 * page.glue["line_drop_by_20"])


def test_recipe_e_loss_rises_again_from_the_glued_epoch_for_a_few_epochs(page):
    assert page.glue["line_rises"] >= 2
    assert 1 < page.glue["line_first_rise"] <= 20


def test_recipe_e_ends_at_the_noise_floor(page):
    assert page.glue["line_floor_gap"] < 0.01
    assert page.glue["line_final_loss"] == pytest.approx(page.glue["noise_floor"], rel=0.01)


def test_recipe_e_learned_slope_and_intercept_are_within_a_few_hundredths_of_2_and_1(page):
    assert page.glue["slope"] == pytest.approx(2, abs=0.05)
    assert page.glue["intercept"] == pytest.approx(1, abs=0.05)
    assert page.glue["parameter_error"] == pytest.approx(
        max(abs(page.glue["slope"] - 2), abs(page.glue["intercept"] - 1)))


def test_the_learned_and_true_lines_are_drawn_on_top_of_each_other(page):
    assert page.glue["line_gap"] < 0.05
    (gap,) = alt_numbers(page, "1,000 of the noisy points", r"never more than ([\d.]+) apart")
    assert gap == round(page.glue["line_gap"], 2)


# --- recipe F: a parabola


def test_the_parabola_loss_falls_mostly_by_epoch_40_and_slowly_after(page):
    glue = page.glue
    assert glue["poly_drop_by_40"] > 0.9
    assert glue["poly_loss_40"] - glue["poly_final_loss"] < 0.1 * (glue["poly_first_loss"] - glue["poly_loss_40"])


def test_the_parabola_animation_starts_flatter_and_below_then_steepens_then_creeps_onto_the_data(page):
    span, true_span, below = alt_numbers(
        page, "The prediction curve starts",
        r"span a range of ([\d.]+), against ([\d.]+) for the true parabola, and lie (-?[\d.]+) below")
    assert span < true_span and below > 0
    start, at_40, end = alt_numbers(page, "The prediction curve starts",
                                    r"parabola ([\d.]+) at the start, ([\d.]+) at epoch 40\).*\(([\d.]+) at the end\)")
    assert at_40 < 0.25 * start  # steepened into shape within a few dozen epochs
    assert end < at_40  # then creeps onto it


def test_least_squares_is_a_little_away_from_the_true_parameters(page):
    assert 0 < page.glue["lstsq_from_true"] < 0.2


def test_adam_ends_just_above_the_least_squares_loss_but_its_parameters_are_not_there_yet(page):
    glue = page.glue
    assert glue["lstsq_loss"] <= glue["poly_final_loss"] < 1.05 * glue["lstsq_loss"]
    assert glue["adam_gap"] > 0.05
    assert glue["adam_gap_largest"] in {"b", "w1", "w2"}


# --- the network at two learning rates


def test_at_lr_0_01_the_network_has_the_shape_by_epoch_60_and_changes_little_after(page):
    glue = page.glue
    assert glue["slow_distance_60"] < 0.3
    assert 0.8 * glue["slow_distance_60"] < glue["slow_distance_end"] <= glue["slow_distance_60"]


def test_at_lr_0_01_the_loss_ends_above_the_noise_floor_by_the_glued_share(page):
    glue = page.glue
    assert glue["slow_above_floor"] > 0.2  # "not every detail"
    assert glue["slow_final_loss"] == pytest.approx(glue["wave_noise_floor"] * (1 + glue["slow_above_floor"]))


def test_the_lr_0_01_animation_matches_the_ends_first_then_the_humps(page):
    start, ends_24, at_60, end = alt_numbers(
        page, "The network's prediction starts",
        r"starts as a gentle hump, ([\d.]+) from.*?\(([\d.]+) away on \|x\| > 3\.5\).*?\(([\d.]+) away\).*?"
        r"([\d.]+) away at epoch 200")
    assert ends_24 < 0.5 < start
    assert at_60 == round(page.glue["slow_distance_60"], 2)
    assert end <= at_60


def test_at_lr_1_the_loss_peaks_orders_of_magnitude_above_the_start_and_never_recovers(page):
    glue = page.glue
    assert glue["fast_orders"] >= 3
    assert glue["fast_orders"] == int(math.log10(glue["fast_peak"] / glue["wave_first_loss"]))
    assert math.isfinite(glue["fast_final_loss"])  # never NaN: fit would have raised DivergedError
    assert glue["fast_vs_slow"] > 10


def test_at_lr_1_the_final_curve_is_flat_over_much_of_the_inputs_and_at_lr_0_01_nowhere(page):
    assert page.glue["fast_flat"] > 0.3
    assert page.glue["slow_flat"] == 0


def test_the_lr_1_animation_never_comes_close_to_the_curve(page):
    (reach,) = alt_numbers(page, "With learning rate 1", r"at epoch 4 it reaches ([\d,]+)\)")
    assert reach > 100  # far off the chart, whose y range is about -8 to 4
    assert page.glue["fast_closest"] > 5 * page.glue["slow_distance_end"]


def test_dead_units_exist_before_training_and_lr_1_leaves_most_dead(page):
    glue = page.glue
    assert 0 < glue["dead_at_start"] <= glue["dead_slow"] < glue["dead_fast"]
    assert 64 - glue["dead_fast"] < 16  # "the few survivors"
    assert printed(page, f"at the start {glue['dead_at_start']}, after lr 0.01 {glue['dead_slow']}, "
                         f"after lr 1 {glue['dead_fast']}")


def test_the_loss_figure_alt_states_the_printed_runs(page):
    (slow_end, fast_end, ratio) = alt_numbers(page, "Log-scale training loss of the network",
                                              r"to ([\d.]+); with lr 1 .* at ([\d.]+), (\d+) times")
    assert slow_end == round(page.glue["slow_final_loss"], 3)
    assert fast_end == round(page.glue["fast_final_loss"], 2)
    assert ratio == round(page.glue["fast_vs_slow"])


def test_plain_sgd_at_lr_1_stops_with_diverged_error_naming_the_learning_rate(page):
    assert re.search(r"DivergedError: training diverged at epoch \d+: the loss became (inf|nan)", page.text)
    assert "(lr=1)" in page.text


# --- why the ReLUs matter


def test_three_linear_layers_collapse_into_one_up_to_rounding(page):
    assert printed(page, "parameters: stack 4353 -> single layer 2")
    assert page.glue["collapse_difference"] < 1e-5


def test_with_relus_the_stack_no_longer_matches_the_collapsed_layer(page):
    assert page.glue["relu_difference"] > 0.1
