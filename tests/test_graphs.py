"""Specification of linreg.graphs: autograd graphs and layer diagrams as accessible inline SVG."""

import re
import shutil
from pathlib import Path

import pytest
import torch

from linreg import graphs
from linreg.graphs import GraphvizMissingError, SvgGraph, draw_graph, layer_diagram, require_dot
from linreg.style import contrast_ratio

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def line_loss():
    a = torch.tensor([0.5], requires_grad=True)
    b = torch.tensor([-0.1], requires_grad=True)
    x = torch.linspace(0, 1, 5).view(-1, 1)  # (5, 1)
    loss = ((a + b * x - 2 * x) ** 2).mean()
    return loss, a, b


def ids(svg):
    return re.findall(r'id="([^"]+)"', svg)


@needs_dot
def test_draw_graph_returns_inline_svg_naming_the_parameters():
    loss, a, b = line_loss()
    graph = draw_graph(loss, {"a": a, "b": b}, alt="the loss graph")
    assert isinstance(graph, SvgGraph)
    assert graph.svg.startswith("<svg") and graph.svg.rstrip().endswith("</svg>")
    assert ">a</text>" in graph.svg and ">b</text>" in graph.svg
    assert "MeanBackward0" in graph.svg


@needs_dot
def test_draw_graph_puts_the_alt_text_in_aria_label_and_caption():
    loss, a, b = line_loss()
    graph = draw_graph(loss, {"a": a, "b": b}, alt='MSE "loss" of a line')
    assert 'role="img"' in graph.svg
    assert 'aria-label="MSE &quot;loss&quot; of a line"' in graph.svg
    assert "<figcaption>MSE &quot;loss&quot; of a line</figcaption>" in graph._repr_html_()


@needs_dot
def test_two_graphs_on_one_page_share_no_element_id():
    loss, a, b = line_loss()
    first = draw_graph(loss, {"a": a, "b": b}, alt="first")
    second = draw_graph(loss, {"a": a, "b": b}, alt="second")
    assert ids(first.svg) and ids(second.svg)
    assert not set(ids(first.svg)) & set(ids(second.svg))


@needs_dot
def test_the_same_graph_draws_the_same_svg_apart_from_the_id_prefix():
    # Node names must not be memory addresses: the build compares two executions.
    drawings = []
    for _ in range(2):
        loss, a, b = line_loss()
        svg = draw_graph(loss, {"a": a, "b": b}, alt="same").svg
        drawings.append(re.sub(r'(id="|#)g\d+-', r"\1", svg))
    assert drawings[0] == drawings[1]
    assert not re.search(r"\d{9,}", drawings[0])


@needs_dot
def test_the_graph_has_no_title_tooltips_naming_graphviz_internals():
    # dot titles the graph "%3" and each edge "n10->n14": a browser shows them on hover.
    loss, a, b = line_loss()
    svg = draw_graph(loss, {"a": a, "b": b}, alt="no tooltips").svg
    assert "<title" not in svg
    assert "%3" not in svg and "-&gt;" not in svg


@needs_dot
def test_the_layer_diagram_has_no_title_tooltips():
    assert "<title" not in layer_diagram([3, 4, 1], alt="a 3-4-1 network").svg


@needs_dot
def test_operation_boxes_are_filled_light_grey_not_ink():
    loss, a, b = line_loss()
    svg = draw_graph(loss, {"a": a, "b": b}, alt="colours").svg
    node_fills = re.findall(r'class="node">.*?fill="([^"]+)"', svg, flags=re.S)
    assert "lightgrey" in node_fills and "lightblue" in node_fills  # operations, parameters
    assert "#1f2430" not in node_fills  # dark text on a dark box would be unreadable


@needs_dot
def test_a_tensor_without_requires_grad_has_no_box_in_the_graph():
    a = torch.tensor([0.5])  # a constant
    b = torch.tensor([-0.1], requires_grad=True)
    yhat = a + b * torch.ones(3, 1)
    svg = draw_graph(yhat, {"a": a, "b": b}, alt="only b").svg
    assert ">b</text>" in svg and ">a</text>" not in svg


@needs_dot
def test_show_saved_adds_orange_boxes_for_saved_tensors():
    loss, a, b = line_loss()
    assert 'fill="orange"' in draw_graph(loss, {"a": a, "b": b}, alt="saved", show_saved=True).svg
    assert 'fill="orange"' not in draw_graph(loss, {"a": a, "b": b}, alt="plain").svg


def test_draw_graph_rejects_something_that_is_not_a_tensor():
    with pytest.raises(TypeError, match="output must be a torch.Tensor"):
        draw_graph([1.0, 2.0], alt="a list")


def test_draw_graph_rejects_a_tensor_without_a_graph():
    with pytest.raises(ValueError, match="no autograd graph"):
        draw_graph(torch.ones(3), alt="a constant")


def test_draw_graph_rejects_an_empty_alt_text():
    loss, a, b = line_loss()
    with pytest.raises(ValueError, match="alt"):
        draw_graph(loss, {"a": a}, alt="  ")


def test_draw_graph_rejects_a_param_that_is_not_a_tensor():
    loss, a, b = line_loss()
    with pytest.raises(TypeError, match=r"params\['b'\]"):
        draw_graph(loss, {"a": a, "b": 0.3}, alt="bad params")


def test_draw_graph_says_how_to_install_graphviz_when_dot_is_missing(monkeypatch):
    monkeypatch.setattr(graphs.shutil, "which", lambda name: None)
    loss, a, b = line_loss()
    with pytest.raises(GraphvizMissingError, match="apt-get install graphviz"):
        draw_graph(loss, {"a": a, "b": b}, alt="no dot")


def test_require_dot_raises_graphviz_missing_error_when_dot_is_not_on_path(monkeypatch):
    monkeypatch.setattr(graphs.shutil, "which", lambda name: None)
    with pytest.raises(GraphvizMissingError, match="dot"):
        require_dot()


@needs_dot
def test_layer_diagram_draws_one_circle_per_unit_and_one_arrow_per_weight():
    svg = layer_diagram([3, 4, 1], alt="a 3-4-1 network").svg
    assert svg.count("<ellipse") == 3 + 4 + 1
    assert svg.count('class="edge"') == 3 * 4 + 4 * 1


@needs_dot
def test_layer_diagram_captions_count_the_parameters_of_each_layer():
    svg = layer_diagram([3, 4, 1], alt="a 3-4-1 network").svg
    assert "12 weights + 4 biases" in svg
    assert "4 weights + 1 bias<" in svg


@needs_dot
def test_layer_diagram_writes_the_activation_in_every_hidden_unit_and_its_caption():
    svg = layer_diagram([3, 4, 2, 1], alt="a 3-4-2-1 network", activation="ReLU").svg
    assert svg.count(">ReLU<") == 4 + 2  # one per hidden unit, none in the inputs or the output
    assert "hidden 1: 4 units, ReLU" in svg and "hidden 2: 2 units, ReLU" in svg


@needs_dot
def test_layer_diagram_gives_every_unit_its_own_name():
    import re

    names = re.findall(r">([xhŷ][\d.]*)<", layer_diagram([3, 5, 5, 2], alt="a 3-5-5-2 network").svg)
    assert len(names) == len(set(names)) == 3 + 5 + 5 + 2
    assert {"h1.1", "h1.5", "h2.1", "h2.5"} <= set(names)  # with two hidden layers, the name holds the layer
    single = re.findall(r">(h[\d.]*)<", layer_diagram([3, 4, 1], alt="a 3-4-1 network").svg)
    assert single == ["h1", "h2", "h3", "h4"]  # one hidden layer: h1 to h4


@needs_dot
def test_layer_diagram_without_an_activation_names_none():
    assert "ReLU" not in layer_diagram([3, 4, 1], alt="a 3-4-1 network").svg


@pytest.mark.parametrize("activation", ["", "Re LU", "a<b"])
def test_layer_diagram_rejects_an_activation_that_is_not_a_short_name(activation):
    with pytest.raises(ValueError, match="activation"):
        layer_diagram([3, 4, 1], alt="a 3-4-1 network", activation=activation)


def test_layer_diagram_rejects_an_activation_that_is_not_a_string():
    with pytest.raises(TypeError, match="activation"):
        layer_diagram([3, 4, 1], alt="a 3-4-1 network", activation=torch.relu)


@needs_dot
def test_layer_diagram_is_accessible_and_has_unique_ids():
    first = layer_diagram([3, 4, 1], alt="a 3-4-1 network")
    second = layer_diagram([2, 1], alt="a 2-1 network")
    assert 'aria-label="a 3-4-1 network"' in first.svg
    assert not set(ids(first.svg)) & set(ids(second.svg))


@pytest.mark.parametrize("sizes", [[3], [], [3, 0, 1], [3, 13, 1], [3, 2.5, 1], [True, 1]])
def test_layer_diagram_rejects_bad_layer_sizes(sizes):
    with pytest.raises(ValueError, match="sizes"):
        layer_diagram(sizes, alt="bad")


def test_layer_diagram_rejects_sizes_that_are_not_a_sequence():
    with pytest.raises(TypeError, match="sizes"):
        layer_diagram(3, alt="bad")


def test_layer_diagram_rejects_an_empty_alt_text():
    with pytest.raises(ValueError, match="alt"):
        layer_diagram([3, 4, 1], alt="")


def test_layer_diagram_raises_graphviz_missing_error_when_dot_is_not_on_path(monkeypatch):
    monkeypatch.setattr(graphs.shutil, "which", lambda name: None)
    with pytest.raises(GraphvizMissingError):
        layer_diagram([3, 4, 1], alt="no dot")


def test_graph_ids_depend_on_the_drawing_not_on_how_many_graphs_came_before():
    a = torch.tensor([1.0], requires_grad=True)
    first = graphs.draw_graph(a * 2, {"a": a}, alt="a times two").svg
    graphs.draw_graph(a * 3, {"a": a}, alt="a times three")
    again = graphs.draw_graph(a * 2, {"a": a}, alt="a times two").svg
    other = graphs.draw_graph(a * 3, {"a": a}, alt="a times three").svg
    ids = lambda svg: set(re.findall(r'id="([^"]+)"', svg))  # noqa: E731
    assert first == again
    assert ids(first) and not ids(first) & ids(other)


# ------------------------------------------------------------------ both palettes

SITE_CSS = Path(__file__).resolve().parent.parent / "docs" / "assets" / "stylesheets" / "site.css"


def _palette(scheme: str) -> dict[str, str]:
    """The --linreg-graph-* colours site.css gives the ``scheme`` palette."""
    css = SITE_CSS.read_text()
    selector = re.escape(f'[data-md-color-scheme="{scheme}"]')
    block = re.search(selector + r"[^{]*\{(.*?)\}", css, flags=re.S).group(1)
    return dict(re.findall(r"(--linreg-graph-[a-z]+):\s*(#[0-9a-fA-F]{6})", block))


def _repaints() -> dict[str, str]:
    """SVG fill attribute (lower case) -> the CSS variable that repaints it."""
    rules = re.findall(r'\.linreg-graph svg \[fill="([^"]+)" i\][^{]*\{\s*fill:\s*var\((--linreg-graph-[a-z]+)\)',
                       SITE_CSS.read_text())
    return {fill.lower(): variable for fill, variable in rules}


@needs_dot
@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_every_box_a_graph_fills_is_repainted_for_each_palette_and_its_text_reads_on_it(scheme):
    loss, a, b = line_loss()
    svgs = [draw_graph(loss, {"a": a, "b": b}, alt="saved", show_saved=True).svg,
            layer_diagram([3, 4, 1], alt="a 3-4-1 network").svg]
    nodes = [node for svg in svgs for node in re.findall(r'class="node">(.*?)</g>', svg, flags=re.S)]
    fills = {fill.lower() for node in nodes for fill in re.findall(r'<(?:polygon|ellipse) fill="([^"]+)"', node)}
    fills -= {"none", "transparent"}  # the captions under a layer diagram's columns: text on the background
    assert {"orange", "lightblue", "lightgrey"} <= fills  # saved tensors, parameters, operations
    palette, repaints = _palette(scheme), _repaints()
    for fill in fills:
        assert fill in repaints, f"no site.css rule repaints fill={fill!r} for the palettes"
        ratio = contrast_ratio(palette["--linreg-graph-ink"], palette[repaints[fill]])
        assert ratio >= 4.5, f"{scheme}: the graph's text on fill={fill!r} has contrast {ratio:.1f}:1"


@needs_dot
def test_a_wide_graph_keeps_a_width_at_which_its_text_reads_and_a_small_one_none_it_needs():
    wide = layer_diagram([3, 5, 5, 2], alt="a 3-5-5-2 network").svg
    width = int(re.search(r'style="min-width: (\d+)px"', wide)[1])
    view_width = float(re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+)', wide)[1])
    assert 11 * width / view_width >= graphs.MIN_TEXT_PX  # dot's 11 pt labels, drawn at that width
    small = layer_diagram([1, 1], alt="one weight").svg
    assert int(re.search(r'min-width: (\d+)px', small)[1]) < 318  # fits a phone's column: no scrolling
