"""Argument checks shared by every `linreg` module.

Errors are part of the lesson: each check names the argument, says what was
expected and shows what it got, so a reader who passes a wrong shape or a
negative learning rate learns what went wrong instead of reading a traceback
from deep inside PyTorch.
"""

from __future__ import annotations

import math
import numbers
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch

# torch is not imported here: `import linreg` stays cheap (no 2-second torch
# import), and a value can only be a tensor if torch is already loaded.


def _is_tensor(value: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


class DivergedError(FloatingPointError):
    """Training produced a loss that is NaN or infinite.

    Raised by the training helpers instead of silently carrying on with
    garbage parameters. The message suggests the usual cause: a learning rate
    that is too high for the scale of the data.
    """


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_positive_number(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a finite number greater than zero."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number, got {_describe(value)}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive, finite number, got {value!r}")
    return float(value)


def check_positive_int(name: str, value: Any) -> int:
    """Return ``value`` if it is an integer greater than zero (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {_describe(value)}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def check_non_negative_int(name: str, value: Any) -> int:
    """Return ``value`` if it is an integer >= 0 (a seed, an index, a count)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative integer, got {_describe(value)}")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def check_non_negative_number(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a finite number >= 0 (a noise level, a weight decay)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a non-negative number, got {_describe(value)}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a non-negative, finite number, got {value!r}")
    return float(value)


def check_fraction(name: str, value: Any, *, inclusive: bool = False) -> float:
    """Return ``value`` if it lies strictly between 0 and 1 (or in [0, 1] if ``inclusive``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number between 0 and 1, got {_describe(value)}")
    ok = 0 <= value <= 1 if inclusive else 0 < value < 1
    if not ok:
        bounds = "[0, 1]" if inclusive else "(0, 1)"
        raise ValueError(f"{name} must lie in {bounds}, got {value!r}")
    return float(value)


def as_2d_array(name: str, value: Any) -> np.ndarray:
    """Return ``value`` as a non-empty float array of shape (N, k).

    A 1-D array of N numbers is read as N samples of one feature, shape (N, 1).
    """
    if _is_tensor(value):
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers, got {_describe(value)}") from exc
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(f"{name} must have shape (N,) or (N, k), got shape {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"{name} is empty: it needs at least one sample")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def check_same_length(name_a: str, a: Any, name_b: str, b: Any) -> None:
    """Raise if ``a`` and ``b`` do not hold the same number of samples (first axis)."""
    if len(a) != len(b):
        raise ValueError(
            f"{name_a} and {name_b} must hold the same number of samples, "
            f"got {len(a)} and {len(b)}"
        )


def as_line_arrays(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return ``x`` and ``y`` as float arrays of shape (N, 1): one feature and one target.

    Examples:
        >>> x, y = as_line_arrays([0.0, 1.0], [[1.0], [3.0]])
        >>> x.shape, y.shape
        ((2, 1), (2, 1))
    """
    x, y = as_2d_array("x", x), as_2d_array("y", y)
    for name, array in (("x", x), ("y", y)):
        if array.shape[1] != 1:
            raise ValueError(f"{name} must have shape (N,) or (N, 1) for a line fit, got {array.shape}")
    check_same_length("x", x, "y", y)
    return x, y


def check_tensor(name: str, value: Any, *, ndim: int | None = None) -> torch.Tensor:
    """Return ``value`` if it is a non-empty tensor (with ``ndim`` dimensions, if given)."""
    if not _is_tensor(value):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if ndim is not None and value.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {tuple(value.shape)}")
    if value.numel() == 0:
        raise ValueError(f"{name} is empty: it needs at least one element")
    return value


def check_column(name: str, value: Any) -> torch.Tensor:
    """Return ``value`` if it is a tensor of shape (N, 1) with N > 0: one feature (or target) per sample."""
    if not _is_tensor(value):
        raise TypeError(f"{name} must be a torch.Tensor of shape (N, 1), got {type(value).__name__}")
    if value.ndim != 2 or value.shape[1] != 1 or value.shape[0] == 0:
        raise ValueError(f"{name} must have shape (N, 1) with N > 0, got {tuple(value.shape)}")
    return value


def check_finite_loss(
    loss: float, *, when: str, lr: float | None = None
) -> float:
    """Return ``loss`` if it is finite; otherwise stop training with a
    [`DivergedError`][linreg.DivergedError].

    ``when`` says where training stood, e.g. ``"epoch 3"`` or ``"step 120"``.

    Examples:
        >>> check_finite_loss(0.25, when="epoch 3")
        0.25
    """
    if math.isfinite(loss):
        return loss
    rate = f" (lr={lr:g})" if lr is not None else ""
    raise DivergedError(
        f"training diverged at {when}: the loss became {loss}. "
        f"The learning rate{rate} is probably too high for this data: each "
        "step overshoots the minimum by more than the last. Try a learning "
        "rate 10x smaller, or scale the inputs."
    )
