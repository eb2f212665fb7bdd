"""autograd_explorer: a graph's forward values and gradients, recorded step by step from autograd itself."""

import json
import re

import pytest
import torch

from linreg.autograd_explorer import autograd_explorer
from linreg.explorables import MAX_JSON_BYTES
from linreg.graphs import draw_graph
from linreg.interactive import explorable


def penalised(a, b, x, y):
    """Page 3's toy rule: the MSE, plus a penalty on |b| while the MSE is above 1."""
    loss = ((a + b * x - y) ** 2).mean()
    if loss > 1:
        loss = loss + 0.1 * b.abs().sum()
    return loss


@pytest.fixture(scope="module")
def setting():
    x = torch.linspace(0, 1, 8).reshape(-1, 1)
    y = 1 + 2 * x
    a = torch.tensor([0.5], requires_grad=True)
    b = torch.tensor([-0.2], requires_grad=True)
    return a, b, x, y


@pytest.fixture(scope="module")
def explorer(setting):
    a, b, x, y = setting
    return autograd_explorer(penalised, {"a": a, "b": b}, x, y)


def node(explorer, label):
    return [n for n in explorer.nodes if n.label[0] == label]


def test_the_gradients_are_the_ones_backward_computes_and_the_callers_tensors_are_left_alone(setting, explorer):
    a, b, x, y = setting
    expected = torch.autograd.grad(penalised(a, b, x, y), [a, b])
    assert explorer.gradients == {"a": expected[0].item(), "b": expected[1].item()}
    assert a.grad is None and b.grad is None


def test_a_leaf_reached_by_two_paths_shows_both_gradients_and_their_sum(setting, explorer):
    a, b, x, y = setting
    from_data, = torch.autograd.grad(((a + b * x - y) ** 2).mean(), b)
    from_penalty, = torch.autograd.grad(0.1 * b.abs().sum(), b)
    accumulate_b = [n for n in node(explorer, "AccumulateGrad") if "+" in n.grad]
    assert len(accumulate_b) == 1  # a has one path, b two
    # the penalty's path is the shorter one back from the output: its gradient arrives first
    assert accumulate_b[0].grad == (f"{from_penalty.item():.4f} + ({from_data.item():.4f}) = "
                                    f"{(from_data + from_penalty).item():.4f}")
    assert node(explorer, "b")[0].grad == f".grad {explorer.gradients['b']:.4f}"


def test_each_box_shows_the_value_its_operation_computed(setting, explorer):
    a, b, x, y = setting
    assert node(explorer, "a")[0].value == "0.5000" and node(explorer, "b")[0].value == "-0.2000"
    assert node(explorer, "AbsBackward0")[0].value == "0.2000"
    assert node(explorer, "MeanBackward0")[0].value == f"{((a + b * x - y) ** 2).mean().item():.4f}"
    # a tensor of several values shows its first one
    assert node(explorer, "PowBackward0")[0].value == f"[{((a + b * x - y) ** 2)[0, 0].item():.4f} …]"
    assert [n.value for n in node(explorer, "AccumulateGrad")] == [None, None]  # no forward value of its own


def test_the_forward_pass_comes_first_operation_by_operation_then_the_backward_pass(explorer):
    phases = [s.phase for s in explorer.steps]
    forward = phases.count("forward")
    assert phases == ["forward"] * forward + ["backward"] * (len(phases) - forward)
    operations = [n for n in explorer.nodes if n.role == "op" and n.label[0] != "AccumulateGrad"]
    assert forward == len(operations) + 1  # the leaves, then one step per operation
    assert sorted(n.forward for n in operations) == list(range(1, forward))
    assert {n.backward for n in explorer.nodes} == set(range(forward, len(phases)))
    assert explorer.steps[0].text == ("The forward pass starts at the leaves that require gradients: "
                                      "a = 0.5000, b = -0.2000.")


def test_the_figure_opens_at_the_end_of_the_backward_pass_which_names_every_leafs_gradient(explorer):
    assert explorer.start == len(explorer.steps) - 1
    grads = explorer.gradients
    assert explorer.steps[-1].text.endswith(f"Every leaf now holds its gradient: a.grad = {grads['a']:.4f}, "
                                            f"b.grad = {grads['b']:.4f}.")


def test_the_boxes_sit_where_dot_puts_them_in_the_pages_static_graph(setting, explorer):
    a, b, x, y = setting
    svg = draw_graph(penalised(a, b, x, y), {"a": a, "b": b}, alt="the graph").svg
    width, height = map(float, re.search(r'viewBox="0\.00 0\.00 ([\d.]+) ([\d.]+)"', svg).groups())
    # dot's SVG adds its 0.2 inch pad on each side
    assert explorer.size == pytest.approx((width - 28.8, height - 28.8), abs=1)
    # every line of every box, in the same column (the SVG shifts the whole drawing by the pad)
    lines = re.findall(r'<text[^>]* x="([\d.-]+)"[^>]*>([^<>]+)</text>', svg)
    texts = sorted((t.strip(), round(float(x))) for x, t in lines)
    assert texts == sorted((line, round(n.x)) for n in explorer.nodes for line in n.label)
    assert len(explorer.edges) == svg.count('class="edge"')


def test_the_json_is_small_and_holds_every_step_and_box(explorer):
    text = explorer.to_json()
    document = json.loads(text)
    assert len(text.encode()) < MAX_JSON_BYTES
    assert document["kind"] == "autograd" and document["start"] == explorer.start
    assert len(document["steps"]) == len(explorer.steps) == len(document["controls"][0]["values"])
    assert [n["grad"] for n in document["nodes"]] == [n.grad for n in explorer.nodes]


def test_a_notebook_cell_displays_it_as_a_step_slider_over_the_static_graph(explorer):
    shown = explorable(explorer, name="steps", caption="Step through it", fallback="<p>static</p>",
                       selected={"step": explorer.start})
    html = shown._repr_html_()
    assert f'max="{len(explorer.steps) - 1}"' in html and f'value="{explorer.start}"' in html
    assert "<p>static</p>" in html and '"kind":"autograd"' in html
    assert repr(shown) == "Explorable(name='steps', kind='autograd')"


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda a: autograd_explorer("loss", {"a": a}), TypeError, "function must be callable"),
    (lambda a: autograd_explorer(lambda a: a * 2, {}), ValueError, "params must be a non-empty dict"),
    (lambda a: autograd_explorer(lambda a: a * 2, {"a": [1.0]}), TypeError, r"params\['a'\] must be a torch.Tensor"),
    (lambda a: autograd_explorer(lambda a: a * 2, {"a": a.detach()}), ValueError, "must require gradients"),
    (lambda a: autograd_explorer(lambda a: a.detach() * 2, {"a": a}), ValueError, "has no grad_fn"),
    (lambda a: autograd_explorer(lambda a: a * torch.ones(3), {"a": a}), ValueError, "must return one number"),
    (lambda a: autograd_explorer(lambda a: a * 2, {"a": a}, title=""), ValueError, "title must be"),
])
def test_bad_arguments_get_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call(torch.ones(1, requires_grad=True))
