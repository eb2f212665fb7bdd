"""Autograd graphs drawn with torchviz and embedded as inline SVG.

torchviz walks ``tensor.grad_fn`` back to the leaves and hands the graph to
Graphviz's ``dot``. Its colours mean:

* blue — a leaf tensor that requires grad (a parameter, with its name);
* grey — an operation's backward function (``AddBackward0``, ``MulBackward0``...);
* orange — a tensor the operation saved for the backward pass (``show_saved=True``);
* green — the tensor you call ``backward()`` on: where the walk starts.

The SVG is drawn in the light palette's colours; the site's stylesheet repaints
each of them (ink, background, every fill) for the dark palette, so one inline
SVG serves both. Its element ids are unique, so several graphs can share a page.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
import shutil
import subprocess
from dataclasses import dataclass

import torch

__all__ = ["GraphvizMissingError", "SvgGraph", "draw_graph", "graph_source", "layer_diagram", "require_dot"]

_INSTALL_HINT = (
    "Graphviz's `dot` program was not found on PATH; torchviz needs it to draw graphs. "
    "Install it with `sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
    "(macOS) or `conda install graphviz`, or run `make serve`/`make test`, which install it."
)

class GraphvizMissingError(RuntimeError):
    """Graphviz's ``dot`` executable is not installed."""


def require_dot() -> str:
    """Return the path of Graphviz's ``dot``, or raise [`GraphvizMissingError`][linreg.graphs.GraphvizMissingError]
    saying how to install it.

    Examples:
        >>> require_dot().endswith("dot")
        True
    """
    path = shutil.which("dot")
    if path is None:
        raise GraphvizMissingError(_INSTALL_HINT)
    return path


@dataclass(frozen=True)
class SvgGraph:
    """An SVG drawing that notebooks display inline (``_repr_html_``)."""

    svg: str
    alt: str

    def _repr_html_(self) -> str:
        return f'<figure class="linreg-graph">{self.svg}<figcaption>{html.escape(self.alt)}</figcaption></figure>'


def _unique_ids(svg: str, prefix: str) -> str:
    # dot names every element "graph0", "node1", "edge1"...: prefix them so two
    # graphs on one page never share an id (duplicate ids break links and a11y).
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    return re.sub(r'(href|xlink:href)="#([^"]+)"', lambda m: f'{m.group(1)}="#{prefix}-{m.group(2)}"', svg)


def _stable_node_names(source: str) -> str:
    # torchviz names nodes by id(tensor), a memory address that changes every
    # run: rename them n1, n2... in order of appearance so the same code always
    # draws the same SVG.
    names: dict[str, str] = {}

    def rename(match: re.Match) -> str:
        lead, name = match.groups()
        return lead + names.setdefault(name, f"n{len(names) + 1}")

    # A node name stands at the start of a statement or right after "->".
    return re.sub(r"(?m)(^\s*|->\s*)(\d+)\b", rename, source)


def draw_graph(output: torch.Tensor, params: dict[str, torch.Tensor] | None = None, *,
               alt: str, show_saved: bool = False) -> SvgGraph:
    """Draw the autograd graph that produced ``output`` as inline SVG.

    ``params`` names the leaf tensors (``{"a": a, "b": b}``) so their boxes
    are labelled; ``alt`` describes the graph for screen readers and becomes the
    caption. ``show_saved`` adds the orange boxes of tensors saved for backward.

    Examples:
        >>> a = torch.ones(1, requires_grad=True)
        >>> graph = draw_graph(a * 2, {"a": a}, alt="a times two")
        >>> graph.svg.startswith("<svg")
        True
    """
    if not isinstance(output, torch.Tensor):
        raise TypeError(f"output must be a torch.Tensor, got {type(output).__name__}")
    if output.grad_fn is None and not output.requires_grad:
        raise ValueError(
            "output has no autograd graph: it was not computed from a tensor with "
            "requires_grad=True (or it was computed under torch.no_grad())"
        )
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("alt must be a non-empty description of the graph, for screen readers")
    params = dict(params or {})
    for name, tensor in params.items():
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"params[{name!r}] must be a torch.Tensor, got {type(tensor).__name__}")
    dot_path = require_dot()
    return _render_svg(_stable_node_names(graph_source(output, params, show_saved=show_saved)), alt, dot_path)


def graph_source(output: torch.Tensor, params: dict[str, torch.Tensor], *, show_saved: bool = False) -> str:
    """The dot source [`draw_graph`][linreg.graphs.draw_graph] lays out: torchviz's graph in the site's font.

    Nodes are named by ``id()`` of their tensor or backward function (torchviz's own names), so a
    caller holding those objects can tell which node is which; the layout is draw_graph's.

    Examples:
        >>> a = torch.ones(1, requires_grad=True)
        >>> "MulBackward0" in graph_source(a * 2, {"a": a})
        True
    """
    from torchviz import make_dot

    graph = make_dot(output, params=params, show_attrs=False, show_saved=show_saved)
    graph.graph_attr.update(bgcolor="transparent", pad="0.2", fontname="Helvetica")
    # fillcolor: without it, dot fills operation boxes with the border colour (black on black).
    graph.node_attr.update(fontname="Helvetica", fontsize="11", color="#1F2430", fontcolor="#1F2430",
                           fillcolor="lightgrey")
    graph.edge_attr.update(color="#1F2430")
    return graph.source


def _render_svg(source: str, alt: str, dot_path: str, engine: tuple[str, ...] = ()) -> SvgGraph:
    # Shared by every drawing here: dot source in, accessible inline SVG out.
    result = subprocess.run([dot_path, *engine, "-Tsvg"], input=source.encode(), capture_output=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"dot failed: {result.stderr.decode(errors='replace').strip()}")
    svg = result.stdout.decode()
    svg = svg[svg.index("<svg"):]  # drop the XML prolog and DOCTYPE: invalid inside HTML
    # Ids named after the drawing itself: the same graph gets the same ids in every
    # build, two different graphs on one page never share one, and no counter
    # hidden in this module decides what a page's HTML looks like.
    digest = hashlib.sha256(f"{source}\0{alt}".encode()).hexdigest()[:8]
    svg = _unique_ids(svg, f"g{digest}")
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(alt.strip(), quote=True)}" ', 1)
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)  # dot's comments name its version
    # dot gives the graph and every node and edge a <title> with its internal name
    # ("%3", "n10->n14"): browsers show it as a tooltip that means nothing to a reader.
    svg = re.sub(r"<title>.*?</title>\n?", "", svg, flags=re.S)
    return SvgGraph(svg=_readable_at_any_width(svg), alt=alt.strip())


MIN_TEXT_PX = 9.5
"""The smallest a graph's text may be drawn, in CSS px: a graph is never shown narrower than this allows."""


def _readable_at_any_width(svg: str) -> str:
    # The page shrinks a graph to the column's width; on a phone a wide one (a four-layer
    # diagram) would shrink its text to 6 px. A minimum width keeps the text at
    # MIN_TEXT_PX or more, and the graph's box scrolls sideways instead (site.css).
    box = re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+) [\d.]+"', svg)
    sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)]
    if box is None or not sizes:
        return svg
    width = math.ceil(MIN_TEXT_PX * float(box[1]) / min(sizes))
    return svg.replace("<svg ", f'<svg style="min-width: {width}px" ', 1)


_LAYER_FILLS = ("#CDE6F5", "#E6E8EC", "#CFEFE4")  # input (light sky), hidden (light grey), output (light green)
_MAX_UNITS = 12  # more circles than this stop being readable


def layer_diagram(sizes, *, alt: str, activation: str | None = None) -> SvgGraph:
    """Draw a fully connected network, e.g. ``[3, 4, 1]``, as circles joined layer to layer.

    Each arrow between two layers is one weight; the caption under every layer
    after the first says how many parameters (weights + biases) it adds.
    ``activation`` (e.g. ``"ReLU"``) names the function every hidden unit applies
    to its weighted sum; it is written in each hidden unit and its layer's caption.
    Units are named ``x1, x2, ...``, ``h1, h2, ...`` and ``ŷ1, ŷ2, ...``; with
    several hidden layers, a unit's name also holds its layer (``h2.3``: hidden
    layer 2, unit 3), so that no two units share a name.

    Examples:
        >>> graph = layer_diagram([3, 4, 1], alt="a 3-4-1 network")
        >>> graph.svg.count("<ellipse")  # one circle per unit: 3 + 4 + 1
        8
    """
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
        raise TypeError(f"sizes must be a sequence of layer widths such as [3, 4, 1], got {type(sizes).__name__}")
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least two layers (inputs and outputs), got {sizes!r}")
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= _MAX_UNITS:
            raise ValueError(f"every layer width in sizes must be an integer from 1 to {_MAX_UNITS}, got {size!r}")
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("alt must be a non-empty description of the diagram, for screen readers")
    if activation is not None and not isinstance(activation, str):
        raise TypeError(f"activation must be a name such as 'ReLU', or None, got {type(activation).__name__}")
    if activation is not None and not activation.replace("_", "").isalnum():
        raise ValueError(f"activation must be a short name of letters and digits such as 'ReLU', got {activation!r}")
    dot_path = require_dot()

    # Every circle gets a pinned position (points; dot's "neato" engine with -n
    # keeps them): dot's own layered layout reorders units within a layer.
    column, row = 150, 52  # points between layers, between units
    bottom = -row * (max(sizes) + 0.6) / 2  # y of the captions under the tallest layer
    lines = [
        "digraph network {",
        '  graph [bgcolor="transparent", pad="0.2", splines=false, fontname="Helvetica"];',
        '  node [shape=circle, style=filled, width="0.5", fixedsize=true, fontname="Helvetica", '
        'fontsize="11", color="#1F2430", fontcolor="#1F2430"];',
        '  edge [color="#5A6272", arrowsize="0.5", penwidth="0.8"];',
    ]
    for layer, size in enumerate(sizes):
        is_output = layer == len(sizes) - 1
        if layer == 0:
            caption, symbol, fill = f"input: {size} feature{'s' if size > 1 else ''}", "x", _LAYER_FILLS[0]
        elif is_output:
            caption, symbol, fill = f"output: {size}", "ŷ", _LAYER_FILLS[2]
        else:
            caption, symbol, fill = f"hidden: {size} units", "h", _LAYER_FILLS[1]
            if len(sizes) > 3:  # several hidden layers: each unit's name says which one
                caption, symbol = f"hidden {layer}: {size} units", f"h{layer}."
            if activation is not None:
                caption += f", {activation}"
        if layer > 0:
            caption += f"\\n{sizes[layer - 1] * size} weights + {size} bias{'es' if size > 1 else ''}"
        x = layer * column
        for unit in range(1, size + 1):
            label = symbol if is_output and size == 1 else f"{symbol}{unit}"
            if activation is not None and 0 < layer < len(sizes) - 1:
                label += f"\\n{activation}"  # the hidden unit's output is activation(weighted sum + bias)
            y = row * ((size + 1) / 2 - unit)  # centred on y = 0, unit 1 on top
            lines.append(f'  L{layer}_{unit} [label="{label}", fillcolor="{fill}", pos="{x},{y:g}!"];')
        lines.append(f'  C{layer} [shape=plaintext, style="", fixedsize=false, label="{caption}", '
                     f'pos="{x},{bottom:g}!"];')
    for layer in range(len(sizes) - 1):
        for source in range(1, sizes[layer] + 1):
            for target in range(1, sizes[layer + 1] + 1):
                lines.append(f"  L{layer}_{source} -> L{layer + 1}_{target};")
    lines.append("}")
    return _render_svg("\n".join(lines), alt, dot_path, engine=("-Kneato", "-n"))
