"""Optimizer paths: where a `torch.optim` optimizer walks across the loss surface of a line.

[`optimizer_path()`][linreg.optimizer_paths.optimizer_path] trains ``bias + weight * x`` with any optimizer
from a chosen start and records ``(weight, bias)`` after every step: it is page 4's training loop
(forward pass, loss, ``backward()``, ``step()``, ``zero_grad()``) plus the bookkeeping a figure needs.
[`optimizer_paths()`][linreg.optimizer_paths.optimizer_paths] runs several optimizers from the same start.
Page 4 shows both, races SGD, SGD with momentum, RMSprop and Adam on recipe D (``y = x - 1``) from weight
-15, bias -10, and tunes each one's learning rate with [`sweep()`][linreg.optimizer_paths.sweep], which
measures every run the same way ([`race_measure()`][linreg.optimizer_paths.race_measure]: from which step the
loss stays near the least-squares minimum's, and how far above it the last steps still are).

The loss surface the paths cross is [`linreg.surfaces`][linreg.surfaces]; the figures are
[`linreg.optimizer_plots`][linreg.optimizer_plots].
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import torch

from linreg._checks import (
    DivergedError,
    as_line_arrays,
    check_finite_loss,
    check_fraction,
    check_non_negative_int,
    check_positive_int,
    check_positive_number,
)

__all__ = ["OptimizerPath", "optimizer_path", "optimizer_paths", "mse_along", "race_measure", "sweep"]


@dataclass(frozen=True)
class OptimizerPath:
    """Where an optimizer went: parameters at the start and after every step, and the losses.

    ``weights``/``biases`` have ``epochs * steps_per_epoch + 1`` entries (the start
    first); ``losses[i]`` is the mean training MSE of epoch ``i + 1``, each step's
    loss measured before its update. ``lr`` is the optimizer's learning rate
    (None when unknown), e.g. to measure steps in units of it.
    """

    name: str
    weights: np.ndarray
    biases: np.ndarray
    losses: np.ndarray
    steps_per_epoch: int
    lr: float | None = None

    @property
    def final(self) -> tuple[float, float]:
        """The final ``(weight, bias)``."""
        return float(self.weights[-1]), float(self.biases[-1])


def optimizer_path(
    x,
    y,
    make_optimizer: Callable,
    *,
    weight: float = -15.0,
    bias: float = -10.0,
    epochs: int = 10,
    batch_size: int | None = None,
    seed: int = 0,
    name: str = "",
    device: str | torch.device | None = None,
) -> OptimizerPath:
    """Train ``bias + weight * x`` with the optimizer
    ``make_optimizer([w, b])`` and record its path.

    ``batch_size=None`` uses the whole data set per step; a smaller one
    shuffles every epoch with a generator seeded by ``seed``. Raises
    [`linreg.DivergedError`][linreg.DivergedError] as soon as a loss is NaN or
    infinite.

    Examples:
        >>> from linreg import data
        >>> x, y = data.surface_line_data()
        >>> path = optimizer_path(
        ...     x, y, lambda params: torch.optim.SGD(params, lr=0.1), epochs=50
        ... )
        >>> [round(v, 1) for v in path.final]
        [1.0, -1.0]
    """
    x, y, batch_size, generator = _checked_arguments(
        x, y, make_optimizer, epochs, batch_size, seed, device
    )
    # the two parameters: leaf tensors
    w = torch.tensor(float(weight), device=device, requires_grad=True)
    b = torch.tensor(float(bias), device=device, requires_grad=True)
    optimizer = make_optimizer([w, b])
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            "make_optimizer must return a torch.optim.Optimizer, "
            f"got {type(optimizer).__name__}"
        )
    lr = float(optimizer.param_groups[0]["lr"])

    n = len(x)
    weights, biases, losses = [w.item()], [b.item()], []
    for epoch in range(1, epochs + 1):
        order = (
            torch.randperm(n, generator=generator)
            if batch_size < n
            else torch.arange(n)
        )
        step_losses = []
        for idx in order.to(x.device).split(batch_size):
            # forward pass and MSE
            loss = torch.mean((b + w * x[idx] - y[idx]) ** 2)
            step_losses.append(
                check_finite_loss(loss.item(), when=f"epoch {epoch}", lr=lr)
            )
            loss.backward()  # gradients: w.grad, b.grad
            optimizer.step()  # the update, by the optimizer's own rule
            # backward() adds to .grad: clear it for the next step
            optimizer.zero_grad()
            weights.append(w.item())
            biases.append(b.item())
        losses.append(float(np.mean(step_losses)))
    return OptimizerPath(
        name=name,
        weights=np.asarray(weights),
        biases=np.asarray(biases),
        losses=np.asarray(losses),
        steps_per_epoch=len(step_losses),
        lr=lr,
    )


def _checked_arguments(x, y, make_optimizer, epochs, batch_size, seed, device):
    """[`optimizer_path()`][linreg.optimizer_paths.optimizer_path]'s arguments checked: ``x, y`` as float32
    tensors of shape (N,) on ``device``, the batch size, the shuffling generator."""
    x, y = as_line_arrays(x, y)
    if not callable(make_optimizer):
        raise TypeError(f"make_optimizer must be callable (params -> optimizer), got {type(make_optimizer).__name__}")
    check_positive_int("epochs", epochs)
    n = len(x)
    batch_size = n if batch_size is None else check_positive_int("batch_size", batch_size)
    if batch_size > n:
        raise ValueError(f"batch_size must be at most the number of samples ({n}), got {batch_size}")
    generator = torch.Generator().manual_seed(check_non_negative_int("seed", seed))  # shuffles on the CPU
    x_t = torch.tensor(x[:, 0], dtype=torch.float32, device=device)  # (N,)
    y_t = torch.tensor(y[:, 0], dtype=torch.float32, device=device)  # (N,)
    return x_t, y_t, batch_size, generator


def optimizer_paths(
    x, y, optimizers: Mapping[str, Callable], **options
) -> dict[str, OptimizerPath]:
    """Run each optimizer from the same start on the same data:
    ``{label: OptimizerPath}``.

    ``optimizers`` maps a label to ``params -> optimizer``; ``options`` go to
    every [`optimizer_path()`][linreg.optimizer_paths.optimizer_path]
    (``weight``, ``bias``, ``epochs``, ...).

    Examples:
        >>> from linreg import data
        >>> paths = optimizer_paths(*data.surface_line_data(), {
        ...     "SGD": lambda params: torch.optim.SGD(params, lr=0.1),
        ...     "Adam": lambda params: torch.optim.Adam(params, lr=0.5),
        ... }, epochs=5)
        >>> list(paths), paths["Adam"].final != paths["SGD"].final
        (['SGD', 'Adam'], True)
    """
    if not isinstance(optimizers, Mapping) or not optimizers:
        raise ValueError(
            "optimizers must be a non-empty mapping of label -> "
            "(params -> optimizer)"
        )
    return {
        label: optimizer_path(x, y, make, name=label, **options)
        for label, make in optimizers.items()
    }


def mse_along(path: OptimizerPath, x, y) -> np.ndarray:
    """The full-data MSE at the start and after every step of ``path``, in
    float64: shape ``(steps + 1,)``.

    ``path.losses`` holds each step's loss *before* its update (and, with
    mini-batches, on one batch only); this is the loss of the whole data set
    *after* each update. With full batches both start from the same loss,
    which they compute in float32 and float64: equal up to rounding.

    Examples:
        >>> from linreg import data
        >>> x, y = data.surface_line_data()
        >>> path = optimizer_path(
        ...     x, y, lambda params: torch.optim.SGD(params, lr=0.1), epochs=3
        ... )
        >>> mse_along(path, x, y).shape, bool(
        ...     np.isclose(mse_along(path, x, y)[0], path.losses[0])
        ... )
        ((4,), True)
    """
    if not isinstance(path, OptimizerPath):
        raise TypeError(
            f"path must be an OptimizerPath, got {type(path).__name__}"
        )
    # (N,) each, float64
    x, y = (values[:, 0] for values in as_line_arrays(x, y))
    return (
        (path.biases[:, None] + path.weights[:, None] * x - y) ** 2
    ).mean(axis=1)


def race_measure(
    losses, floor: float, *, within: float = 0.01, last: int = 10
) -> tuple[int, float]:
    """How a run did, as ``(settled, excess)``: sort runs by it, and the first
    is the best.

    ``losses`` is the loss at the start and after each of the run's ``steps``
    steps ([`mse_along()`][linreg.optimizer_paths.mse_along]); ``floor`` the
    least-squares minimum's loss. ``settled`` is the first step from which the
    loss stays within ``within`` (1%) of ``floor`` to the end, or
    ``steps + 1`` if it is not there at the end; ``excess`` is the worst loss
    above ``floor`` over the ``last`` steps. Tuples compare item by item, so a
    run that settles sooner wins, and among runs that never settle the lower
    excess does.

    Examples:
        >>> race_measure([9.0, 3.0, 1.5, 1.0, 1.0], floor=1.0, last=2)
        (3, 0.0)
        >>> race_measure([9.0, 3.0, 2.0], floor=1.0, last=2)
        (3, 2.0)
    """
    losses = np.asarray(losses, dtype=float)
    if losses.ndim != 1 or losses.size < 2:
        raise ValueError(
            "losses must be a 1-D sequence: the start and at least one step, "
            f"got shape {losses.shape}"
        )
    floor = check_positive_number("floor", floor)
    within = check_fraction("within", within)
    last = check_positive_int("last", last)
    # steps still outside the band
    far = np.flatnonzero(losses - floor >= within * floor)
    settled = int(far[-1]) + 1 if far.size else 0
    return settled, float((losses[-last:] - floor).max())


def sweep(
    x,
    y,
    make_optimizer: Callable,
    learning_rates,
    *,
    floor: float,
    steps: int = 100,
    **options,
) -> list[tuple[float, float]]:
    """[`race_measure()`][linreg.optimizer_paths.race_measure] of one optimizer
    at each learning rate.

    ``make_optimizer(params, lr)`` builds the optimizer; each run is
    [`optimizer_path()`][linreg.optimizer_paths.optimizer_path] for ``steps``
    full-batch steps (``options``: its start, ...). A run that diverges
    measures ``(inf, inf)``: worse than any other.

    Examples:
        >>> from linreg import data, scratch
        >>> x, y = data.surface_line_data()
        >>> bias, weight = scratch.closed_form(x, y)
        >>> floor = float(np.mean(
        ...     (bias + weight * x.double().numpy() - y.double().numpy()) ** 2
        ... ))
        >>> sgd = lambda params, lr: torch.optim.SGD(params, lr=lr)
        >>> [settled for settled, excess
        ...  in sweep(x, y, sgd, [0.01, 0.25, 1.0], floor=floor)]
        [101, 12, inf]
    """
    if not callable(make_optimizer):
        raise TypeError(
            "make_optimizer must be callable (params, lr -> optimizer), "
            f"got {type(make_optimizer).__name__}"
        )
    measures = []
    for lr in learning_rates:
        lr = check_positive_number("learning_rates", lr)
        try:
            path = optimizer_path(
                x, y, lambda params, lr=lr: make_optimizer(params, lr),
                epochs=steps, **options,
            )
        except DivergedError:  # far too high a rate
            measures.append((math.inf, math.inf))
            continue
        measures.append(race_measure(mse_along(path, x, y), floor))
    return measures
