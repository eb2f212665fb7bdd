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
    assert page.printed(f"epoch 1: loss {page.glue['line_first']:.4f}")
    assert abs(page.glue["line_first"] - 2) > 0.5  # the prose says ours starts elsewhere


def printed_loss(page, epoch):
    return float(re.search(rf"epoch +{epoch}: loss ([\d.]+)", page.text).group(1))


def test_recipe_e_loses_most_of_its_loss_in_the_first_twenty_epochs_but_not_at_every_step(page):
    assert page.glue["line_drop_by_20"] > 0.9
    assert any("a steep drop in the first twenty epochs, then a flat tail at the noise floor" in alt
               for alt in page.alts)
    assert printed_loss(page, 10) > printed_loss(page, 5)  # "higher at epoch 10 than at epoch 5"


def test_recipe_e_ends_at_the_noise_floor(page):
    assert page.glue["line_final"] == pytest.approx(page.glue["noise_floor"], rel=0.01)


def test_recipe_e_learned_slope_and_intercept_are_within_a_few_hundredths_of_2_and_1(page):
    assert page.glue["slope"] == pytest.approx(2, abs=0.05)
    assert page.glue["intercept"] == pytest.approx(1, abs=0.05)


def test_the_learned_and_true_lines_are_drawn_almost_on_top_of_each_other(page):
    slope, intercept = page.glue["slope"], page.glue["intercept"]
    gap = max(abs(intercept - 1), abs(slope + intercept - 3))  # two lines differ most at an end of [0, 1]
    assert gap < 0.05
    assert any("drawn almost exactly on top of each other" in alt for alt in page.alts)


# --- recipe F: a parabola


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
    rows = re.findall(r"^(b|w1|w2) .*?([\d.]+) +(-?[\d.]+) +(-?[\d.]+)$", page.text, flags=re.M)
    assert max(abs(float(exact) - float(adam)) for _, _, exact, adam in rows) > 0.05


# --- the network at two learning rates


def test_at_lr_0_01_the_loss_ends_above_the_noise_floor_by_the_glued_share(page):
    glue = page.glue
    assert glue["slow_above_floor"] > 0.2  # "not every detail"
    assert glue["slow_final"] == pytest.approx(glue["wave_floor"] * (1 + glue["slow_above_floor"]))


def test_the_lr_0_01_network_follows_the_curve_by_epoch_60_and_changes_little_after(page):
    start, at_60, end = alt_numbers(page, "The network's prediction starts",
                                    r"gentle hump, ([\d.]+) from.*\(([\d.]+) away\).*?([\d.]+) at epoch 200")
    assert at_60 < 0.3 < start
    assert 0.8 * at_60 < end <= at_60


def test_at_lr_1_the_loss_peaks_orders_of_magnitude_above_the_start_and_never_recovers(page):
    match = re.search(r"lr 1: loss epoch 1 ([\d.]+), highest ([\d,]+), epoch 200 ([\d.]+)", page.text)
    first, peak, final = (float(group.replace(",", "")) for group in match.groups())
    assert page.glue["fast_orders"] == int(math.log10(peak / first)) >= 3
    assert math.isfinite(final)  # never NaN: fit would have raised DivergedError
    assert page.glue["fast_vs_slow"] > 10


def test_the_lr_1_network_never_comes_close_to_the_curve(page):
    (closest,) = alt_numbers(page, "With learning rate 1", r"never comes closer than ([\d.]+) to the curve")
    (good,) = alt_numbers(page, "The network's prediction starts", r"([\d.]+) at epoch 200")
    assert closest > 5 * good


def test_dead_units_exist_before_training_and_lr_1_leaves_many_more(page):
    glue = page.glue
    assert 0 < glue["dead_start"] <= glue["dead_slow"] < glue["dead_fast"]
    assert glue["dead_fast"] > 32
    assert page.printed(f"at the start {glue['dead_start']}, after lr 0.01 {glue['dead_slow']}, "
                         f"after lr 1 {glue['dead_fast']}")


def test_the_loss_figure_alt_states_the_printed_runs(page):
    slow_end, fast_end = alt_numbers(page, "Log-scale training loss of the network",
                                     r"falls to ([\d.]+); with lr 1 .* at ([\d.]+), far above")
    assert page.printed(f"epoch 200 {slow_end:.3f} (noise floor")
    assert fast_end > 10 * slow_end


def test_plain_sgd_at_lr_1_stops_with_diverged_error_naming_the_learning_rate(page):
    assert re.search(r"DivergedError: training diverged at epoch \d+: the loss became (inf|nan)", page.text)
    assert "(lr=1)" in page.text


# --- why the ReLUs matter


def test_three_linear_layers_collapse_into_one_but_not_with_relus(page):
    assert page.printed("parameters: stack 4353 -> single layer 2")
    assert page.printed("same outputs: True")
    assert page.printed("same outputs with ReLUs: False")
