"""Hyperparameter search: grid, random and Bayesian (Ax) search on the same budget of trials (page 12).

A search asks one question many times: *how good is the model trained with
these hyperparameters?* Each answer is a trial. This module holds what the
three searches of page 12 share:

* [`Range`][linreg.tuning.Range] — the interval of one hyperparameter, on a linear or log scale;
* [`line_b_splits()`][linreg.tuning.line_b_splits] and [`train_and_score()`][linreg.tuning.train_and_score] — the
  objective: page 7's
  training run on recipe B, scored on a split the training never saw;
* [`grid_points()`][linreg.tuning.grid_points] and [`random_points()`][linreg.tuning.random_points] — the two searches
  a reader
  writes by hand, as functions;
* [`Trial`][linreg.tuning.Trial] and [`run_trials()`][linreg.tuning.run_trials] — what a search records: parameters,
  loss, and the seconds spent training and choosing;
* [`ax_search()`][linreg.tuning.ax_search] — the same loop with Ax's ``Client`` (ask, train, tell);
* [`best_trial()`][linreg.tuning.best_trial], [`best_so_far()`][linreg.tuning.best_so_far] and the two figures,
  [`trials_figure()`][linreg.tuning.trials_figure] and [`best_so_far_figure()`][linreg.tuning.best_so_far_figure].

Ax is imported inside [`ax_search()`][linreg.tuning.ax_search] only: it takes seconds to import and
nothing else here needs it, so ``import linreg.tuning`` stays cheap.

Why one module of over 500 lines: the three searches share one objective, one
[`Range`][linreg.tuning.Range] and one [`Trial`][linreg.tuning.Trial] record, and the two figures read
only those records; page 12 is the only reader, and one module keeps the search it teaches in one place.
"""

from __future__ import annotations

import itertools
import math
import numbers
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from linreg._checks import DivergedError, check_non_negative_int, check_positive_int, check_positive_number

__all__ = [
    "AxSearch",
    "Range",
    "Trial",
    "ax_search",
    "best_so_far",
    "best_so_far_figure",
    "best_trial",
    "grid_points",
    "line_b_splits",
    "random_points",
    "run_trials",
    "train_and_score",
    "trials_figure",
]

Params = dict[str, float]
Objective = Callable[[Params], float]


# --------------------------------------------------------------------------- the search space


@dataclass(frozen=True)
class Range:
    """The interval ``[low, high]`` one hyperparameter is searched in.

    ``log=True`` spreads trials evenly over the *orders of magnitude* (0.001 to
    0.01 gets as many as 0.1 to 1), the usual choice for a learning rate;
    ``integer=True`` rounds values to whole numbers (a batch size).

    Examples:
        >>> Range(0.001, 1.0, log=True).high
        1.0
    """

    low: float
    high: float
    log: bool = False
    integer: bool = False

    def __post_init__(self) -> None:
        for name in ("low", "high"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
                raise TypeError(f"{name} must be a finite number, got {value!r}")
        if not self.low < self.high:
            raise ValueError(f"low must be smaller than high, got low={self.low!r}, high={self.high!r}")
        for name in ("log", "integer"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be True or False, got {getattr(self, name)!r}")
        if self.log and self.low <= 0:
            raise ValueError(f"a log-scale range needs low > 0, got low={self.low!r}")
        if self.integer and (self.low != int(self.low) or self.high != int(self.high)):
            raise ValueError(f"an integer range needs whole-number bounds, got {self.low!r} and {self.high!r}")

    def _value(self, x: float) -> float | int:
        return int(round(x)) if self.integer else float(x)

    def evenly(self, n: int) -> list[float | int]:
        """``n`` values spread evenly from ``low`` to ``high`` (evenly in log space when ``log``).

        Examples:
            >>> Range(0.0, 1.0).evenly(3)
            [0.0, 0.5, 1.0]
            >>> Range(0.01, 1.0, log=True).evenly(3)
            [0.01, 0.1, 1.0]
        """
        n = check_positive_int("n", n)
        spread = np.geomspace if self.log else np.linspace
        values = spread(self.low, self.high, n) if n > 1 else np.array([self.low])
        return [self._value(float(v)) for v in values]

    def draw(self, rng: np.random.Generator) -> float | int:
        """One value drawn at random: uniform, or log-uniform when ``log``."""
        if self.log:
            return self._value(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))
        return self._value(rng.uniform(self.low, self.high))


def _check_space(space: Any) -> dict[str, Range]:
    if not isinstance(space, Mapping) or not space:
        raise TypeError(f"space must be a non-empty dict of name -> Range, got {space!r}")
    for name, interval in space.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"space keys must be parameter names (strings), got {name!r}")
        if not isinstance(interval, Range):
            raise TypeError(f"space[{name!r}] must be a linreg.tuning.Range, got {type(interval).__name__}")
    return dict(space)


def grid_points(space: Mapping[str, Range], per_axis: int) -> list[Params]:
    """Every combination of ``per_axis`` evenly spread values of each parameter: ``per_axis ** len(space)`` points.

    The first parameter varies slowest, as in nested ``for`` loops.

    Examples:
        >>> for point in grid_points({"lr": Range(0.0, 1.0), "momentum": Range(0.0, 0.5)}, 2):
        ...     print(point)
        {'lr': 0.0, 'momentum': 0.0}
        {'lr': 0.0, 'momentum': 0.5}
        {'lr': 1.0, 'momentum': 0.0}
        {'lr': 1.0, 'momentum': 0.5}
    """
    space = _check_space(space)
    axes = [interval.evenly(per_axis) for interval in space.values()]
    return [dict(zip(space, values, strict=True)) for values in itertools.product(*axes)]


def random_points(space: Mapping[str, Range], n: int, seed: int) -> list[Params]:
    """``n`` points drawn independently and uniformly (log-uniformly on a log range), repeatable by ``seed``.

    Draws parameter by parameter within a point, point after point: the same
    numbers as ``rng = np.random.default_rng(seed)`` and ``rng.uniform(low, high)``
    in that order.

    Examples:
        >>> points = random_points({"lr": Range(0.0, 1.0)}, 3, seed=0)
        >>> len(points), all(0 <= p["lr"] <= 1 for p in points)
        (3, True)
    """
    space = _check_space(space)
    n = check_positive_int("n", n)
    rng = np.random.default_rng(check_non_negative_int("seed", seed))
    return [{name: interval.draw(rng) for name, interval in space.items()} for _ in range(n)]


# --------------------------------------------------------------------------- the objective


def line_b_splits(lengths: Sequence[int] = (120, 40, 40), seed: int = 42):
    """Recipe B split at random into ``(train, validation, test)`` subsets of ``lengths`` samples.

    The search trains on the first, compares trials on the second, and only the
    configuration it finally chooses is scored on the third: a test split that
    helped choose is no longer a test.

    Examples:
        >>> train, val, test = line_b_splits()
        >>> len(train), len(val), len(test)
        (120, 40, 40)
    """
    from linreg.data import line_data_b
    from linreg.datasets import LineDataset, seeded_split

    if isinstance(lengths, (str, bytes)) or not isinstance(lengths, Sequence) or len(lengths) != 3:
        raise ValueError(f"lengths must be three sample counts (train, validation, test), got {lengths!r}")
    return tuple(seeded_split(LineDataset(*line_data_b()), list(lengths), seed=seed))


def train_and_score(params: Mapping[str, float], train_set, score_set, *, epochs: int = 2,
                    batch_size: int = 16, seed: int = 0) -> float:
    """Train page 7's linear model with SGD on ``train_set`` and return its mean loss on ``score_set``.

    ``params`` holds ``"lr"`` and optionally ``"momentum"`` (default 0) and
    ``"batch_size"`` (default ``batch_size``). Everything else is fixed, so the
    score depends on the hyperparameters only: the same seed for the initial
    weights and for the shuffling of every trial. A run whose loss becomes NaN
    or infinite raises [`linreg.DivergedError`][linreg.DivergedError].

    Examples:
        >>> train, val, _ = line_b_splits()
        >>> train_and_score({"lr": 0.1, "momentum": 0.5}, train, val) < 0.1
        True
    """
    import torch

    from linreg.datasets import make_loader
    from linreg.models import LinearRegression
    from linreg.training import evaluate, fit

    if not isinstance(params, Mapping) or "lr" not in params:
        raise ValueError(f"params must be a dict with at least 'lr', got {params!r}")
    unknown = set(params) - {"lr", "momentum", "batch_size"}
    if unknown:
        raise ValueError(f"params has unknown names {sorted(unknown)}; expected 'lr', 'momentum', 'batch_size'")
    lr = check_positive_number("params['lr']", params["lr"])
    batch_size = check_positive_int("params['batch_size']", params.get("batch_size", batch_size))
    torch.manual_seed(seed)
    model = LinearRegression()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=params.get("momentum", 0.0))
    loss_fn = torch.nn.MSELoss()
    fit(model, loss_fn, optimizer, make_loader(train_set, batch_size, seed=seed), epochs)
    return evaluate(model, loss_fn, make_loader(score_set, len(score_set), shuffle=False))


# --------------------------------------------------------------------------- trials


@dataclass(frozen=True)
class Trial:
    """One evaluated configuration of a search.

    ``number`` counts from 1 in the order the search ran; ``val_loss`` is
    ``inf`` for a run that diverged. ``train_seconds`` is the time the
    objective took (training and scoring), ``method_seconds`` the time the
    search method itself spent choosing the point and recording the result.

    Examples:
        >>> Trial(1, {"lr": 0.1}, 0.25).diverged
        False
    """

    number: int
    params: Params
    val_loss: float
    train_seconds: float = 0.0
    method_seconds: float = 0.0

    @property
    def diverged(self) -> bool:
        """Whether the run's loss became NaN or infinite."""
        return not math.isfinite(self.val_loss)


def _score(objective: Objective, params: Params) -> float:
    """``objective(params)`` as a float; ``inf`` for a diverged run (a result too, and a bad one)."""
    try:
        value = objective(params)
    except DivergedError:
        return math.inf
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"objective must return a number (the validation loss), got {value!r}")
    return float(value) if math.isfinite(value) else math.inf


def run_trials(objective: Objective, points: Sequence[Mapping[str, float]]) -> list[Trial]:
    """Evaluate ``objective`` at every point, in order, timing each call: grid and random search.

    A run that raises [`linreg.DivergedError`][linreg.DivergedError] (or returns NaN) is
    recorded with a loss of ``inf``; any other error stops the search.

    Examples:
        >>> trials = run_trials(lambda p: (p["x"] - 1) ** 2, [{"x": 0.0}, {"x": 1.0}])
        >>> [t.val_loss for t in trials], best_trial(trials).number
        ([1.0, 0.0], 2)
    """
    if not callable(objective):
        raise TypeError(f"objective must be a function params -> loss, got {type(objective).__name__}")
    trials = []
    for number, params in enumerate(points, start=1):
        if not isinstance(params, Mapping):
            raise TypeError(f"points must be dicts of name -> value, got {params!r} at position {number}")
        start = time.perf_counter()
        loss = _score(objective, dict(params))
        trials.append(Trial(number, dict(params), loss, train_seconds=time.perf_counter() - start))
    return trials


def _check_trials(trials: Any, name: str = "trials") -> list[Trial]:
    trials = list(trials) if isinstance(trials, Sequence) else trials
    if not isinstance(trials, list) or not trials or not all(isinstance(t, Trial) for t in trials):
        raise TypeError(f"{name} must be a non-empty list of linreg.tuning.Trial")
    return trials


def best_trial(trials: Sequence[Trial]) -> Trial:
    """The trial with the lowest loss (the earliest, on a tie); raises if every run diverged.

    Examples:
        >>> best_trial([Trial(1, {}, 0.5), Trial(2, {}, 0.2), Trial(3, {}, 0.2)]).number
        2
    """
    trials = _check_trials(trials)
    finite = [t for t in trials if not t.diverged]
    if not finite:
        raise ValueError("every trial diverged: there is no best one (try a smaller learning-rate range)")
    return min(finite, key=lambda t: t.val_loss)


def best_so_far(trials: Sequence[Trial]) -> np.ndarray:
    """The lowest loss among the first k trials, for k = 1, 2, ...: the curve a search is judged by.

    Examples:
        >>> best_so_far([Trial(1, {}, 0.5), Trial(2, {}, 0.7), Trial(3, {}, 0.1)]).tolist()
        [0.5, 0.5, 0.1]
    """
    trials = _check_trials(trials)
    return np.minimum.accumulate(np.array([t.val_loss for t in trials], dtype=float))


# --------------------------------------------------------------------------- Ax


@dataclass(frozen=True)
class AxSearch:
    """What [`ax_search()`][linreg.tuning.ax_search] returns: the trials in order and Ax's own choice.

    ``best_params`` and ``best_number`` come from
    ``Client.get_best_parameterization()``, which ranks trials by the values its
    model *predicts* for them (a smoothed view of the noisy measurements), so
    its choice need not be the trial with the lowest measured loss. Both are
    ``None`` when every trial diverged. ``messages`` holds the warnings Ax gave during the search (kept off
    stderr), ``deprecations`` counts the deprecation notices its libraries
    raised about their own code, ``import_seconds`` is the time importing Ax took.
    """

    trials: list[Trial]
    best_params: Params | None
    best_number: int | None
    messages: list[str] = field(default_factory=list)
    deprecations: int = 0
    import_seconds: float = 0.0


_DEPRECATIONS = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)


@contextmanager
def _ax_messages() -> Iterator[tuple[list[str], list[str]]]:
    """Collect what Ax says during the block instead of letting it print to stderr.

    Ax logs every trial at INFO level on a stderr handler of its own, and its
    warnings (a poor model fit, say) go there too, as do Python warnings from
    BoTorch. Inside the block that handler is silenced and every warning is
    recorded. Yields ``(messages, deprecations)``, filled when the block ends:
    Ax's log warnings and errors and the Python warnings about the search, as
    text; and, apart, the deprecation notices that Ax, pandas and BoTorch
    raise about their own internals (nothing the caller can act on). INFO
    lines are dropped.
    """
    import logging
    import warnings

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(f"{record.levelname} {record.name}: {record.getMessage()}")

    messages: list[str] = []
    deprecations: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # every occurrence, so the counts do not depend on earlier calls
        from ax.utils.common import logger as ax_logger  # the first import of Ax warns too

        handler = Collect(level=logging.WARNING)
        root = logging.getLogger(ax_logger.AX_ROOT_LOGGER_NAME)
        previous = ax_logger.ROOT_STREAM_HANDLER.level
        ax_logger.set_stderr_log_level(logging.CRITICAL + 1)  # above every level: the stderr handler prints nothing
        root.addHandler(handler)
        try:
            yield messages, deprecations
        finally:
            root.removeHandler(handler)
            ax_logger.set_stderr_log_level(previous)
    for warning in caught:
        text = f"{warning.category.__name__}: {warning.message}"
        (deprecations if issubclass(warning.category, _DEPRECATIONS) else messages).append(text)


@contextmanager
def _one_torch_thread() -> Iterator[None]:
    """Run PyTorch on one thread inside the block, then restore the thread count.

    Ax's Gaussian process holds a few dozen points at most: on one thread it is
    several times faster than on threads that wait for each other (measured on
    a busy two-core machine: about 0.5 s per trial against 2.5 s).
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def ax_search(objective: Objective, space: Mapping[str, Range], n_trials: int, *, seed: int = 0) -> AxSearch:
    """Minimise ``objective`` over ``space`` in ``n_trials`` trials with Ax's Bayesian optimisation.

    The loop is ask, train, tell: ``get_next_trials`` proposes a point (the
    first few from a quasi-random Sobol sequence, then from a Gaussian-process
    model of the losses seen so far), the objective trains and scores it, and
    ``complete_trial`` reports the loss back. A diverged run is reported with
    ``mark_trial_failed``. ``seed`` makes the proposals, and so the search,
    repeatable. Ax's log lines and warnings are kept off stderr; its
    warnings come back in `messages` of [`AxSearch`][linreg.tuning.AxSearch]. PyTorch runs on one
    thread during the search (restored afterwards).

    Examples:
        >>> search = ax_search(lambda p: (p["x"] - 0.3) ** 2, {"x": Range(0.0, 1.0)}, 3)
        >>> len(search.trials), search.trials[0].params  # the first trial is the centre of the space
        (3, {'x': 0.5})
    """
    if not callable(objective):
        raise TypeError(f"objective must be a function params -> loss, got {type(objective).__name__}")
    space = _check_space(space)
    n_trials = check_positive_int("n_trials", n_trials)
    seed = check_non_negative_int("seed", seed)
    start = time.perf_counter()
    with _one_torch_thread(), _ax_messages() as (messages, deprecations):
        from ax.api.client import Client  # here, not at the top: Ax takes seconds to import
        from ax.api.configs import RangeParameterConfig

        import_seconds = time.perf_counter() - start
        client = Client(random_seed=seed)
        client.configure_experiment(parameters=[
            RangeParameterConfig(name=name, parameter_type="int" if r.integer else "float",
                                 bounds=(r.low, r.high), scaling="log" if r.log else "linear")
            for name, r in space.items()
        ])
        client.configure_optimization(objective="-val_loss")  # the minus sign: lower is better
        trials = []
        for number in range(1, n_trials + 1):
            asked = time.perf_counter()
            ((index, params),) = client.get_next_trials(max_trials=1).items()  # ask
            trained = time.perf_counter()
            loss = _score(objective, dict(params))  # train
            told = time.perf_counter()
            if math.isfinite(loss):  # tell
                client.complete_trial(trial_index=index, raw_data={"val_loss": loss})
            else:
                client.mark_trial_failed(trial_index=index)
            done = time.perf_counter()
            trials.append(Trial(number, dict(params), loss, train_seconds=told - trained,
                                method_seconds=(trained - asked) + (done - told)))
        best_params, best_number = None, None
        if not all(t.diverged for t in trials):  # with no data, Ax has no best point to name
            best, _, best_index, _ = client.get_best_parameterization()
            best_params, best_number = dict(best), best_index + 1
    return AxSearch(trials, best_params, best_number, messages, len(deprecations), import_seconds)


# --------------------------------------------------------------------------- figures


def _check_results(results: Any) -> dict[str, list[Trial]]:
    if not isinstance(results, Mapping) or not results:
        raise TypeError("results must be a non-empty dict of method name -> list of Trial")
    return {name: _check_trials(trials, f"results[{name!r}]") for name, trials in results.items()}


def _padded(interval: Range) -> tuple[float, float]:
    """The interval widened by 4% on each side (of its orders of magnitude, on a log scale), for axis limits."""
    if interval.log:
        factor = (interval.high / interval.low) ** 0.04
        return interval.low / factor, interval.high * factor
    margin = 0.04 * (interval.high - interval.low)
    return interval.low - margin, interval.high + margin


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def trials_figure(results: Mapping[str, Sequence[Trial]], space: Mapping[str, Range], *,
                  x: str, y: str, title: str = "Where each search looked"):
    """One panel per method: every trial at its ``(x, y)`` parameters, coloured by loss, the best one ringed.

    The colour scale (log) is shared by all panels, so a colour means the same
    loss everywhere; diverged trials are drawn as crosses. The alternative
    text names each method's best trial and loss.

    Examples:
        >>> space = {"lr": Range(0.01, 1.0), "momentum": Range(0.0, 0.9)}
        >>> trials = run_trials(lambda p: p["lr"] + p["momentum"] + 0.01, grid_points(space, 2))
        >>> len(trials_figure({"grid": trials}, space, x="lr", y="momentum").axes)  # a panel and a colour bar
        2
    """
    import matplotlib.colors

    from linreg.display import describe
    from linreg.style import COLORS, new_figure

    results = _check_results(results)
    space = _check_space(space)
    for axis, name in (("x", x), ("y", y)):
        if name not in space:
            raise ValueError(f"{axis} must name a parameter of space {sorted(space)}, got {name!r}")
    finite = [t.val_loss for trials in results.values() for t in trials if not t.diverged]
    if not finite or min(finite) <= 0:
        raise ValueError("results need at least one finite, positive loss to colour the trials")
    norm = matplotlib.colors.LogNorm(vmin=min(finite), vmax=max(finite))
    fig, axes = new_figure(ncols=len(results), width=3.3 * len(results) + 1.2, height=3.6)
    summary = []
    for ax, (method, trials) in zip(axes, results.items(), strict=True):
        ok = [t for t in trials if not t.diverged]
        points = ax.scatter([t.params[x] for t in ok], [t.params[y] for t in ok], c=[t.val_loss for t in ok],
                            cmap="viridis", norm=norm, s=42, edgecolors=COLORS["ink"], linewidths=0.4, zorder=3)
        bad = [t for t in trials if t.diverged]
        if bad:
            ax.scatter([t.params[x] for t in bad], [t.params[y] for t in bad], marker="x", s=50,
                       color=COLORS["red"], label="diverged", zorder=3)
        best = best_trial(trials)
        ax.scatter([best.params[x]], [best.params[y]], s=220, facecolors="none", edgecolors=COLORS["red"],
                   linewidths=2, zorder=4, label=f"best: {_fmt(best.val_loss)}")
        ax.set(title=f"{method} ({len(trials)} trials)", xlabel=x + (" (log scale)" if space[x].log else ""))
        for name, set_scale, set_limits in ((x, ax.set_xscale, ax.set_xlim), (y, ax.set_yscale, ax.set_ylim)):
            set_scale("log" if space[name].log else "linear")
            set_limits(*_padded(space[name]))  # the whole space, the same in every panel
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), fontsize=9)
        summary.append(f"{method}: best loss {_fmt(best.val_loss)} at trial {best.number}, "
                       f"{x} {_fmt(best.params[x])}, {y} {_fmt(best.params[y])}")
    axes[0].set_ylabel(y + (" (log scale)" if space[y].log else ""))
    fig.colorbar(points, ax=list(axes), label="validation loss (log scale)")
    fig.suptitle(title, fontweight="bold")
    panels = "one panel" if len(results) == 1 else f"{len(results)} panels, one per search method"
    return describe(fig, (
        f"{panels}, each trial a dot at its {x} (horizontal) and {y} (vertical), coloured by its validation "
        f"loss from {_fmt(min(finite))} to {_fmt(max(finite))}, the best trial ringed. " + "; ".join(summary) + "."))


def best_so_far_figure(results: Mapping[str, Sequence[Trial]], *, zoom: float = 1.25,
                       title: str = "Best validation loss so far"):
    """The lowest loss found after each trial, one step line per method: all of it, and the end up close.

    The left panel shows the whole descent on a log scale; the right one
    zooms on losses up to ``zoom`` times the best any method found (linear
    scale), where the methods' final differences are visible. A curve that
    drops early found a good region with fewer trials. The alternative text
    gives each method's final best loss and the trial that found it.

    Examples:
        >>> fig = best_so_far_figure({"a": [Trial(1, {}, 0.5), Trial(2, {}, 0.1)]})
        >>> [ax.get_yscale() for ax in fig.axes]
        ['log', 'linear']
    """
    import matplotlib.ticker

    from linreg.display import describe
    from linreg.style import new_figure

    results = _check_results(results)
    if isinstance(zoom, bool) or not isinstance(zoom, numbers.Real) or not zoom > 1:
        raise ValueError(f"zoom must be a number greater than 1 (a factor above the best loss), got {zoom!r}")
    fig, (whole, close) = new_figure(ncols=2, width=9.0, height=3.6)
    summary = []
    for method, trials in results.items():
        curve = best_so_far(trials)
        if not np.isfinite(curve[-1]) or curve[-1] <= 0:
            raise ValueError(f"results[{method!r}] needs a finite, positive best loss for a log scale")
        shown = np.where(np.isfinite(curve), curve, np.nan)  # no line until the first finite loss
        for ax in (whole, close):
            ax.step(np.arange(1, len(curve) + 1), shown, where="post", marker="o", markersize=3.5, label=method)
        best = best_trial(trials)
        summary.append(f"{method} ends at {_fmt(best.val_loss)}, found at trial {best.number}")
    overall = min(best_trial(trials).val_loss for trials in results.values())
    whole.set_yscale("log")
    whole.set(title="every trial", xlabel="trial", ylabel="best validation loss so far (log scale)")
    close.set_ylim(overall - 0.05 * (zoom - 1) * overall, zoom * overall)
    close.set(title=f"up close: up to {zoom:g} × the best", xlabel="trial", ylabel="best validation loss so far")
    for ax in (whole, close):
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    close.legend()
    fig.suptitle(title, fontweight="bold")
    return describe(fig, (
        "Step lines of the lowest validation loss found so far against the trial number, one per search "
        "method, on the whole range (left) and close to the best (right): " + "; ".join(summary) + "."))
