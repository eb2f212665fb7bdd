"""Loss surfaces: the MSE of a line over a grid of (weight, bias).

A line ``yhat = bias + weight * x`` has two parameters, so its whole loss
landscape fits in one picture: [`loss_surface()`][linreg.surfaces.loss_surface] evaluates the MSE on a
grid of lines at once, and [`grid_around()`][linreg.surfaces.grid_around] chooses a grid that keeps some
paths (and the minimum) in view. For recipe A (``y = a + b x``) the weight is the slope ``b`` and the bias
the intercept ``a``.

Where optimizers walk across a surface is [`linreg.optimizer_paths`][linreg.optimizer_paths]; the figures
that draw one on the other are [`linreg.optimizer_plots`][linreg.optimizer_plots].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from linreg._checks import as_line_arrays, check_positive_int

__all__ = ["LossSurface", "loss_surface", "grid_around"]


@dataclass(frozen=True)
class LossSurface:
    """The MSE on a grid: ``losses[i, j]`` is the loss at ``biases[i]``, ``weights[j]``.

    ``x``/``y`` are the data (shape (N,)) the losses were computed on.
    """

    weights: np.ndarray
    biases: np.ndarray
    losses: np.ndarray
    x: np.ndarray
    y: np.ndarray

    def loss_at(self, weights, biases) -> np.ndarray:
        """The exact MSE at each ``(weight, bias)`` pair, e.g. the points of a path.

        Examples:
            >>> surface = loss_surface([0.0, 1.0], [1.0, 3.0], [0.0, 2.0], [1.0, 2.0])
            >>> surface.loss_at([2.0, 0.0], [1.0, 1.0]).tolist()
            [0.0, 2.0]
        """
        weights = np.asarray(weights, dtype=float).reshape(-1, 1)  # (P, 1)
        biases = np.asarray(biases, dtype=float).reshape(-1, 1)    # (P, 1)
        return ((biases + weights * self.x - self.y) ** 2).mean(axis=1)  # (P, N) -> (P,)


def _line_arrays(x, y) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``y`` as float arrays of shape (N,), checked to be one feature and one target."""
    x, y = as_line_arrays(x, y)
    return x[:, 0], y[:, 0]


def _grid_axis(name: str, values) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size < 2 or not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be a 1-D array of at least 2 finite numbers, got shape {array.shape}")
    return array


def loss_surface(x, y, weights, biases) -> LossSurface:
    """The MSE of ``bias + weight * x`` against ``y`` for every pair on the
    grid ``biases x weights``.

    Examples:
        >>> surface = loss_surface(
        ...     [0.0, 1.0], [1.0, 3.0], weights=[0.0, 2.0], biases=[1.0, 2.0]
        ... )
        >>> surface.losses.shape, float(surface.losses[0, 1])
        ((2, 2), 0.0)
    """
    x, y = _line_arrays(x, y)
    weights, biases = (
        _grid_axis("weights", weights), _grid_axis("biases", biases)
    )
    # (B, 1, 1) + (1, W, 1) * (1, 1, N) -> (B, W, N): every line on every
    # sample at once
    predictions = (
        biases[:, None, None] + weights[None, :, None] * x[None, None, :]
    )
    losses = ((predictions - y) ** 2).mean(axis=-1)  # (B, W): one MSE per line
    return LossSurface(weights=weights, biases=biases, losses=losses, x=x, y=y)


def grid_around(
    *paths, margin: float = 0.2, n: int = 101, include=None
) -> tuple[np.ndarray, np.ndarray]:
    """Grid axes ``(weights, biases)`` spanning every path (objects with
    ``.weights``/``.biases``).

    ``margin`` widens each range by that fraction on both sides; ``include``
    is an extra ``(weight, bias)`` point to keep in view, e.g. the minimum.

    Examples:
        >>> from types import SimpleNamespace
        >>> path = SimpleNamespace(weights=[0.0, 1.0], biases=[0.0, 2.0])
        >>> w, b = grid_around(path, margin=0.0, n=3)
        >>> w.tolist(), b.tolist()
        ([0.0, 0.5, 1.0], [0.0, 1.0, 2.0])
    """
    if not paths:
        raise ValueError("grid_around needs at least one path")
    check_positive_int("n", n)
    weights = np.concatenate(
        [np.asarray(p.weights, dtype=float) for p in paths]
    )
    biases = np.concatenate([np.asarray(p.biases, dtype=float) for p in paths])
    if include is not None:
        weights, biases = (
            np.append(weights, include[0]), np.append(biases, include[1])
        )
    axes = []
    for values in (weights, biases):
        low, high = values.min(), values.max()
        pad = margin * (high - low) if high > low else 1.0
        axes.append(np.linspace(low - pad, high + pad, n))
    return axes[0], axes[1]
