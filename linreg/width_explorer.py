"""What a hidden layer buys: a network's fitted curve for each hidden width and activation (page 9's figure).

An explorable (see [`linreg.explorables`][linreg.explorables]) whose two controls are the
number of hidden units per layer and the activation between the layers. Every
setting is trained at build time by a function the page defines and shows
(its own model, optimizer and loop); the figure draws the trained network's
curve over the data, the noise-free curve thin and dashed, and each setting's
final training loss.

* [`width_explorer()`][linreg.width_explorer.width_explorer] trains every setting and keeps the curves;
* [`width_figure()`][linreg.width_explorer.width_figure] draws a few of them as the static figure shown
  without JavaScript (Jupyter, Colab).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from linreg._checks import check_positive_int
from linreg.explorables import Control, _check_size

__all__ = ["WidthRun", "WidthExplorer", "width_explorer", "width_figure"]


@dataclass(frozen=True)
class WidthRun:
    """One trained network: its settings, its predictions at the explorer's ``x_curve``, its last recorded loss.

    ``final_loss`` is the last entry of the training history (the loss at the last
    epoch, computed before that epoch's update); ``curve`` is the network after
    the last update.
    """

    settings: dict
    curve: np.ndarray
    final_loss: float


@dataclass(frozen=True)
class WidthExplorer:
    """Trained networks over a grid of hidden widths and activations (the activation varying fastest)."""

    title: str
    controls: tuple[Control, ...]
    runs: tuple[WidthRun, ...]
    x: np.ndarray
    y: np.ndarray
    x_curve: np.ndarray
    truth: np.ndarray
    epochs: int
    kind: str = "width"

    def run(self, **settings) -> WidthRun:
        """The run with these settings, e.g. ``explorer.run(hidden=64, activation="ReLU")``."""
        for run in self.runs:
            if all(run.settings[k] == v for k, v in settings.items()):
                return run
        raise KeyError(f"no run with settings {settings!r}; the controls offer "
                       + ", ".join(f"{c.name} in {list(c.values)}" for c in self.controls))

    def to_json(self) -> str:
        """The compact JSON the page embeds: data to 2 decimals, curves to 3, losses to 6 significant digits."""
        low, high = float(min(self.y.min(), self.truth.min())), float(max(self.y.max(), self.truth.max()))
        pad = 0.08 * (high - low)
        document = {
            "kind": self.kind,
            "title": self.title,
            "controls": [{"name": c.name, "label": c.label, "values": list(c.values)} for c in self.controls],
            "runs": [{"settings": r.settings, "curve": _rounded(r.curve, 3),
                      "finalLoss": float(f"{r.final_loss:.6g}")} for r in self.runs],
            "x": _rounded(self.x, 2), "y": _rounded(self.y, 2),
            "xCurve": _rounded(self.x_curve, 3), "truth": _rounded(self.truth, 3),
            "view": [round(float(self.x.min()), 2), round(float(self.x.max()), 2),
                     round(low - pad, 2), round(high + pad, 2)],
            "epochs": self.epochs,
        }
        return json.dumps(document, separators=(",", ":"), allow_nan=False)


def _rounded(values, decimals: int) -> list[float]:
    return [round(float(v), decimals) for v in np.asarray(values, dtype=float).ravel()]


def _column(name: str, values) -> np.ndarray:
    """A 1-D float array from a tensor or array of shape (N,) or (N, 1)."""
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    array = np.asarray(values, dtype=float)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty column of numbers, shape (N,) or (N, 1), got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must hold finite numbers only")
    return array


def _widths(widths) -> tuple[int, ...]:
    try:
        widths = tuple(widths)
    except TypeError:
        raise TypeError(f"widths must be a sequence of positive ints, got {widths!r}") from None
    if not widths:
        raise ValueError("widths must hold at least one width")
    widths = tuple(check_positive_int("widths", w) for w in widths)
    if len(set(widths)) != len(widths) or list(widths) != sorted(widths):
        raise ValueError(f"widths must increase without repeating, got {list(widths)}")
    return widths


def _activations(activations) -> tuple[str, ...]:
    if isinstance(activations, str):
        raise TypeError(f"activations must be a sequence of names, not one string: got {activations!r}")
    activations = tuple(activations)
    if not activations or not all(isinstance(a, str) and a for a in activations):
        raise ValueError(f"activations must be non-empty names (strings), got {list(activations)}")
    if len(set(activations)) != len(activations):
        raise ValueError(f"activations must not repeat a name, got {list(activations)}")
    return activations


def width_explorer(train: Callable[..., tuple], widths: Sequence[int], activations: Sequence[str], *,
                   x, y, x_curve, truth, epochs: int,
                   title: str = "A network's curve by hidden width and activation") -> WidthExplorer:
    """Call ``train(hidden=w, activation=a)`` for every width and activation, and keep each network's curve.

    ``train`` returns ``(model, history)``: the trained network and its
    [`training.History`][linreg.training.History] (its ``train_loss`` list ends with the final loss).
    Each network is evaluated at ``x_curve`` without gradients; ``x``, ``y`` are the
    training data drawn behind the curves and ``truth`` the noise-free curve at ``x_curve``;
    ``epochs`` how long ``train`` trains (the figure says it).

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from linreg.training import History
        >>> def train(hidden, activation):  # a stand-in: a layer of `hidden` units, untrained
        ...     torch.manual_seed(0)
        ...     act = {"none": nn.Identity(), "ReLU": nn.ReLU()}[activation]
        ...     return nn.Sequential(nn.Linear(1, hidden), act, nn.Linear(hidden, 1)), History(train_loss=[1.0])
        >>> grid = torch.linspace(-1, 1, 5).view(-1, 1)
        >>> explorer = width_explorer(train, [2, 4], ["none", "ReLU"], x=grid, y=grid, x_curve=grid,
        ...                           truth=grid, epochs=0)
        >>> [tuple(run.settings.values()) for run in explorer.runs]
        [(2, 'none'), (2, 'ReLU'), (4, 'none'), (4, 'ReLU')]
        >>> curve = explorer.run(hidden=4, activation="none").curve  # no activation: a straight line
        >>> bool(abs(np.diff(curve, 2)).max() < 1e-6)
        True
    """
    import torch

    if not callable(train):
        raise TypeError(f"train must be callable (hidden, activation -> (model, history)), got {type(train).__name__}")
    widths, activations = _widths(widths), _activations(activations)
    x_values, y_values = _column("x", x), _column("y", y)
    if len(x_values) != len(y_values):
        raise ValueError(f"x and y must have the same length, got {len(x_values)} and {len(y_values)}")
    curve_x, truth_values = _column("x_curve", x_curve), _column("truth", truth)
    if len(curve_x) != len(truth_values):
        raise ValueError(f"x_curve and truth must have the same length, got {len(curve_x)} and {len(truth_values)}")
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative int, got {epochs!r}")
    inputs = torch.as_tensor(curve_x, dtype=torch.float32).view(-1, 1)

    runs = []
    for hidden, activation in itertools.product(widths, activations):
        result = train(hidden=hidden, activation=activation)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise TypeError(f"train must return (model, history), got {type(result).__name__}")
        model, history = result
        losses = list(history.train_loss)
        if not losses:
            raise ValueError(f"train(hidden={hidden}, activation={activation!r}) recorded no loss")
        with torch.no_grad():
            curve = model(inputs).view(-1).double().numpy()
        runs.append(WidthRun(settings={"hidden": hidden, "activation": activation}, curve=curve,
                             final_loss=float(losses[-1])))
    controls = (Control("hidden", "Hidden units per layer", widths),
                Control("activation", "Activation", activations))
    explorer = WidthExplorer(title=title, controls=controls, runs=tuple(runs), x=x_values, y=y_values,
                             x_curve=curve_x, truth=truth_values, epochs=epochs)
    _check_size(explorer)
    return explorer


def width_figure(explorer: WidthExplorer, widths: Sequence[int], *, ylim: tuple[float, float] | None = None):
    """A grid of panels, one row per width in ``widths`` and one column per activation: each curve over the data.

    The static figure shown where the live one cannot run. The noise-free curve is
    thin and dashed; each panel's title gives its setting and final loss; the axes,
    shared, are named x (bottom row) and y (left column).

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from linreg.training import History
        >>> grid = torch.linspace(-1, 1, 5).view(-1, 1)
        >>> explorer = width_explorer(lambda hidden, activation: (nn.Linear(1, 1), History(train_loss=[0.5])),
        ...                           [1], ["none"], x=grid, y=grid, x_curve=grid, truth=grid, epochs=0)
        >>> len(width_figure(explorer, [1]).axes)
        1
    """
    from linreg.style import COLORS, new_figure

    if not isinstance(explorer, WidthExplorer):
        raise TypeError(f"explorer must be a WidthExplorer, got {type(explorer).__name__}")
    widths = _widths(widths)
    offered = explorer.controls[0].values
    if not set(widths) <= set(offered):
        raise ValueError(f"widths must be among the explorer's {list(offered)}, got {list(widths)}")
    activations = explorer.controls[1].values
    fig, axes = new_figure(ncols=len(activations), nrows=len(widths), sharex=True, sharey=True)
    for row, hidden in enumerate(widths):
        for column, activation in enumerate(activations):
            ax = axes[row * len(activations) + column]
            run = explorer.run(hidden=hidden, activation=activation)
            ax.scatter(explorer.x, explorer.y, s=3, alpha=0.3, color="#9AA3B2", linewidths=0)
            ax.plot(explorer.x_curve, explorer.truth, "--", color=COLORS["ink"], linewidth=0.9)
            ax.plot(explorer.x_curve, run.curve, color=COLORS["blue"], linewidth=2)
            ax.set_title(f"{hidden} per layer, {activation}: loss {run.final_loss:.3f}", fontsize=9.5)
            if ylim is not None:
                ax.set_ylim(*ylim)
            # the axes are shared: their names on the outer edge, as the live figure has them once
            if row == len(widths) - 1:
                ax.set_xlabel("x")
            if column == 0:
                ax.set_ylabel("y")
    return fig
