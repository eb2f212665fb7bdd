"""How much does linreg's ``fit`` cost over a training loop written by hand?

Both loops train the same model (``LinearRegression``) on the same data
(recipe B, 200 points, mini-batches of 16, shuffled by a seeded generator) for
the same number of epochs and record the mean training loss of every epoch.
The hand loop is the lean one a careful reader would write (the loss summed
as a tensor, read once per epoch). Repeats alternate between the two loops so
that a noisy machine slows both alike; the medians and their ratio are printed
as JSON. Target: ratio <= 1.1.

Run: ``python benchmarks/bench_fit.py``
"""

from __future__ import annotations

import json
import statistics
import time

import torch
from torch.utils.data import DataLoader

from linreg.data import gaussian_line_data
from linreg.datasets import LineDataset
from linreg.models import LinearRegression
from linreg.training import fit

EPOCHS = 30
BATCH_SIZE = 16
REPEATS = 11
LR = 0.05


def _setup() -> tuple[torch.nn.Module, torch.optim.Optimizer, DataLoader]:
    torch.manual_seed(0)
    model = LinearRegression()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    generator = torch.Generator().manual_seed(0)
    loader = DataLoader(LineDataset(*gaussian_line_data()), batch_size=BATCH_SIZE, shuffle=True, generator=generator)
    return model, optimizer, loader


def hand_loop(model, loss_fn, optimizer, loader, epochs: int) -> list[float]:
    """The training loop written out, recording the mean loss of each epoch."""
    device = next(model.parameters()).device
    losses = []
    for _ in range(epochs):
        model.train()
        total, count = torch.zeros((), device=device), 0
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            total += loss.detach() * len(x)
            count += len(x)
        losses.append(total.item() / count)
    return losses


def _time(train) -> tuple[float, list[float]]:
    model, optimizer, loader = _setup()
    start = time.perf_counter()
    losses = train(model, torch.nn.MSELoss(), optimizer, loader)
    return time.perf_counter() - start, losses


def run() -> dict:
    """Time ``fit`` and the hand loop ``REPEATS`` times each; return medians (seconds) and the ratio."""
    torch.set_num_threads(1)  # tiny tensors: threads only add noise
    with_fit = lambda m, f, o, loader: fit(m, f, o, loader, EPOCHS, progress=False).train_loss  # noqa: E731
    by_hand = lambda m, f, o, loader: hand_loop(m, f, o, loader, EPOCHS)  # noqa: E731
    _time(with_fit), _time(by_hand)  # warm-up: first calls pay for lazy initialisation
    times = {"fit": [], "hand": []}
    losses = {}
    for repeat in range(REPEATS):
        # Alternate which loop goes first, so neither always runs on a warmer (or busier) machine.
        order = ("fit", "hand") if repeat % 2 == 0 else ("hand", "fit")
        for name in order:
            seconds, losses[name] = _time(with_fit if name == "fit" else by_hand)
            times[name].append(seconds)
    fit_median, hand_median = statistics.median(times["fit"]), statistics.median(times["hand"])
    return {
        "benchmark": "fit_vs_hand_loop",
        "torch": torch.__version__,
        "epochs": EPOCHS,
        "batches_per_epoch": -(-200 // BATCH_SIZE),
        "repeats": REPEATS,
        "fit_median_s": round(fit_median, 5),
        "hand_loop_median_s": round(hand_median, 5),
        "ratio": round(fit_median / hand_median, 3),
        "target_ratio": 1.1,
        "fit_min_s": round(min(times["fit"]), 5),
        "hand_loop_min_s": round(min(times["hand"]), 5),
        "same_losses": losses["fit"] == losses["hand"],
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
