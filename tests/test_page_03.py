"""The claims page 3 (autograd) makes in its prose, checked through linreg."""

import pytest
import torch

from linreg import DivergedError, data, scratch, torch_gd


@pytest.fixture(scope="module")
def recipe_a():
    return data.line_data().tensors()


def mse(a, b, x, y):
    return ((a + b * x - y) ** 2).mean()


def test_autograd_gradients_equal_the_chain_rule_formulas(recipe_a):
    x, y, _, _ = recipe_a
    a, b = torch_gd.initial_parameters()
    mse(a, b, x, y).backward()
    by_hand = scratch.mse_gradients(x.numpy(), y.numpy(), (a + b * x).detach().numpy())
    assert a.grad.item() == pytest.approx(by_hand[0], abs=1e-4)
    assert b.grad.item() == pytest.approx(by_hand[1], abs=1e-4)


def test_two_backward_calls_double_the_gradient(recipe_a):
    x, y, _, _ = recipe_a
    a, b = torch_gd.initial_parameters()
    mse(a, b, x, y).backward()
    once = a.grad.clone()
    mse(a, b, x, y).backward()
    assert torch.allclose(a.grad, 2 * once)


def test_an_in_place_update_outside_no_grad_raises(recipe_a):
    x, y, _, _ = recipe_a
    a, b = torch_gd.initial_parameters()
    mse(a, b, x, y).backward()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        a -= 0.1 * a.grad


def test_numpy_fails_on_a_tensor_that_requires_grad(recipe_a):
    x, _, _, _ = recipe_a
    a, b = torch_gd.initial_parameters()
    with pytest.raises(RuntimeError, match="requires grad"):
        (a + b * x).numpy()


def test_the_training_loss_ends_just_below_0_01(recipe_a):
    fit = torch_gd.gradient_descent(*recipe_a[:2])
    assert 0.005 < fit.losses[-1] < 0.01


def test_the_if_branch_runs_at_the_random_start_but_not_after_training(recipe_a):
    x, y, _, _ = recipe_a
    a, b = torch_gd.initial_parameters()
    assert mse(a, b, x, y).item() > 1
    fit = torch_gd.gradient_descent(x, y)
    assert mse(torch.tensor(fit.a), torch.tensor(fit.b), x, y).item() < 1


def test_a_learning_rate_of_one_diverges(recipe_a):
    with pytest.raises(DivergedError):
        torch_gd.gradient_descent(*recipe_a[:2], lr=1.0)
