"""linreg.tensors: memory sharing, device choice, the reference tables and the memory-order figure."""

import contextlib

import numpy as np
import pytest
import torch
from matplotlib.colors import to_hex

from linreg import tensors
from linreg.display import alt_text, dark_palette
from linreg.style import contrast_ratio

# shares_memory ---------------------------------------------------------------------------------------------------

def test_a_view_shares_memory_with_its_source():
    x = torch.arange(6.0)
    assert tensors.shares_memory(x, x.view(2, 3))


def test_a_slice_shares_memory_with_its_source():
    x = torch.arange(6.0)
    assert tensors.shares_memory(x, x[3:])


def test_a_clone_does_not_share_memory():
    x = torch.arange(6.0)
    assert not tensors.shares_memory(x, x.clone())


def test_from_numpy_shares_memory_with_the_array():
    array = np.zeros(3)
    assert tensors.shares_memory(array, torch.from_numpy(array))
    assert tensors.shares_memory(torch.from_numpy(array), array)


def test_torch_tensor_copies_the_array():
    array = np.zeros(3)
    assert not tensors.shares_memory(array, torch.tensor(array))


def test_numpy_of_a_tensor_shares_its_memory():
    x = torch.zeros(3)
    assert tensors.shares_memory(x, x.numpy())


def test_empty_tensors_share_nothing():
    x = torch.zeros(0)
    assert not tensors.shares_memory(x, x)


def test_shares_memory_names_the_argument_that_is_not_a_tensor():
    with pytest.raises(TypeError, match="b must be a torch.Tensor or a numpy.ndarray, got list"):
        tensors.shares_memory(torch.zeros(2), [0.0, 0.0])


def test_shares_memory_refuses_sparse_tensors():
    with pytest.raises(ValueError, match="a must be a dense"):
        tensors.shares_memory(torch.zeros(2).to_sparse(), torch.zeros(2))


# sharing_table ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sharing():
    return {how: (shared, seen) for how, shared, seen in tensors.sharing_table()}


@pytest.mark.parametrize("how", ["torch.as_tensor(array)", "torch.from_numpy(array)", "x.view(-1)", "x.reshape(-1)"])
def test_sharing_ways_see_the_mutation(sharing, how):
    assert sharing[how] == ("yes", "100.0")


@pytest.mark.parametrize("how", ["torch.tensor(array)", "torch.from_numpy(array).float()", "x.t().reshape(-1)",
                                 "x.clone()"])
def test_copying_ways_keep_the_old_value(sharing, how):
    assert sharing[how] == ("no", "0.0")


def test_sharing_table_reports_the_value_it_wrote():
    rows = dict((how, seen) for how, _, seen in tensors.sharing_table(value=7.0))
    assert rows["x.view(-1)"] == "7.0"


# pick_device -----------------------------------------------------------------------------------------------------

def test_pick_device_follows_cuda_availability(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert tensors.pick_device() == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert tensors.pick_device() == "cuda"


# dtype_table -----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dtypes():
    return {row.name: row for row in tensors.dtype_table()}


def test_dtype_table_lists_the_ten_dtypes_of_the_page(dtypes):
    assert list(dtypes) == ["float32", "float64", "float16", "bfloat16", "uint8", "int8", "int16", "int32",
                            "int64", "bool"]


@pytest.mark.parametrize(("name", "bits"), [("float32", 32), ("float64", 64), ("float16", 16), ("bfloat16", 16),
                                            ("uint8", 8), ("int8", 8), ("int16", 16), ("int32", 32), ("int64", 64),
                                            ("bool", 8)])
def test_dtype_bits_are_the_storage_size(dtypes, name, bits):
    assert dtypes[name].bits == bits


@pytest.mark.parametrize(("name", "alias"), [("float32", "float"), ("float64", "double"), ("float16", "half"),
                                             ("int64", "long"), ("int32", "int"), ("int16", "short")])
def test_dtype_aliases_come_from_torch(dtypes, name, alias):
    assert alias in dtypes[name].aliases.split(", ")
    assert getattr(torch, alias) is getattr(torch, name)


def test_dtypes_without_alias_show_a_dash(dtypes):
    assert dtypes["bfloat16"].aliases == "-"


def test_float16_tops_out_at_65504_while_bfloat16_keeps_float32s_range(dtypes):
    assert dtypes["float16"].largest == "65504"
    assert float(dtypes["bfloat16"].largest) > 3e38


def test_bfloat16_is_less_precise_than_float16(dtypes):
    assert float(dtypes["bfloat16"].eps) > float(dtypes["float16"].eps)


def test_integer_kinds_and_limits(dtypes):
    assert (dtypes["uint8"].kind, dtypes["uint8"].largest) == ("unsigned integer", "255")
    assert (dtypes["int8"].kind, dtypes["int8"].largest) == ("signed integer", "127")
    assert dtypes["bool"].kind == "boolean"


def test_every_dtype_has_a_typical_use(dtypes):
    assert all(row.use for row in dtypes.values())


def test_dtype_table_names_a_wrong_entry():
    with pytest.raises(TypeError, match=r"dtypes\[1\] must be a torch.dtype, got str"):
        tensors.dtype_table([torch.float32, "float64"])


def test_dtype_markdown_shows_names_as_code():
    table = tensors.dtype_markdown()
    assert "| `torch.float32` | `torch.float` | 32 |" in table
    assert len(table.splitlines()) == 2 + 10


# subpackage_table ------------------------------------------------------------------------------------------------

def test_subpackage_table_covers_the_six_modules():
    modules = [row.module for row in tensors.subpackage_table()]
    assert modules == ["torch", "torch.nn", "torch.nn.functional", "torch.autograd", "torch.optim",
                       "torch.utils.data"]


def test_every_subpackage_example_exists():
    import importlib

    names = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional, "optim": torch.optim}
    for row in tensors.subpackage_table():
        module = importlib.import_module(row.module)
        for example in row.examples:
            first, *rest = example.split(".")
            target = names[first] if first in names else getattr(module, first)
            for part in rest:
                target = getattr(target, part)
            assert callable(target), example


def test_subpackage_markdown_has_a_row_per_module():
    assert len(tensors.subpackage_markdown().splitlines()) == 2 + 6


# memory_order_figure ---------------------------------------------------------------------------------------------

def test_memory_order_figure_has_two_grids_and_a_strip_with_alt_text():
    fig = tensors.memory_order_figure(torch.arange(12.0).view(3, 4))
    assert len(fig.axes) == 3
    assert [ax.get_title() for ax in fig.axes[:2]] == ["x: shape (3, 4)", "x.t(): shape (4, 3)"]
    assert "0, 4, 8, 1" in alt_text(fig)


def test_memory_order_figure_labels_the_strip_in_flattening_order():
    fig = tensors.memory_order_figure(torch.arange(6.0).view(2, 3))
    strip = fig.axes[2]
    labels = [text.get_text() for text in strip.texts]
    assert labels == ["0", "1", "2", "3", "4", "5", "0", "3", "1", "4", "2", "5"]


def test_memory_order_figure_needs_a_2d_tensor():
    with pytest.raises(ValueError, match="x must have 2 dimensions"):
        tensors.memory_order_figure(torch.arange(6.0))


@pytest.mark.parametrize("rendering", ["light", "dark"])
def test_every_value_label_of_the_memory_order_figure_reads_on_its_cell(rendering):
    fig = tensors.memory_order_figure(torch.arange(12.0).view(3, 4))
    with dark_palette(fig) if rendering == "dark" else contextlib.nullcontext():
        checked = 0
        for ax in fig.axes:
            for image in ax.images:
                cells = image.get_array()
                for label in ax.texts:
                    col, row = (int(round(v)) for v in label.get_position())
                    cell = to_hex(image.get_cmap()(image.norm(cells[row, col])))
                    ratio = contrast_ratio(to_hex(label.get_color()), cell)
                    assert ratio >= 4.5, f"{rendering}: label {label.get_text()} on {cell}: {ratio:.1f}:1"
                    checked += 1
    assert checked == 12 + 12 + 24
