"""Specification of linreg.models: the linear models (page 5), MLP, the autoencoders and their helpers."""

import pytest
import torch
from torch import nn

from linreg import models
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


# MLP, the autoencoders, compression_ratio, collapse_linear_layers ------


def n_parameters(model):
    return sum(p.numel() for p in model.parameters())


def test_mlp_maps_n_by_n_in_to_n_by_n_out():
    model = models.MLP(n_in=3, hidden=8, n_out=2)
    assert model(torch.zeros(5, 3)).shape == (5, 2)


def test_mlp_has_three_linear_layers_with_relu_after_the_first_two():
    model = models.MLP(n_in=1, hidden=4, n_out=1)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(1, 4), (4, 4), (4, 1)]
    # every weight and bias -1: layer 1 gives -2 and layer 2 gives -1, the ReLUs clip both to 0,
    # so only the last bias reaches the output (without the ReLUs it would be -1 + 4 * (4 * 2 + 1) ... != -1)
    with torch.no_grad():
        for m in linears:
            m.weight.fill_(-1.0)
            m.bias.fill_(-1.0)
    assert torch.equal(model(torch.ones(2, 1)), torch.full((2, 1), -1.0))  # only the last bias survives


def test_mlp_lists_its_relus_as_layers_so_printing_it_shows_them():
    model = models.MLP(n_in=1, hidden=4, n_out=1)
    assert [type(m) for m in model.layers] == [nn.Linear, nn.ReLU, nn.Linear, nn.ReLU, nn.Linear]
    assert str(model).count("ReLU()") == 2


def test_mlp_draws_the_same_initial_weights_as_three_linear_layers_made_in_order():
    torch.manual_seed(0)
    model = models.MLP(n_in=1, hidden=4, n_out=1)
    torch.manual_seed(0)
    stack = [nn.Linear(1, 4), nn.Linear(4, 4), nn.Linear(4, 1)]  # ReLUs hold no parameters
    for ours, theirs in zip(model.parameters(), (p for layer in stack for p in layer.parameters()), strict=True):
        assert torch.equal(ours, theirs)


def test_mlp_can_output_negative_values():
    model = models.MLP(n_in=1, hidden=4, n_out=1)
    with torch.no_grad():
        model.layers[-1].bias.fill_(-5.0)
        model.layers[-1].weight.zero_()
    assert model(torch.zeros(1, 1)).item() == -5.0


def test_mlp_rejects_inputs_of_the_wrong_width():
    with pytest.raises(ValueError, match=r"x must have shape \(N, 1\)"):
        models.MLP()(torch.zeros(4, 2))


@pytest.mark.parametrize("name", ["n_in", "hidden", "n_out"])
def test_mlp_rejects_non_positive_sizes(name):
    with pytest.raises(ValueError, match=name):
        models.MLP(**{name: 0})


@pytest.mark.parametrize("cls", [models.Autoencoder, models.SequentialAutoencoder])
def test_autoencoders_reconstruct_the_input_shape_through_a_latent_code(cls):
    model = cls(n_inputs=64, latent=8)
    x = torch.randn(5, 64)
    assert model.encode(x).shape == (5, 8)
    assert model.decode(torch.randn(5, 8)).shape == (5, 64)
    assert model(x).shape == (5, 64)


@pytest.mark.parametrize("cls", [models.Autoencoder, models.SequentialAutoencoder])
def test_autoencoder_outputs_lie_in_minus_1_to_1_because_of_tanh(cls):
    output = cls(64, 8)(100 * torch.randn(20, 64))
    assert output.abs().max() <= 1


def test_both_autoencoders_have_the_same_parameter_count_and_shapes():
    explicit, sequential = models.Autoencoder(64, 8), models.SequentialAutoencoder(64, 8)
    assert n_parameters(explicit) == n_parameters(sequential) == 34_248
    assert [p.shape for p in explicit.parameters()] == [p.shape for p in sequential.parameters()]


def test_autoencoder_layers_are_input_128_64_latent_64_128_input():
    linears = [m for m in models.SequentialAutoencoder(784, 2).modules() if isinstance(m, nn.Linear)]
    assert [m.out_features for m in linears] == [128, 64, 2, 64, 128, 784]


def test_both_autoencoders_compute_the_same_function_with_the_same_weights():
    explicit, sequential = models.Autoencoder(64, 8), models.SequentialAutoencoder(64, 8)
    with torch.no_grad():
        for target, source in zip(sequential.parameters(), explicit.parameters(), strict=True):
            target.copy_(source)
    x = torch.randn(7, 64)
    assert torch.equal(sequential(x), explicit(x))
    assert torch.equal(sequential.encode(x), explicit.encode(x))


def test_both_autoencoders_draw_the_same_initial_weights_from_the_same_seed():
    torch.manual_seed(0)
    explicit = models.Autoencoder(64, 8)
    torch.manual_seed(0)
    sequential = models.SequentialAutoencoder(64, 8)
    assert all(torch.equal(a, b) for a, b in zip(explicit.parameters(), sequential.parameters(), strict=True))


@pytest.mark.parametrize("cls", [models.Autoencoder, models.SequentialAutoencoder])
def test_autoencoder_compression_ratio_is_inputs_over_latent(cls):
    assert cls(64, 8).compression_ratio == 8.0
    assert cls(784, 2).compression_ratio == 392.0


@pytest.mark.parametrize("cls", [models.Autoencoder, models.SequentialAutoencoder])
def test_autoencoders_reject_images_of_the_wrong_width(cls):
    with pytest.raises(ValueError, match=r"x must have shape \(N, 64\)"):
        cls(64, 8)(torch.zeros(3, 784))
    with pytest.raises(ValueError, match=r"code must have shape \(N, 8\)"):
        cls(64, 8).decode(torch.zeros(3, 2))


@pytest.mark.parametrize("name", ["n_inputs", "latent"])
def test_autoencoders_reject_non_positive_sizes(name):
    with pytest.raises(ValueError, match=name):
        models.Autoencoder(**{name: 0})


def test_compression_ratio_divides_inputs_by_latent():
    assert models.compression_ratio(784, 8) == 98.0


def test_compression_ratio_rejects_zero_latent():
    with pytest.raises(ValueError, match="latent"):
        models.compression_ratio(64, 0)


def test_collapse_linear_layers_gives_one_layer_with_the_same_outputs():
    torch.manual_seed(0)
    stack = nn.Sequential(nn.Linear(3, 16), nn.Linear(16, 16), nn.Linear(16, 2))
    single = models.collapse_linear_layers(stack)
    assert isinstance(single, nn.Linear)
    assert (single.in_features, single.out_features) == (3, 2)
    x = torch.randn(10, 3)
    with torch.no_grad():
        assert torch.allclose(stack(x), single(x), atol=1e-5)


def test_collapse_linear_layers_weight_is_the_product_of_the_weight_matrices():
    stack = [nn.Linear(2, 4), nn.Linear(4, 3)]
    single = models.collapse_linear_layers(stack)
    assert torch.allclose(single.weight, stack[1].weight @ stack[0].weight)


def test_collapse_linear_layers_refuses_a_relu_in_the_stack():
    with pytest.raises(TypeError, match="ReLU"):
        models.collapse_linear_layers(nn.Sequential(nn.Linear(1, 4), nn.ReLU(), nn.Linear(4, 1)))


def test_collapse_linear_layers_refuses_mismatched_sizes():
    with pytest.raises(ValueError, match=r"layers\[0\] outputs 4 features but layers\[1\] expects 5"):
        models.collapse_linear_layers([nn.Linear(1, 4), nn.Linear(5, 1)])


def test_collapse_linear_layers_refuses_an_empty_stack():
    with pytest.raises(ValueError, match="at least one"):
        models.collapse_linear_layers([])
