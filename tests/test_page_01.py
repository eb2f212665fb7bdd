"""Page 1 (tensors): what its prose says, checked against what its cells printed and recorded."""

import importlib
import re

import pytest
import torch

pytestmark = pytest.mark.site


@pytest.fixture(scope="module")
def page(executed_page):
    return executed_page("01-tensors")




def table(page, first_header: str) -> dict[str, list[str]]:
    """The Markdown table a cell displayed whose first column is ``first_header``: first cell -> the others.

    A first cell such as "`torch.float32` or `torch.float`, 32 bits" is keyed by its first name.
    """
    for cell in page.notebook.cells:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/markdown", "")
            if text.startswith(f"| {first_header} |"):
                rows = [[c.strip() for c in line.strip("|").split(" | ")] for line in text.splitlines()[2:]]
                return {re.match(r"`?([^`]+)", row[0]).group(1): [c.strip("`") for c in row[1:]] for row in rows}
    raise AssertionError(f"no table starting with {first_header!r} on the page")


def test_python_ints_become_int64_and_floats_the_default_dtype_float32(page):
    assert page.says("Python integers become `int64`, Python floats the **default dtype**, which is `float32`")
    assert page.printed("torch.int64 torch.float32 | default dtype: torch.float32")


def test_arange_stops_before_the_end_and_linspace_includes_it(page):
    assert page.printed("tensor([0.0000, 0.2500, 0.5000, 0.7500])\ntensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])")


def test_with_a_step_of_0_1_arange_can_end_on_its_end(page):
    assert page.says("in the third line below, `arange(1, 1.3, 0.1)` ends **on** 1.3")
    assert page.printed("tensor([1.0000, 1.1000, 1.2000, 1.3000])")


def test_a_generator_of_your_own_draws_the_same_numbers_as_the_seeded_global_one(page):
    marker = "generator = torch.Generator().manual_seed(42)"
    seeded = next(cell for cell in page.notebook.cells if marker in cell.source)
    tensors = re.findall(r"tensor\(\[\[.*?\]\]\)", seeded.outputs[0].text, flags=re.S)
    assert len(tensors) == 3 and tensors[0] == tensors[2] != tensors[1]


def test_the_sharing_check_is_pytorchs_own_storage_address_written_on_the_page(page):
    assert "return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()" in page.code
    assert "tensors.shares_memory" not in page.code
    assert page.says("except in the table of") and page.says("which asks NumPy")
    assert "np.shares_memory" in page.code + page.text  # the table's own test, in its shown source


def test_slices_share_memory_and_masks_copy_even_evenly_spaced_elements(page):
    assert page.says("even when the elements happen to be evenly spaced")
    assert page.printed("shares memory with x? x[:, 2] True x[x % 2 == 0] False x.view(-1)[::2] True "
                        "evens: tensor([ 0, 2, 4, 6, 8, 10])")
    assert page.printed("even numbers: tensor([ 0, 2, 4, 6, 8, 10])")


def test_add_makes_a_new_tensor_and_add_underscore_returns_the_same_one(page):
    assert page.printed("a.add(b): tensor([1., 2., 3.]) a: tensor([1., 1., 1.])")
    assert page.printed("returns a itself: True")


def test_out_writes_into_the_same_memory(page):
    assert page.printed("same memory as before: True")
    assert page.says("as\nlong as `out` already has the result's shape")
    assert page.says("with a deprecation\nwarning unless it has no elements")


def test_an_in_place_operation_rounds_within_a_kind_and_refuses_across_kinds(page):
    # the same float32 + float64 sum: out of place it is float64 and keeps 1e-9, in place it is rounded to float32
    assert page.printed("ones + tiny: [1.000000001, 1.000000001, 1.000000001] torch.float64")
    assert page.printed("ones.add_(tiny): [1.0, 1.0, 1.0] torch.float32")
    assert page.says("`ones + tiny` adds three float64 elements to a float32 tensor")
    # a float64 operand with no dimensions does not promote, so it could not show the in-place cast
    assert page.printed("ones + one_number: torch.float32")
    assert page.says("a\nfloat64 tensor with no dimensions does not change the dtype of an operation with a float32 "
                     "tensor that has\ndimensions, even out of place")
    assert page.printed("RuntimeError: result type Float can't be cast to the desired output type Long")


def test_the_view_follows_the_source_and_the_clone_does_not(page):
    assert page.printed("view: tensor([[100., 1., 2.],")
    assert page.printed("clone: tensor([0., 1., 2., 3., 4., 5.])")


def test_torch_tensor_copies_a_numpy_array_from_numpy_wraps_it_and_as_tensor_wraps_unless_converting(page):
    assert page.printed("torch.tensor: tensor([0., 1., 2.], dtype=torch.float64)")
    assert page.printed("torch.from_numpy: tensor([-1., 1., 2.], dtype=torch.float64)")
    assert page.printed("torch.as_tensor as float32: tensor([0., 1., 2.])")
    assert page.says("as long as you ask for the array's own\ndtype and device")


def test_in_the_sharing_table_both_columns_always_agree(page):
    assert page.says("In every row the two columns agree")
    for how, (shared, seen) in table(page, "second tensor").items():
        assert (shared == "yes") == (seen == "100.0"), how


def test_the_sharing_table_rows_match_what_the_prose_says_about_each_way(page):
    shared = {how: answer for how, (answer, _) in table(page, "second tensor").items()}
    assert shared == {
        "torch.tensor(array)": "no",  # "torch.tensor ... always copies"
        "torch.as_tensor(array)": "yes",  # "wrap the array's memory without copying"
        "torch.from_numpy(array)": "yes",
        "torch.from_numpy(array).float()": "no",  # "a conversion ... is a copy"
        "x.view(-1)": "yes",  # "view never copies"
        "x.reshape(-1)": "yes",  # "reshape returns a view when it can"
        "x.t().reshape(-1)": "no",  # "... and silently copies when it cannot"
        "x.clone()": "no",
    }


def test_the_page_shows_the_code_of_the_sharing_experiment_and_its_numpy_test(page):
    assert "How linreg does it: tensors.sharing_table" in page.text
    assert page.says("`np.shares_memory(array, second.numpy())`")


def test_a_transpose_is_a_non_contiguous_view_that_view_refuses_and_reshape_copies(page):
    assert page.printed("strides of x: (3, 1) of x.t(): (1, 3) contiguous: False")
    assert page.printed("view: view size is not compatible with input tensor's size and stride")
    # the figure's "x.view(-1)" row shares, the copy does not
    assert page.printed("shares memory with x? x.view(-1) True x.reshape(-1) True x.t().reshape(-1) False")


def test_the_memory_order_figure_draws_the_2_by_3_tensor_of_the_code_above_it(page):
    assert "x = torch.arange(6.0).view(2, 3)" in page.code and "plots.memory_order_figure(x)" in page.code
    alt = page.alt_containing("flattened")
    assert alt.startswith("Top: a 2 by 3 tensor")
    assert "x.view(-1) reads 0, 1, 2, 3, 4, 5 in order" in alt and "x.t().reshape(-1) reads 0, 3, 1, 4, 2, 5," in alt
    assert page.printed("strides of x: (3, 1) of x.t(): (1, 3)")  # the strides printed for that same tensor


def test_element_wise_arithmetic_promotes_to_float64_but_a_linear_layer_refuses_it(page):
    assert page.says("Element-wise arithmetic on a float32 and a float64 tensor promotes to float64 when the "
                     "float64 operand has dimensions (`ones +\ntiny` above; the 0-dimensional `one_number` left "
                     "float32 alone)")
    assert page.printed("ones + one_number: torch.float32")
    assert page.numbers(r"ones \+ tiny: +\[{n}, {n}, {n}\] torch.float64") == [1.000000001] * 3


def test_numpy_defaults_to_float64_which_a_float32_linear_layer_refuses(page):
    assert page.printed("NumPy array: float64 | nn.Linear weight: torch.float32")
    assert page.printed("RuntimeError: mat1 and mat2 must have the same dtype")
    assert page.printed("torch.float32 torch.Size([4, 1])")


def test_numpy_refuses_a_tensor_that_requires_grad_and_after_detach_shares_its_memory(page):
    assert page.says("`.numpy()`, which on the CPU shares memory with the tensor")
    assert page.printed("RuntimeError: Can't call numpy() on Tensor that requires grad")
    assert page.printed("tensor([7., 2., 2.], grad_fn=<MulBackward0>)")  # written through the detached array
    assert page.says("the 7 written into the array is now in `prediction`")


def test_numpy_refuses_a_tensor_outside_cpu_memory(page):
    assert page.printed("Use Tensor.cpu() to copy the tensor to host memory first.")
    assert page.says("so there the\narray still shares the tensor's memory. Call `.copy()` on it before you change it.")


def test_cpu_and_to_return_the_tensor_itself_when_it_is_already_there(page):
    assert page.printed(".cpu() returned the tensor itself: True")
    assert page.printed("returned x itself: True")


def test_mixing_devices_raises_except_for_a_0_dim_cpu_tensor(page):
    elsewhere = "cuda" if torch.cuda.is_available() else "meta"
    mixing = next(cell for cell in page.notebook.cells if "here + away" in cell.source)
    printed = "".join(out.text for out in mixing.outputs if out.output_type == "stream")
    assert "\nRuntimeError:" in printed  # here + away
    assert f"here.to(elsewhere) + away is on {elsewhere}" in printed  # the fix
    assert f"0-dim CPU tensor times a tensor on {elsewhere}: the result is on {elsewhere}" in printed
    assert page.says("The cell shows the error, the fix and the exception")


def test_the_device_is_chosen_by_the_one_line_the_page_shows(page):
    assert 'device = "cuda" if torch.cuda.is_available() else "cpu"' in page.code
    assert page.printed(f"device: {'cuda' if torch.cuda.is_available() else 'cpu'}")


def test_the_dtype_table_shows_the_code_that_reads_its_numbers_from_pytorch(page):
    assert "How linreg does it: tensors.dtype_table" in page.text
    assert page.says("`torch.finfo` for floats, `torch.iinfo` for integers")


def test_every_module_and_example_of_the_sub_package_table_exists_in_this_pytorch(page):
    section = page.markdown[page.markdown.index("## PyTorch's sub-packages"):]
    rows = [line.strip("|").split(" | ") for line in section.splitlines() if line.startswith("| `")]
    assert [row[0].strip().strip("`") for row in rows] == ["torch", "torch.nn", "torch.nn.functional",
                                                           "torch.autograd", "torch.optim", "torch.utils.data"]
    names = {}  # the short names, bound by the imports the prose gives
    exec("import torch\nfrom torch import nn, optim\nimport torch.nn.functional as F", names)
    assert page.says("`from torch import nn, optim` and `import torch.nn.functional as F`")
    for module_cell, usual_name, _, examples in rows:
        module = importlib.import_module(module_cell.strip().strip("`"))
        first, *rest = usual_name.strip().strip("`").split(".")
        target = names[first]
        for part in rest:
            target = getattr(target, part)
        assert target is module, usual_name
        for example in re.findall(r"`([^`]+)`", examples):
            first, *rest = example.split(".")
            target = names[first] if first in names else getattr(module, first)
            for part in rest:
                target = getattr(target, part)
            assert callable(target), example


def test_float16_is_more_precise_and_bfloat16_has_almost_float32s_range(page):
    dtypes = table(page, "dtype")
    eps, largest = 0, 1  # columns after the dtype's name: eps, largest value, typical use
    assert float(dtypes["torch.float16"][eps]) < float(dtypes["torch.bfloat16"][eps])
    assert float(dtypes["torch.float16"][largest]) < float(dtypes["torch.bfloat16"][largest])
    assert float(dtypes["torch.bfloat16"][largest]) == pytest.approx(float(dtypes["torch.float32"][largest]), rel=0.01)


def test_float16_tops_out_at_the_largest_value_its_table_row_gives(page):
    assert page.says("tops out at 65504 (70000 becomes `inf` below)")
    assert page.printed("70000 as float16: inf")
    assert table(page, "dtype")["torch.float16"][1] == "65504"


def test_float16_overflows_at_70000_and_bfloat16_loses_the_digits_of_1_001(page):
    assert page.printed("70000 as float16: inf | as bfloat16: 70144.0")
    assert page.printed("1.001 as float16: 1.0009765625 | as bfloat16: 1.0")
    assert page.printed("float to long truncates: tensor([ 1, -1])")


def test_every_exercise_solution_states_its_answer_in_words(page):
    solutions = [c for c in page.notebook.cells if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) == 5
    for cell in solutions:
        assert any("Answer: " in getattr(out, "text", "") for out in cell.outputs), cell.source[:60]


def test_the_dtype_table_fits_its_column_four_short_columns_with_eps_next_to_the_name(page):
    # Material gives every column at least 5rem plus padding: four columns fit the 648 px text column, five do not
    dtypes = table(page, "dtype")
    assert len(dtypes) == 10 and all(len(row) == 3 for row in dtypes.values())
    assert all(len(row[2]) <= 40 for row in dtypes.values())  # "typical use" in a few words
    assert "`torch.float16` or `torch.half`, 16 bits" in next(
        out.data["text/markdown"] for cell in page.notebook.cells for out in cell.get("outputs", [])
        if out.get("data", {}).get("text/markdown", "").startswith("| dtype |"))


def test_printed_lines_fit_the_code_column(page):
    # about 80 characters fit a code block at 1280 px; longer lines are cut off
    printed = [out.text for cell in page.notebook.cells if cell.cell_type == "code"
               for out in cell.outputs if out.output_type == "stream"]
    lines = "".join(printed).splitlines()
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)


def test_the_three_pieces_of_exercise_1_are_views_and_the_contiguous_copy_of_exercise_2_is_not(page):
    assert page.printed("Answer: 3 of the 3 share m's memory (last column, bottom-right block, diagonal)")
    assert page.printed("being a copy, it does not follow x (its first element is still 0)")
    assert page.printed("Answer: out was never reallocated: all three products went into the same memory.")
    assert page.printed("correct, same memory: [(True, True), (True, True), (True, True)]")


def test_contiguous_copies_only_when_it_must_like_reshape(page):
    assert page.says("but `t` itself when it already is. So, like `reshape`, it copies only when it must")
    assert page.printed("x.contiguous() is x itself: True")
    assert page.printed("x.contiguous() is x: True")


def test_a_bfloat16_tensor_needs_float_before_numpy(page):
    assert page.says("NumPy has no bfloat16, so a bfloat16 tensor needs `.float()` before\n`.numpy()`")
    assert page.printed("TypeError: Got unsupported ScalarType BFloat16")
    assert page.printed("[1. 1.]")


def test_code_lines_fit_the_code_column(page):
    # about 80 characters fit a code block at 1280 px; the hidden Colab cell is not on the page
    shown = [cell for cell in page.notebook.cells
             if cell.cell_type == "code" and "colab-setup" not in cell.metadata.get("tags", [])]
    lines = [line for cell in shown for line in cell.source.splitlines()]
    assert max(len(line) for line in lines) <= 79, max(lines, key=len)


def test_an_in_place_operation_converts_silently_where_the_tensor_s_kind_can_hold_the_result(page):
    """The rule the in-place section states, checked on torch itself: same kind, or an integer into a float."""
    assert page.says("When the tensor's kind can hold the result (the same kind of number, or an integer result "
                     "in a float tensor), it converts **silently**.")
    floats, integers = torch.ones(3), torch.tensor([1, 2, 3])
    assert floats.add_(integers).dtype == torch.float32  # an integer result in a float tensor
    assert integers.add_(torch.tensor([True, False, True])).dtype == torch.int64  # bool into int: same kind, wider
    with pytest.raises(RuntimeError, match="can't be cast"):
        integers.add_(torch.tensor([0.5, 0.5, 0.5]))  # a fraction into integers: refused
