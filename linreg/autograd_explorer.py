"""Autograd step by step: a page's small graph, its forward values and its gradients, node by node.

[`autograd_explorer()`][linreg.autograd_explorer.autograd_explorer] calls the page's own
function on copies of its parameters and records, with PyTorch's own machinery:

* each operation's output tensor, as the operation runs (a ``TorchFunctionMode`` sees every
  call on a tensor), so each box of the graph gets the value its operation computed;
* the backward pass, node by node, in the order autograd runs it (a hook on every backward
  function): the gradient that reaches each node, and what it passes to each of its inputs,
  so a node reached by two paths shows the two gradients and their sum.

The boxes sit where Graphviz's ``dot`` puts them in the page's static graph
([`linreg.graphs.graph_source`][linreg.graphs.graph_source], laid out with ``dot -Tjson``),
in torchviz's colours. [`linreg.interactive.explorable`][linreg.interactive.explorable] displays
it; the site's script (``explorables.js``, kind ``autograd``) draws the chosen step.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.overrides import TorchFunctionMode

from linreg.explorables import Control, _check_size
from linreg.graphs import graph_source, require_dot

__all__ = ["GraphNode", "GraphEdge", "Step", "AutogradExplorer", "autograd_explorer"]

_ROLES = {"lightblue": "param", "lightgrey": "op", "darkolivegreen1": "output"}


@dataclass(frozen=True)
class GraphNode:
    """One box: its label lines, torchviz role (``param``, ``op``, ``output``), centre and size in points.

    ``value`` is the forward value as shown (``None`` for a box with none, AccumulateGrad),
    ``grad`` the gradient of the output with respect to it as shown; ``forward`` and ``backward``
    the steps at which each appears.
    """

    label: tuple[str, ...]
    role: str
    x: float
    y: float
    width: float
    height: float
    value: str | None
    grad: str | None
    forward: int | None
    backward: int | None


@dataclass(frozen=True)
class GraphEdge:
    """An arrow of the static graph (forward direction), as an SVG path, and the backward step that uses it."""

    tail: int
    head: int
    path: str
    backward: int | None


@dataclass(frozen=True)
class Step:
    """One stop of the step control: ``phase`` is ``forward`` or ``backward``; ``text`` what happens."""

    phase: str
    name: str
    text: str


@dataclass(frozen=True)
class AutogradExplorer:
    """A graph laid out by Graphviz, with the values and gradients autograd computed, step by step.

    ``gradients`` are the leaves' ``.grad`` after the backward pass, unrounded;
    ``start`` the step the figure opens at.
    """

    title: str
    size: tuple[float, float]
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    steps: tuple[Step, ...]
    gradients: dict
    start: int

    kind = "autograd"
    key = ("Blue: the parameters (leaves); grey: the operations, named after their backward functions; green: the "
           "output. Under a box, its value once the forward pass has computed it, then, in red, the gradient of "
           "the output with respect to it once the backward pass reaches it (AccumulateGrad: the sum of what "
           "reaches the leaf). [x …]: the first of a tensor's values.")

    @property
    def controls(self) -> tuple[Control, ...]:
        """One control: the step, from 0 (the first forward step) to the last backward step."""
        return (Control("step", "Step", tuple(float(i) for i in range(len(self.steps)))),)

    def to_json(self) -> str:
        """The compact JSON the page embeds: every number already written as the figure shows it."""
        document = {
            "kind": self.kind,
            "title": self.title,
            "controls": [{"name": c.name, "label": c.label, "values": list(c.values)} for c in self.controls],
            "size": [round(v, 1) for v in self.size],
            "nodes": [{"label": list(n.label), "role": n.role, "x": round(n.x, 1), "y": round(n.y, 1),
                       "w": round(n.width, 1), "h": round(n.height, 1), "value": n.value, "grad": n.grad,
                       "forward": n.forward, "backward": n.backward} for n in self.nodes],
            "edges": [{"tail": e.tail, "head": e.head, "d": e.path, "backward": e.backward} for e in self.edges],
            "steps": [{"phase": s.phase, "name": s.name, "text": s.text} for s in self.steps],
            "start": self.start,
            "key": self.key,
        }
        return json.dumps(document, separators=(",", ":"), allow_nan=False)


def _shown(tensor: torch.Tensor) -> str:
    """A tensor as a box shows it: one number to 4 decimals, or a vector's first value and an ellipsis."""
    values = tensor.detach().reshape(-1).tolist()
    return f"{values[0]:.4f}" if len(values) == 1 else f"[{values[0]:.4f} …]"


def _described(tensor: torch.Tensor) -> str:
    """A tensor as the step's sentence says it: a number, or its shape and first value."""
    first = tensor.detach().reshape(-1)[0].item()
    return f"{first:.4f}" if tensor.numel() == 1 else f"a {tuple(tensor.shape)} tensor (first value {first:.4f})"


def _sum(terms: list[str]) -> str:
    """``-0.1000 + (-1.8338)``: a sum whose terms may be negative, written unambiguously."""
    return " + ".join(t if i == 0 or not t.startswith("-") else f"({t})" for i, t in enumerate(terms))


class _RecordOutputs(TorchFunctionMode):
    # Every torch call on a tensor passes through here while the function runs: keep each
    # result that autograd recorded, under its backward node, with the name of the call.
    def __init__(self):
        super().__init__()
        self.outputs: dict[int, tuple[torch.Tensor, str]] = {}
        self.order: list[object] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        if isinstance(result, torch.Tensor) and result.grad_fn is not None and id(result.grad_fn) not in self.outputs:
            self.outputs[id(result.grad_fn)] = (result, getattr(func, "__name__", "operation").strip("_"))
            self.order.append(result.grad_fn)
        return result


def _layout(source: str, dot_path: str) -> dict:
    result = subprocess.run([dot_path, "-Tjson0"], input=source.encode(), capture_output=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"dot failed: {result.stderr.decode(errors='replace').strip()}")
    return json.loads(result.stdout)


def _edge_path(pos: str, top: float) -> str:
    # dot's edge "pos": "e,x,y" (the arrowhead's tip) then the cubic B-spline's points, y up.
    parts = pos.split()
    tip = None
    if parts[0].startswith("e,"):
        tip = tuple(map(float, parts.pop(0)[2:].split(",")))
    points = [tuple(map(float, p.split(","))) for p in parts]
    flip = [(x, top - y) for x, y in points]
    d = f"M{flip[0][0]:.1f},{flip[0][1]:.1f}C" + " ".join(f"{x:.1f},{y:.1f}" for x, y in flip[1:])
    if tip is not None:
        d += f"L{tip[0]:.1f},{top - tip[1]:.1f}"
    return d


def autograd_explorer(function: Callable[..., torch.Tensor], params: dict[str, torch.Tensor], *args,
                      title: str = "Autograd step by step") -> AutogradExplorer:
    """Call ``function(*params.values(), *args)`` on copies of ``params`` and record its graph step by step.

    ``params`` names the leaves (``{"a": a, "b": b}``), as for
    [`draw_graph`][linreg.graphs.draw_graph]; the copies keep their values, so the
    caller's tensors and their ``.grad`` are left alone. ``function`` must return the
    one-element tensor ``backward()`` starts from (a loss).

    Examples:
        >>> w = torch.tensor([2.0], requires_grad=True)
        >>> explorer = autograd_explorer(lambda w: w * w + w, {"w": w})
        >>> explorer.gradients  # d(w² + w)/dw at w = 2: two paths meet, 2w + 1
        {'w': 5.0}
        >>> [node.grad for node in explorer.nodes if node.label == ("AccumulateGrad",)]  # three paths meet
        ['1.0000 + 2.0000 + 2.0000 = 5.0000']
    """
    if not callable(function):
        raise TypeError(f"function must be callable (the page's expression), got {type(function).__name__}")
    if not isinstance(params, dict) or not params:
        raise ValueError("params must be a non-empty dict of name -> leaf tensor, e.g. {'a': a, 'b': b}")
    for name, tensor in params.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"params' names must be non-empty strings, got {name!r}")
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"params[{name!r}] must be a torch.Tensor, got {type(tensor).__name__}")
        if not tensor.requires_grad:
            raise ValueError(f"params[{name!r}] must require gradients (requires_grad=True): it is a leaf of the graph")
    if not isinstance(title, str) or not title.strip():
        raise ValueError("title must be a non-empty string")
    dot_path = require_dot()

    leaves = {name: tensor.detach().clone().requires_grad_() for name, tensor in params.items()}
    with _RecordOutputs() as recorded:
        output = function(*leaves.values(), *args)
    if not isinstance(output, torch.Tensor) or output.grad_fn is None:
        raise ValueError("function must return a tensor computed from params (it has no grad_fn)")
    if output.numel() != 1:
        raise ValueError(f"function must return one number (a loss) for backward() to start from, got shape "
                         f"{tuple(output.shape)}")

    # Torchviz names each box by id() of its tensor or backward node: map the names back to them.
    functions: dict[str, object] = {}
    stack = [output.grad_fn]
    while stack:
        node = stack.pop()
        if str(id(node)) in functions:
            continue
        functions[str(id(node))] = node
        stack.extend(u for u, _ in node.next_functions if u is not None)
    leaf_of = {str(id(f.variable)): f for f in functions.values() if hasattr(f, "variable")}
    names_of_leaf = {id(t): n for n, t in leaves.items()}

    # The backward pass, node by node: what reaches each node and what it passes on.
    ran: list[object] = []
    received: dict[str, torch.Tensor] = {}
    passed: dict[str, list[tuple[str, torch.Tensor]]] = {}  # node -> [(input node, gradient sent)]
    arrived: dict[str, list[tuple[str, torch.Tensor]]] = {}  # node -> [(sender, gradient)], in arrival order

    def watch(node):
        def hook(grad_inputs, grad_outputs):
            name = str(id(node))
            ran.append(node)
            received[name] = grad_outputs[0].detach().clone()
            passed[name] = []
            for (child, _), grad in zip(node.next_functions, grad_inputs, strict=False):
                if child is not None and grad is not None:
                    passed[name].append((str(id(child)), grad.detach().clone()))
                    arrived.setdefault(str(id(child)), []).append((name, grad.detach().clone()))
        return hook

    for node in functions.values():
        node.register_hook(watch(node))
    output.backward()
    gradients = {name: leaf.grad.item() if leaf.grad.numel() == 1 else leaf.grad.tolist()
                 for name, leaf in leaves.items()}

    layout = _layout(graph_source(output, leaves), dot_path)
    top = float(layout["bb"].split(",")[3])
    objects = layout["objects"]
    display = {o["name"]: o["label"].split("\n")[0].strip() or "output" for o in objects}
    for name, leaf in leaf_of.items():
        display[name] = names_of_leaf.get(id(leaf.variable), display[name])
    for name, node in functions.items():
        if hasattr(node, "variable"):
            display[name] = f"{display[name]} of {display[str(id(node.variable))]}"

    # The steps: the leaves, then each operation as it ran; then backward from the output.
    steps: list[Step] = []
    forward_at: dict[str, int] = {}
    leaf_names = ", ".join(f"{n} = {_described(t)}" for n, t in leaves.items())
    steps.append(Step("forward", "the leaves", f"The forward pass starts at the leaves that require gradients: "
                                               f"{leaf_names}."))
    for name in leaf_of:
        forward_at[name] = 0
    output_name = str(id(output))
    for node in recorded.order:
        name = str(id(node))
        if name not in functions:
            continue  # a result the output does not depend on (e.g. the loss > 1 test)
        tensor, call = recorded.outputs[id(node)]
        forward_at[name] = len(steps)
        if node is output.grad_fn:
            forward_at[output_name] = len(steps)
        steps.append(Step("forward", display[name], f"The operation {call} runs, and autograd records "
                                                    f"{display[name]} for it. Its value: {_described(tensor)}."))
    steps[-1] = Step("forward", steps[-1].name, steps[-1].text + " That is the output, where backward() starts.")

    backward_at: dict[str, int] = {output_name: len(steps)}
    steps.append(Step("backward", "the output", "backward() starts at the output: its gradient with respect to "
                                                "itself is 1.0000."))
    grads: dict[str, str] = {output_name: "1.0000"}
    for node in ran:
        name = str(id(node))
        backward_at[name] = len(steps)
        arriving = arrived.get(name, [])
        total = received[name]
        if len(arriving) > 1:
            grads[name] = _sum([_shown(g) for _, g in arriving]) + f" = {_shown(total)}"
        else:
            grads[name] = _shown(total)
        if hasattr(node, "variable"):
            leaf = display[str(id(node.variable))]
            backward_at[str(id(node.variable))] = len(steps)
            grads[str(id(node.variable))] = f".grad {_shown(node.variable.grad)}"
            if len(arriving) > 1:
                text = (f"AccumulateGrad adds the {len(arriving)} gradients that reach {leaf}: "
                        + _sum([_described(g) for _, g in arriving]) + " (from "
                        + " and ".join(display[c] for c, _ in arriving) + ", in that order)"
                        + f" = {_described(total)} into {leaf}.grad.")
            else:
                text = f"AccumulateGrad stores the gradient that reaches {leaf}, {_described(total)}, in {leaf}.grad."
        else:
            text = (f"{display[name]} receives {_described(total)} and passes "
                    + " and ".join(f"{_described(g)} to {display[c]}" for c, g in passed[name]) + ".")
        steps.append(Step("backward", display[name], text))
    summary = ", ".join(f"{n}.grad = {_described(t.grad)}" for n, t in leaves.items())
    steps[-1] = Step("backward", steps[-1].name, f"{steps[-1].text} Every leaf now holds its gradient: {summary}.")

    values: dict[str, str] = {}
    for name, node in functions.items():
        if id(node) in recorded.outputs:
            values[name] = _shown(recorded.outputs[id(node)][0])
    for name, leaf in leaf_of.items():
        values[name] = _shown(leaf.variable)
    values[output_name] = _shown(output)

    nodes = []
    for o in objects:
        x, y = map(float, o["pos"].split(","))
        name = o["name"]
        nodes.append(GraphNode(
            label=tuple(line.strip() for line in o["label"].split("\n") if line.strip()) or ("output",),
            role=_ROLES.get(o.get("fillcolor", "lightgrey"), "op"), x=x, y=top - y,
            width=72 * float(o["width"]), height=72 * float(o["height"]),
            value=values.get(name), grad=grads.get(name),
            forward=forward_at.get(name),
            backward=backward_at.get(name)))
    names = [o["name"] for o in objects]
    edges = []
    for e in layout.get("edges", []):
        head = names[e["head"]]
        # The arrow tail -> head carries the gradient back at the head's backward step.
        edges.append(GraphEdge(tail=e["tail"], head=e["head"], path=_edge_path(e["pos"], top),
                               backward=backward_at.get(head)))

    explorer = AutogradExplorer(title=title, size=(float(layout["bb"].split(",")[2]), top), nodes=tuple(nodes),
                                edges=tuple(edges), steps=tuple(steps), gradients=gradients, start=len(steps) - 1)
    _check_size(explorer)
    return explorer

