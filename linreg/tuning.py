"""Hyperparameter search (page 12): the search space, the objective, trial records, grid and random search.

A search asks one question many times: *how good is the model trained with
these hyperparameters?* Each answer is a trial. This module holds what the three
searches of page 12 share, and the two a reader writes by hand:

* [`Range`][linreg.tuning.Range]: the interval of one hyperparameter, on a linear or log scale;
* [`train_model()`][linreg.tuning.train_model] and [`train_and_score()`][linreg.tuning.train_and_score]:
  the objective, page 7's training run on recipe B scored on a split the training never saw
  ([`line_b_splits()`][linreg.tuning.line_b_splits] makes the splits);
* [`grid_points()`][linreg.tuning.grid_points] and [`random_points()`][linreg.tuning.random_points]:
  the two searches a reader writes by hand, as functions;
* [`Trial`][linreg.tuning.Trial] and [`run_trials()`][linreg.tuning.run_trials]: what a search records
  (parameters, loss, the seconds spent training and choosing), and
  [`best_trial()`][linreg.tuning.best_trial], [`best_so_far()`][linreg.tuning.best_so_far] to read it;
* [`loss_on()`][linreg.tuning.loss_on] and [`flattery_beyond_chance()`][linreg.tuning.flattery_beyond_chance]:
  reporting a choice honestly, and measuring how much a search's best validation loss flatters it.

The third search, Bayesian optimisation with Ax, is in
[`linreg.bayesian`][linreg.bayesian] (it needs the optional ``tuning`` extra);
the figures of every search are in [`linreg.search_plots`][linreg.search_plots].
"""

from __future__ import annotations

import itertools
import math
import numbers
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from linreg._checks import DivergedError, check_non_negative_int, check_positive_int, check_positive_number

__all__ = [
    "Range",
    "Trial",
    "best_so_far",
    "best_trial",
    "flattery_beyond_chance",
    "grid_points",
    "line_b_splits",
    "loss_on",
    "random_points",
    "run_trials",
    "train_and_score",
    "train_model",
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
            if (
                isinstance(value, bool)
                or not isinstance(value, numbers.Real)
                or not math.isfinite(value)
            ):
                raise TypeError(
                    f"{name} must be a finite number, got {value!r}"
                )
        if not self.low < self.high:
            raise ValueError(
                "low must be smaller than high, "
                f"got low={self.low!r}, high={self.high!r}"
            )
        for name in ("log", "integer"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(
                    f"{name} must be True or False, "
                    f"got {getattr(self, name)!r}"
                )
        if self.log and self.low <= 0:
            raise ValueError(
                f"a log-scale range needs low > 0, got low={self.low!r}"
            )
        if self.integer and (
            self.low != int(self.low) or self.high != int(self.high)
        ):
            raise ValueError(
                "an integer range needs whole-number bounds, "
                f"got {self.low!r} and {self.high!r}"
            )

    def _value(self, x: float) -> float | int:
        return int(round(x)) if self.integer else float(x)

    def evenly(self, n: int) -> list[float | int]:
        """``n`` values spread evenly from ``low`` to ``high`` (evenly in log
        space when ``log``).

        Examples:
            >>> Range(0.0, 1.0).evenly(3)
            [0.0, 0.5, 1.0]
            >>> Range(0.01, 1.0, log=True).evenly(3)
            [0.01, 0.1, 1.0]
        """
        n = check_positive_int("n", n)
        spread = np.geomspace if self.log else np.linspace
        values = (
            spread(self.low, self.high, n) if n > 1 else np.array([self.low])
        )
        return [self._value(float(v)) for v in values]

    def draw(self, rng: np.random.Generator) -> float | int:
        """One value drawn at random: uniform, or log-uniform when ``log``."""
        if self.log:
            return self._value(math.exp(
                rng.uniform(math.log(self.low), math.log(self.high))
            ))
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
    """Every combination of ``per_axis`` evenly spread values of each
    parameter: ``per_axis ** len(space)`` points.

    The first parameter varies slowest, as in nested ``for`` loops.

    Examples:
        >>> for point in grid_points(
        ...     {"lr": Range(0.0, 1.0), "momentum": Range(0.0, 0.5)}, 2
        ... ):
        ...     print(point)
        {'lr': 0.0, 'momentum': 0.0}
        {'lr': 0.0, 'momentum': 0.5}
        {'lr': 1.0, 'momentum': 0.0}
        {'lr': 1.0, 'momentum': 0.5}
    """
    space = _check_space(space)
    axes = [interval.evenly(per_axis) for interval in space.values()]
    return [
        dict(zip(space, values, strict=True))
        for values in itertools.product(*axes)
    ]


def random_points(
    space: Mapping[str, Range], n: int, seed: int
) -> list[Params]:
    """``n`` points drawn independently and uniformly (log-uniformly on a log
    range), repeatable by ``seed``.

    Draws parameter by parameter within a point, point after point: the same
    numbers as ``rng = np.random.default_rng(seed)`` and
    ``rng.uniform(low, high)`` in that order.

    Examples:
        >>> points = random_points({"lr": Range(0.0, 1.0)}, 3, seed=0)
        >>> len(points), all(0 <= p["lr"] <= 1 for p in points)
        (3, True)
    """
    space = _check_space(space)
    n = check_positive_int("n", n)
    rng = np.random.default_rng(check_non_negative_int("seed", seed))
    return [
        {name: interval.draw(rng) for name, interval in space.items()}
        for _ in range(n)
    ]


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
    from linreg.data import gaussian_line_data
    from linreg.datasets import LineDataset, seeded_split

    if isinstance(lengths, (str, bytes)) or not isinstance(lengths, Sequence) or len(lengths) != 3:
        raise ValueError(f"lengths must be three sample counts (train, validation, test), got {lengths!r}")
    return tuple(seeded_split(LineDataset(*gaussian_line_data()), list(lengths), seed=seed))


def train_model(
    params: Mapping[str, float],
    train_set,
    *,
    epochs: int = 2,
    batch_size: int = 16,
    seed: int = 0,
):
    """Train page 7's linear model with SGD on ``train_set`` with the
    hyperparameters ``params``; return it.

    ``params`` holds ``"lr"`` and optionally ``"momentum"`` (default 0) and
    ``"batch_size"`` (default ``batch_size``). Everything else is fixed, so the
    result depends on the hyperparameters only: the same seed for the initial
    weights and for the shuffling of every trial. A run whose loss becomes NaN
    or infinite raises [`linreg.DivergedError`][linreg.DivergedError].

    Examples:
        >>> train, _, _ = line_b_splits()
        >>> model = train_model({"lr": 0.1, "momentum": 0.5}, train)
        >>> round(model.linear.weight.item(), 1)  # recipe B's slope is 2
        2.0
    """
    import torch

    from linreg.datasets import make_loader
    from linreg.models import LinearRegression
    from linreg.training import fit

    if not isinstance(params, Mapping) or "lr" not in params:
        raise ValueError(
            f"params must be a dict with at least 'lr', got {params!r}"
        )
    unknown = set(params) - {"lr", "momentum", "batch_size"}
    if unknown:
        raise ValueError(
            f"params has unknown names {sorted(unknown)}; "
            "expected 'lr', 'momentum', 'batch_size'"
        )
    lr = check_positive_number("params['lr']", params["lr"])
    batch_size = check_positive_int(
        "params['batch_size']", params.get("batch_size", batch_size)
    )
    torch.manual_seed(seed)
    model = LinearRegression()
    optimizer = torch.optim.SGD(
        model.parameters(), lr=lr, momentum=params.get("momentum", 0.0)
    )
    fit(
        model,
        torch.nn.MSELoss(),
        optimizer,
        make_loader(train_set, batch_size, seed=seed),
        epochs,
    )
    return model


def train_and_score(
    params: Mapping[str, float],
    train_set,
    score_set,
    *,
    epochs: int = 2,
    batch_size: int = 16,
    seed: int = 0,
) -> float:
    """Train with [`train_model()`][linreg.tuning.train_model] and return the
    model's mean loss on ``score_set``.

    Examples:
        >>> train, val, _ = line_b_splits()
        >>> train_and_score({"lr": 0.1, "momentum": 0.5}, train, val) < 0.1
        True
    """
    import torch

    from linreg.datasets import make_loader
    from linreg.training import evaluate

    model = train_model(
        params, train_set, epochs=epochs, batch_size=batch_size, seed=seed
    )
    return evaluate(
        model,
        torch.nn.MSELoss(),
        make_loader(score_set, len(score_set), shuffle=False),
    )


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


def run_trials(
    objective: Objective, points: Sequence[Mapping[str, float]]
) -> list[Trial]:
    """Evaluate ``objective`` at every point, in order, timing each call: grid
    and random search.

    A run that raises [`linreg.DivergedError`][linreg.DivergedError] (or
    returns NaN) is recorded with a loss of ``inf``; any other error stops the
    search.

    Examples:
        >>> trials = run_trials(
        ...     lambda p: (p["x"] - 1) ** 2, [{"x": 0.0}, {"x": 1.0}]
        ... )
        >>> [t.val_loss for t in trials], best_trial(trials).number
        ([1.0, 0.0], 2)
    """
    if not callable(objective):
        raise TypeError(
            "objective must be a function params -> loss, "
            f"got {type(objective).__name__}"
        )
    trials = []
    for number, params in enumerate(points, start=1):
        if not isinstance(params, Mapping):
            raise TypeError(
                "points must be dicts of name -> value, "
                f"got {params!r} at position {number}"
            )
        start = time.perf_counter()
        loss = _score(objective, dict(params))
        trials.append(Trial(
            number, dict(params), loss,
            train_seconds=time.perf_counter() - start,
        ))
    return trials


def _check_trials(trials: Any, name: str = "trials") -> list[Trial]:
    trials = list(trials) if isinstance(trials, Sequence) else trials
    if not isinstance(trials, list) or not trials or not all(isinstance(t, Trial) for t in trials):
        raise TypeError(f"{name} must be a non-empty list of linreg.tuning.Trial")
    return trials


def best_trial(trials: Sequence[Trial]) -> Trial:
    """The trial with the lowest loss (the earliest, on a tie); raises if
    every run diverged.

    Examples:
        >>> best_trial(
        ...     [Trial(1, {}, 0.5), Trial(2, {}, 0.2), Trial(3, {}, 0.2)]
        ... ).number
        2
    """
    trials = _check_trials(trials)
    finite = [t for t in trials if not t.diverged]
    if not finite:
        raise ValueError(
            "every trial diverged: there is no best one "
            "(try a smaller learning-rate range)"
        )
    return min(finite, key=lambda t: t.val_loss)


def best_so_far(trials: Sequence[Trial]) -> np.ndarray:
    """The lowest loss among the first k trials, for k = 1, 2, ...: the curve
    a search is judged by.

    Examples:
        >>> best_so_far(
        ...     [Trial(1, {}, 0.5), Trial(2, {}, 0.7), Trial(3, {}, 0.1)]
        ... ).tolist()
        [0.5, 0.5, 0.1]
    """
    trials = _check_trials(trials)
    return np.minimum.accumulate(
        np.array([t.val_loss for t in trials], dtype=float)
    )


# --------------------------------------------------------------------------- honest reporting


def loss_on(model: Callable, points) -> float:
    """Mean squared error of ``model`` (a module, or any function of x) on
    every point of ``points``.

    Examples:
        >>> from linreg.datasets import LineDataset
        >>> import torch
        >>> loss_on(
        ...     lambda x: 2 * x,
        ...     LineDataset(torch.arange(3.0), torch.tensor([0.0, 2.0, 5.0])),
        ... )
        0.3333333432674408
    """
    import torch

    if not callable(model):
        raise TypeError(
            "model must be a function of x (a module, say), "
            f"got {type(model).__name__}"
        )
    x, y = points[:]  # every point at once: (N, 1) and (N, 1)
    with torch.no_grad():
        return torch.nn.functional.mse_loss(model(x), y).item()


def flattery_beyond_chance(
    dataset,
    space: Mapping[str, Range],
    fixed: Mapping[str, float],
    new_points,
    true_line: Callable,
    *,
    splits: int = 30,
    budget: int = 16,
    epochs: int = 2,
) -> dict[str, np.ndarray]:
    """How much a validation loss flatters a search's pick, and a
    configuration fixed in advance, beyond chance.

    On each of ``splits`` seeded 60/20/20 splits of ``dataset`` (seeds 0, 1,
    ...), a random search of ``budget`` trials (seed 0) picks a configuration
    on the validation split. A model's *flattery* is its loss on
    ``new_points`` minus its loss on the validation split; the split's
    *chance* is the same for ``true_line``, which no search chose. Returns, per
    split, the flattery beyond chance of the pick and of ``fixed``, and the
    chance.

    Examples:
        >>> data = line_b_splits()[0].dataset
        >>> out = flattery_beyond_chance(
        ...     data, {"lr": Range(0.05, 0.3)}, {"lr": 0.1}, data,
        ...     lambda x: 1.5 + 2 * x, splits=2, budget=2,
        ... )
        >>> sorted(out), len(out["chance"])
        (['chance', 'fixed in advance', "the search's pick"], 2)
    """
    import torch
    from torch.utils.data import random_split

    splits, budget = (
        check_positive_int("splits", splits),
        check_positive_int("budget", budget),
    )
    out = {"the search's pick": [], "fixed in advance": [], "chance": []}
    for seed in range(splits):
        train_set, val_set, _ = random_split(
            dataset, [0.6, 0.2, 0.2],
            generator=torch.Generator().manual_seed(seed),
        )
        trials = run_trials(
            lambda params: train_and_score(
                params, train_set, val_set, epochs=epochs  # noqa: B023
            ),
            random_points(space, budget, seed=0),
        )
        # how much this split flatters
        chance = loss_on(true_line, new_points) - loss_on(true_line, val_set)
        out["chance"].append(chance)
        for name, params in (
            ("the search's pick", best_trial(trials).params),
            ("fixed in advance", fixed),
        ):
            model = train_model(params, train_set, epochs=epochs)
            out[name].append(
                loss_on(model, new_points) - loss_on(model, val_set) - chance
            )
    return {name: np.array(values) for name, values in out.items()}
