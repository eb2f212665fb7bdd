"""The claims page 5 (models) makes, checked against its executed outputs."""

import ast
import math
import re

import pytest

pytestmark = pytest.mark.site

NUMBER = r"[+-]?\d+(?:\.\d+)?"


@pytest.fixture(scope="module")
def page(executed_page):
    return executed_page("05-models")


def printed(pattern, text):
    """The values ``pattern``'s groups capture in ``text``, as Python literals ({n} stands for a number)."""
    found = re.search(pattern.replace("{n}", f"({NUMBER})"), text, flags=re.M)
    assert found, f"no match for {pattern!r}"
    return [ast.literal_eval(group) for group in found.groups()]


@pytest.mark.parametrize(("title", "line"), [
    ("models.ManualLinearRegression", "self.a = nn.Parameter(torch.randn(1, generator=generator))"),
    ("models.LinearRegression", "self.linear = nn.Linear(n_in, n_out)"),
    ("training.make_train_step", "optimizer.zero_grad()"),
    ("_checks.check_finite_loss", "if math.isfinite(loss):"),
])
def test_the_code_the_page_teaches_is_shown_from_linreg(page, title, line):
    assert f"How linreg does it: {title}" in page.text
    assert line in page.text


def test_a_state_dict_shares_memory_with_the_parameters_and_a_deep_copy_does_not(page):
    assert "same memory as the parameter a: True" in page.text
    live, copied = printed(r"after a \+= 1: state\['a'\] = {n}, snapshot\['a'\] = {n}$", page.text)
    (before,) = printed(r"^a: {n}, shape \(1,\)", page.text)
    assert copied == before and live == pytest.approx(before + 1)
    assert printed(r"after load_state_dict\(snapshot\): a = {n}$", page.text) == [before]
    assert page.says("they share memory with the parameters")


def test_to_converts_the_parameters_in_place_keeping_the_same_leaf_objects(page):
    assert "device: cpu; same object: True" in page.text  # "On the machine that built this page device is cpu"
    assert "dtype of a: torch.float64; the same Parameter object: True; a leaf: True" in page.text
    assert "dtype of a: torch.float32, value" in page.text


def test_a_plain_tensor_attribute_is_not_registered(page):
    assert "named_parameters(): ['b']" in page.text
    assert "state_dict():       ['b']" in page.text


def test_model_call_runs_the_hook_and_forward_does_not(page):
    assert "two forward passes, hook calls: [(80, 1)]" in page.text


def test_dropout_scales_the_survivors_by_two_in_train_and_does_nothing_in_eval(page):
    (trained,) = printed(r"^train\(\): (\[.*\])$", page.text)
    (evaluated,) = printed(r"^eval\(\):  (\[.*\])$", page.text)
    assert set(trained) == {0.0, 2.0} and set(evaluated) == {1.0}


def test_batchnorm_state_dict_holds_its_buffers_besides_its_parameters(page):
    (parameters,) = printed(r"^parameters\(\): (\[.*\])$", page.text)
    (buffers,) = printed(r"^buffers\(\):    (\[.*\])$", page.text)
    block = page.text[page.text.index("state_dict():\n"):].splitlines()[1:6]
    state = {name.strip(): ast.literal_eval(value.strip()) for name, value in (line.split(":") for line in block)}
    assert parameters == ["weight", "bias"]
    assert buffers == ["running_mean", "running_var", "num_batches_tracked"]
    assert list(state) == parameters + buffers
    assert state["running_mean"] == pytest.approx([1.35])  # the pass in train() updated the buffer
    assert page.says("`state_dict()` holds more than the learnable parameters")


def test_the_diagrams_captions_add_up_to_the_printed_parameter_count(page):
    (alt,) = [alt for alt in page.alts if alt.startswith("A 3-4-1 network")]
    counts = [int(n) for n in re.findall(r"(\d+) (?:weights|biases|bias)\b", alt)]
    assert sum(counts) == printed(r"^parameters: {n}$", page.text)[0] == 21


def test_nn_parameter_turns_on_requires_grad_as_the_printout_shows(page):
    assert "a: +0.3367, shape (1,), requires_grad=True" in page.text
    assert page.says("It sets `requires_grad=True` unless told otherwise")


def test_the_state_dict_paragraph_links_to_page_7(page):
    assert "disk and load back ([page 7](07-training-loop.ipynb))" in page.markdown


def test_the_deeper_network_gives_each_hidden_layer_its_own_unit_names(page):
    svg = page.text[page.text.index("A 3-5-5-2 network"):]
    assert ">h1.1<" in svg and ">h2.5<" in svg and "hidden 2: 5 units, ReLU" in svg


def test_the_deeper_diagrams_alt_text_gives_its_captions_adding_up_to_the_answer(page):
    alt = page.alt_containing("A 3-5-5-2 network")
    assert "Captions: 15 weights + 5 biases, 25 weights + 5 biases, 10 weights + 2 biases." in alt
    counts = [int(n) for n in re.findall(r"(\d+) (?:weights|biases)\b", alt)]
    assert sum(counts) == printed(r"^parameters: {n}  \(3\*5\+5", page.text)[0]


def test_the_diagrams_draw_the_relu_of_every_hidden_unit(page):
    (alt,) = [alt for alt in page.alts if alt.startswith("A 3-4-1 network")]
    assert "four hidden units h1 to h4, each labelled ReLU" in alt
    assert "(1): ReLU()" in page.text  # the printed nn.Sequential holds it as a layer
    assert page.text.count(">ReLU<") == 4 + 5 + 5  # one per hidden unit: the 3-4-1 and the 3-5-5-2 diagrams


def test_the_input_range_the_prose_states_is_that_of_the_printed_crop_table(page):
    rows = re.findall(r"^\s+(\d) \|\s+(\d+)\s+(\d+)\s+(\d+) \|\s+(\d+)\s+(\d+)$", page.text, flags=re.M)
    assert len(rows) == 5
    weather = [int(value) for row in rows for value in row[1:4]]
    assert page.glue["crop_input_range"] == [min(weather), max(weather)] == [37, 134]
    assert page.says(f"Inputs that range from {min(weather)} to {max(weather)} make the loss steep")
    assert "in the tens" not in page.markdown


def test_the_page_makes_no_promise_about_the_next_page_that_it_does_not_keep(page):
    assert "on the [next page]" not in page.markdown
    assert page.says("15 rows make three batches of 5 where 5 rows make one")


def test_the_learning_rate_is_explained_by_the_curvature_computed_on_the_page(page):
    eigenvalues = [float(v) for v in re.search(r"^eigenvalues: (.*)$", page.text, flags=re.M)[1].split(", ")]
    assert len(eigenvalues) == 8 and eigenvalues[0::2] == eigenvalues[1::2]  # "each twice, once per output"
    steepest = eigenvalues[-1]
    assert page.glue["crop_curvature"] == pytest.approx(steepest, rel=1e-3)
    assert page.glue["crop_lr_limit"] == pytest.approx(2 / page.glue["crop_curvature"])
    assert 1e-5 < page.glue["crop_lr_limit"] < 1e-4 * 1.2  # 1e-5 safely under, 1e-4 just under, 1e-3 over
    factors = page.glue["crop_factors"]  # per rate: 1 - lr * curvature, steepest first
    assert factors[0][0] == pytest.approx(page.glue["crop_steepest_factor"]) and 0 < factors[0][0] < 1
    assert abs(factors[1][0]) < 1 < abs(factors[2][0])  # 1e-4 converges, 1e-3 diverges
    removed = page.glue["crop_flat_removed"]
    # per cent of the error one step at 1e-5 removes (the printed eigenvalues have 4 digits)
    assert removed == pytest.approx([1e-3 * eigenvalues[-3], 1e-3 * eigenvalues[-5]], rel=1e-3)
    left = page.glue["crop_flat_left"]
    assert left == pytest.approx([(1 - 1e-5 * eigenvalues[-3]) ** 100, (1 - 1e-5 * eigenvalues[-5]) ** 100],
                                 rel=1e-3)
    assert page.says("SGD is stable only below")
    assert page.says(f"these two still hold {page.glue_text['crop_flat_left']} of their starting error")
    assert "the gradient is large" not in page.markdown  # the old, wrong cause
    flattest = page.glue["crop_flattest"]
    assert flattest == pytest.approx(eigenvalues[0], rel=1e-3)
    assert all(f"{factors[rate][-1]:+.4f}" == "+1.0000" for rate in range(3))  # "its factor is 1.0000"
    assert page.says(f"The flattest direction, with curvature {page.glue_text['crop_flattest']}, hardly moves")


def test_the_loss_counting_convention_is_stated_and_kept(page):
    assert page.says("**before** the epoch's update, as on [page 2](02-gradient-descent.ipynb)")
    assert page.says("the loss computed before its update, the convention above")
    assert "after 100 epochs" not in page.text and "after 100 epochs" not in page.markdown


def test_repeating_the_crop_rows_leaves_the_mse_unchanged(page):
    assert printed(r"MSE on 15 rows: {n}", page.text) == printed(r"MSE on  5 rows: {n}", page.text)


def test_the_crop_loss_falls_to_about_a_tenth_in_100_epochs(page):
    first, last, fall = page.glue["crop_fall"]
    assert 8 < fall < 12 and fall == pytest.approx(first / last)
    assert first == pytest.approx(printed(r"MSE on 15 rows: {n}", page.text)[0], abs=0.01)
    assert last == pytest.approx(printed(r"epoch 100: loss\s+{n}", page.text)[0], abs=0.05)
    assert page.says(f"by a factor of {fall:.1f}: to about a tenth")
    assert page.says(f"from {first:.0f} at epoch 1 to {last:.0f} at epoch 100")


def test_the_crop_predictions_are_close_in_one_region_and_twice_the_targets_in_another(page):
    rows = re.findall(r"^\s+(\d) \|\s+([\d.]+)\s+(\d+) \|\s+([\d.]+)\s+(\d+)$", page.text, flags=re.M)
    assert len(rows) == 5
    ratios = {int(r[0]): (float(r[1]) / float(r[2]), float(r[3]) / float(r[4])) for r in rows}
    closest_region, *misses = page.glue["crop_closest"]
    furthest_region, *times = page.glue["crop_furthest"]
    assert max(abs(m - 100 * abs(r - 1)) for m, r in zip(misses, ratios[closest_region], strict=True)) < 0.2
    assert max(misses) < 2  # "close"
    assert times == pytest.approx(ratios[furthest_region], rel=0.02) and min(times) > 1.8  # "about twice"
    assert page.says(f"Some are close and some far off: {page.glue_text['crop_closest']}, "
                     f"but {page.glue_text['crop_furthest']}")
    assert page.printed(f"closest: region {closest_region}, off by {misses[0]:.1f} % and {misses[1]:.1f} %")
    assert page.printed(f"furthest: region {furthest_region}, {times[0]:.1f} and {times[1]:.1f} times its targets")


def test_the_three_line_loop_ends_on_the_least_squares_line(page):
    fit = printed(r"^a = {n}, b = {n}, loss at epoch 1000", page.text)
    assert fit == printed(r"least squares: a = {n}, b = {n}", page.text)


def test_the_plateau_is_the_noise_of_the_training_points_and_least_squares_scores_a_little_less(page):
    (true_line,) = printed(r"MSE of the true line y = 1 \+ 2x on the 80 training points: {n}$", page.text)
    (plateau,) = printed(r"loss at epoch 1000 {n}$", page.text)
    assert page.glue["true_line_mse"] == pytest.approx(true_line, abs=5e-5)
    assert 0.9 * true_line < plateau < true_line  # "a little less"
    assert page.says(f"The true line itself scores {true_line:.4f} on them")


def test_the_loss_curve_falls_steeply_then_slowly_then_settles_on_a_plateau(page):
    (alt,) = [alt for alt in page.alts if alt.startswith("Training loss of ManualLinearRegression")]
    pattern = (r"from {n} to {n} in the first 10 epochs, a slower fall to within 1% of its final value by epoch {n}, "
               r"then a flat plateau at {n}")
    start, tenth, settled, plateau = printed(pattern, alt)
    assert page.glue["curve_first_ten"] == pytest.approx([start, tenth], abs=0.005)
    assert page.glue["curve_settled"] == settled
    steep = math.log(start / tenth) / 9  # log-loss drop per epoch over the first ten epochs
    slow = math.log(tenth / plateau) / (settled - 10)  # and from there to the plateau
    assert steep > 10 * slow  # "a steep fall", then "a much slower, steady fall"
    assert 0.005 < plateau < 0.01  # the noise's standard deviation is 0.1
    assert plateau == printed(r"loss at epoch 1000 {n}", page.text)[0]
    assert "two phases" not in page.markdown


def test_exercise_3_answers_that_a_3_5_5_2_network_has_62_parameters(page):
    assert printed(r"^parameters: {n}  \(3\*5\+5", page.text) == [3 * 5 + 5 + 5 * 5 + 5 + 5 * 2 + 2]
    assert page.printed("Answer: 62 parameters: 3*5+5 = 20 for the first hidden layer")


def test_exercise_1_answers_that_the_unregistered_tensor_never_trains(page):
    a_before, a_after = re.search(r"^a: ([+-][\d.]+) -> ([+-][\d.]+)$", page.text, flags=re.M).groups()
    b_before, b_after = re.search(r"^b: ([+-][\d.]+) -> ([+-][\d.]+)$", page.text, flags=re.M).groups()
    assert a_before == a_after and b_before != b_after
    assert page.printed("Answer: b moves and a does not")


def test_exercise_2_answers_that_1e_4_gets_close_and_1e_3_diverges_as_the_curvature_predicts(page):
    (loss,) = printed(r"^lr=0.0001: loss at epoch 100 {n}$", page.text)
    assert loss < page.glue["crop_fall"][1] / 10
    assert "lr=0.001: training diverged at step 15\n" in page.text  # steps counted from 1
    assert "  steps 1 to 14: loss 2.48e+03 ... " in page.text
    growth = [float(g) for g in re.search(r"^  growth per step: (.*)$", page.text, flags=re.M)[1].split()]
    assert len(growth) == 13 and all(g > 1 for g in growth)  # "grows at every step"
    predicted = page.glue["crop_factors"][2][0] ** 2  # (1 - 1e-3 * curvature)^2
    assert set(growth[1:]) == {round(predicted)}
    assert page.printed(f"the loss at epoch 100 is {loss:.1f}, against {page.glue['crop_fall'][1]:.1f} at lr=1e-5")
    assert page.printed(f"then {round(predicted)}-fold per step, from 2480 at step 1 to")
    assert page.printed("at step 14, and step 15's loss is not finite (DivergedError; full batch: step k is epoch k).")
    # 1e-4 removes 10 times the share 1e-5 removes per step (lr * curvature), not "moves ten times faster"
    assert page.printed("the flatter directions remove ten times as large a share of their error per step as at 1e-5")
    assert page.printed(f"and the loss by its square, {predicted:.0f}.")


def test_exercise_4_answers_that_nn_linear_learns_the_same_a_and_b(page):
    a, b = printed(r"^a = {n}, b = {n}, loss at epoch 1000", page.text)
    assert printed(r"bias \(a\) = {n}, weight \(b\) = {n}", page.text) == [a, b]
    answer = "Answer: the bias plays a (the intercept) and the weight plays b (the slope); they end at"
    assert page.printed(f"{answer} {a:.4f} and {b:.4f}")


def test_every_exercise_has_a_solution_that_prints_its_answer(page):
    assert page.text.count("Answer: ") == 4


def test_only_linregs_training_functions_check_for_a_finite_loss_not_every_loop(page):
    import inspect

    from linreg import training

    for function in (training.make_train_step, training.fit):
        assert "check_finite_loss(" in inspect.getsource(function)
    [crop_loop] = [cell for cell in page.code.split("\n\n") if "crop_losses = []" in cell]
    assert "check_finite_loss" not in crop_loop  # "like the crop loop above, does not check"
    assert page.says("is shared by the training functions of `linreg` (`make_train_step` here, `fit` on")
    assert page.says("a loop written out in a cell, like the crop loop above, does not check unless it calls it")
    assert "every training loop of this site" not in page.markdown


def test_make_train_step_is_described_with_everything_it_does(page):
    import inspect

    from linreg.training import make_train_step

    assert "model.train()" in inspect.getsource(make_train_step)
    assert page.says("besides the four moves it puts the model in training mode (`model.train()`) on every call")


def test_only_persistent_buffers_are_said_to_be_saved(page):
    assert page.says("Buffers move with `.to(device)`, and persistent ones (the default) are saved in `state_dict()`")


def test_the_directions_are_named_as_the_hessians_eigenvectors_in_the_tables_order(page):
    assert page.says("The directions are the Hessian's eigenvectors and their curvatures its eigenvalues; the table "
                     "below lists them steepest first")
    rows = [float(r) for r in re.findall(r"^\s*([\d.e+]+) \|\s+[+-]", page.text, flags=re.M)]
    assert len(rows) == 4 and rows == sorted(rows, reverse=True)  # steepest first
