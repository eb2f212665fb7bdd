"""linreg.tensors: the sharing experiment and the dtype table of the Tensors page."""

import pytest
import torch

from linreg import tensors

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


@pytest.mark.parametrize("value", [0, 0.0, "100", True])
def test_sharing_table_needs_a_non_zero_number_to_write(value):
    # 0 is what the sources already hold: a mutation to 0 would show nothing
    with pytest.raises(ValueError, match="value must be a non-zero number"):
        tensors.sharing_table(value=value)


# dtype_table -----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dtypes():
    return {row.name: row for row in tensors.dtype_table()}


def test_dtype_table_lists_the_ten_dtypes_of_the_page_as_code_names_them(dtypes):
    assert list(dtypes) == [f"torch.{name}" for name in ["float32", "float64", "float16", "bfloat16", "uint8", "int8",
                                                         "int16", "int32", "int64", "bool"]]


@pytest.mark.parametrize(("name", "bits"), [("float32", 32), ("float64", 64), ("float16", 16), ("bfloat16", 16),
                                            ("uint8", 8), ("int8", 8), ("int16", 16), ("int32", 32), ("int64", 64),
                                            ("bool", 8)])
def test_dtype_bits_are_the_storage_size(dtypes, name, bits):
    assert dtypes[f"torch.{name}"].bits == bits


@pytest.mark.parametrize(("name", "alias"), [("float32", "float"), ("float64", "double"), ("float16", "half"),
                                             ("int64", "long"), ("int32", "int"), ("int16", "short")])
def test_dtype_aliases_come_from_torch(dtypes, name, alias):
    assert f"torch.{alias}" in dtypes[f"torch.{name}"].aliases.split(", ")
    assert getattr(torch, alias) is getattr(torch, name)


def test_dtypes_without_alias_show_a_dash(dtypes):
    assert dtypes["torch.bfloat16"].aliases == "-"


def test_float16_tops_out_at_65504_while_bfloat16_keeps_float32s_range(dtypes):
    assert dtypes["torch.float16"].largest == "65504"
    assert float(dtypes["torch.bfloat16"].largest) > 3e38


def test_bfloat16_is_less_precise_than_float16(dtypes):
    assert float(dtypes["torch.bfloat16"].eps) > float(dtypes["torch.float16"].eps)


def test_integer_kinds_and_limits(dtypes):
    assert (dtypes["torch.uint8"].kind, dtypes["torch.uint8"].largest) == ("unsigned integer", "255")
    assert (dtypes["torch.int8"].kind, dtypes["torch.int8"].largest) == ("signed integer", "127")
    assert dtypes["torch.bool"].kind == "boolean"


def test_a_dtype_label_names_the_dtype_its_aliases_and_its_bits(dtypes):
    assert dtypes["torch.int16"].label == "`torch.int16` or `torch.short`, 16 bits"
    assert dtypes["torch.bfloat16"].label == "`torch.bfloat16`, 16 bits"


def test_every_dtype_has_a_typical_use(dtypes):
    assert all(row.use for row in dtypes.values())


def test_dtype_table_names_a_wrong_entry():
    with pytest.raises(TypeError, match=r"dtypes\[1\] must be a torch.dtype, got str"):
        tensors.dtype_table([torch.float32, "float64"])
