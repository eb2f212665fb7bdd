"""Training helpers: one optimisation step, evaluation, the full loop.

The pages build the loop by hand first and then hand it over to these helpers,
so every helper here is something the reader has already seen written out:

* [`make_train_step()`][linreg.training.make_train_step] — one step (page 5);
* [`evaluate()`][linreg.training.evaluate] — the validation loop: ``eval()`` mode, no gradients (page 7);
* [`fit()`][linreg.training.fit] — epochs of mini-batch training with validation, a learning-rate
  scheduler, callbacks and a progress bar, returning a [`History`][linreg.training.History] (pages 7-11).

Stopping and picking up training exactly where it stopped lives in [`linreg.checkpoints`][linreg.checkpoints].

Why one module of about 400 lines: it holds one concept, training a model, at three sizes: a
step, a pass that only measures (``evaluate``), and the epoch loop (``fit``), which calls
``evaluate`` and takes the same step as ``make_train_step`` for every batch. The three share the
argument checks (each bad argument gets an error that names it) and the device and loader helpers
below; split apart, each would import the others' privates. The progress bar's two helpers stay
with the one loop that draws it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau

from linreg._checks import check_finite_loss, check_positive_int

__all__ = [
    "History",
    "evaluate",
    "fit",
    "make_train_step",
]

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _check_model(model: Any) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")


def _check_loss_fn(loss_fn: Any) -> None:
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable, e.g. torch.nn.MSELoss(), got {type(loss_fn).__name__}")


def _check_optimizer(optimizer: Any) -> None:
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")


def make_train_step(
    model: nn.Module,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
) -> Callable[[torch.Tensor, torch.Tensor], float]:
    """Return a function that performs one training step and returns the loss
    as a float.

    The returned ``train_step(x, y)`` puts the model in training mode, computes
    the loss, back-propagates, steps the optimizer and clears the gradients.
    The loss it returns is the one computed before its own update (the loss of
    the parameters it was called with). A NaN or infinite loss raises
    [`linreg.DivergedError`][linreg.DivergedError] naming the step (counted from 1)
    instead of silently corrupting the parameters.

    Examples:
        >>> model = torch.nn.Linear(1, 1)
        >>> step = make_train_step(
        ...     model,
        ...     torch.nn.MSELoss(),
        ...     torch.optim.SGD(model.parameters(), lr=0.1),
        ... )
        >>> isinstance(step(torch.ones(4, 1), torch.ones(4, 1)), float)
        True
    """
    _check_model(model)
    _check_loss_fn(loss_fn)
    _check_optimizer(optimizer)
    step = 0  # the number of this call, counted from 1

    def train_step(x: torch.Tensor, y: torch.Tensor) -> float:
        nonlocal step
        step += 1
        model.train()
        loss = loss_fn(model(x), y)  # the loss before this step's update
        # named in the error message
        lr = float(optimizer.param_groups[0]["lr"])
        value = check_finite_loss(loss.item(), when=f"step {step}", lr=lr)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        return value

    return train_step


# --------------------------------------------------------------------------- history


@dataclass
class History:
    """What [`fit()`][linreg.training.fit] records, one entry per epoch.

    ``train_loss`` is the mean training loss over the epoch's samples, each
    batch's loss computed before that batch's update (so during the epoch);
    ``val_loss`` the validation loss after the epoch's last update (empty
    without a validation loader) and ``lr`` the learning rate used during the
    epoch (at its start, for schedulers stepped every batch). Plain lists of
    floats, so a history survives
    ``torch.save``/``torch.load(weights_only=True)``.

    Examples:
        >>> history = History(train_loss=[0.5, 0.25], lr=[0.1, 0.1])
        >>> history.epochs
        2
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Number of epochs recorded so far."""
        return len(self.train_loss)

    def to_dict(self) -> dict[str, list[float]]:
        """The history as a dict of plain lists (what a checkpoint stores).

        Examples:
            >>> History([1.0], [], [0.1]).to_dict()
            {'train_loss': [1.0], 'val_loss': [], 'lr': [0.1]}
        """
        return {
            "train_loss": list(self.train_loss),
            "val_loss": list(self.val_loss),
            "lr": list(self.lr),
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> History:
        """Rebuild a history from `to_dict()`'s output.

        Examples:
            >>> History.from_dict(
            ...     {"train_loss": [1.0], "val_loss": [], "lr": [0.1]}
            ... ).epochs
            1
        """
        if not isinstance(values, dict):
            raise TypeError(
                f"values must be a dict, got {type(values).__name__}"
            )
        missing = {"train_loss", "val_loss", "lr"} - set(values)
        if missing:
            raise ValueError(f"values is missing the keys {sorted(missing)}")
        return cls(
            *(
                list(map(float, values[key]))
                for key in ("train_loss", "val_loss", "lr")
            )
        )


# --------------------------------------------------------------------------- the loop


def _model_device(model: nn.Module) -> torch.device:
    for tensor in model.parameters():
        return tensor.device
    for tensor in model.buffers():
        return tensor.device
    return torch.device("cpu")


def _check_device(device: Any, model: nn.Module) -> torch.device:
    if device is None:
        return _model_device(model)
    if not isinstance(device, (str, torch.device)):
        raise TypeError(f"device must be a str or torch.device such as 'cpu' or 'cuda', got {type(device).__name__}")
    try:
        return torch.device(device)
    except RuntimeError as exc:
        raise ValueError(f"device must name a device such as 'cpu' or 'cuda', got {device!r}") from exc


def _check_loader(name: str, loader: Any) -> None:
    # A tensor or an array is iterable too, but iterating it yields rows, not
    # (x, y) batches: the usual slip is passing the data instead of a DataLoader.
    if isinstance(loader, (torch.Tensor, np.ndarray, str, bytes)) or not isinstance(loader, Iterable):
        raise TypeError(
            f"{name} must be a DataLoader (or another iterable of (x, y) batches), "
            f"got {type(loader).__name__}; wrap tensors as DataLoader(TensorDataset(x, y), batch_size=...)"
        )


def _unpack(batch: Any, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    try:
        x, y = batch
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must yield (x, y) pairs, got a batch of type {type(batch).__name__}") from exc
    return x, y


def evaluate(
    model: nn.Module,
    loss_fn: LossFn,
    loader: Iterable,
    device: str | torch.device | None = None,
) -> float:
    """Mean loss of ``model`` over every sample of ``loader``, without
    training it.

    The validation loop: the model is put in ``eval()`` mode (dropout off,
    batch norm uses its running statistics) and gradients are not recorded
    (``torch.no_grad()``), which saves memory and time. The model's previous
    mode is restored afterwards. Batches are moved to ``device`` (default: the
    model's device). The mean is weighted by batch size, so a short last batch
    counts as much as its samples, assuming ``loss_fn`` averages over a batch.

    Examples:
        >>> from torch.utils.data import DataLoader, TensorDataset
        >>> model = torch.nn.Linear(1, 1)
        >>> zeros = torch.zeros(8, 1)
        >>> loader = DataLoader(TensorDataset(zeros, zeros), batch_size=3)
        >>> with torch.no_grad():
        ...     _ = model.weight.fill_(2.0), model.bias.fill_(1.0)
        >>> # predicts 1 for targets 0
        >>> evaluate(model, torch.nn.MSELoss(), loader)
        1.0
    """
    _check_model(model)
    _check_loss_fn(loss_fn)
    _check_loader("loader", loader)
    device = _check_device(device, model)
    was_training = model.training
    model.eval()
    total = torch.zeros((), device=device)
    count = 0
    try:
        with torch.no_grad():
            for batch in loader:
                x, y = _unpack(batch, "loader")
                x, y = x.to(device), y.to(device)
                total += loss_fn(model(x), y) * len(x)
                count += len(x)
    finally:
        model.train(was_training)
    if count == 0:
        raise ValueError(
            "loader yielded no batches: it needs at least one sample"
        )
    return total.item() / count


def _train_epoch(
    model: nn.Module,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    loader: Iterable,
    device: torch.device,
    batch_scheduler: LRScheduler | None = None,
) -> float:
    """One epoch of mini-batch training, the loop that
    [`fit()`][linreg.training.fit] repeats; return the mean loss per sample."""
    model.train()
    # The loss stays a tensor on the device: one .item() per epoch
    # instead of one per batch, which would wait for the device each time.
    total = torch.zeros((), device=device)
    count = 0
    for batch in loader:
        x, y = _unpack(batch, "train_loader")
        x, y = x.to(device), y.to(device)  # only the batch moves to the device
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        # e.g. OneCycleLR: a new learning rate after every batch
        if batch_scheduler is not None:
            batch_scheduler.step()
        # weighted by batch size: a short last batch counts less
        total += loss.detach() * len(x)
        count += len(x)
    if count == 0:
        raise ValueError(
            "train_loader yielded no batches: it needs at least one sample"
        )
    return total.item() / count


def _progress_wanted(progress: bool | None) -> bool:
    """Show a bar if asked to; by default only where a person is watching it live."""
    if progress is not None:
        if not isinstance(progress, bool):
            raise TypeError(f"progress must be True, False or None, got {progress!r}")
        return progress
    if os.environ.get("LINREG_BUILD") == "1":
        return False  # the site build executes the notebooks: no bar in the outputs
    try:
        if sys.stderr is not None and sys.stderr.isatty():
            return True
    except (AttributeError, ValueError):
        pass
    # A live Jupyter notebook: the kernel's stderr is not a terminal. Jupyter's
    # server names the session (JPY_SESSION_NAME), Colab imports google.colab; a
    # bare nbclient/nbconvert run sets neither, so it shows no bar either.
    in_kernel = "ipykernel" in sys.modules
    return in_kernel and ("JPY_SESSION_NAME" in os.environ or "google.colab" in sys.modules)


def _progress_bar(epochs: int, start: int):
    try:
        import ipywidgets  # noqa: F401  (tqdm.auto needs it for a notebook widget)
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm import tqdm
    return tqdm(total=epochs, initial=0, desc=f"epochs {start + 1}-{start + epochs}", unit="epoch", leave=False)


def _check_scheduler(scheduler: Any, optimizer: torch.optim.Optimizer, scheduler_step: str) -> None:
    if scheduler_step not in ("epoch", "batch"):
        raise ValueError(f"scheduler_step must be 'epoch' or 'batch', got {scheduler_step!r}")
    if scheduler is None:
        return
    if not isinstance(scheduler, LRScheduler):
        raise TypeError(
            f"scheduler must be a torch.optim.lr_scheduler scheduler (StepLR, ReduceLROnPlateau...), "
            f"got {type(scheduler).__name__}"
        )
    if scheduler.optimizer is not optimizer:
        raise ValueError("scheduler was built for a different optimizer than the one passed to fit")
    if isinstance(scheduler, ReduceLROnPlateau) and scheduler_step == "batch":
        raise ValueError("ReduceLROnPlateau watches a loss once per epoch: use scheduler_step='epoch'")


def _check_fit_arguments(model, loss_fn, optimizer, train_loader, epochs, val_loader, scheduler, scheduler_step,
                         device, callbacks, history) -> tuple[int, torch.device, tuple, History]:
    """Check what [`fit()`][linreg.training.fit] was given; return epochs, device, callbacks and history, normalised."""
    _check_model(model)
    _check_loss_fn(loss_fn)
    _check_optimizer(optimizer)
    _check_loader("train_loader", train_loader)
    epochs = check_positive_int("epochs", epochs)
    if val_loader is not None:
        _check_loader("val_loader", val_loader)
    _check_scheduler(scheduler, optimizer, scheduler_step)
    device = _check_device(device, model)
    callbacks = (callbacks,) if callable(callbacks) else tuple(callbacks)  # a single callback is accepted too
    for callback in callbacks:
        if not callable(callback):
            raise TypeError(f"callbacks must be callables callback(epoch, model, history), got {callback!r}")
    if history is None:
        history = History()
    elif not isinstance(history, History):
        raise TypeError(f"history must be a linreg.training.History, got {type(history).__name__}")
    return epochs, device, callbacks, history


def fit(
    model: nn.Module,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    train_loader: Iterable,
    epochs: int,
    *,
    val_loader: Iterable | None = None,
    scheduler: LRScheduler | None = None,
    device: str | torch.device | None = None,
    callbacks: Sequence[Callable[[int, nn.Module, History], Any]] = (),
    progress: bool | None = None,
    scheduler_step: str = "epoch",
    history: History | None = None,
) -> History:
    """Train ``model`` for ``epochs`` epochs of mini-batches and return the
    [`History`][linreg.training.History].

    Each epoch, in this order: one pass of mini-batch training over
    ``train_loader`` (batches moved to ``device``, default the model's device),
    its mean loss (each batch's loss taken before that batch's update) and the
    epoch's learning rate appended to the history; if ``val_loader`` is given,
    [`evaluate()`][linreg.training.evaluate] on it (``eval()`` mode, no
    gradients), appended too; ``scheduler.step()`` (``ReduceLROnPlateau`` with
    the validation loss, or the training loss without validation); then each
    ``callback(epoch, model, history)``.

    Args:
        callbacks: functions called as ``callback(epoch, model, history)`` at
            the end of every epoch: ``epoch`` is 1-based and continues a
            resumed history's count, ``history`` already holds this epoch, the
            model is in ``train()`` mode. Their return values are ignored; an
            exception raised in one stops ``fit``.
        scheduler_step: ``"epoch"`` (default) or ``"batch"`` for schedulers
            such as ``OneCycleLR`` that change the rate after every batch.
        history: a history to continue (e.g. from [`resume()`][linreg.checkpoints.resume]); new epochs
            are appended to it and numbered after its last one.
        progress: ``True``/``False`` force a tqdm bar on or off; ``None`` shows
            one only in a terminal or a live notebook, never when the site build
            executes the pages (it sets ``LINREG_BUILD=1``).

    A NaN or infinite epoch loss raises
    [`linreg.DivergedError`][linreg.DivergedError] naming the epoch and the
    learning rate. The model's train/eval mode is restored at the end.

    Examples:
        >>> from torch.utils.data import DataLoader, TensorDataset
        >>> x = torch.linspace(0, 1, 32).view(-1, 1)  # (32, 1)
        >>> loader = DataLoader(TensorDataset(x, 1 + 2 * x), batch_size=8)
        >>> model = torch.nn.Linear(1, 1)
        >>> history = fit(
        ...     model, torch.nn.MSELoss(),
        ...     torch.optim.SGD(model.parameters(), lr=0.1), loader, 3,
        ... )
        >>> history.epochs, len(history.lr)
        (3, 3)
    """
    epochs, device, callbacks, history = _check_fit_arguments(
        model, loss_fn, optimizer, train_loader, epochs, val_loader,
        scheduler, scheduler_step, device, callbacks, history)
    # stepped inside _train_epoch instead
    batch_scheduler = scheduler if scheduler_step == "batch" else None
    bar = (
        _progress_bar(epochs, history.epochs)
        if _progress_wanted(progress)
        else None
    )
    was_training = model.training
    try:
        # 1-based, after a resumed history
        for epoch in range(history.epochs + 1, history.epochs + 1 + epochs):
            # the rate this epoch trains with (the first group's)
            lr = float(optimizer.param_groups[0]["lr"])
            train_loss = _train_epoch(
                model, loss_fn, optimizer, train_loader, device,
                batch_scheduler,
            )
            history.train_loss.append(
                check_finite_loss(train_loss, when=f"epoch {epoch}", lr=lr)
            )
            history.lr.append(lr)
            if val_loader is not None:
                val_loss = evaluate(model, loss_fn, val_loader, device)
                history.val_loss.append(check_finite_loss(
                    val_loss, when=f"epoch {epoch} (validation)", lr=lr
                ))
            if scheduler is not None and batch_scheduler is None:
                # it watches a loss: validation's if there is one
                if isinstance(scheduler, ReduceLROnPlateau):
                    scheduler.step(
                        history.val_loss[-1]
                        if val_loader is not None
                        else history.train_loss[-1]
                    )
                else:
                    scheduler.step()
            for callback in callbacks:
                callback(epoch, model, history)
            if bar is not None:
                bar.set_postfix(loss=f"{train_loss:.4g}", lr=f"{lr:.3g}")
                bar.update()
    finally:
        if bar is not None:
            bar.close()
        model.train(was_training)  # leave the model in the mode it came in
    return history
