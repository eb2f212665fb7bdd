"""Gradient descent from scratch: linear regression in NumPy, then by hand in PyTorch (page 2).

The model is ``y = a + b x`` (``a`` the intercept, ``b`` the slope) and the
loss the mean squared error. Training is five steps, which page 2 writes out
one at a time and then in a loop:

1. start from random parameters ([`initial_parameters()`][linreg.scratch.initial_parameters]);
2. forward pass ([`predict()`][linreg.scratch.predict]);
3. loss ([`mse()`][linreg.scratch.mse]);
4. gradients, derived by hand with the chain rule ([`mse_gradients()`][linreg.scratch.mse_gradients]);
5. update: step against the gradient, scaled by the learning rate.

[`gradient_descent()`][linreg.scratch.gradient_descent] is that loop, for a number of epochs, over the whole
training set at once (batch), in mini-batches, or one sample at a time
(stochastic); page 2 shows its source. [`closed_form()`][linreg.scratch.closed_form] gives the exact
least-squares answer the loop must reach. [`crop_yields_by_hand()`][linreg.scratch.crop_yields_by_hand] is the
bridge to PyTorch that page 2 writes in cells (tensors, a 2x3 weight matrix, a
hand-written loss), as one function.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from linreg._checks import (
    as_2d_array,
    as_line_arrays,
    check_finite_loss,
    check_non_negative_int,
    check_positive_int,
    check_positive_number,
)

__all__ = [
    "DescentResult",
    "CropFit",
    "initial_parameters",
    "predict",
    "mse",
    "mse_gradients",
    "gradient_descent",
    "closed_form",
    "crop_model",
    "mse_by_hand",
    "crop_yields_by_hand",
]


@dataclass(frozen=True)
class DescentResult:
    """What [`gradient_descent()`][linreg.scratch.gradient_descent] returns.

    ``a``/``b`` are the final intercept and slope; ``losses[i]`` the mean
    training MSE of epoch ``i + 1`` (each step's loss is measured before its
    update); ``path`` holds ``(a, b)`` at the start and after every epoch,
    shape ``(epochs + 1, 2)``, or after every update with ``record_steps=True``,
    shape ``(epochs * steps_per_epoch + 1, 2)``. ``steps_per_epoch`` is how
    many updates one epoch made.
    """

    a: float
    b: float
    losses: np.ndarray
    path: np.ndarray
    lr: float
    batch_size: int
    steps_per_epoch: int

    @property
    def weights(self) -> np.ndarray:
        """The slope ``b`` along the path: the "weight" axis of a loss surface."""
        return self.path[:, 1]

    @property
    def biases(self) -> np.ndarray:
        """The intercept ``a`` along the path: the "bias" axis of a loss surface."""
        return self.path[:, 0]


def initial_parameters(seed: int = 42) -> tuple[float, float]:
    """Step 1: a random start ``(a, b)``, the numbers of
    ``np.random.seed(seed); randn(1), randn(1)``.

    A private ``RandomState`` draws them, so NumPy's global state is untouched.

    Examples:
        >>> a, b = initial_parameters()
        >>> round(a, 4), round(b, 4)
        (0.4967, -0.1383)
    """
    check_non_negative_int("seed", seed)
    rng = np.random.RandomState(seed)
    return float(rng.randn(1)[0]), float(rng.randn(1)[0])


def predict(a: float, b: float, x: np.ndarray) -> np.ndarray:
    """Step 2, the forward pass: ``a + b * x`` (same shape as ``x``).

    Examples:
        >>> predict(1.0, 2.0, np.array([[0.0], [1.0]])).ravel().tolist()
        [1.0, 3.0]
    """
    return a + b * np.asarray(x, dtype=float)


def mse(y, yhat, reduction: str = "mean") -> float:
    """Step 3, the loss: the mean (or sum) of the squared errors ``(yhat - y)**2``.

    Examples:
        >>> round(mse([1.0, 2.0, 3.0], [1.0, 3.0, 5.0]), 4), mse([1.0, 2.0, 3.0], [1.0, 3.0, 5.0], "sum")
        (1.6667, 5.0)
    """
    y, yhat = as_2d_array("y", y), as_2d_array("yhat", yhat)
    if y.shape != yhat.shape:
        raise ValueError(f"y and yhat must have the same shape, got {y.shape} and {yhat.shape}")
    squared = (yhat - y) ** 2
    if reduction == "mean":
        return float(squared.mean())
    if reduction == "sum":
        return float(squared.sum())
    raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")


def mse_gradients(x: np.ndarray, y: np.ndarray, yhat: np.ndarray) -> tuple[float, float]:
    """Step 4: the gradients of the MSE with respect to ``a`` and ``b``, by the chain rule.

    With ``error = yhat - y``: ``dMSE/da = 2 mean(error)`` and
    ``dMSE/db = 2 mean(x * error)``.

    Examples:
        >>> x = np.array([[0.0], [1.0]])
        >>> mse_gradients(x, y=np.array([[1.0], [3.0]]), yhat=np.array([[1.0], [4.0]]))
        (1.0, 1.0)
    """
    error = yhat - y  # (N, 1)
    return float(2 * error.mean()), float(2 * (x * error).mean())


def gradient_descent(x, y, *, lr: float = 0.1, epochs: int = 1000,
                     batch_size: int | None = None,
                     init: tuple[float, float] | None = None, seed: int = 42,
                     record_steps: bool = False) -> DescentResult:
    """Fit ``y = a + b x`` by gradient descent in NumPy: the five steps,
    repeated for ``epochs``.

    ``batch_size=None`` is batch gradient descent (one update per epoch, on all
    N samples); a smaller one is mini-batch descent (the samples shuffled every
    epoch, then ``ceil(N / batch_size)`` updates), and 1 is stochastic descent.
    ``init`` is the start ``(a, b)``, by default
    [`initial_parameters()`][linreg.scratch.initial_parameters] with ``seed``
    (which also seeds the shuffling). ``record_steps=True`` records ``(a, b)``
    after every update instead of every epoch. Raises
    [`linreg.DivergedError`][linreg.DivergedError] as soon as a loss is NaN or
    infinite.

    Examples:
        >>> from linreg import data
        >>> d = data.line_data()
        >>> fit = gradient_descent(d.x_train, d.y_train, lr=0.1, epochs=1000)
        >>> round(fit.a, 2), round(fit.b, 2), fit.path.shape
        (1.02, 1.97, (1001, 2))
    """
    x, y, (a, b), batch_size = _checked_arguments(
        x, y, lr, epochs, batch_size, init, seed, record_steps
    )
    n = len(x)
    shuffler = np.random.RandomState(seed)

    losses, path = [], [(a, b)]
    # A divergent learning rate overflows float64 within a few hundred epochs:
    # let the loss become inf quietly, then stop with a DivergedError that
    # explains why.
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(1, epochs + 1):
            order = np.arange(n) if batch_size == n else shuffler.permutation(n)
            step_losses = []
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                xb, yb = x[idx], y[idx]
                # step 2: forward pass, (batch, 1)
                yhat = a + b * xb
                error = yhat - yb
                # step 3: loss (MSE)
                loss = float((error ** 2).mean())
                check_finite_loss(loss, when=f"epoch {epoch}", lr=lr)
                # step 4: gradients, by the chain rule
                a_grad = 2 * error.mean()
                b_grad = 2 * (xb * error).mean()
                # step 5: update
                a, b = float(a - lr * a_grad), float(b - lr * b_grad)
                step_losses.append(loss)
                if record_steps:
                    path.append((a, b))
            losses.append(float(np.mean(step_losses)))
            if not record_steps:
                path.append((a, b))
    return DescentResult(a=float(a), b=float(b), losses=np.asarray(losses),
                         path=np.asarray(path), lr=lr, batch_size=batch_size,
                         steps_per_epoch=len(step_losses))


def _checked_arguments(x, y, lr, epochs, batch_size, init, seed, record_steps):
    """[`gradient_descent()`][linreg.scratch.gradient_descent]'s arguments checked: ``x, y`` as (N, 1) arrays, the
    start ``(a, b)``, the batch size."""
    x, y = as_line_arrays(x, y)
    check_positive_number("lr", lr)
    check_positive_int("epochs", epochs)
    check_non_negative_int("seed", seed)
    n = len(x)
    batch_size = n if batch_size is None else check_positive_int("batch_size", batch_size)
    if batch_size > n:
        raise ValueError(f"batch_size must be at most the number of samples ({n}), got {batch_size}")
    if init is None:
        start = initial_parameters(seed)
    elif len(init) != 2:
        raise ValueError(f"init must be a pair (a, b), got {init!r}")
    else:
        start = tuple(_finite_number("init", v) for v in init)
    if not isinstance(record_steps, bool):
        raise TypeError(f"record_steps must be True or False, got {record_steps!r}")
    return x, y, start, batch_size


def _finite_number(name: str, value) -> float:
    """Return ``value`` as a float if it is a finite real number (a starting parameter)."""
    if isinstance(value, bool) or not np.isscalar(value) or not np.isreal(value):
        raise TypeError(f"{name} must hold real numbers, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must hold finite numbers, got {value!r}")
    return float(value)


def closed_form(x, y, method: str = "lstsq") -> tuple[float, float]:
    """The exact least-squares ``(a, b)``: no iterations, no learning rate.

    ``method="lstsq"`` solves with `numpy.linalg.lstsq()` (numerically
    safe); ``method="normal"`` solves the normal equation
    ``(X^T X) theta = X^T y`` with ``X = [1, x]``. Both give the same numbers
    on well-conditioned data; gradient descent must converge to them.

    Examples:
        >>> closed_form([0.0, 1.0, 2.0], [1.0, 3.0, 5.0])
        (1.0, 2.0)
    """
    x, y = as_line_arrays(x, y)
    # (N, 2): a column of ones for a, x for b
    design = np.hstack([np.ones_like(x), x])
    if method == "lstsq":
        theta = np.linalg.lstsq(design, y, rcond=None)[0]
    elif method == "normal":
        theta = np.linalg.solve(design.T @ design, design.T @ y)
    else:
        raise ValueError(f"method must be 'lstsq' or 'normal', got {method!r}")
    # 12 decimals: an exact answer reads exactly, (1.0, 2.0) and not
    # (0.9999999999999997, 1.9999999999999998)
    return round(float(theta[0, 0]), 12), round(float(theta[1, 0]), 12)


@dataclass(frozen=True)
class CropFit:
    """What [`crop_yields_by_hand()`][linreg.scratch.crop_yields_by_hand] returns.

    ``losses`` holds the MSE before every epoch's update and, last, after the
    final one (``epochs + 1`` values); ``predictions`` and ``targets`` are
    (5, 2) arrays of (apples, oranges); ``w`` (2, 3) and ``b`` (2,) the final parameters.
    """

    losses: np.ndarray
    predictions: np.ndarray
    targets: np.ndarray
    w: np.ndarray
    b: np.ndarray

    @property
    def loss_before(self) -> float:
        """The MSE of the random start."""
        return float(self.losses[0])

    @property
    def loss_after(self) -> float:
        """The MSE after the last update."""
        return float(self.losses[-1])


def crop_model(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The crop-yield model: ``x @ w.t() + b``, (N, 3) inputs to (N, 2) yields.

    Examples:
        >>> tuple(crop_model(torch.ones(5, 3), torch.ones(2, 3), torch.zeros(2)).shape)
        (5, 2)
    """
    return x @ w.t() + b  # (N, 3) @ (3, 2) -> (N, 2); b broadcasts over the rows


def mse_by_hand(predictions: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """The MSE written out with tensor operations: ``sum((p - t)**2) / count``.

    Examples:
        >>> mse_by_hand(torch.tensor([1.0, 3.0, 5.0]), torch.tensor([1.0, 2.0, 3.0])).item()
        1.6666666269302368
    """
    difference = predictions - targets
    return torch.sum(difference * difference) / difference.numel()


def crop_yields_by_hand(*, epochs: int = 100, lr: float = 1e-5, seed: int = 42,
                        device: str | torch.device | None = None) -> CropFit:
    """Recipe C by hand in PyTorch: random ``w`` (2x3) and ``b`` (2), hand-written MSE, plain updates.

    Every epoch: predict, compute the loss, ``loss.backward()``, step against
    the gradients inside ``torch.no_grad()`` (the update must not be recorded
    in the graph), then zero the gradients (``backward`` adds to them).
    Raises [`linreg.DivergedError`][linreg.DivergedError] if the loss stops being finite.

    Examples:
        >>> fit = crop_yields_by_hand()
        >>> fit.loss_before > 10 * fit.loss_after
        True
    """
    from linreg.data import crop_yields

    epochs = check_positive_int("epochs", epochs)
    lr = check_positive_number("lr", lr)
    generator = torch.Generator().manual_seed(check_non_negative_int("seed", seed))
    inputs, targets = (t.to(device) for t in crop_yields())
    # Drawn on the CPU (the generator lives there), then moved: requires_grad_ is set
    # after the move so w and b are leaves on the device and receive .grad.
    w = torch.randn(2, 3, generator=generator).to(device).requires_grad_()
    b = torch.randn(2, generator=generator).to(device).requires_grad_()

    losses = []
    for epoch in range(1, epochs + 1):
        loss = mse_by_hand(crop_model(inputs, w, b), targets)
        losses.append(check_finite_loss(loss.item(), when=f"epoch {epoch}", lr=lr))
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
    with torch.no_grad():
        predictions = crop_model(inputs, w, b)
        losses.append(check_finite_loss(mse_by_hand(predictions, targets).item(), when="the end", lr=lr))
    return CropFit(losses=np.asarray(losses), predictions=predictions.cpu().numpy(),
                   targets=targets.cpu().numpy(), w=w.detach().cpu().numpy(), b=b.detach().cpu().numpy())
