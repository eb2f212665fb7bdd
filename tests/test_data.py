"""Specification of linreg.data: recipes A, C and D, recipes E and F and the wavy curve (page 9)."""

import dataclasses

import numpy as np
import pytest
import torch

from linreg import data, digits


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
    ({"noise": -0.1}, "noise must be a non-negative, finite number"),
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


# Recipes E and F and the wavy curve (page 9) ----------------------------------


def test_noisy_line_has_10000_points_of_shape_n_by_1_by_default():
    x, y = data.noisy_line(seed=0)
    assert x.shape == (10_000, 1) and y.shape == (10_000, 1)
    assert x.dtype == torch.float32


def test_noisy_line_is_reproducible_for_a_seed_and_differs_between_seeds():
    assert torch.equal(data.noisy_line(seed=3)[1], data.noisy_line(seed=3)[1])
    assert not torch.equal(data.noisy_line(seed=3)[1], data.noisy_line(seed=4)[1])


def test_noisy_line_leaves_the_global_random_state_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    data.noisy_line(seed=1)
    assert torch.equal(torch.rand(3), expected)


def test_noisy_line_follows_2x_plus_1_with_noise_growing_with_x():
    x, y = data.noisy_line(seed=0)
    residual = (y - (2 * x + 1)).squeeze()
    left, right = residual[x.squeeze() < 0.2], residual[x.squeeze() > 0.8]
    assert abs(residual.mean().item()) < 0.01
    assert right.std() > 3 * left.std()  # std 0.1 + 0.5x: about 0.15 on the left, 0.55 on the right


def test_noisy_line_noise_floor_is_about_0_143():
    x, y = data.noisy_line(seed=0)
    assert ((y - (2 * x + 1)) ** 2).mean().item() == pytest.approx(0.01 + 0.05 + 0.25 / 3, rel=0.05)


def test_polynomial_data_follows_3x2_plus_2x_plus_1():
    x, y = data.polynomial_data(seed=0, n=2000, noise=0.0)
    assert x.shape == (2000, 1)
    assert torch.allclose(y, 3 * x**2 + 2 * x + 1)
    assert x.min() >= -2 and x.max() < 2


def test_polynomial_data_is_reproducible_for_a_seed():
    assert torch.equal(data.polynomial_data(seed=5)[1], data.polynomial_data(seed=5)[1])


def test_polynomial_features_stacks_x_and_x_squared_into_n_by_2():
    x = torch.tensor([[1.0], [-2.0], [3.0]])
    features = data.polynomial_features(x)
    assert features.shape == (3, 2)
    assert torch.equal(features, torch.tensor([[1.0, 1.0], [-2.0, 4.0], [3.0, 9.0]]))


def test_polynomial_features_rejects_a_wrong_shape():
    with pytest.raises(ValueError, match=r"x must have shape \(N, 1\)"):
        data.polynomial_features(torch.zeros(3, 2))


def test_polynomial_features_rejects_a_non_tensor():
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        data.polynomial_features([[1.0]])


def test_wavy_curve_follows_x_sin_x_on_minus_5_to_5():
    x, y = data.wavy_curve(seed=0, n=500, noise=0.0)
    assert torch.allclose(y, x * torch.sin(x))
    assert x.min() >= -5 and x.max() < 5


@pytest.mark.parametrize("recipe", [data.noisy_line, data.polynomial_data, data.wavy_curve])
def test_recipes_reject_a_negative_seed(recipe):
    with pytest.raises(ValueError, match="seed"):
        recipe(seed=-1)


@pytest.mark.parametrize("recipe", [data.noisy_line, data.polynomial_data, data.wavy_curve])
def test_recipes_reject_a_non_positive_n(recipe):
    with pytest.raises(ValueError, match="n must be a positive integer"):
        recipe(seed=0, n=0)


@pytest.mark.parametrize("recipe", [data.polynomial_data, data.wavy_curve])
def test_recipes_reject_negative_noise(recipe):
    with pytest.raises(ValueError, match="noise"):
        recipe(seed=0, noise=-0.1)


def test_every_recipe_draws_from_seeded_generators_of_its_own():
    """Whatever the global seeds of torch and NumPy, a recipe gives the same data: it draws from its own."""
    recipes = [data.line_data, data.surface_line_data, data.noisy_line, data.polynomial_data, data.wavy_curve,
               data.gaussian_line_data, digits.sklearn_digits]

    def flat(result):
        parts = dataclasses.astuple(result) if dataclasses.is_dataclass(result) else result
        return [np.asarray(part, dtype=float) for part in parts if not isinstance(part, (int, float, str))]

    for recipe in recipes:
        draws = []
        for global_seed in (1, 2):
            torch.manual_seed(global_seed)
            np.random.seed(global_seed)
            draws.append(flat(recipe()))
        assert all(np.array_equal(a, b) for a, b in zip(*draws, strict=True)), recipe.__name__
