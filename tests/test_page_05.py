"""The claims page 5 (models) makes in its prose, checked through linreg."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn, optim

from linreg import DivergedError, data, scratch
from linreg.models import LinearRegression, ManualLinearRegression
from linreg.training import make_train_step


def train_crop_model(lr=1e-5, epochs=100):
    inputs, targets = data.crop_yields(repeat=3)
    torch.manual_seed(42)
    model = nn.Linear(3, 2)
    step = make_train_step(model, F.mse_loss, optim.SGD(model.parameters(), lr=lr))
    return [step(inputs, targets) for _ in range(epochs)]


def test_repeating_the_rows_leaves_the_full_batch_mse_unchanged():
    torch.manual_seed(42)
    model = nn.Linear(3, 2)
    with torch.no_grad():
        fifteen = F.mse_loss(model(data.crop_yields(repeat=3)[0]), data.crop_yields(repeat=3)[1])
        five = F.mse_loss(model(data.crop_yields()[0]), data.crop_yields()[1])
    assert fifteen.item() == pytest.approx(five.item(), rel=1e-6)


def test_the_crop_loss_falls_to_about_a_tenth_in_100_epochs():
    losses = train_crop_model()
    assert 8 < losses[0] / losses[-1] < 12


def test_a_ten_times_larger_crop_learning_rate_fits_better_and_a_hundred_times_larger_diverges():
    assert train_crop_model(lr=1e-4)[-1] < train_crop_model(lr=1e-5)[-1] / 10
    with pytest.raises(DivergedError):
        train_crop_model(lr=1e-3)


def test_the_three_line_loop_ends_on_the_numpy_line():
    x, y, _, _ = data.line_data().tensors()
    model = ManualLinearRegression(generator=torch.Generator().manual_seed(42))
    train_step = make_train_step(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1))
    losses = [train_step(x, y) for _ in range(1000)]
    d = data.line_data()
    numpy_fit = scratch.gradient_descent(d.x_train, d.y_train)
    assert round(model.a.item(), 4) == round(numpy_fit.a, 4)
    assert round(model.b.item(), 4) == round(numpy_fit.b, 4)
    assert losses[-1] < 0.01


def test_linear_regression_bias_and_weight_learn_a_and_b():
    x, y, _, _ = data.line_data().tensors()
    torch.manual_seed(42)
    model = LinearRegression(1, 1)
    step = make_train_step(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1))
    for _ in range(1000):
        step(x, y)
    assert model.linear.bias.item() == pytest.approx(1.0235, abs=1e-3)
    assert model.linear.weight.item() == pytest.approx(1.9690, abs=1e-3)


def test_a_3_5_5_2_network_has_62_parameters():
    deeper = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 5), nn.ReLU(), nn.Linear(5, 2))
    assert sum(p.numel() for p in deeper.parameters()) == 62
