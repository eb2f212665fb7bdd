"""The claims page 9 (lines, curves, neural networks) makes in its prose, checked through linreg."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from linreg import DivergedError, animation, data, models
from linreg.training import fit


def fit_line():
    x, y = data.noisy_line(seed=0, n=10_000)
    torch.manual_seed(42)
    model = models.LinearRegression(1, 1)
    history = fit(model, nn.MSELoss(), torch.optim.Adam(model.parameters(), lr=0.1), [(x, y)], epochs=100)
    return model, history, ((y - (2 * x + 1)) ** 2).mean().item()


def fit_polynomial():
    x, y = data.polynomial_data(seed=0, n=500)
    features = data.polynomial_features(x)
    torch.manual_seed(42)
    model = models.LinearRegression(2, 1)
    history = fit(model, nn.MSELoss(), torch.optim.Adam(model.parameters(), lr=0.05), [(features, y)], epochs=200)
    design = torch.cat([torch.ones(len(features), 1), features], dim=1)
    best = torch.linalg.lstsq(design, y).solution.squeeze()
    return model, history, best


def fit_wave(lr, optimizer=torch.optim.Adam):
    x, y = data.wavy_curve(seed=0, n=1000)
    torch.manual_seed(0)
    model = models.GeneralFit(n_in=1, hidden=64, n_out=1)
    history = fit(model, nn.MSELoss(), optimizer(model.parameters(), lr=lr), [(x, y)], epochs=200)
    return model, history, x, y


@pytest.fixture(scope="module")
def wave_runs():
    return {lr: fit_wave(lr) for lr in (0.01, 1.0)}


def test_recipe_e_learned_slope_and_intercept_are_within_a_few_hundredths_of_2_and_1():
    model, _, _ = fit_line()
    assert model.linear.weight.item() == pytest.approx(2.0, abs=0.05)
    assert model.linear.bias.item() == pytest.approx(1.0, abs=0.05)


def test_recipe_e_loss_drops_mostly_in_the_first_20_epochs_and_ends_at_the_noise_floor():
    _, history, noise_floor = fit_line()
    losses = history.train_loss
    assert losses[19] - losses[-1] < 0.1 * (losses[0] - losses[-1])
    assert losses[-1] == pytest.approx(noise_floor, rel=0.01)


def test_polynomial_loss_falls_to_a_small_fraction_by_epoch_40_then_changes_little():
    _, history, _ = fit_polynomial()
    losses = history.train_loss
    assert losses[39] < 0.1 * losses[0]
    assert losses[39] - losses[-1] < 0.1 * (losses[0] - losses[39])


def test_polynomial_adam_parameters_approach_but_have_not_reached_least_squares_in_200_epochs():
    model, _, best = fit_polynomial()
    learned = torch.tensor([model.linear.bias.item(), *model.linear.weight.squeeze().tolist()])
    gap = (learned - best).abs().max().item()
    assert 0.01 < gap < 0.25


def test_general_fit_at_lr_0_01_converges_close_to_the_noise_floor(wave_runs):
    _, history, x, y = wave_runs[0.01]
    noise_floor = ((y - x * torch.sin(x)) ** 2).mean().item()
    assert history.train_loss[-1] < 1.5 * noise_floor


def test_general_fit_at_lr_1_never_becomes_nan_but_ends_many_times_worse(wave_runs):
    _, fast, _, _ = wave_runs[1.0]
    _, slow, _, _ = wave_runs[0.01]
    assert all(math.isfinite(loss) for loss in fast.train_loss)
    assert max(fast.train_loss) > 1000 * fast.train_loss[0]  # several orders of magnitude above the start
    assert fast.train_loss[-1] > 10 * slow.train_loss[-1]


def test_lr_1_leaves_more_dead_relu_units_than_lr_0_01_and_both_lose_some(wave_runs):
    def dead_units(model, x):
        with torch.no_grad():
            hidden = torch.relu(model.layer2(torch.relu(model.layer1(x))))
        return int((hidden.amax(dim=0) == 0).sum())

    slow_model, _, x, _ = wave_runs[0.01]
    fast_model, _, _, _ = wave_runs[1.0]
    assert 0 < dead_units(slow_model, x) < dead_units(fast_model, x)
    assert dead_units(fast_model, x) > 32  # "most" of the 64


def test_general_fit_with_sgd_at_lr_1_raises_diverged_error():
    with pytest.raises(DivergedError, match=r"lr=1"):
        fit_wave(1.0, optimizer=torch.optim.SGD)


def test_three_stacked_linear_layers_equal_one_layer_but_not_with_relus():
    x, _ = data.wavy_curve(seed=0, n=1000)
    torch.manual_seed(0)
    stack = nn.Sequential(nn.Linear(1, 64), nn.Linear(64, 64), nn.Linear(64, 1))
    single = models.collapse_linear_layers(stack)
    relu_stack = nn.Sequential(stack[0], nn.ReLU(), stack[1], nn.ReLU(), stack[2])
    with torch.no_grad():
        assert torch.allclose(stack(x), single(x), atol=1e-5)
        assert not torch.allclose(relu_stack(x), single(x), atol=1e-5)


def test_animate_predictions_ylim_fixes_the_y_range_the_page_uses_for_a_diverging_run():
    predictions = np.stack([np.full(3, 1e6), np.zeros(3)])  # one frame far off the chart
    video = animation.animate_predictions([0, 1, 2], [0, 1, 0], [0, 1, 2], predictions, alt="x", ylim=(-1, 2))
    assert video.frames == 2
