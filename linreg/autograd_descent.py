"""Recipe A's gradient descent again, with PyTorch tensors and autograd (page 3).

The NumPy version ([`linreg.scratch`][linreg.scratch]) derives the gradients by hand. Here
``loss.backward()`` computes them: the five steps stay the same (start, forward,
loss, gradients, update), only step four changes. Starting from the same random
numbers, both versions end on the same line to four decimals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from linreg import scratch
from linreg._checks import (
    check_column,
    check_finite_loss,
    check_positive_int,
    check_positive_number,
    check_same_length,
)

__all__ = ["AutogradFit", "gradient_descent", "initial_parameters"]


@dataclass(frozen=True)
class AutogradFit:
    """The result of [`gradient_descent()`][linreg.autograd_descent.gradient_descent].

    ``a`` and ``b`` are the final intercept and slope, ``losses`` the training
    MSE of every epoch, measured before that epoch's update (an array, like
    [`linreg.scratch.DescentResult.losses`][linreg.scratch.DescentResult]).
    """

    a: float
    b: float
    losses: np.ndarray


def initial_parameters(
    seed: int = 42, device: str | torch.device = "cpu"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Recipe A's random start as two leaf tensors ``(a, b)`` that require
    grad, created on ``device``.

    The numbers are those of the NumPy version,
    [`linreg.scratch.initial_parameters()`][linreg.scratch.initial_parameters]
    (``np.random.seed(seed)`` then ``randn(1)`` twice, from a private
    generator): the PyTorch and NumPy runs start from the same point.

    Examples:
        >>> a, b = initial_parameters()
        >>> a.requires_grad, a.is_leaf, round(a.item(), 4)
        (True, True, 0.4967)
    """
    a_start, b_start = scratch.initial_parameters(seed)
    # Created directly on the device as leaves: moving them afterwards with
    # .to(device) would return a non-leaf copy whose .grad stays None.
    a = torch.tensor(
        [a_start], dtype=torch.float32, device=device, requires_grad=True
    )
    b = torch.tensor(
        [b_start], dtype=torch.float32, device=device, requires_grad=True
    )
    return a, b


def gradient_descent(x: torch.Tensor, y: torch.Tensor, *, lr: float = 0.1,
                     epochs: int = 1000, seed: int = 42) -> AutogradFit:
    """Fit ``y = a + b x`` by full-batch gradient descent, with gradients from
    autograd.

    ``x`` and ``y`` are float tensors of shape ``(N, 1)`` on any device; the
    parameters are created on the same device. Each epoch: forward pass, MSE
    (recorded before the update, as page 2 counts it), ``loss.backward()``, an
    update inside ``torch.no_grad()``, then the gradients are zeroed in place
    (``backward`` adds to ``.grad``, it does not overwrite).

    Raises [`linreg.DivergedError`][linreg.DivergedError] if the loss stops
    being finite.

    Examples:
        >>> from linreg import data
        >>> x, y, _, _ = data.line_data().tensors()
        >>> fit = gradient_descent(x, y, epochs=1000)
        >>> round(fit.a, 2), round(fit.b, 2)
        (1.02, 1.97)
    """
    x, y = check_column("x", x), check_column("y", y)
    check_same_length("x", x, "y", y)
    lr = check_positive_number("lr", lr)
    epochs = check_positive_int("epochs", epochs)

    a, b = initial_parameters(seed, device=x.device)
    losses = []
    for epoch in range(1, epochs + 1):
        yhat = a + b * x  # forward pass, (N, 1)
        loss = ((yhat - y) ** 2).mean()
        losses.append(
            check_finite_loss(loss.item(), when=f"epoch {epoch}", lr=lr)
        )
        loss.backward()  # fills a.grad and b.grad
        # the update itself must not become part of the graph
        with torch.no_grad():
            a -= lr * a.grad
            b -= lr * b.grad
        a.grad.zero_()
        b.grad.zero_()
    return AutogradFit(a=a.item(), b=b.item(), losses=np.asarray(losses))
