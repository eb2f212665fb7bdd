"""Helpers for the Tensors page: memory sharing, devices, and the reference tables.

The page itself calls PyTorch directly (that is the lesson); this module holds
what would clutter it: a reliable "do these two share memory?" test, the table
of dtypes (its numbers read from ``torch.finfo``/``torch.iinfo``, never typed by
hand), the table of sub-packages, and the figure of how a 2-D tensor is laid
out in memory.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch
from matplotlib.figure import Figure

from linreg._checks import check_tensor
from linreg.display import describe
from linreg.style import COLORS, VALUE_CMAP, new_figure
from linreg.tables import markdown_table

__all__ = [
    "DTYPES",
    "DtypeRow",
    "SubpackageRow",
    "dtype_markdown",
    "dtype_table",
    "memory_order_figure",
    "pick_device",
    "shares_memory",
    "sharing_table",
    "subpackage_markdown",
    "subpackage_table",
]

DTYPES: dict[torch.dtype, str] = {
    torch.float32: "the default: parameters, inputs, losses",
    torch.float64: "high-precision checks (NumPy's default float)",
    torch.float16: "mixed-precision training on GPUs; overflows easily",
    torch.bfloat16: "mixed precision with float32's range (recent GPUs, TPUs)",
    torch.uint8: "image pixels 0-255",
    torch.int8: "quantised model weights",
    torch.int16: "audio samples",
    torch.int32: "indices where memory matters",
    torch.int64: "class labels and indices (the default integer)",
    torch.bool: "masks: which elements to keep",
}
"""The dtypes the page tabulates, with what each is typically used for."""


def pick_device() -> str:
    """The device tensors should live on: ``'cuda'`` if a GPU is available, else ``'cpu'``.

    Examples:
        >>> pick_device() == ("cuda" if torch.cuda.is_available() else "cpu")
        True
    """
    return "cuda" if torch.cuda.is_available() else "cpu"


def _byte_range(name: str, value) -> tuple[str, int, int]:
    """``(device, first, end)``: the bytes of memory ``value``'s data can reach."""
    if isinstance(value, np.ndarray):
        # numpy >= 2 moved byte_bounds; numpy 1.26 has it at the top level
        byte_bounds = getattr(getattr(np.lib, "array_utils", None), "byte_bounds", None) or np.byte_bounds
        first, end = byte_bounds(value)
        return "cpu", first, end
    if isinstance(value, torch.Tensor):
        if value.is_sparse or value.is_nested:
            raise ValueError(f"{name} must be a dense (strided) tensor, got layout {value.layout}")
        # The whole storage, not just the elements this tensor shows: a slice
        # x[1:] and x itself share one storage, so they share memory.
        storage = value.untyped_storage()
        return str(value.device), storage.data_ptr(), storage.data_ptr() + storage.nbytes()
    raise TypeError(f"{name} must be a torch.Tensor or a numpy.ndarray, got {type(value).__name__}")


def shares_memory(a, b) -> bool:
    """True if ``a`` and ``b`` (tensors or NumPy arrays) are backed by the same memory.

    Two tensors share memory when they use the same storage (a view, a slice,
    a ``reshape`` that did not copy); a tensor and an array share it after
    ``torch.from_numpy`` or ``.numpy()``. Writing through one then changes the other.

    Examples:
        >>> x = torch.zeros(4)
        >>> shares_memory(x, x.view(2, 2)), shares_memory(x, x.clone())
        (True, False)
    """
    device_a, first_a, end_a = _byte_range("a", a)
    device_b, first_b, end_b = _byte_range("b", b)
    if device_a != device_b or first_a == end_a or first_b == end_b:
        return False  # different memories, or nothing stored at all
    return first_a < end_b and first_b < end_a


def sharing_table(value: float = 100.0) -> list[tuple[str, str, str]]:
    """For each way of deriving a tensor, mutate the source and report whether the result followed.

    Each row is ``(how, shares memory, first element after the source's first
    element was set to value)``. The source is a fresh float64 NumPy array
    ``[[0, 1, 2], [3, 4, 5]]`` for every row (``x`` is ``torch.from_numpy`` of it).

    Examples:
        >>> rows = dict((how, (shared, seen)) for how, shared, seen in sharing_table())
        >>> rows["x.clone()"]
        ('no', '0.0')
    """
    ways = {  # each way of making a second tensor, named as the page writes it
        "torch.tensor(array)": lambda array: torch.tensor(array),
        "torch.as_tensor(array)": lambda array: torch.as_tensor(array),
        "torch.from_numpy(array)": lambda array: torch.from_numpy(array),
        "torch.from_numpy(array).float()": lambda array: torch.from_numpy(array).float(),
        "x.view(-1)": lambda array: torch.from_numpy(array).view(-1),
        "x.reshape(-1)": lambda array: torch.from_numpy(array).reshape(-1),
        "x.t().reshape(-1)": lambda array: torch.from_numpy(array).t().reshape(-1),
        "x.clone()": lambda array: torch.from_numpy(array).clone(),
    }
    rows = []
    for how, derive in ways.items():
        array = np.arange(6, dtype=np.float64).reshape(2, 3)  # (2, 3), a fresh source for every row
        second = derive(array)
        shared = shares_memory(array, second)  # asked before the experiment...
        array[0, 0] = value  # ...then mutate the source...
        rows.append((how, "yes" if shared else "no", str(second.reshape(-1)[0].item())))  # ...and look
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


def _aliases(dtype: torch.dtype) -> list[str]:
    """The other names ``torch`` gives ``dtype`` (``torch.float`` for ``torch.float32``...)."""
    canonical = str(dtype).removeprefix("torch.")
    return sorted(name for name in dir(torch) if getattr(torch, name, None) is dtype and name != canonical)


def dtype_table(dtypes: Sequence[torch.dtype] | None = None) -> list[DtypeRow]:
    """Rows describing each dtype, the numbers read from PyTorch itself.

    ``bits`` is the storage size (``element_size() * 8``; a bool takes a whole
    byte), ``largest`` the largest finite value, ``eps`` the gap between 1 and
    the next representable number (floats only: it measures precision).

    Examples:
        >>> row = dtype_table([torch.float16])[0]
        >>> row.name, row.aliases, row.bits, row.largest
        ('float16', 'half', 16, '65504')
    """
    dtypes = list(DTYPES) if dtypes is None else list(dtypes)
    rows = []
    for position, dtype in enumerate(dtypes):
        if not isinstance(dtype, torch.dtype):
            raise TypeError(f"dtypes[{position}] must be a torch.dtype, got {type(dtype).__name__}")
        bits = torch.empty((), dtype=dtype).element_size() * 8
        if dtype.is_floating_point:
            info = torch.finfo(dtype)
            kind, largest, eps = "floating point", f"{info.max:.5g}", f"{info.eps:.2g}"
        elif dtype == torch.bool:
            kind, largest, eps = "boolean", "True", "-"
        else:
            info = torch.iinfo(dtype)
            kind = "signed integer" if dtype.is_signed else "unsigned integer"
            largest, eps = f"{info.max:,}", "-"
        aliases = ", ".join(_aliases(dtype)) or "-"
        rows.append(DtypeRow(str(dtype).removeprefix("torch."), aliases, bits, kind, largest, eps,
                             DTYPES.get(dtype, "")))
    return rows


class SubpackageRow(NamedTuple):
    """One row of the sub-packages table: the module, its usual import name, its purpose, examples."""

    module: str
    imported_as: str
    purpose: str
    examples: tuple[str, ...]


_SUBPACKAGES = (
    SubpackageRow("torch", "torch", "tensors and the maths on them: creation, indexing, linear algebra, "
                  "random numbers, devices", ("torch.zeros", "torch.matmul", "torch.manual_seed")),
    SubpackageRow("torch.nn", "nn", "building blocks of models: layers, loss classes, the Module base class",
                  ("nn.Module", "nn.Linear", "nn.MSELoss")),
    SubpackageRow("torch.nn.functional", "F", "the same operations as plain functions that hold no "
                  "parameters: activations, losses", ("F.relu", "F.mse_loss")),
    SubpackageRow("torch.autograd", "torch.autograd", "automatic differentiation: records operations, "
                  "computes gradients", ("torch.autograd.grad", "torch.autograd.Function")),
    SubpackageRow("torch.optim", "optim", "optimisers that update parameters from their gradients, and "
                  "learning-rate schedulers", ("optim.SGD", "optim.Adam", "optim.lr_scheduler.StepLR")),
    SubpackageRow("torch.utils.data", "torch.utils.data", "feeding data: datasets, shuffled mini-batches, "
                  "train/validation splits", ("TensorDataset", "DataLoader", "random_split")),
)


def subpackage_table() -> list[SubpackageRow]:
    """Rows for the table of PyTorch's main sub-packages, from ``torch`` to ``torch.utils.data``.

    Every module named can be imported and every example is an attribute of
    it (or of the module it is imported as), which the tests check.

    Examples:
        >>> [row.imported_as for row in subpackage_table()][:3]
        ['torch', 'nn', 'F']
    """
    for row in _SUBPACKAGES:
        importlib.import_module(row.module)  # fail loudly if PyTorch reorganises
    return list(_SUBPACKAGES)


def dtype_markdown(dtypes: Sequence[torch.dtype] | None = None) -> str:
    """The dtype table as Markdown, names as code (``torch.float32``), ready for ``IPython.display.Markdown``.

    Examples:
        >>> print(dtype_markdown([torch.bool]).splitlines()[-1])
        | `torch.bool` | - | 8 | boolean | True | - | masks: which elements to keep |
    """
    headers = ["dtype", "also called", "bits", "kind", "largest value", "eps (precision)", "typical use"]
    rows = [(f"`torch.{row.name}`", ", ".join(f"`torch.{alias}`" for alias in row.aliases.split(", "))
             if row.aliases != "-" else "-", *row[2:]) for row in dtype_table(dtypes)]
    return markdown_table(headers, rows)


def subpackage_markdown() -> str:
    """The sub-packages table as Markdown, ready for ``IPython.display.Markdown``.

    Examples:
        >>> subpackage_markdown().splitlines()[0]
        '| module | usual name | what it is for | examples |'
    """
    rows = [(f"`{row.module}`", f"`{row.imported_as}`", row.purpose, ", ".join(f"`{e}`" for e in row.examples))
            for row in subpackage_table()]
    return markdown_table(["module", "usual name", "what it is for", "examples"], rows)


def _draw_grid(ax, values: np.ndarray, cmap, vmax: float, title: str) -> None:
    """Draw a 2-D array as coloured cells, each labelled with its value."""
    ax.imshow(values, cmap=cmap, vmin=0, vmax=vmax)
    for (row, col), value in np.ndenumerate(values):
        # the ink reads on every cell of VALUE_CMAP; the dark rendering swaps both (style.DARK_CMAPS)
        ax.text(col, row, f"{value:g}", ha="center", va="center", fontsize=10, fontweight="bold",
                color=COLORS["ink"])
    ax.set_xticks(range(values.shape[1]))
    ax.set_yticks(range(values.shape[0]))
    ax.tick_params(length=0)
    ax.grid(False)
    ax.set_title(title)


def memory_order_figure(x: torch.Tensor) -> Figure:
    """How a 2-D tensor ``x`` and its transpose lay their elements out when flattened.

    Top: ``x`` and ``x.t()`` as coloured grids (same colour, same element).
    Bottom: ``x.view(-1)`` and ``x.t().reshape(-1)``: flattening reads rows
    left to right, top to bottom, so the transpose comes out in a new order,
    which its memory does not hold, and ``reshape`` has to copy.

    Examples:
        >>> fig = memory_order_figure(torch.arange(6.0).view(2, 3))
        >>> len(fig.axes)
        3
    """
    check_tensor("x", x, ndim=2)
    values = x.detach().cpu().double().numpy()
    flat, flat_t = x.reshape(-1), x.t().reshape(-1)
    cmap = VALUE_CMAP
    vmax = float(values.max()) or 1.0
    rows, cols = values.shape
    fig, axes = new_figure(ncols=2, nrows=2, width=8.0, height=4.6)
    grid_spec = axes[2].get_subplotspec().get_gridspec()
    for ax in axes[2:]:
        ax.remove()
    strip = fig.add_subplot(grid_spec[1, :])
    _draw_grid(axes[0], values, cmap, vmax, f"x: shape {tuple(x.shape)}")
    _draw_grid(axes[1], values.T, cmap, vmax, f"x.t(): shape {(cols, rows)}")
    strips = np.stack([flat.detach().cpu().double().numpy(), flat_t.detach().cpu().double().numpy()])  # (2, N)
    _draw_grid(strip, strips, cmap, vmax, "Flattened: the order each flat tensor holds")
    strip.set_yticks([0, 1], ["x.view(-1)\nshares memory", "x.t().reshape(-1)\nmakes a copy"])
    strip.set_xlabel("position in the flat tensor")
    for ax in axes[:2]:
        ax.set(xlabel="column", ylabel="row")
    return describe(fig, (
        f"Top: a {rows} by {cols} tensor and its {cols} by {rows} transpose, each cell coloured and labelled "
        f"by its value. Bottom: the two flattened: x.view(-1) reads {', '.join(f'{v:g}' for v in values.ravel()[:4])}"
        f"... in order, while x.t().reshape(-1) reads {', '.join(f'{v:g}' for v in values.T.ravel()[:4])}..., "
        "an order x's memory does not hold, so reshape copies."))
