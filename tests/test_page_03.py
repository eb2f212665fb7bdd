"""The claims page 3 (autograd) makes, checked against its executed outputs."""

import re

import pytest

pytestmark = pytest.mark.site


@pytest.fixture(scope="module")
def page(executed_page):
    return executed_page("03-autograd")


def graphs(page):
    """``(alt, svg)`` of every autograd graph the page draws, in order."""
    found = []
    for cell in page.notebook.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            if "<svg" in html:
                alt = re.search(r'aria-label="([^"]*)"', html).group(1)
                found.append((alt, html))
    return found


def boxes(svg):
    """The labels of the graph's boxes."""
    return {text.strip() for text in re.findall(r">([^<>]+)</text>", svg)}


def test_the_parameters_are_created_on_the_device_in_the_page_and_the_package_starts_at_the_same_point(page):
    assert "a = torch.tensor(a_start, dtype=torch.float32, device=device, requires_grad=True)" in page.code
    assert page.printed("requires_grad: True, leaf: True, grad so far: None")
    assert "How linreg does it: autograd_descent.initial_parameters" in page.text


def test_do_it_right_shows_the_wrong_way_and_both_right_ways(page):
    assert page.printed("wrong, copied by .to(): leaf False, made by ToCopyBackward0")
    assert page.printed("created on the device: leaf True, grad 2.0")
    assert page.printed("moved, then requires_grad_(): leaf True, grad 3.0")


def test_autograd_matches_the_chain_rule_formulas_written_on_the_page(page):
    assert "by_hand = 2 * error.mean(), 2 * (x * error).mean()" in page.code
    assert page.glue["grad_gap"] < 1e-5
    assert page.says("autograd\nworks in float32, these NumPy sums in float64")


def test_a_second_backward_doubles_the_gradient(page):
    assert page.glue["twice_ratio"] == pytest.approx(2.0, abs=1e-5)


def test_the_reason_for_accumulating_is_several_backward_calls_not_a_parameter_used_twice(page):
    assert page.says("Not for a parameter used in several places")
    assert page.says("**Micro-batches (gradient accumulation).**") and page.says("**Several losses.**")
    assert "x_train.split(20)" in page.code


def test_micro_batch_gradients_add_up_to_the_whole_batch_gradient(page):
    assert page.glue["micro_gap"] < 1e-5


def test_one_backward_of_a_sum_equals_one_backward_per_loss(page):
    assert page.glue["losses_gap"] < 1e-6
    assert page.glue["penalty_grad"] == pytest.approx(-0.1, abs=1e-6)  # 0.1 * sign(b), b < 0 at the start


def test_an_in_place_update_outside_no_grad_raises(page):
    assert "RuntimeError: a leaf Variable that requires grad is being used in an in-place operation" in page.text


def test_a_minus_lr_times_grad_is_not_a_leaf(page):
    assert "leaf: False, made by: SubBackward0" in page.text
    assert "still a leaf: True" in page.text  # the update under no_grad keeps it one


def test_autograd_descent_is_the_loop_and_matches_numpy_to_the_cited_decimals(page):
    assert page.glue["package_matches_loop"] is True
    assert page.glue["torch_numpy_gap"] < 0.5 * 10 ** -page.glue["torch_numpy_decimals"]
    assert "How linreg does it: autograd_descent.gradient_descent" in page.text
    assert page.glue["torch_numpy_decimals"] >= 4  # the curriculum's "to 4 decimals"


def test_without_zeroing_the_loss_keeps_swinging_while_the_zeroed_run_settles(page):
    zeroed, low, high = (page.glue[k] for k in ("zeroed_final", "never_zeroed_min", "never_zeroed_max"))
    assert zeroed < 0.01  # "the loss settles"
    assert high > 10 * low  # "still swings between ... and ...", over epochs 101 to 200
    assert zeroed < low  # never as low, late in training, as the run that zeroes
    alt = page.alt_containing("Never zeroed")
    assert f"to {zeroed:.4f}" in alt and f"between {low:.3f} and {high:.2f}" in alt


def test_no_figure_repeats_page_2s_loss_curve(page):
    assert not [alt for alt in page.alts if "Training loss of recipe A over" in alt]


def test_numpy_fails_on_a_tensor_that_requires_grad_and_detach_shares_memory(page):
    assert "numpy():  RuntimeError: Can't call numpy() on Tensor that requires grad" in page.text
    assert page.glue["detach_shares_memory"] is True


def test_every_operation_an_alt_text_names_is_in_its_graph(page):
    drawn = graphs(page)
    assert len(drawn) == 5
    for alt, svg in drawn:
        for operation in re.findall(r"\b[A-Z][a-z]+Backward0\b", alt):
            assert operation in boxes(svg), (operation, alt)


def test_the_prediction_graph_ends_in_a_box_of_shape_80_by_1(page):
    alt, svg = graphs(page)[0]
    assert "(80, 1)" in alt and "(80, 1)" in boxes(svg)


def test_freezing_a_removes_its_box(page):
    (_, loss_svg), (_, frozen_svg) = graphs(page)[1:3]
    assert {"a", "b"} <= boxes(loss_svg)
    assert "b" in boxes(frozen_svg) and "a" not in boxes(frozen_svg)


def test_the_if_branch_adds_abs_and_sum_boxes(page):
    alt, svg = graphs(page)[3]
    assert {"AbsBackward0", "SumBackward0"} <= boxes(svg)
    assert not {"AbsBackward0", "SumBackward0"} & boxes(graphs(page)[1][1])


def test_saved_tensors_are_the_data_and_the_error(page):
    alt, svg = graphs(page)[4]
    assert {"other", "self"} <= boxes(svg)
    assert 'fill="orange"' in svg  # what site.css repaints for the dark palette (tests/test_graphs.py)


def test_changing_a_saved_tensor_in_place_stops_backward(page):
    assert page.printed("RuntimeError: one of the variables needed for gradient computation has been modified by "
                        "an inplace operation")
    assert page.printed("Answer: no. MulBackward0 saved x")


def test_no_graph_shows_graphviz_tooltips(page):
    assert all("<title" not in svg for _, svg in graphs(page))


def test_the_if_runs_at_the_start_and_not_after_training(page):
    assert page.glue["mse_start"] > 1 > page.glue["mse_trained"]
    assert page.glue["last_operation_start"] == "AddBackward0"
    assert page.glue["last_operation_trained"] == "MeanBackward0"


def test_three_backward_calls_give_three_times_the_gradient(page):
    accumulated, tripled = re.search(r"a.grad = (-?[\d.]+), three times one gradient = (-?[\d.]+)", page.text).groups()
    assert float(accumulated) == pytest.approx(float(tripled), abs=1e-4)


def test_a_learning_rate_of_one_diverges(page):
    assert "training diverged at epoch" in page.text


def test_a_loss_computed_under_no_grad_has_no_grad_fn(page):
    assert "grad_fn under no_grad: None" in page.text


def test_exercises_have_collapsed_solutions_that_state_their_answers_in_words(page):
    solutions = [c for c in page.notebook.cells if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) == 4
    for cell in solutions:
        assert any("Answer: " in getattr(out, "text", "") for out in cell.outputs), cell.source[:60]
    assert page.printed("Answer: a.grad is three times the gradient of one call")
    assert page.printed("Answer: no. Under no_grad() nothing is recorded")
