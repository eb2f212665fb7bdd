"""The models the tutorials build, from two bare parameters to networks.

Every class is an ordinary `torch.nn.Module`: call ``model(x)`` (not
``model.forward(x)``) so PyTorch's hooks run, and move it with ``.to(device)``.
"""

from __future__ import annotations

import torch
from torch import nn

from linreg._checks import check_positive_int


def _check_width(name: str, tensor: torch.Tensor, width: int) -> None:
    """Raise a clear error unless ``tensor`` is a tensor of shape ``(N, width)``."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(tensor).__name__}")
    if tensor.ndim != 2 or tensor.shape[1] != width:
        raise ValueError(f"{name} must have shape (N, {width}), got {tuple(tensor.shape)}")


class ManualLinearRegression(nn.Module):
    """``y = a + b x`` with ``a`` and ``b`` as explicit `Parameter` objects.

    Wrapping a tensor in ``nn.Parameter`` registers it with the module, so it
    shows up in ``parameters()`` and ``state_dict()``, moves with ``.to()`` and
    is handed to the optimizer. ``generator`` makes the random start
    reproducible.

    Examples:
        >>> model = ManualLinearRegression(
        ...     generator=torch.Generator().manual_seed(42))
        >>> [name for name, _ in model.named_parameters()]
        ['a', 'b']
    """

    def __init__(self, generator: torch.Generator | None = None):
        super().__init__()
        self.a = nn.Parameter(torch.randn(1, generator=generator))
        self.b = nn.Parameter(torch.randn(1, generator=generator))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.a + self.b * x  # broadcast: (N, 1) in, (N, 1) out


class LinearRegression(nn.Module):
    """A linear model ``y = x W^T + b`` from ``n_in`` features to ``n_out``
    targets: one ``nn.Linear``, named.

    Examples:
        >>> tuple(LinearRegression(3, 2)(torch.zeros(5, 3)).shape)
        (5, 2)
    """

    def __init__(self, n_in: int = 1, n_out: int = 1):
        super().__init__()
        self.n_in = check_positive_int("n_in", n_in)
        self.n_out = check_positive_int("n_out", n_out)
        self.linear = nn.Linear(n_in, n_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_width("x", x, self.n_in)  # (N, n_in), or an error that says so
        return self.linear(x)  # (N, n_out)


class MLP(nn.Module):
    """A small multi-layer perceptron: three linear layers with a ReLU after
    the first two.

    One ``nn.Sequential`` holds them all, so printing the model shows the ReLUs.

    Examples:
        >>> [type(layer).__name__
        ...  for layer in MLP(n_in=1, hidden=16, n_out=1).layers]
        ['Linear', 'ReLU', 'Linear', 'ReLU', 'Linear']
    """

    def __init__(self, n_in: int = 1, hidden: int = 64, n_out: int = 1):
        super().__init__()
        self.n_in = check_positive_int("n_in", n_in)
        check_positive_int("hidden", hidden)
        check_positive_int("n_out", n_out)
        self.layers = nn.Sequential(
            # each unit: a line with a kink at zero
            nn.Linear(n_in, hidden), nn.ReLU(),
            # kinks of kinks: a piecewise-linear curve
            nn.Linear(hidden, hidden), nn.ReLU(),
            # no activation: the output can be any number
            nn.Linear(hidden, n_out),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_width("x", x, self.n_in)
        # (N, n_in) -> (N, hidden) -> (N, hidden) -> (N, n_out)
        return self.layers(x)


def compression_ratio(n_inputs: int, latent: int) -> float:
    """How many times smaller the code is than the input: ``n_inputs / latent``.

    Examples:
        >>> compression_ratio(64, 8)
        8.0
    """
    check_positive_int("n_inputs", n_inputs)
    check_positive_int("latent", latent)
    return n_inputs / latent


class Autoencoder(nn.Module):
    """An autoencoder written layer by layer:
    ``n_inputs -> 128 -> 64 -> latent -> 64 -> 128 -> n_inputs``.

    ReLU after every hidden layer, no activation on the code, ``tanh`` on the
    output, so reconstructions lie in [-1, 1]: scale the pixels to [-1, 1] to
    match.

    Examples:
        >>> tuple(Autoencoder(n_inputs=64, latent=8).encode(
        ...     torch.zeros(3, 64)).shape)
        (3, 8)
    """

    def __init__(self, n_inputs: int = 64, latent: int = 8):
        super().__init__()
        self.n_inputs = check_positive_int("n_inputs", n_inputs)
        self.latent = check_positive_int("latent", latent)
        # encoder: squeeze the image into `latent` numbers
        self.enc1 = nn.Linear(n_inputs, 128)
        self.enc2 = nn.Linear(128, 64)
        self.enc3 = nn.Linear(64, latent)
        # decoder: the mirror image, back to one value per pixel
        self.dec1 = nn.Linear(latent, 64)
        self.dec2 = nn.Linear(64, 128)
        self.dec3 = nn.Linear(128, n_inputs)

    @property
    def compression_ratio(self) -> float:
        """``n_inputs / latent``: how many pixel values each code number
        stands for."""
        return compression_ratio(self.n_inputs, self.latent)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Images ``(N, n_inputs)`` to codes ``(N, latent)``."""
        _check_width("x", x, self.n_inputs)
        h = torch.relu(self.enc1(x))  # (N, 128)
        h = torch.relu(self.enc2(h))  # (N, 64)
        return self.enc3(h)  # (N, latent): a free linear code, no squashing

    def decode(self, code: torch.Tensor) -> torch.Tensor:
        """Codes ``(N, latent)`` to images ``(N, n_inputs)`` in [-1, 1]."""
        _check_width("code", code, self.latent)
        h = torch.relu(self.dec1(code))  # (N, 64)
        h = torch.relu(self.dec2(h))  # (N, 128)
        # (N, n_inputs), in [-1, 1] like the scaled pixels
        return torch.tanh(self.dec3(h))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


class SequentialAutoencoder(nn.Module):
    """[`Autoencoder`][linreg.models.Autoencoder] again as two
    ``nn.Sequential`` blocks, ``encoder`` and ``decoder``: same layers, same
    order.

    Examples:
        >>> tuple(SequentialAutoencoder(n_inputs=64, latent=8)(
        ...     torch.zeros(3, 64)).shape)
        (3, 64)
    """

    def __init__(self, n_inputs: int = 64, latent: int = 8):
        super().__init__()
        self.n_inputs = check_positive_int("n_inputs", n_inputs)
        self.latent = check_positive_int("latent", latent)
        self.encoder = nn.Sequential(
            nn.Linear(n_inputs, 128), nn.ReLU(),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, latent),
        )
        self.decoder = nn.Sequential(
            nn.Linear(latent, 64), nn.ReLU(),
            nn.Linear(64, 128), nn.ReLU(),
            nn.Linear(128, n_inputs), nn.Tanh(),
        )

    @property
    def compression_ratio(self) -> float:
        """``n_inputs / latent``: how many pixel values each code number
        stands for."""
        return compression_ratio(self.n_inputs, self.latent)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Images ``(N, n_inputs)`` to codes ``(N, latent)``."""
        _check_width("x", x, self.n_inputs)
        return self.encoder(x)

    def decode(self, code: torch.Tensor) -> torch.Tensor:
        """Codes ``(N, latent)`` to images ``(N, n_inputs)`` in [-1, 1]."""
        _check_width("code", code, self.latent)
        return self.decoder(code)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


def collapse_linear_layers(layers) -> nn.Linear:
    """Multiply a stack of ``nn.Linear`` layers (no activations between them)
    into one equivalent layer.

    ``W3 (W2 (W1 x + b1) + b2) + b3 = (W3 W2 W1) x + (W3 W2 b1 + W3 b2 + b3)``:
    the weight is the product of the weight matrices, the bias the last layer
    applied to the earlier biases. This is why depth needs non-linearities.

    Examples:
        >>> stack = nn.Sequential(nn.Linear(3, 8), nn.Linear(8, 2))
        >>> single = collapse_linear_layers(stack)
        >>> x = torch.randn(4, 3)
        >>> torch.allclose(stack(x), single(x), atol=1e-6)
        True
    """
    layers = list(layers)
    if not layers:
        raise ValueError("layers must hold at least one nn.Linear")
    for i, layer in enumerate(layers):
        if not isinstance(layer, nn.Linear):
            raise TypeError(
                f"layers[{i}] is a {type(layer).__name__}, not nn.Linear: "
                "only a stack of purely linear layers collapses into one "
                "(a non-linearity such as ReLU cannot be multiplied out)"
            )
        if layer.bias is None:
            raise ValueError(
                f"layers[{i}] has no bias; collapse_linear_layers expects "
                "layers with bias"
            )
    for i, (before, after) in enumerate(
        zip(layers[:-1], layers[1:], strict=True)
    ):
        if before.out_features != after.in_features:
            raise ValueError(
                f"layers[{i}] outputs {before.out_features} features but "
                f"layers[{i + 1}] expects {after.in_features}"
            )
    with torch.no_grad():
        # (out, in), (out,)
        weight, bias = layers[0].weight.clone(), layers[0].bias.clone()
        for layer in layers[1:]:
            weight = layer.weight @ weight  # (out_k, in)
            bias = layer.weight @ bias + layer.bias  # (out_k,)
        single = nn.Linear(layers[0].in_features, layers[-1].out_features)
        single.weight.copy_(weight)
        single.bias.copy_(bias)
    return single
