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
            if "<svg" in html and "linreg-explorable" not in html:  # the step-through figure: its own tests
                alt = re.search(r'aria-label="([^"]*)"', html).group(1)
                found.append((alt, html))
    return found


def boxes(svg):
    """The labels of the graph's boxes."""
    return {text.strip() for text in re.findall(r">([^<>]+)</text>", svg)}


def test_the_parameters_are_created_on_the_device_in_the_page_and_the_package_starts_at_the_same_point(page):
    code = " ".join(page.code.split())
    assert "a = torch.tensor(a_start, dtype=torch.float32, device=device, requires_grad=True)" in code
    assert page.printed("requires_grad: True, leaf: True, grad so far: None")
    assert "How linreg does it: autograd_descent.initial_parameters" in page.text


def test_do_it_right_shows_the_wrong_way_and_both_right_ways(page):
    assert page.printed("wrong, copied by .to(): leaf False, made by ToCopyBackward0")
    # the gradient went to the original, not to the copy the one-liner would keep
    assert page.printed("copied.grad: None, original.grad: 2.0")
    assert page.says("By default autograd stores `.grad` only on leaves (`retain_grad()` opts a\nnon-leaf in)")
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
    # cited with two significant figures, so the words state the gap itself, not a bound it may exceed
    assert page.glue_text["micro_gap"] == f"{page.glue['micro_gap']:.2g}"
    assert page.says(f"The largest difference is {page.glue['micro_gap']:.2g}: float32 rounding")


def test_several_losses_backpropagated_one_at_a_time_give_the_gradient_of_their_sum():
    # the prose states it without a demo on the page: the claim, checked here
    import torch

    a, b = torch.tensor([0.5], requires_grad=True), torch.tensor([-0.1], requires_grad=True)
    x, y = torch.linspace(0, 1, 8).view(-1, 1), torch.linspace(1, 3, 8).view(-1, 1)
    (((a + b * x - y) ** 2).mean() + 0.1 * b.abs().sum()).backward()
    one_call = torch.cat([a.grad, b.grad])
    a.grad, b.grad = None, None
    ((a + b * x - y) ** 2).mean().backward()
    (0.1 * b.abs().sum()).backward()
    assert torch.allclose(torch.cat([a.grad, b.grad]), one_call)


def test_an_in_place_update_outside_no_grad_raises(page):
    assert page.printed("RuntimeError: a leaf Variable that requires grad is being used in an in-place operation")


def test_a_minus_lr_times_grad_is_not_a_leaf(page):
    assert "leaf: False, made by: SubBackward0" in page.text
    assert "still a leaf: True" in page.text  # the update under no_grad keeps it one


def test_gradients_are_reset_in_place_or_set_to_none(page):
    assert page.says("in place with `zero_()`, as this page does, or by setting `.grad` to `None`")
    import inspect

    import torch

    assert inspect.signature(torch.optim.Optimizer.zero_grad).parameters["set_to_none"].default is True


def test_the_loop_records_each_epochs_loss_before_its_update_as_page_2_does(page):
    assert page.says("Like page 2's loop, it records each epoch's loss\nbefore that epoch's update.")
    train = next(cell.source for cell in page.notebook.cells if cell.source.startswith("def train("))
    # the learning rate is train's own argument, as the prose says, not a global left by an earlier cell
    assert train.startswith("def train(epochs, lr=0.1,") and page.says("`train`'s default `lr`")
    assert train.index("losses.append(loss.item())") < train.index("loss.backward()") < train.index("a -= lr")


def test_autograd_descent_is_the_loop_and_matches_numpy_to_the_cited_decimals(page):
    assert page.glue["package_matches_loop"] is True
    assert page.printed(f"so they agree to {page.glue['torch_numpy_decimals']} decimals")
    assert page.glue["torch_numpy_gap"] < 0.5 * 10 ** -page.glue["torch_numpy_decimals"]
    assert "How linreg does it: autograd_descent.gradient_descent" in page.text
    assert page.glue["torch_numpy_decimals"] >= 4  # the curriculum's "to 4 decimals"


def test_without_zeroing_the_loss_keeps_swinging_while_the_zeroed_run_keeps_falling(page):
    zeroed, low, high = (page.glue[k] for k in ("zeroed_final", "never_zeroed_min", "never_zeroed_max"))
    assert zeroed < 0.01  # "the loss keeps falling smoothly"
    assert high > 10 * low  # "still swings between ... and ...", over epochs 101 to 200
    assert zeroed < low  # never as low, late in training, as the run that zeroes
    alt = page.alt_containing("Never zeroed")
    assert f"to {zeroed:.4f}" in alt and f"between {low:.3g} and {high:.3g}" in alt
    assert page.printed(f"never zeroed: loss between {low:.3g} and {high:.3g} over epochs 101 to 200")


def test_no_figure_repeats_page_2s_loss_curve(page):
    assert not [alt for alt in page.alts if "Training loss of recipe A over" in alt]


def test_the_numpy_array_of_a_detached_tensor_shares_its_memory_and_the_page_says_to_copy_it(page):
    # the page is built on the CPU, where the prose says the array shares the tensor's memory
    assert page.printed("detach() shares memory with yhat: True")
    assert page.printed("the NumPy array shares memory with yhat: True")
    assert page.glue["array_shares_memory"] is True
    assert page.says("the array shares the tensor's\nmemory (the last line below; on a GPU, `cpu()` copies")
    assert page.says("Call `.copy()` on the array before you change it.")
    assert page.says("Copy such an array (`.copy()`) before you write into it.")


def test_a_numpy_write_into_a_saved_tensor_goes_unseen_and_backward_uses_the_new_values(page):
    wrong, true, values, version = (page.glue[k] for k in (
        "numpy_write_grad", "numpy_write_true_grad", "numpy_write_values", "numpy_write_version"))
    assert values == 80 and wrong == 2.0 * values  # the sum of the overwritten values, 2 each
    assert abs(wrong - true) > 1  # not the true gradient, the sum of the data
    assert version == 0  # "the version is still 0, so autograd's check had nothing to see"
    assert page.printed(f"b_demo.grad: {wrong:.4f}, the true gradient (sum of x): {true:.4f}")
    assert page.printed("x_demo._version after the write: 0")
    assert page.says(f"`backward()` raised no error and gave {page.glue_text['numpy_write_grad']}: the sum of the "
                     f"{values}\noverwritten values, 2 each, not the true {page.glue_text['numpy_write_true_grad']}")
    # the demonstration cell writes through NumPy, not with a PyTorch in-place operation
    demo = next(cell.source for cell in page.notebook.cells if cell.source.startswith("x_demo = "))
    assert "x_array = x_demo.numpy()" in demo and "x_array[:] = 2.0" in demo and "_(" not in demo


def test_numpy_fails_on_a_tensor_that_requires_grad_and_detach_shares_memory(page):
    assert page.printed("numpy(): RuntimeError: Can't call numpy() on Tensor that requires grad")
    assert page.glue["detach_shares_memory"] is True


def test_every_operation_an_alt_text_names_is_in_its_graph(page):
    drawn = graphs(page)
    assert len(drawn) == 5
    for alt, svg in drawn:
        for operation in re.findall(r"\b[A-Z][a-z]+Backward0\b|\bAccumulateGrad\b", alt):
            assert operation in boxes(svg), (operation, alt)
    for alt, _ in drawn[:3]:  # the parameters' boxes reach the graph through AccumulateGrad, as the list explains
        assert "AccumulateGrad" in alt


def test_the_page_names_the_torchviz_call_that_draws_the_graphs(page):
    assert page.says("`torchviz.make_dot(output, params={\"a\": a, \"b\": b})`")
    import inspect

    from linreg.graphs import draw_graph, graph_source

    assert "graph_source(output, params" in inspect.getsource(draw_graph)
    assert "make_dot(output, params=params" in inspect.getsource(graph_source)
    # "the box colours ... are torchviz's own, so make_dot alone draws them too"
    assert page.says("The box colours below are torchviz's own (the grey is Graphviz's default fill)")
    import torch
    import torchviz

    a = torch.ones(1, requires_grad=True)
    svg = torchviz.make_dot((a * 2).sum(), params={"a": a}).pipe(format="svg").decode()
    assert {"lightblue", "lightgrey", "#caff70"} <= set(re.findall(r'fill="([^"]+)"', svg))  # #caff70: the green


def test_arrows_are_said_to_follow_the_forward_pass_except_for_accumulate_grad(page):
    assert page.says("Each arrow runs from an input to the operation that used it")
    assert page.says("only the `AccumulateGrad` box on each parameter's path is no forward operation: "
                     "it exists for the backward pass")


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


def test_code_lines_fit_the_code_column(page):
    # 80 characters of code fit a code block (beside its copy button) at 1280 px; longer lines hide behind a scrollbar
    lines = [line for cell in page.notebook.cells if cell.cell_type == "code"
             and "colab-setup" not in cell.metadata.get("tags", []) for line in cell.source.splitlines()]
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)


def test_the_values_the_prose_cites_are_recorded_off_the_page(page):
    # glue(...) calls live in record cells, which the build leaves off the page; describe() stays, and is explained
    assert "glue(" not in page.code
    assert page.says("`describe(...)`, which attaches a text description of the figure")


def test_printed_lines_fit_the_code_column(page):
    # about 80 characters fit a code block at 1280 px; longer lines are cut off
    printed = [out.text for cell in page.notebook.cells if cell.cell_type == "code"
               for out in cell.outputs if out.output_type == "stream"]
    lines = "".join(printed).splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)


def test_no_graph_shows_graphviz_tooltips(page):
    assert all("<title" not in svg for _, svg in graphs(page))


# Where two paths meet: the gradients add, printed, then stepped through in the figure (issue 23).

def figure(page):
    """The step-through figure's embedded document, as the browser reads it."""
    import json

    for cell in page.notebook.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            if 'class="linreg-explorable"' in html:
                data = html.split('class="linreg-explorable__data">', 1)[1].split("</script>", 1)[0]
                return json.loads(data.replace("<\\/", "</"))
    raise AssertionError("page 3 shows no explorable")


def test_b_s_gradient_is_the_sum_of_its_two_paths(page):
    glue = page.glue
    assert page.printed(f"a.grad = {page.glue_text['penalised_a_grad']}, b.grad = {page.glue_text['penalised_b_grad']}")
    assert page.printed(f"b, one path at a time: {page.glue_text['b_grad_from_data']} + "
                        f"({page.glue_text['b_grad_from_penalty']}) = {page.glue_text['penalised_b_grad']}")
    assert glue["b_grad_from_data"] + glue["b_grad_from_penalty"] == pytest.approx(glue["penalised_b_grad"], abs=1e-6)
    assert glue["b_grad_from_penalty"] == pytest.approx(-0.1)  # 0.1 * sign(b), b < 0 at the start
    assert page.says("The penalty's is a single term, $0.1 \\cdot \\operatorname{sign}(b)$, since $b$ is one number.")
    assert page.says(f"The two paths bring {page.glue_text['b_grad_from_data']} and "
                     f"{page.glue_text['b_grad_from_penalty']}, and `b.grad` holds their sum, "
                     f"{page.glue_text['penalised_b_grad']}.")


def test_the_figure_records_the_gradients_the_page_prints_and_opens_where_they_are_complete(page):
    glue, data = page.glue_text, figure(page)
    assert (glue["figure_a_grad"], glue["figure_b_grad"]) == (glue["penalised_a_grad"], glue["penalised_b_grad"])
    assert data["start"] == len(data["steps"]) - 1 == page.glue["figure_steps"] - 1
    assert data["steps"][-1]["text"].endswith(f"a.grad = {glue['penalised_a_grad']}, "
                                              f"b.grad = {glue['penalised_b_grad']}.")
    assert page.says("It\nopens at the end of the backward pass, where the leaves hold the gradients printed above.")


def test_the_figure_shows_the_penalty_s_gradient_arriving_first_and_the_sum_at_b(page):
    glue, data = page.glue_text, figure(page)
    (meeting,) = [n for n in data["nodes"] if n["label"] == ["AccumulateGrad"] and "+" in n["grad"]]
    assert meeting["grad"] == (f"{glue['b_grad_from_penalty']} + ({glue['b_grad_from_data']}) = "
                               f"{glue['penalised_b_grad']}")
    assert page.says("the readout names each gradient as it is passed to that box, the penalty's first and the "
                     "data's later, and at the last step the box shows both, added.")
    texts = [s["text"] for s in data["steps"]]
    penalty, = [i for i, t in enumerate(texts) if f"passes {glue['b_grad_from_penalty']} to AccumulateGrad of b" in t]
    from_data, = [i for i, t in enumerate(texts) if f"passes {glue['b_grad_from_data']} to AccumulateGrad of b" in t]
    assert penalty < from_data < len(texts) - 1
    # the forward pass first, the backward pass after, as the prose says
    phases = [s["phase"] for s in data["steps"]]
    assert phases == sorted(phases, key=lambda p: p == "backward")
    # "a tensor of many values shows its first one"
    (pow_box,) = [n for n in data["nodes"] if n["label"] == ["PowBackward0"]]
    assert pow_box["value"].startswith("[") and pow_box["value"].endswith(" …]")


def test_the_figure_s_static_fallback_is_the_penalised_graph(page):
    html = next(out.data["text/html"] for cell in page.notebook.cells for out in cell.get("outputs", [])
                if 'class="linreg-explorable"' in out.get("data", {}).get("text/html", ""))
    fallback = html.split('class="linreg-explorable__fallback">', 1)[1].split('<div class="linreg-explorable__live"')[0]
    assert {"AbsBackward0", "SumBackward0", "AccumulateGrad"} <= boxes(fallback)


def test_the_figure_s_boxes_sit_where_the_page_s_penalised_graph_has_them(page):
    # "in the layout of the graph above": every label line of the figure in the same column as in the static graph
    _, svg = graphs(page)[3]
    drawn = sorted((t.strip(), round(float(x))) for x, t in re.findall(r'<text[^>]* x="([\d.-]+)"[^>]*>([^<>]+)</text>',
                                                                        svg))
    shown = sorted((line, round(n["x"])) for n in figure(page)["nodes"] for line in n["label"])
    assert drawn == shown


def test_the_if_runs_at_the_start_and_not_after_training(page):
    assert page.glue["mse_start"] > 1 > page.glue["mse_trained"]
    # the prose cites the trained loss only after the cell that prints it
    printing = next(i for i, c in enumerate(page.notebook.cells) if "loss_with_penalty(pa, pb" in c.source)
    citing = next(i for i, c in enumerate(page.notebook.cells)
                  if c.cell_type == "markdown" and f"after training it is {page.glue_text['mse_trained']}" in c.source)
    assert citing > printing
    assert page.glue["last_operation_start"] == "AddBackward0"
    assert page.glue["last_operation_trained"] == "MeanBackward0"


def test_three_backward_calls_give_three_times_the_gradient(page):
    accumulated, tripled = re.search(r"a.grad = (-?[\d.]+), three times one gradient = (-?[\d.]+)", page.text).groups()
    assert float(accumulated) == pytest.approx(float(tripled), abs=1e-4)


def test_a_learning_rate_of_one_diverges_and_the_suggested_rate_is_the_pages_own(page):
    assert page.printed("training diverged at epoch")
    assert page.printed("(lr=1) is probably too high") and page.printed("Try a learning rate 10x smaller")
    assert page.printed("recipe A's x already lies in [0, 1).")
    from linreg import data

    x = data.line_data().x_train
    assert 0 <= x.min() and x.max() < 1
    assert "lr = 0.1" in page.code


def test_a_loss_computed_under_no_grad_has_no_grad_fn(page):
    assert page.says("Compute the validation MSE of `trained_a` and `trained_b`")
    assert "grad_fn under no_grad: None" in page.text


def test_exercises_have_collapsed_solutions_that_state_their_answers_in_words(page):
    solutions = [c for c in page.notebook.cells if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) == 4
    for cell in solutions:
        assert any("Answer: " in getattr(out, "text", "") for out in cell.outputs), cell.source[:60]
    assert page.printed("Answer: a.grad is three times the gradient of one call")
    assert page.printed("Answer: no. Under no_grad() nothing is recorded")
