"""The claims page 5 (models) makes, checked against its executed outputs."""

import ast
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
])
def test_the_code_the_page_teaches_is_shown_from_linreg(page, title, line):
    assert f"How linreg does it: {title}" in page.text
    assert line in page.text


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
    (state,) = printed(r"^state_dict\(\): (\{.*\})$", page.text)
    assert parameters == ["weight", "bias"]
    assert buffers == ["running_mean", "running_var", "num_batches_tracked"]
    assert list(state) == parameters + buffers
    assert state["running_mean"] == pytest.approx([1.35])  # the pass in train() updated the buffer
    assert page.says("`state_dict()` holds more than the learnable parameters")


def test_the_diagrams_captions_add_up_to_the_printed_parameter_count(page):
    (alt,) = [alt for alt in page.alts if alt.startswith("A 3-4-1 network")]
    counts = [int(n) for n in re.findall(r"(\d+) (?:weights|biases|bias)\b", alt)]
    assert sum(counts) == printed(r"^parameters: {n}$", page.text)[0] == 21


def test_repeating_the_crop_rows_leaves_the_mse_unchanged(page):
    assert printed(r"MSE on 15 rows: {n}", page.text) == printed(r"MSE on  5 rows: {n}", page.text)


def test_the_crop_loss_falls_to_about_a_tenth_in_100_epochs(page):
    first, last, fall = page.glue["crop_fall"]
    assert 8 < fall < 12 and fall == pytest.approx(first / last)
    assert first == pytest.approx(printed(r"MSE on 15 rows: {n}", page.text)[0], abs=0.01)
    assert last == pytest.approx(printed(r"epoch 100: loss\s+{n}", page.text)[0], abs=0.05)
    assert page.says(f"by a factor of {fall:.1f}: to about a tenth")


def test_the_crop_predictions_are_in_the_targets_range_but_not_yet_close(page):
    rows = re.findall(r"^\s+(\d) \|\s+([\d.]+)\s+(\d+) \|\s+([\d.]+)\s+(\d+)$", page.text, flags=re.M)
    assert len(rows) == 5
    pairs = [(float(p), float(t)) for _, *values in rows for p, t in (values[:2], values[2:])]
    targets = [t for _, t in pairs]
    assert all(min(targets) <= p <= max(targets) for p, _ in pairs)
    assert max(abs(p - t) for p, t in pairs) > 10


def test_the_three_line_loop_ends_on_the_least_squares_line(page):
    fit = printed(r"^a = {n}, b = {n}, final loss", page.text)
    assert fit == printed(r"least squares: a = {n}, b = {n}", page.text)


def test_the_loss_settles_on_a_plateau_at_the_noise_level(page):
    (alt,) = [alt for alt in page.alts if alt.startswith("Training loss of ManualLinearRegression")]
    pattern = r"from {n}, within 1% of its final value by epoch {n}, then a flat plateau at {n}"
    start, settled, plateau = printed(pattern, alt)
    assert start > 10 * plateau and 1 < settled < 1000
    assert 0.005 < plateau < 0.01  # the noise's standard deviation is 0.1
    assert plateau == printed(r"final loss {n}", page.text)[0]


def test_a_3_5_5_2_network_has_62_parameters(page):
    assert printed(r"^parameters: {n}  \(3\*5\+5", page.text) == [3 * 5 + 5 + 5 * 5 + 5 + 5 * 2 + 2]


def test_the_unregistered_tensor_never_trains(page):
    before, after = re.search(r"a: ([+-][\d.]+) -> ([+-][\d.]+) \(never updated\)", page.text).groups()
    assert before == after


def test_nn_linear_learns_the_same_a_and_b(page):
    assert printed(r"bias \(a\) = {n}, weight \(b\) = {n}", page.text) == printed(r"^a = {n}, b = {n}, final loss",
                                                                                page.text)
