"""Specification of linreg.models' linear models (page 5) and the nn.Module behaviours the page shows."""

import pytest
import torch
from torch import nn

from linreg.models import LinearRegression, ManualLinearRegression


def seeded(seed=42):
    return torch.Generator().manual_seed(seed)


# ManualLinearRegression ------------------------------------------------------------


def test_manual_model_registers_a_and_b_as_parameters():
    model = ManualLinearRegression(generator=seeded())
    assert [name for name, _ in model.named_parameters()] == ["a", "b"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in model.parameters())


def test_manual_model_state_dict_holds_a_and_b():
    model = ManualLinearRegression(generator=seeded())
    assert list(model.state_dict()) == ["a", "b"]
    assert model.state_dict()["a"].shape == (1,)


def test_manual_model_with_the_same_generator_seed_starts_at_the_same_point():
    first, second = ManualLinearRegression(generator=seeded(7)), ManualLinearRegression(generator=seeded(7))
    assert torch.equal(first.a, second.a) and torch.equal(first.b, second.b)


def test_manual_model_predicts_a_plus_b_times_x():
    model = ManualLinearRegression(generator=seeded())
    with torch.no_grad():
        model.a.fill_(1.0)
        model.b.fill_(2.0)
    x = torch.tensor([[0.0], [0.5], [1.0]])
    assert torch.allclose(model(x), torch.tensor([[1.0], [2.0], [3.0]]))


def test_a_plain_tensor_attribute_is_not_registered_as_a_parameter():
    class PlainTensor(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.zeros(1, requires_grad=True)
            self.b = nn.Parameter(torch.zeros(1))

    model = PlainTensor()
    assert [name for name, _ in model.named_parameters()] == ["b"]
    assert list(model.state_dict()) == ["b"]


def test_calling_the_model_runs_forward_hooks_but_forward_does_not():
    model = ManualLinearRegression(generator=seeded())
    calls = []
    model.register_forward_hook(lambda module, inputs, output: calls.append("hook"))
    x = torch.ones(2, 1)
    model.forward(x)
    assert calls == []
    model(x)
    assert calls == ["hook"]


def test_to_moves_the_parameters_and_keeps_them_registered():
    model = ManualLinearRegression(generator=seeded()).to("meta")  # "meta" needs no hardware
    assert all(p.device.type == "meta" for p in model.parameters())
    assert [name for name, _ in model.named_parameters()] == ["a", "b"]


def test_eval_mode_does_not_stop_gradients():
    model = ManualLinearRegression(generator=seeded()).eval()
    model(torch.ones(3, 1)).sum().backward()
    assert model.a.grad is not None and model.b.grad is not None


# train() versus eval() in layers that care -------------------------------------------


def test_dropout_zeroes_and_rescales_in_train_mode_and_is_the_identity_in_eval_mode():
    torch.manual_seed(0)
    dropout = nn.Dropout(p=0.5)
    x = torch.ones(1000)
    trained = dropout.train()(x)
    assert set(trained.unique().tolist()) == {0.0, 2.0}  # kept values are scaled by 1 / (1 - p)
    assert torch.equal(dropout.eval()(x), x)


def test_batch_norm_updates_running_statistics_only_in_train_mode():
    norm = nn.BatchNorm1d(1)
    batch = torch.arange(8.0).view(-1, 1) + 10  # (8, 1), mean 13.5
    norm.eval()(batch)
    assert norm.running_mean.item() == 0.0
    norm.train()(batch)
    assert norm.running_mean.item() == pytest.approx(0.1 * 13.5)


# LinearRegression ------------------------------------------------------------------------


def test_linear_regression_nests_an_nn_linear_layer():
    model = LinearRegression(1, 1)
    assert isinstance(model.linear, nn.Linear)
    assert [name for name, _ in model.named_parameters()] == ["linear.weight", "linear.bias"]


def test_linear_regression_has_n_out_by_n_in_weights_and_n_out_biases():
    model = LinearRegression(3, 2)
    assert model.linear.weight.shape == (2, 3)
    assert model.linear.bias.shape == (2,)
    assert tuple(model(torch.zeros(15, 3)).shape) == (15, 2)


@pytest.mark.parametrize("n_in, n_out", [(0, 1), (1, 0), (-2, 1)])
def test_linear_regression_rejects_sizes_below_one(n_in, n_out):
    with pytest.raises(ValueError, match="n_in|n_out"):
        LinearRegression(n_in, n_out)


def test_linear_regression_rejects_a_non_integer_size():
    with pytest.raises(TypeError, match="n_in"):
        LinearRegression(1.5, 1)


def test_linear_regression_says_which_input_shape_it_expects():
    with pytest.raises(ValueError, match=r"x must have shape \(N, 3\)"):
        LinearRegression(3, 2)(torch.zeros(15, 2))


def test_sequential_3_4_1_network_has_21_parameters():
    network = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    assert sum(p.numel() for p in network.parameters()) == 3 * 4 + 4 + 4 * 1 + 1 == 21
