"""Specification of the shared argument checks: errors name the argument and the expectation."""

import math
import subprocess
import sys

import numpy as np
import pytest
import torch

from linreg import DivergedError
from linreg._checks import (
    as_2d_array,
    as_line_arrays,
    check_column,
    check_finite_loss,
    check_fraction,
    check_non_negative_int,
    check_non_negative_number,
    check_positive_int,
    check_positive_number,
    check_same_length,
    check_tensor,
)


def test_positive_number_accepts_ints_and_floats():
    assert check_positive_number("lr", 1) == 1.0
    assert check_positive_number("lr", 0.1) == 0.1


@pytest.mark.parametrize("bad", [0, -0.1, math.inf, math.nan])
def test_positive_number_rejects_non_positive_or_non_finite_values_naming_the_argument(bad):
    with pytest.raises(ValueError, match="lr must be a positive"):
        check_positive_number("lr", bad)


@pytest.mark.parametrize("bad", ["0.1", None, True])
def test_positive_number_rejects_non_numbers_with_type_error(bad):
    with pytest.raises(TypeError, match="lr"):
        check_positive_number("lr", bad)


def test_positive_int_rejects_floats_bools_and_zero():
    with pytest.raises(TypeError, match="epochs"):
        check_positive_int("epochs", 2.0)
    with pytest.raises(TypeError, match="epochs"):
        check_positive_int("epochs", True)
    with pytest.raises(ValueError, match="epochs must be a positive integer, got 0"):
        check_positive_int("epochs", 0)
    assert check_positive_int("epochs", np.int64(3)) == 3


def test_non_negative_int_accepts_zero_and_rejects_negatives():
    assert check_non_negative_int("seed", 0) == 0
    with pytest.raises(ValueError, match="seed"):
        check_non_negative_int("seed", -1)


def test_non_negative_number_accepts_zero_as_a_float():
    assert check_non_negative_number("noise", 0) == 0.0
    assert isinstance(check_non_negative_number("noise", 0), float)


@pytest.mark.parametrize("bad", [-0.1, math.nan, math.inf])
def test_non_negative_number_rejects_negative_or_non_finite_values_naming_the_argument(bad):
    with pytest.raises(ValueError, match="noise must be a non-negative, finite number"):
        check_non_negative_number("noise", bad)


@pytest.mark.parametrize("bad", ["0.1", None, True])
def test_non_negative_number_rejects_non_numbers_with_type_error(bad):
    with pytest.raises(TypeError, match="noise must be a non-negative number"):
        check_non_negative_number("noise", bad)


def test_fraction_bounds():
    assert check_fraction("p", 0.5) == 0.5
    assert check_fraction("p", 1, inclusive=True) == 1.0
    with pytest.raises(ValueError, match=r"p must lie in \(0, 1\)"):
        check_fraction("p", 1)


def test_as_2d_array_reads_a_vector_as_one_feature():
    assert as_2d_array("x", [1, 2, 3]).shape == (3, 1)
    assert as_2d_array("x", torch.ones(4, 2)).shape == (4, 2)


@pytest.mark.parametrize(("value", "message"), [
    ([], "x is empty"),
    (np.zeros((2, 2, 2)), r"x must have shape \(N,\) or \(N, k\)"),
    ([1.0, float("nan")], "x contains NaN"),
    (["a", "b"], "x must be an array of numbers"),
])
def test_as_2d_array_errors_say_what_is_wrong(value, message):
    with pytest.raises((ValueError, TypeError), match=message):
        as_2d_array("x", value)


def test_line_arrays_are_one_feature_and_one_target_of_equal_length():
    x, y = as_line_arrays([0.0, 1.0, 2.0], torch.ones(3, 1))
    assert x.shape == y.shape == (3, 1)
    with pytest.raises(ValueError, match=r"y must have shape \(N,\) or \(N, 1\) for a line fit, got \(3, 2\)"):
        as_line_arrays([0.0, 1.0, 2.0], np.ones((3, 2)))
    with pytest.raises(ValueError, match="x and y must hold the same number of samples"):
        as_line_arrays([0.0, 1.0], [1.0])


def test_same_length_names_both_arguments():
    with pytest.raises(ValueError, match="x and y must hold the same number of samples, got 3 and 2"):
        check_same_length("x", [1, 2, 3], "y", [1, 2])


def test_check_tensor_checks_type_dimensions_and_emptiness():
    assert check_tensor("x", torch.ones(2, 1), ndim=2).shape == (2, 1)
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        check_tensor("x", [1.0])
    with pytest.raises(ValueError, match="x must have 2 dimensions"):
        check_tensor("x", torch.ones(3), ndim=2)
    with pytest.raises(ValueError, match="x is empty"):
        check_tensor("x", torch.ones(0))


def test_check_column_accepts_one_feature_per_sample():
    column = torch.ones(4, 1)
    assert check_column("x", column) is column


@pytest.mark.parametrize("shape", [(4,), (4, 2), (0, 1)])
def test_check_column_rejects_other_shapes_and_empty_columns(shape):
    with pytest.raises(ValueError, match=r"x must have shape \(N, 1\) with N > 0"):
        check_column("x", torch.ones(shape))


def test_check_column_rejects_a_non_tensor():
    with pytest.raises(TypeError, match="x must be a torch.Tensor of shape"):
        check_column("x", [[1.0]])


def test_finite_loss_passes_through_and_non_finite_loss_blames_the_learning_rate():
    assert check_finite_loss(0.5, when="epoch 1") == 0.5
    with pytest.raises(DivergedError, match=r"diverged at epoch 7.*lr=10.*too high"):
        check_finite_loss(float("inf"), when="epoch 7", lr=10.0)


def test_importing_linreg_alone_does_not_import_torch():
    # The package docstring promises a cheap `import linreg`; submodules bring torch when used.
    code = "import sys, linreg; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
