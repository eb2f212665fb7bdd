"""Explorables: interactive figures precomputed at build time, drawn in the reader's browser.

A page cannot run training while the reader drags a slider (no kernel, no
server), so every run the slider can reach is computed when the page executes,
by linreg's own training code, and embedded in the page as compact JSON. The
site's small script (``docs/assets/javascripts/explorables.js``) draws the
selected run; without JavaScript (and in Jupyter or Colab) the reader sees a
static figure instead.

* [`learning_rate_explorer()`][linreg.explorables.learning_rate_explorer]: batch gradient descent
  ([`linreg.scratch.gradient_descent()`][linreg.scratch.gradient_descent]) at each of several learning rates;
* [`momentum_explorer()`][linreg.explorables.momentum_explorer]: SGD with momentum
  ([`linreg.optimizer_paths.optimizer_path()`][linreg.optimizer_paths.optimizer_path]) over a grid of learning
  rates and momenta;
* [`schedule_explorer()`][linreg.explorables.schedule_explorer]: the learning rate and the losses of
  a training run for each setting of a scheduler (the page's own training function makes the runs);

The module is longer than most (about 470 lines) because the three builders share
one run format, one divergence rule and one size budget, which belong together.
What a notebook cell displays for an explorer, and the plain-Python block run by
Pyodide, live in [`linreg.interactive`][linreg.interactive].

Each run follows the parameters ``(weight, bias)`` of a line ``bias + weight * x``
(for recipe A the slope ``b`` and the intercept ``a``). A run **diverges** when
its loss passes ``blowup`` times its starting loss, or stops being a finite
number: it is kept up to that step and flagged, so the figure can say where it
went wrong.
"""

from __future__ import annotations

import itertools
import json
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from linreg._checks import (
    DivergedError,
    as_line_arrays,
    check_fraction,
    check_positive_int,
    check_positive_number,
)

__all__ = [
    "Run",
    "Control",
    "Explorer",
    "learning_rate_explorer",
    "momentum_explorer",
    "ScheduleRun",
    "ScheduleExplorer",
    "schedule_explorer",
    "BLOWUP",
    "MAX_JSON_BYTES",
]

BLOWUP = 1e6
"""A run counts as diverged once its loss is this many times its starting loss."""
MAX_JSON_BYTES = 150 * 1024
"""The largest JSON encoding an explorer may embed in a page."""
_DRAWN_POINTS = 150  # points kept per run for drawing: a polyline this dense looks smooth


@dataclass(frozen=True)
class Run:
    """One precomputed training run.

    ``steps``, ``weights``, ``biases`` and ``losses`` are the points kept for
    drawing (the start, the first steps, then evenly spaced ones, and the last):
    after ``steps[i]`` updates the parameters were ``(weights[i], biases[i])`` and
    the training MSE ``losses[i]``. ``final`` is ``(weight, bias)`` after the last
    update, unrounded; ``diverged_at`` the update whose loss passed the blow-up
    limit, or None.
    """

    settings: dict
    steps: np.ndarray
    weights: np.ndarray
    biases: np.ndarray
    losses: np.ndarray
    final: tuple[float, float]
    final_loss: float
    diverged_at: int | None

    @property
    def diverged(self) -> bool:
        """Whether the run was stopped because its loss blew up."""
        return self.diverged_at is not None


@dataclass(frozen=True)
class Control:
    """A slider: ``name`` is the setting it chooses (a key of every run's ``settings``), ``label`` what it says."""

    name: str
    label: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Explorer:
    """Precomputed runs over a grid of settings, and what the figure draws around them.

    ``runs`` lists one run per combination of the controls' values, the last
    control varying fastest. ``minimum`` is the least-squares ``(weight, bias)``;
    ``contours`` the loss's level curves, each a closed ``(K, 2)`` polyline of
    ``(weight, bias)`` (the MSE of a line is a quadratic bowl, so they are exact
    ellipses); ``view`` the ``(weight_min, weight_max, bias_min, bias_max)`` drawn.
    """

    title: str
    controls: tuple[Control, ...]
    runs: tuple[Run, ...]
    minimum: tuple[float, float]
    contours: tuple[np.ndarray, ...]
    view: tuple[float, float, float, float]
    labels: tuple[str, str]
    step_name: str

    def run(self, **settings) -> Run:
        """The run with these settings, e.g. ``explorer.run(lr=0.1)``.

        Examples:
            >>> from linreg import data
            >>> line = data.line_data()
            >>> explorer = learning_rate_explorer(line.x_train, line.y_train, [0.1, 2.0], epochs=50)
            >>> explorer.run(lr=2.0).diverged, explorer.run(lr=0.1).diverged
            (True, False)
        """
        for run in self.runs:
            if all(math.isclose(run.settings[k], v) for k, v in settings.items()):
                return run
        raise KeyError(f"no run with settings {settings!r}; the controls offer "
                       + ", ".join(f"{c.name} in {list(c.values)}" for c in self.controls))

    def to_json(self) -> str:
        """The compact JSON the page embeds: parameters to 4 decimals, losses to 4 significant digits.

        ``final`` keeps 6 decimals, so the figure can quote the same numbers the page prints.
        """
        def run_data(run: Run) -> dict:
            return {
                "settings": run.settings,
                "steps": run.steps.tolist(),
                "w": _rounded(run.weights, 4), "b": _rounded(run.biases, 4),
                "loss": [float(f"{v:.4g}") for v in run.losses],
                "final": [round(run.final[0], 6), round(run.final[1], 6)],
                "finalLoss": float(f"{run.final_loss:.6g}"),
                "divergedAt": run.diverged_at,
            }

        document = {
            "kind": "path",
            "title": self.title,
            "controls": [{"name": c.name, "label": c.label, "values": list(c.values)} for c in self.controls],
            "runs": [run_data(run) for run in self.runs],
            "minimum": [round(v, 6) for v in self.minimum],
            "contours": [[_rounded(c[:, 0], 3), _rounded(c[:, 1], 3)] for c in self.contours],
            "view": [round(v, 4) for v in self.view],
            "labels": list(self.labels),
            "stepName": self.step_name,
        }
        return json.dumps(document, separators=(",", ":"), allow_nan=False)

    @staticmethod
    def from_json(text: str) -> dict:
        """The embedded document as Python data (what the browser reads)."""
        return json.loads(text)


def _rounded(values, decimals: int) -> list[float]:
    return [round(float(v), decimals) for v in values]


def _mse(weights: np.ndarray, biases: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The MSE of ``bias + weight * x`` at each point of a path, in float64 (inf where it overflows)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return ((biases[:, None] + weights[:, None] * x[None, :] - y[None, :]) ** 2).mean(axis=1)


def _longest_finite(train: Callable[[int], tuple[np.ndarray, np.ndarray]], epochs: int):
    """``train(epochs)``, or, if it raises DivergedError, the longest run that does not (``None`` if none)."""
    try:
        return train(epochs)
    except DivergedError:
        pass
    low, high, best = 1, epochs - 1, None  # train(epochs) failed; find the largest count that succeeds
    while low <= high:
        middle = (low + high) // 2
        try:
            best = train(middle)
            low = middle + 1
        except DivergedError:
            high = middle - 1
    return best


def _kept(count: int) -> np.ndarray:
    """Indices of the path points kept for drawing: all of the first 50, then evenly spaced, and the last."""
    if count <= _DRAWN_POINTS:
        return np.arange(count)
    head = np.arange(50)
    tail = np.linspace(50, count - 1, _DRAWN_POINTS - 50).round().astype(int)
    return np.unique(np.concatenate([head, tail]))


def _make_run(settings: dict, path: tuple[np.ndarray, np.ndarray] | None, start: tuple[float, float],
              x: np.ndarray, y: np.ndarray, epochs: int, blowup: float) -> Run:
    """A Run from a path of ``(weights, biases)``: cut and flagged where its loss blows up."""
    weights, biases = path if path is not None else (np.array([start[0]]), np.array([start[1]]))
    losses = _mse(weights, biases, x, y)
    blown = np.flatnonzero(~np.isfinite(losses) | (losses > blowup * losses[0]))
    diverged_at = None
    if blown.size:
        diverged_at = int(blown[0])
        weights, biases, losses = weights[:diverged_at + 1], biases[:diverged_at + 1], losses[:diverged_at + 1]
    elif len(weights) < epochs + 1:
        diverged_at = len(weights)  # the next update made the loss overflow
    keep = _kept(len(weights))
    finite = np.isfinite(losses[keep])
    keep = keep[finite]
    return Run(settings=settings, steps=keep, weights=weights[keep], biases=biases[keep], losses=losses[keep],
               final=(float(weights[-1]), float(biases[-1])), final_loss=float(losses[-1]),
               diverged_at=diverged_at)


def _contours(x: np.ndarray, y: np.ndarray, minimum: tuple[float, float], top: float,
              levels: int = 9, points: int = 64) -> tuple[np.ndarray, ...]:
    """Level curves of the MSE: ellipses around the minimum, excess losses from ``top`` down by factors of 3."""
    # MSE(w, b) = MSE(minimum) + d^T M d with d = (w, b) - minimum and M = [[mean x^2, mean x], [mean x, 1]]
    m = np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    eigenvalues, eigenvectors = np.linalg.eigh(m)
    angle = np.linspace(0, 2 * np.pi, points)
    unit = np.stack([np.cos(angle), np.sin(angle)])  # (2, K)
    curves = []
    for k in range(levels):
        excess = top / 3 ** k
        offsets = eigenvectors @ (np.sqrt(excess / eigenvalues)[:, None] * unit)  # (2, K)
        curves.append(np.column_stack([minimum[0] + offsets[0], minimum[1] + offsets[1]]))
    return tuple(curves)


def _view(runs: Sequence[Run], minimum: tuple[float, float], margin: float = 0.15) -> tuple[float, ...]:
    """The rectangle drawn: the start, the minimum and a typical converging run's path, with a margin.

    Each edge is the median of the converging runs' own edges, so a few runs that swing
    far out (a large momentum, a rate at the edge of stability) leave the picture for a
    while instead of shrinking every other path to a dot.
    """
    steady = [r for r in runs if not r.diverged] or list(runs)
    start = (runs[0].weights[0], runs[0].biases[0])
    box = []
    for axis, (values, point) in enumerate(((lambda r: r.weights, minimum[0]), (lambda r: r.biases, minimum[1]))):
        low = min(float(np.median([values(r).min() for r in steady])), point, start[axis])
        high = max(float(np.median([values(r).max() for r in steady])), point, start[axis])
        pad = margin * (high - low) if high > low else 1.0
        box += [low - pad, high + pad]
    return tuple(box)


def _finish(title, controls, runs, x, y, labels, step_name) -> Explorer:
    from linreg.scratch import closed_form

    bias, weight = closed_form(x, y)
    minimum = (weight, bias)
    view = _view(runs, minimum)
    corners = _mse(np.array(view[:2] * 2), np.array([view[2], view[2], view[3], view[3]]), x, y)
    floor = float(_mse(np.array([weight]), np.array([bias]), x, y)[0])
    contours = _contours(x, y, minimum, top=float(corners.max()) - floor)
    explorer = Explorer(title=title, controls=tuple(controls), runs=tuple(runs), minimum=minimum,
                        contours=contours, view=view, labels=labels, step_name=step_name)
    _check_size(explorer)
    return explorer


def _settings_values(name: str, values, check) -> tuple[float, ...]:
    try:
        values = tuple(values)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of numbers, got {values!r}") from None
    if not values:
        raise ValueError(f"{name} must hold at least one value")
    values = tuple(check(name, v) for v in values)
    if len(set(values)) != len(values):
        raise ValueError(f"{name} must not repeat a value, got {list(values)}")
    return values


def _check_momentum(name: str, value) -> float:
    value = check_fraction(name, value, inclusive=True)
    if value == 1:
        raise ValueError(f"{name} must lie in [0, 1) (a momentum of 1 never forgets a gradient), got {value!r}")
    return value


def learning_rate_explorer(x, y, learning_rates: Sequence[float], *, epochs: int = 1000,
                           init: tuple[float, float] | None = None, seed: int = 42,
                           blowup: float = BLOWUP) -> Explorer:
    """Batch gradient descent on ``y = a + b x`` at each learning rate.

    The runs are [`scratch.gradient_descent()`][linreg.scratch.gradient_descent]'s.

    Every run starts from ``init`` ``(a, b)`` (default: the seeded start of
    [`scratch.initial_parameters()`][linreg.scratch.initial_parameters]) and takes ``epochs`` full-batch updates,
    exactly as page 2's loop; a run whose loss blows up stops there, flagged as diverged.

    Examples:
        >>> from linreg import data
        >>> line = data.line_data()
        >>> explorer = learning_rate_explorer(line.x_train, line.y_train, [0.01, 0.1, 1.0], epochs=100)
        >>> [run.diverged for run in explorer.runs]
        [False, False, True]
    """
    from linreg.scratch import gradient_descent, initial_parameters

    x, y = as_line_arrays(x, y)
    learning_rates = _settings_values("learning_rates", learning_rates, check_positive_number)
    epochs = check_positive_int("epochs", epochs)
    blowup = check_positive_number("blowup", blowup)
    a0, b0 = initial_parameters(seed) if init is None else init

    runs = []
    for lr in learning_rates:
        def train(count, lr=lr):
            fit = gradient_descent(x, y, lr=lr, epochs=count, init=(a0, b0), seed=seed)
            return fit.weights, fit.biases  # slope b, intercept a along the path

        runs.append(_make_run({"lr": lr}, _longest_finite(train, epochs), (b0, a0), x[:, 0], y[:, 0],
                              epochs, blowup))
    return _finish("Gradient descent at different learning rates", [Control("lr", "Learning rate", learning_rates)],
                   runs, x[:, 0], y[:, 0], ("b (slope)", "a (intercept)"), "epoch")


def momentum_explorer(x, y, learning_rates: Sequence[float], momenta: Sequence[float], *, steps: int = 100,
                      weight: float = -15.0, bias: float = -10.0, blowup: float = BLOWUP) -> Explorer:
    """Full-batch ``torch.optim.SGD`` with momentum over a grid of learning rates and momenta (β).

    Each run is [`optimizer_paths.optimizer_path()`][linreg.optimizer_paths.optimizer_path] from ``(weight, bias)`` for
    ``steps`` full-batch steps; β = 0 is plain SGD. A run whose loss blows up stops there, flagged.

    Examples:
        >>> from linreg import data
        >>> x, y = data.surface_line_data(seed=1)
        >>> explorer = momentum_explorer(x, y, [0.01, 0.5], [0.0, 0.9], steps=20)
        >>> [(run.settings["lr"], run.settings["momentum"], run.diverged) for run in explorer.runs]
        [(0.01, 0.0, False), (0.01, 0.9, False), (0.5, 0.0, True), (0.5, 0.9, False)]
    """
    import torch

    from linreg.optimizer_paths import optimizer_path

    x, y = as_line_arrays(x, y)
    learning_rates = _settings_values("learning_rates", learning_rates, check_positive_number)
    momenta = _settings_values("momenta", momenta, _check_momentum)
    steps = check_positive_int("steps", steps)
    blowup = check_positive_number("blowup", blowup)

    runs = []
    for lr, beta in itertools.product(learning_rates, momenta):
        def train(count, lr=lr, beta=beta):
            path = optimizer_path(x, y, lambda p: torch.optim.SGD(p, lr=lr, momentum=beta),
                                  weight=weight, bias=bias, epochs=count)
            return path.weights, path.biases

        runs.append(_make_run({"lr": lr, "momentum": beta}, _longest_finite(train, steps), (weight, bias),
                              x[:, 0], y[:, 0], steps, blowup))
    controls = [Control("lr", "Learning rate", learning_rates), Control("momentum", "Momentum β", momenta)]
    return _finish("SGD with momentum", controls, runs, x[:, 0], y[:, 0], ("weight", "bias"), "step")


@dataclass(frozen=True)
class ScheduleRun:
    """One training run under a scheduler: per epoch, the learning rate and the training and validation losses.

    ``diverged`` is True when the run stopped with a DivergedError (its lists are then empty).
    """

    settings: dict
    lr: tuple[float, ...]
    train_loss: tuple[float, ...]
    val_loss: tuple[float, ...]
    diverged: bool = False


@dataclass(frozen=True)
class ScheduleExplorer:
    """Runs of one scheduler over a grid of its settings (the last control varying fastest)."""

    title: str
    controls: tuple[Control, ...]
    runs: tuple[ScheduleRun, ...]
    floor: float | None = None

    def run(self, **settings) -> ScheduleRun:
        """The run with these settings, e.g. ``explorer.run(step_size=30, gamma=0.5)``."""
        return Explorer.run(self, **settings)

    def to_json(self) -> str:
        """The compact JSON the page embeds: rates and losses to 4 significant digits, the last epoch's to 6."""
        def curve(values):
            values = list(values)
            return [float(f"{v:.4g}") for v in values[:-1]] + [float(f"{v:.6g}") for v in values[-1:]]

        document = {
            "kind": "schedule",
            "title": self.title,
            "controls": [{"name": c.name, "label": c.label, "values": list(c.values)} for c in self.controls],
            "runs": [{"settings": r.settings, "lr": curve(r.lr), "train": curve(r.train_loss),
                      "val": curve(r.val_loss), "diverged": r.diverged} for r in self.runs],
            "floor": None if self.floor is None else float(f"{self.floor:.6g}"),
        }
        return json.dumps(document, separators=(",", ":"), allow_nan=False)


def schedule_explorer(train: Callable[..., object], grid: dict[str, Sequence[float]], *,
                      labels: dict[str, str] | None = None, floor: float | None = None,
                      title: str = "A learning-rate schedule") -> ScheduleExplorer:
    """Call ``train(**settings)`` for every combination of ``grid``'s values and keep each run's curves.

    ``train`` returns a [`training.History`][linreg.training.History] (anything with ``lr``,
    ``train_loss`` and ``val_loss`` lists), e.g. the page's own training function
    with a scheduler built from the settings; ``labels`` names each setting on its
    slider; ``floor`` is a loss no run can beat, drawn as a line.

    Examples:
        >>> from linreg.training import History
        >>> def train(gamma):
        ...     rates = [0.1 * gamma ** epoch for epoch in range(3)]
        ...     return History(train_loss=[1.0, 0.5, 0.4], val_loss=[1.1, 0.6, 0.5], lr=rates)
        >>> explorer = schedule_explorer(train, {"gamma": [0.5, 0.9]})
        >>> explorer.run(gamma=0.5).lr
        (0.1, 0.05, 0.025)
    """
    if not callable(train):
        raise TypeError(f"train must be callable (settings -> History), got {type(train).__name__}")
    if not isinstance(grid, dict) or not grid:
        raise ValueError("grid must be a non-empty dict of setting name -> values")
    labels = dict(labels or {})
    controls = []
    for name, values in grid.items():
        values = _settings_values(name, values, _check_setting)
        controls.append(Control(name, labels.get(name, name), values))
    if floor is not None:
        floor = check_positive_number("floor", floor)
    runs = []
    for combination in itertools.product(*(c.values for c in controls)):
        settings = dict(zip(grid, combination, strict=True))
        try:
            history = train(**settings)
        except DivergedError:
            runs.append(ScheduleRun(settings=settings, lr=(), train_loss=(), val_loss=(), diverged=True))
            continue
        runs.append(ScheduleRun(settings=settings, lr=tuple(map(float, history.lr)),
                                train_loss=tuple(map(float, history.train_loss)),
                                val_loss=tuple(map(float, history.val_loss))))
    explorer = ScheduleExplorer(title=title, controls=tuple(controls), runs=tuple(runs), floor=floor)
    _check_size(explorer)
    return explorer


def _check_setting(name: str, value) -> float | int:
    """A scheduler setting: a positive number, kept an int if it is one (a step size counts epochs)."""
    check_positive_number(name, value)
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def _check_size(explorer, remedy: str = "use fewer settings or fewer epochs") -> None:
    """Refuse an explorer whose JSON a page may not embed; ``remedy`` says what to make smaller."""
    size = len(explorer.to_json().encode())
    if size > MAX_JSON_BYTES:
        raise ValueError(f"the explorer's data take {size // 1024} KiB, more than the {MAX_JSON_BYTES // 1024} KiB "
                         f"a page may embed: {remedy}")
