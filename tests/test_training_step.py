"""Specification of linreg.training.make_train_step: one optimisation step as a closure."""

import pytest
import torch
from torch import nn, optim

from linreg import DivergedError, data
from linreg.models import ManualLinearRegression
from linreg.training import make_train_step


@pytest.fixture
def recipe_a():
    x_train, y_train, _, _ = data.line_data().tensors()
    return x_train, y_train


def new_setup(lr=0.1):
    model = ManualLinearRegression(generator=torch.Generator().manual_seed(42))
    optimizer = optim.SGD(model.parameters(), lr=lr)
    return model, make_train_step(model, nn.MSELoss(), optimizer)


def test_train_step_returns_the_loss_as_a_float(recipe_a):
    _, step = new_setup()
    assert isinstance(step(*recipe_a), float)


def test_train_step_returns_the_loss_before_its_update(recipe_a):
    model, step = new_setup()
    with torch.no_grad():
        expected = nn.functional.mse_loss(model(recipe_a[0]), recipe_a[1]).item()
    assert step(*recipe_a) == pytest.approx(expected)


def test_repeated_train_steps_reduce_the_loss_on_recipe_a(recipe_a):
    model, step = new_setup()
    losses = [step(*recipe_a) for _ in range(1000)]
    assert losses[-1] < losses[0] / 100
    assert model.a.item() == pytest.approx(1.0, abs=0.05)
    assert model.b.item() == pytest.approx(2.0, abs=0.05)


def test_train_step_clears_the_gradients_after_stepping(recipe_a):
    model, step = new_setup()
    step(*recipe_a)
    assert all(p.grad is None or torch.all(p.grad == 0) for p in model.parameters())


def test_train_step_puts_the_model_in_training_mode(recipe_a):
    model, step = new_setup()
    model.eval()
    step(*recipe_a)
    assert model.training


def test_train_step_raises_diverged_error_when_lr_is_huge(recipe_a):
    _, step = new_setup(lr=1e6)
    with pytest.raises(DivergedError, match="learning rate"):
        for _ in range(20):
            step(*recipe_a)


def test_make_train_step_rejects_a_model_that_is_not_a_module():
    a = torch.zeros(1, requires_grad=True)
    with pytest.raises(TypeError, match="model"):
        make_train_step(lambda x: a * x, nn.MSELoss(), optim.SGD([a], lr=0.1))


def test_make_train_step_rejects_a_loss_that_is_not_callable():
    model = nn.Linear(1, 1)
    with pytest.raises(TypeError, match="loss_fn"):
        make_train_step(model, "mse", optim.SGD(model.parameters(), lr=0.1))


def test_make_train_step_rejects_an_optimizer_that_is_not_an_optimizer():
    model = nn.Linear(1, 1)
    with pytest.raises(TypeError, match="optimizer"):
        make_train_step(model, nn.MSELoss(), 0.1)
