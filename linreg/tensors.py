"""Helpers for the Tensors page (page 1): the sharing experiment and the table of dtypes.

The page itself calls PyTorch directly (that is the lesson) and shows both
functions here: [`sharing_table()`][linreg.tensors.sharing_table] runs one
experiment for every way of making a second tensor, and
[`dtype_table()`][linreg.tensors.dtype_table] reads each dtype's numbers from
``torch.finfo``/``torch.iinfo``, so none is typed by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch

__all__ = ["DTYPES", "DtypeRow", "dtype_table", "sharing_table"]

DTYPES: dict[torch.dtype, str] = {
    torch.float32: "the default: parameters, data, losses",
    torch.float64: "precise checks; NumPy's default",
    torch.float16: "mixed precision on GPUs",
    torch.bfloat16: "mixed precision, float32's range",
    torch.uint8: "image pixels, 0 to 255",
    torch.int8: "quantized weights",
    torch.int16: "audio samples",
    torch.int32: "compact indices",
    torch.int64: "labels, indices (default integer)",
    torch.bool: "masks",
}
"""The dtypes the page tabulates, with what each is typically used for."""


def sharing_table(value: float = 100.0) -> list[tuple[str, str, str]]:
    """For each way of deriving a tensor, mutate the source and report whether
    the result followed.

    Each row is ``(how, shares memory, first element after the source's first
    element was set to value)``. The source is a fresh float64 NumPy array
    ``[[0, 1, 2], [3, 4, 5]]`` for every row (``x`` is ``torch.from_numpy`` of
    it). "Shares memory" is NumPy's own test, ``np.shares_memory``, asked
    before the mutation; the last column is what the mutation shows.

    Examples:
        >>> rows = dict(
        ...     (how, (shared, seen)) for how, shared, seen in sharing_table()
        ... )
        >>> rows["x.clone()"]
        ('no', '0.0')
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or value == 0
    ):
        raise ValueError(
            "value must be a non-zero number (the sources start at 0), "
            f"got {value!r}"
        )
    ways = {  # each way of making a second tensor, named as the page writes it
        "torch.tensor(array)": lambda array: torch.tensor(array),
        "torch.as_tensor(array)": lambda array: torch.as_tensor(array),
        "torch.from_numpy(array)": lambda array: torch.from_numpy(array),
        "torch.from_numpy(array).float()": (
            lambda array: torch.from_numpy(array).float()
        ),
        "x.view(-1)": lambda array: torch.from_numpy(array).view(-1),
        "x.reshape(-1)": lambda array: torch.from_numpy(array).reshape(-1),
        "x.t().reshape(-1)": (
            lambda array: torch.from_numpy(array).t().reshape(-1)
        ),
        "x.clone()": lambda array: torch.from_numpy(array).clone(),
    }
    rows = []
    for how, derive in ways.items():
        # (2, 3), a fresh source for every row
        array = np.arange(6, dtype=np.float64).reshape(2, 3)
        second = derive(array)
        # asked before the experiment...
        shared = np.shares_memory(array, second.numpy())
        array[0, 0] = value  # ...then mutate the source...
        rows.append(  # ...and look
            (how, "yes" if shared else "no", str(second.reshape(-1)[0].item()))
        )
    return rows


class DtypeRow(NamedTuple):
    """One row of the dtype table."""

    name: str
    aliases: str
    bits: int
    kind: str
    largest: str
    eps: str
    use: str

    @property
    def label(self) -> str:
        """The name, its aliases and its size as a table cell: ``"`torch.int16` or `torch.short`, 16 bits"``."""
        aliases = "".join(f" or `{alias}`" for alias in self.aliases.split(", ") if alias != "-")
        return f"`{self.name}`{aliases}, {self.bits} bits"


def _aliases(dtype: torch.dtype) -> list[str]:
    """The other names ``torch`` gives ``dtype`` (``torch.float`` for ``torch.float32``...)."""
    canonical = str(dtype).removeprefix("torch.")
    return sorted(f"torch.{name}" for name in dir(torch) if getattr(torch, name, None) is dtype and name != canonical)


def dtype_table(dtypes: Sequence[torch.dtype] | None = None) -> list[DtypeRow]:
    """Rows describing each dtype (by default those of
    [`DTYPES`][linreg.tensors.DTYPES]), read from PyTorch itself.

    ``bits`` is the storage size (``element_size() * 8``; a bool takes a whole
    byte), ``largest`` the largest finite value (integers exactly up to ten
    digits, beyond that in scientific notation), ``eps`` the gap between 1 and
    the next representable number (floats only: it measures precision).

    Examples:
        >>> row = dtype_table([torch.float16])[0]
        >>> row.name, row.aliases, row.bits, row.largest
        ('torch.float16', 'torch.half', 16, '65504')
    """
    dtypes = list(DTYPES) if dtypes is None else list(dtypes)
    rows = []
    for position, dtype in enumerate(dtypes):
        if not isinstance(dtype, torch.dtype):
            raise TypeError(
                f"dtypes[{position}] must be a torch.dtype, "
                f"got {type(dtype).__name__}"
            )
        bits = torch.empty((), dtype=dtype).element_size() * 8
        if dtype.is_floating_point:
            info = torch.finfo(dtype)  # float limits: largest value, eps
            kind, largest, eps = (
                "floating point", f"{info.max:.5g}", f"{info.eps:.2g}"
            )
        elif dtype == torch.bool:
            kind, largest, eps = "boolean", "True", "-"
        else:
            info = torch.iinfo(dtype)  # integer limits
            kind = "signed integer" if dtype.is_signed else "unsigned integer"
            # exact up to ten digits; int64's 19 would make the column twice
            # as wide
            largest, eps = (
                (f"{info.max:,}" if info.max < 10**10 else f"{info.max:.3e}"),
                "-",
            )
        aliases = ", ".join(_aliases(dtype)) or "-"
        rows.append(DtypeRow(
            str(dtype), aliases, bits, kind, largest, eps,
            DTYPES.get(dtype, ""),
        ))
    return rows
