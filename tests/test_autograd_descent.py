"""Specification of linreg.autograd_descent: recipe A's gradient descent with autograd (page 3)."""

import numpy as np
import pytest
import torch

from linreg import DivergedError, data, scratch
from linreg.autograd_descent import gradient_descent, initial_parameters


@pytest.fixture(scope="module")
def train_tensors():
    x_train, y_train, _, _ = data.line_data().tensors()
    return x_train, y_train


def numpy_reference(x, y, lr=0.1, epochs=1000):
    # The page-2 recipe written out: np.random.seed(42); a, b = randn(1), randn(1); hand-derived gradients.
    rng = np.random.RandomState(42)
    a, b = rng.randn(1), rng.randn(1)
    for _ in range(epochs):
        error = y - (a + b * x)
        a_grad, b_grad = -2 * error.mean(), -2 * (x * error).mean()
        a, b = a - lr * a_grad, b - lr * b_grad
    return float(a[0]), float(b[0])


def test_initial_parameters_are_leaves_that_require_grad():
    a, b = initial_parameters()
    assert a.is_leaf and b.is_leaf
    assert a.requires_grad and b.requires_grad
    assert a.shape == b.shape == (1,)


def test_initial_parameters_are_created_on_the_requested_device():
    a, b = initial_parameters(device="meta")  # any device works; "meta" needs no hardware
    assert a.device.type == b.device.type == "meta"
    assert a.is_leaf


def test_initial_parameters_are_the_numpy_seed_42_draws():
    rng = np.random.RandomState(42)
    a, b = initial_parameters(seed=42)
    assert a.item() == pytest.approx(rng.randn(1)[0], abs=1e-6)
    assert b.item() == pytest.approx(rng.randn(1)[0], abs=1e-6)


def test_gradient_descent_matches_the_numpy_result_to_4_decimals(train_tensors):
    fit = gradient_descent(*train_tensors, lr=0.1, epochs=1000)
    d = data.line_data()
    reference_a, reference_b = numpy_reference(d.x_train, d.y_train)
    assert round(fit.a, 4) == round(reference_a, 4)
    assert round(fit.b, 4) == round(reference_b, 4)


def test_gradient_descent_matches_linreg_scratch_to_4_decimals(train_tensors):
    d = data.line_data()
    fit = gradient_descent(*train_tensors)
    numpy_fit = scratch.gradient_descent(d.x_train, d.y_train, lr=0.1, epochs=1000)
    assert abs(fit.a - numpy_fit.a) < 5e-5
    assert abs(fit.b - numpy_fit.b) < 5e-5


def test_gradient_descent_gets_close_to_the_true_line(train_tensors):
    fit = gradient_descent(*train_tensors)
    assert fit.a == pytest.approx(1.0, abs=0.05)
    assert fit.b == pytest.approx(2.0, abs=0.05)


def test_gradient_descent_records_one_falling_loss_per_epoch(train_tensors):
    fit = gradient_descent(*train_tensors, epochs=50)
    assert len(fit.losses) == 50
    assert fit.losses[-1] < fit.losses[0] / 10


def test_gradient_descent_leaves_the_inputs_without_gradients(train_tensors):
    x, y = train_tensors
    gradient_descent(x, y, epochs=3)
    assert not x.requires_grad and x.grad is None


def test_gradient_descent_raises_diverged_error_when_lr_is_too_high(train_tensors):
    with pytest.raises(DivergedError, match="lr=10"):
        gradient_descent(*train_tensors, lr=10.0)


@pytest.mark.parametrize("lr", [0, -0.1, float("nan")])
def test_gradient_descent_rejects_a_learning_rate_that_is_not_positive(train_tensors, lr):
    with pytest.raises(ValueError, match="lr"):
        gradient_descent(*train_tensors, lr=lr)


def test_gradient_descent_rejects_zero_epochs(train_tensors):
    with pytest.raises(ValueError, match="epochs"):
        gradient_descent(*train_tensors, epochs=0)


def test_gradient_descent_rejects_numpy_arrays():
    d = data.line_data()
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        gradient_descent(d.x_train, torch.zeros(80, 1))


def test_gradient_descent_rejects_a_flat_x(train_tensors):
    x, y = train_tensors
    with pytest.raises(ValueError, match=r"x must have shape \(N, 1\)"):
        gradient_descent(x.ravel(), y)


def test_gradient_descent_rejects_x_and_y_of_different_lengths(train_tensors):
    x, y = train_tensors
    with pytest.raises(ValueError, match="same number of samples"):
        gradient_descent(x, y[:10])
