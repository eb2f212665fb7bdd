"""Specification of the data recipes A, C and D (linreg.data)."""

import numpy as np
import pytest
import torch

from linreg import data


def test_line_data_reproduces_the_classic_seeded_script():
    # The curriculum's recipe A, written the classic way with NumPy's global RNG.
    np.random.seed(42)
    x = np.random.rand(100, 1)
    y = 1 + 2 * x + 0.1 * np.random.randn(100, 1)
    idx = np.arange(100)
    np.random.shuffle(idx)
    recipe = data.line_data()
    np.testing.assert_array_equal(recipe.x_train, x[idx[:80]])
    np.testing.assert_array_equal(recipe.y_val, y[idx[80:]])


def test_line_data_does_not_touch_numpy_global_random_state():
    state = np.random.get_state()
    data.line_data(seed=7)
    assert np.array_equal(np.random.get_state()[1], state[1])


def test_line_data_split_sizes_and_truth():
    recipe = data.line_data(n=50, n_train=40, true_a=-1.0, true_b=0.5)
    assert recipe.x_train.shape == (40, 1) and recipe.x_val.shape == (10, 1)
    assert (recipe.true_a, recipe.true_b) == (-1.0, 0.5)


def test_line_data_tensors_are_float32_copies():
    recipe = data.line_data()
    x_train, y_train, x_val, y_val = recipe.tensors()
    assert x_train.dtype == torch.float32 and tuple(y_val.shape) == (20, 1)
    x_train += 1  # must not write through to the recipe's arrays
    assert recipe.x_train.max() < 1.0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n_train": 100}, "n_train must be smaller than n=100"),
    ({"n": 0}, "n must be a positive integer"),
    ({"seed": -1}, "seed must be a non-negative integer"),
    ({"noise": -0.1}, "noise must be a non-negative number"),
])
def test_line_data_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.line_data(**kwargs)


def test_crop_yields_values_and_repeat():
    inputs, targets = data.crop_yields()
    assert inputs.dtype == torch.float32 and inputs[2].tolist() == [87.0, 134.0, 58.0]
    assert targets[3].tolist() == [22.0, 37.0]
    inputs15, targets15 = data.crop_yields(repeat=3)
    assert inputs15.shape == (15, 3) and torch.equal(inputs15[10:], inputs)


def test_surface_line_data_matches_torch_manual_seed():
    torch.manual_seed(1)
    x = torch.arange(-3, 3, 0.1).view(-1, 1)
    y = 1 * x - 1 + 0.1 * torch.randn(x.size())
    x2, y2 = data.surface_line_data()
    assert torch.equal(x, x2) and torch.equal(y, y2)
