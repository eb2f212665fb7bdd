"""Specification of linreg.surfaces: the MSE of a line over a grid of (weight, bias) (pages 2 and 4)."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from linreg import surfaces


def test_loss_surface_has_one_loss_per_bias_and_weight(small_surface):
    assert small_surface.losses.shape == (17, 21)


def test_loss_surface_equals_the_mse_of_each_line(recipe_d):
    x, y = recipe_d
    surface = surfaces.loss_surface(x, y, [-2.0, 1.0], [0.5, -1.0, 3.0])
    expected = torch.mean((3.0 + (-2.0) * x - y) ** 2).item()
    assert surface.losses[2, 0] == pytest.approx(expected, rel=1e-5)


def test_loss_at_matches_the_grid_values(small_surface):
    i, j = 5, 7
    value = small_surface.loss_at([small_surface.weights[j]], [small_surface.biases[i]])
    assert value[0] == pytest.approx(small_surface.losses[i, j])


def test_loss_surface_minimum_of_recipe_d_is_near_weight_1_bias_minus_1(recipe_d):
    surface = surfaces.loss_surface(*recipe_d, np.linspace(-3, 5, 81), np.linspace(-5, 3, 81))
    i, j = np.unravel_index(surface.losses.argmin(), surface.losses.shape)
    assert surface.weights[j] == pytest.approx(1.0, abs=0.1)
    assert surface.biases[i] == pytest.approx(-1.0, abs=0.1)


@pytest.mark.parametrize("bad", [[1.0], [[1.0, 2.0]], [0.0, np.nan]])
def test_loss_surface_rejects_bad_grid_axes(recipe_d, bad):
    with pytest.raises(ValueError, match="weights"):
        surfaces.loss_surface(*recipe_d, bad, [0.0, 1.0])


def test_loss_surface_rejects_mismatched_data(recipe_d):
    x, y = recipe_d
    with pytest.raises(ValueError, match="x and y"):
        surfaces.loss_surface(x, y[:-1], [0.0, 1.0], [0.0, 1.0])


def test_grid_around_spans_every_path_and_the_extra_point():
    p = SimpleNamespace(weights=np.array([0.0, 2.0]), biases=np.array([1.0, 3.0]))
    weights, biases = surfaces.grid_around(p, include=(-1.0, 5.0), n=11)
    assert weights.min() < -1.0 and weights.max() > 2.0
    assert biases.min() < 1.0 and biases.max() > 5.0


def test_grid_around_needs_a_path():
    with pytest.raises(ValueError, match="path"):
        surfaces.grid_around()


def test_grid_around_rejects_a_grid_of_no_points():
    p = SimpleNamespace(weights=[0.0, 1.0], biases=[0.0, 1.0])
    with pytest.raises(ValueError, match="n"):
        surfaces.grid_around(p, n=0)
