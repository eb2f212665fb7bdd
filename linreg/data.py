"""Every data recipe of the curriculum, as a seeded function.

Each recipe takes its seed as an argument and returns fresh arrays or tensors:
no global random state is read or changed, so a page can call a recipe twice
and get the same data, and tests can pin the exact numbers.

Recipes (see the curriculum for where each one is used):

* A — [`line_data()`][linreg.data.line_data]: ``y = 1 + 2x + noise``, 100 points, 80/20 split (pages 2-8).
* B — [`gaussian_line_data()`][linreg.data.gaussian_line_data]: ``y = 1.5 + 2x + noise``, 200 standard-normal x
  (pages 6-8).
* C — [`crop_yields()`][linreg.data.crop_yields]: five regions, three weather inputs, two crops (pages 2 and 5).
* D — [`surface_line_data()`][linreg.data.surface_line_data]: ``y = x - 1 + noise`` on a grid, for loss surfaces
  (page 2).
* E — [`noisy_line()`][linreg.data.noisy_line]: ``y = 2x + 1 + noise`` whose spread grows with x, 10,000 points
  (page 9).
* F — [`polynomial_data()`][linreg.data.polynomial_data]: ``y = 3x² + 2x + 1 + noise``;
  [`polynomial_features()`][linreg.data.polynomial_features] makes ``[x, x²]`` (page 9).
* [`wavy_curve()`][linreg.data.wavy_curve]: ``y = x sin(x) + noise``, a curve no polynomial of low degree follows
  (page 9).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from linreg._checks import check_column, check_non_negative_int, check_non_negative_number, check_positive_int


@dataclass(frozen=True)
class LineData:
    """A 1-D regression data set split into training and validation parts.

    Arrays have shape ``(N, 1)``; ``true_a``/``true_b`` are the intercept and
    slope the data was generated with.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    true_a: float
    true_b: float

    def tensors(self, device: str | torch.device = "cpu") -> tuple[torch.Tensor, ...]:
        """Return ``(x_train, y_train, x_val, y_val)`` as float32 tensors on ``device``.

        Examples:
            >>> x_train, y_train, x_val, y_val = line_data().tensors()
            >>> x_train.dtype, tuple(x_train.shape)
            (torch.float32, (80, 1))
        """
        arrays = (self.x_train, self.y_train, self.x_val, self.y_val)
        # from_numpy shares memory with the array; .float() makes a float32 copy,
        # so the tensors never alias this (frozen) data set.
        return tuple(torch.from_numpy(a).float().to(device) for a in arrays)


def _seeded_recipe(seed: int, n: int, noise: float) -> tuple[torch.Generator, int, float]:
    """Check a torch recipe's shared arguments; return its private generator (the global RNG stays untouched)."""
    check_non_negative_int("seed", seed)
    n = check_positive_int("n", n)
    noise = check_non_negative_number("noise", noise)
    return torch.Generator().manual_seed(seed), n, noise


def line_data(
    seed: int = 42,
    n: int = 100,
    n_train: int = 80,
    true_a: float = 1.0,
    true_b: float = 2.0,
    noise: float = 0.1,
) -> LineData:
    """Recipe A: noisy points around the line ``y = a + b x``, shuffled and
    split.

    ``x`` is uniform on [0, 1). The first ``n_train`` shuffled indices train,
    the rest validate. A ``RandomState(seed)`` draws the same numbers as the
    classic ``np.random.seed(seed)`` script without touching NumPy's global
    state.

    Examples:
        >>> data = line_data()
        >>> data.x_train.shape, data.x_val.shape
        ((80, 1), (20, 1))
    """
    check_non_negative_int("seed", seed)
    check_positive_int("n", n)
    check_positive_int("n_train", n_train)
    if n_train >= n:
        raise ValueError(
            f"n_train must be smaller than n={n} to leave validation points, "
            f"got {n_train}"
        )
    noise = check_non_negative_number("noise", noise)

    rng = np.random.RandomState(seed)
    x = rng.rand(n, 1)
    y = true_a + true_b * x + noise * rng.randn(n, 1)
    idx = np.arange(n)
    rng.shuffle(idx)
    train_idx, val_idx = idx[:n_train], idx[n_train:]
    return LineData(
        x[train_idx], y[train_idx], x[val_idx], y[val_idx],
        float(true_a), float(true_b),
    )


def crop_yields(repeat: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """Recipe C: weather inputs and crop yields of five regions, as float32 tensors.

    Inputs are (temperature, rainfall, humidity); targets are (apples, oranges).
    ``repeat`` stacks the five rows that many times (page 5 uses 3, giving 15 rows).

    Examples:
        >>> inputs, targets = crop_yields()
        >>> tuple(inputs.shape), tuple(targets.shape)
        ((5, 3), (5, 2))
    """
    check_positive_int("repeat", repeat)
    inputs = torch.tensor(
        [[73, 67, 43], [91, 88, 64], [87, 134, 58], [102, 43, 37], [69, 96, 70]],
        dtype=torch.float32,
    )
    targets = torch.tensor(
        [[56, 70], [81, 101], [119, 133], [22, 37], [103, 119]],
        dtype=torch.float32,
    )
    return inputs.repeat(repeat, 1), targets.repeat(repeat, 1)


def surface_line_data(seed: int = 1, noise: float = 0.1) -> tuple[torch.Tensor, torch.Tensor]:
    """Recipe D: ``y = x - 1 + noise`` for x = -3.0, -2.9, ..., 2.9 (60 points, shape (60, 1)).

    Used to draw loss surfaces: with only two parameters (weight 1, bias -1)
    the whole loss landscape fits in one picture. A private generator seeded
    with ``seed`` draws the same noise as ``torch.manual_seed(seed)`` would.

    Examples:
        >>> x, y = surface_line_data()
        >>> tuple(x.shape)
        (60, 1)
    """
    check_non_negative_int("seed", seed)
    generator = torch.Generator().manual_seed(seed)
    x = torch.arange(-3, 3, 0.1).view(-1, 1)  # (60, 1)
    y = 1 * x - 1 + noise * torch.randn(x.size(), generator=generator)
    return x, y


def noisy_line(seed: int = 0, n: int = 10_000, slope: float = 2.0, intercept: float = 1.0
               ) -> tuple[torch.Tensor, torch.Tensor]:
    """Recipe E: ``y = 2x + 1 + noise`` where the noise's spread grows with ``x``.

    ``x`` is uniform on [0, 1); the noise is Gaussian with standard deviation
    ``0.1 + 0.5 x`` (heteroscedastic: the cloud fans out to the right). Returns
    float32 tensors of shape ``(n, 1)``. No line can do better than the noise,
    so the best reachable mean squared error is about
    ``E[(0.1 + 0.5x)²] = 0.01 + 0.05 + 0.25/3 ≈ 0.143``.

    Examples:
        >>> x, y = noisy_line(seed=0)
        >>> tuple(x.shape), tuple(y.shape)
        ((10000, 1), (10000, 1))
    """
    check_non_negative_int("seed", seed)
    check_positive_int("n", n)
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, generator=generator)  # (n, 1), uniform on [0, 1)
    noise_std = 0.1 + 0.5 * x  # grows with x
    y = slope * x + intercept + noise_std * torch.randn(n, 1, generator=generator)
    return x, y


def polynomial_data(seed: int = 0, n: int = 500, noise: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Recipe F: ``y = 3x² + 2x + 1 + noise`` for ``x`` uniform on [-2, 2); tensors of shape ``(n, 1)``.

    Fit it with [`polynomial_features()`][linreg.data.polynomial_features] and a linear model: a polynomial is
    linear in its coefficients, so polynomial fitting is linear regression on
    new features.

    Examples:
        >>> x, y = polynomial_data(seed=0, n=100)
        >>> tuple(x.shape)
        (100, 1)
    """
    generator, n, noise = _seeded_recipe(seed, n, noise)
    x = 4 * torch.rand(n, 1, generator=generator) - 2  # (n, 1), uniform on [-2, 2)
    y = 3 * x**2 + 2 * x + 1 + noise * torch.randn(n, 1, generator=generator)
    return x, y


def polynomial_features(x: torch.Tensor) -> torch.Tensor:
    """Turn inputs of shape ``(N, 1)`` into the features ``[x, x²]`` of shape ``(N, 2)``.

    Examples:
        >>> polynomial_features(torch.tensor([[2.0], [3.0]]))
        tensor([[2., 4.],
                [3., 9.]])
    """
    check_column("x", x)
    return torch.cat([x, x**2], dim=1)  # (N, 2): one column per power


def wavy_curve(seed: int = 0, n: int = 1000, noise: float = 0.3) -> tuple[torch.Tensor, torch.Tensor]:
    """``y = x sin(x) + noise`` for ``x`` uniform on [-5, 5); tensors of shape ``(n, 1)``.

    The curve wiggles with a growing amplitude: no straight line and no
    low-degree polynomial follows it, a small neural network can (page 9).

    Examples:
        >>> x, y = wavy_curve(seed=0, n=50)
        >>> tuple(y.shape), wavy_curve(seed=0, n=50)[1].equal(y)  # same seed, same points
        ((50, 1), True)
    """
    generator, n, noise = _seeded_recipe(seed, n, noise)
    x = 10 * torch.rand(n, 1, generator=generator) - 5  # (n, 1), uniform on [-5, 5)
    y = x * torch.sin(x) + noise * torch.randn(n, 1, generator=generator)
    return x, y


def gaussian_line_data(
    seed: int = 420,
    n: int = 200,
    alpha: float = 1.5,
    beta: float = 2.0,
    noise: float = 0.1,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Recipe B: ``y = alpha + beta x + noise`` with Gaussian ``x ~ N(0, 1)``, as float32 columns of shape (n, 1).

    Draws ``x = randn(n)`` then the noise ``randn(n)`` from a private generator
    seeded with ``seed``: the same numbers as ``torch.manual_seed(seed)``
    followed by the classic recipe, without touching the global random state.
    The data set pages 6-8 wrap in a ``Dataset`` and split into train and test.

    Examples:
        >>> x, y = gaussian_line_data()
        >>> tuple(x.shape), tuple(y.shape)
        ((200, 1), (200, 1))
    """
    generator, n, noise = _seeded_recipe(seed, n, noise)
    x = torch.randn(n, generator=generator)
    y = alpha + beta * x + noise * torch.randn(n, generator=generator)
    return x.view(-1, 1), y.view(-1, 1)  # (n,) -> (n, 1): one feature per sample, as nn.Linear expects
