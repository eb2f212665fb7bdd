"""Training helpers: one optimisation step, the full loop, checkpoints.

The pages build the loop by hand first and then hand it over to these helpers,
so every helper here is something the reader has already seen written out:

* :func:`make_train_step` — one step (page 5);
* :func:`evaluate` — the validation loop: ``eval()`` mode, no gradients (page 7);
* :func:`fit` — epochs of mini-batch training with validation, a learning-rate
  scheduler, callbacks and a progress bar, returning a :class:`History` (pages 7-11);
* :func:`save_checkpoint` / :func:`load_checkpoint` / :func:`resume` — stop and
  pick up training exactly where it stopped (page 7).
"""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau

from linreg._checks import check_finite_loss, check_non_negative_int, check_positive_int

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "History",
    "evaluate",
    "fit",
    "load_checkpoint",
    "make_train_step",
    "resume",
    "save_checkpoint",
]

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _current_lr(optimizer: torch.optim.Optimizer) -> float:
    return float(optimizer.param_groups[0]["lr"])


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
    """Return a function that performs one training step and returns the loss as a float.

    The returned ``train_step(x, y)`` puts the model in training mode, computes
    the loss, back-propagates, steps the optimizer and clears the gradients.
    A NaN or infinite loss raises :class:`linreg.DivergedError` instead of
    silently corrupting the parameters.

    Examples:
        >>> model = torch.nn.Linear(1, 1)
        >>> step = make_train_step(model, torch.nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1))
        >>> isinstance(step(torch.ones(4, 1), torch.ones(4, 1)), float)
        True
    """
    _check_model(model)
    _check_loss_fn(loss_fn)
    _check_optimizer(optimizer)
    steps_taken = 0

    def train_step(x: torch.Tensor, y: torch.Tensor) -> float:
        nonlocal steps_taken
        model.train()
        loss = loss_fn(model(x), y)
        value = check_finite_loss(loss.item(), when=f"step {steps_taken}", lr=_current_lr(optimizer))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        steps_taken += 1
        return value

    return train_step


# --------------------------------------------------------------------------- history


@dataclass
class History:
    """What :func:`fit` records, one entry per epoch.

    ``train_loss`` is the mean training loss over the epoch's samples,
    ``val_loss`` the validation loss after the epoch (empty without a
    validation loader) and ``lr`` the learning rate used during the epoch
    (at its start, for schedulers stepped every batch). Plain lists of floats,
    so a history survives ``torch.save``/``torch.load(weights_only=True)``.

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
        return {"train_loss": list(self.train_loss), "val_loss": list(self.val_loss), "lr": list(self.lr)}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> History:
        """Rebuild a history from :meth:`to_dict`'s output.

        Examples:
            >>> History.from_dict({"train_loss": [1.0], "val_loss": [], "lr": [0.1]}).epochs
            1
        """
        if not isinstance(values, dict):
            raise TypeError(f"values must be a dict, got {type(values).__name__}")
        missing = {"train_loss", "val_loss", "lr"} - set(values)
        if missing:
            raise ValueError(f"values is missing the keys {sorted(missing)}")
        return cls(*(list(map(float, values[key])) for key in ("train_loss", "val_loss", "lr")))


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


def evaluate(model: nn.Module, loss_fn: LossFn, loader: Iterable, device: str | torch.device | None = None) -> float:
    """Mean loss of ``model`` over every sample of ``loader``, without training it.

    The validation loop: the model is put in ``eval()`` mode (dropout off,
    batch norm uses its running statistics) and gradients are not recorded
    (``torch.no_grad()``), which saves memory and time. The model's previous
    mode is restored afterwards. Batches are moved to ``device`` (default: the
    model's device). The mean is weighted by batch size, so a short last batch
    counts as much as its samples, assuming ``loss_fn`` averages over a batch.

    Examples:
        >>> from torch.utils.data import DataLoader, TensorDataset
        >>> model = torch.nn.Linear(1, 1)
        >>> loader = DataLoader(TensorDataset(torch.zeros(8, 1), torch.zeros(8, 1)), batch_size=3)
        >>> evaluate(model, torch.nn.MSELoss(), loader) >= 0
        True
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
        raise ValueError("loader yielded no batches: it needs at least one sample")
    return total.item() / count


def _train_epoch(
    model: nn.Module,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    loader: Iterable,
    device: torch.device,
    batch_scheduler: LRScheduler | None = None,
) -> float:
    """One epoch of mini-batch training (the loop :func:`fit` repeats); return the mean loss per sample."""
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
        if batch_scheduler is not None:  # e.g. OneCycleLR: a new rate after every batch
            batch_scheduler.step()
        total += loss.detach() * len(x)  # weighted by batch size: a short last batch counts less
        count += len(x)
    if count == 0:
        raise ValueError("train_loader yielded no batches: it needs at least one sample")
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
    """Train ``model`` for ``epochs`` epochs of mini-batches and return the :class:`History`.

    Each epoch: ``model.train()``; for every ``(x, y)`` batch of ``train_loader``
    (moved to ``device``, default the model's device) compute the loss,
    back-propagate, step the optimizer, clear the gradients. Then, if
    ``val_loader`` is given, :func:`evaluate` the model on it (``eval()`` mode,
    no gradients). Then step ``scheduler`` once (``ReduceLROnPlateau`` with the
    validation loss, or the training loss without validation). Then call each
    ``callback(epoch, model, history)`` with the 1-based epoch number.

    Args:
        scheduler_step: ``"epoch"`` (default) or ``"batch"`` for schedulers
            such as ``OneCycleLR`` that change the rate after every batch.
        history: a history to continue (e.g. from :func:`resume`); new epochs
            are appended to it and numbered after its last one.
        progress: ``True``/``False`` force a tqdm bar on or off; ``None`` shows
            one only in a terminal or a live notebook, never when the site build
            executes the pages (it sets ``LINREG_BUILD=1``).

    A NaN or infinite epoch loss raises :class:`linreg.DivergedError` naming the
    epoch and the learning rate. The loss is summed on the device and read once
    per epoch, so the loop costs little more than writing it by hand. The
    model's train/eval mode is restored at the end.

    Examples:
        >>> from torch.utils.data import DataLoader, TensorDataset
        >>> x = torch.linspace(0, 1, 32).view(-1, 1)  # (32, 1)
        >>> loader = DataLoader(TensorDataset(x, 1 + 2 * x), batch_size=8)
        >>> model = torch.nn.Linear(1, 1)
        >>> history = fit(model, torch.nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1), loader, 3)
        >>> history.epochs, len(history.lr)
        (3, 3)
    """
    _check_model(model)
    _check_loss_fn(loss_fn)
    _check_optimizer(optimizer)
    _check_loader("train_loader", train_loader)
    epochs = check_positive_int("epochs", epochs)
    if val_loader is not None:
        _check_loader("val_loader", val_loader)
    _check_scheduler(scheduler, optimizer, scheduler_step)
    device = _check_device(device, model)
    if callable(callbacks):
        callbacks = (callbacks,)  # a single callback is accepted too
    callbacks = tuple(callbacks)
    for callback in callbacks:
        if not callable(callback):
            raise TypeError(f"callbacks must be callables callback(epoch, model, history), got {callback!r}")
    if history is None:
        history = History()
    elif not isinstance(history, History):
        raise TypeError(f"history must be a linreg.training.History, got {type(history).__name__}")
    step_per_batch = scheduler is not None and scheduler_step == "batch"
    batch_scheduler = scheduler if step_per_batch else None
    first_epoch = history.epochs + 1
    bar = _progress_bar(epochs, history.epochs) if _progress_wanted(progress) else None
    was_training = model.training
    try:
        for epoch in range(first_epoch, first_epoch + epochs):
            lr = _current_lr(optimizer)
            train_loss = _train_epoch(model, loss_fn, optimizer, train_loader, device, batch_scheduler)
            train_loss = check_finite_loss(train_loss, when=f"epoch {epoch}", lr=lr)
            history.train_loss.append(train_loss)
            history.lr.append(lr)
            if val_loader is not None:
                val_loss = check_finite_loss(
                    evaluate(model, loss_fn, val_loader, device), when=f"epoch {epoch} (validation)", lr=lr
                )
                history.val_loss.append(val_loss)
            if scheduler is not None and not step_per_batch:
                if isinstance(scheduler, ReduceLROnPlateau):
                    scheduler.step(history.val_loss[-1] if val_loader is not None else train_loss)
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
        model.train(was_training)
    return history


# --------------------------------------------------------------------------- checkpoints

#: Marks a file as a linreg checkpoint (and its layout version).
CHECKPOINT_FORMAT = "linreg-checkpoint-v1"
_CHECKPOINT_KEYS = ("format", "epoch", "model", "optimizer", "scheduler", "history", "generator")


class CheckpointError(ValueError):
    """A checkpoint file cannot be used: truncated, corrupt, not ours, unsafe, or for another model."""


@dataclass(frozen=True)
class Checkpoint:
    """What :func:`load_checkpoint` hands back besides the restored states: the epoch and the history."""

    epoch: int
    history: History


def _check_path(path: Any) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    return Path(path)


def save_checkpoint(
    path: str | os.PathLike,
    *,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    epoch: int,
    history: History,
    scheduler: LRScheduler | None = None,
    generator: torch.Generator | None = None,
) -> Path:
    """Save everything needed to resume training to ``path``, atomically; return the path.

    The file holds the epoch, the model's and optimizer's (and scheduler's)
    ``state_dict()``, the history as plain lists, and the state of
    ``generator`` (pass the training loader's ``generator`` so the resumed run
    shuffles exactly like an uninterrupted one). Only tensors, numbers,
    strings, lists and dicts are stored, so ``torch.load(weights_only=True)``
    reads it back.

    The file is first written to a temporary file in the same directory,
    flushed to disk, then renamed over ``path`` (``os.replace`` is atomic): a
    crash mid-save leaves the previous checkpoint intact, never half a file.

    Examples:
        >>> import tempfile, pathlib
        >>> model = torch.nn.Linear(1, 1)
        >>> optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "ckpt.pt"
        >>> save_checkpoint(path, model=model, optimizer=optimizer, epoch=0, history=History()).name
        'ckpt.pt'
    """
    path = _check_path(path)
    _check_model(model)
    _check_optimizer(optimizer)
    epoch = check_non_negative_int("epoch", epoch)
    if not isinstance(history, History):
        raise TypeError(f"history must be a linreg.training.History, got {type(history).__name__}")
    if scheduler is not None and not isinstance(scheduler, LRScheduler):
        raise TypeError(f"scheduler must be a torch.optim.lr_scheduler scheduler, got {type(scheduler).__name__}")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator (e.g. loader.generator), got {type(generator).__name__}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot save the checkpoint: the directory {str(path.parent)!r} does not exist")
    _write_atomically(_checkpoint_state(model, optimizer, epoch, history, scheduler, generator), path)
    return path


def _checkpoint_state(model, optimizer, epoch, history, scheduler, generator) -> dict[str, Any]:
    """What a checkpoint holds: tensors, numbers, strings, lists and dicts only (``weights_only=True`` reads them)."""
    return {
        "format": CHECKPOINT_FORMAT,
        "epoch": epoch,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),  # momentum buffers, Adam's moments, the learning rate
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "history": history.to_dict(),  # plain lists, not a History object
        "generator": generator.get_state() if generator is not None else None,  # the loader's shuffles
    }


def _write_atomically(state: dict[str, Any], path: Path) -> None:
    """``torch.save`` to a temporary file next to ``path``, then rename it over ``path``: never half a file."""
    # Same directory as the target: os.replace is only atomic within one file system.
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            torch.save(state, handle)
            handle.flush()
            os.fsync(handle.fileno())  # the bytes are on disk before the name points at them
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _first_line(exc: BaseException) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _global_line(exc: BaseException) -> str:
    """The line of torch's message naming the refused object, e.g. ``unsupported GLOBAL posix.system``."""
    lines = [line.strip() for line in str(exc).splitlines() if "GLOBAL" in line]
    return lines[0] if lines else _first_line(exc)


def _read_checkpoint(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint file at {str(path)!r}")
    try:
        # weights_only=True: only tensors and plain containers are rebuilt. A full
        # unpickle can call any function named in the file, so a checkpoint from
        # an untrusted source could run code on this machine just by being loaded.
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        if "global" not in str(exc).lower():  # not an unsafe object: bytes that are not a torch pickle at all
            raise CheckpointError(
                f"{str(path)!r} is truncated or corrupt, or was not written by torch.save: "
                "its bytes are not a pickle that torch.load(weights_only=True) can read"
            ) from exc
        raise CheckpointError(
            f"refused to load {str(path)!r}: it contains objects that are not plain tensors or containers, "
            "which torch.load(weights_only=True) does not rebuild (unpickling them could run arbitrary code). "
            f"Only load such a file with weights_only=False if you trust whoever wrote it. ({_global_line(exc)})"
        ) from exc
    except (RuntimeError, EOFError, zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CheckpointError(
            f"{str(path)!r} is truncated or corrupt and cannot be read as a checkpoint: {_first_line(exc)}"
        ) from exc
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        found = sorted(map(str, state)) if isinstance(state, dict) else type(state).__name__
        raise CheckpointError(
            f"{str(path)!r} is a torch file but not a linreg checkpoint (expected the keys "
            f"{list(_CHECKPOINT_KEYS)}, found {found}); save one with linreg.training.save_checkpoint"
        )
    missing = [key for key in _CHECKPOINT_KEYS if key not in state]
    if missing:
        raise CheckpointError(f"{str(path)!r} is an incomplete linreg checkpoint: the keys {missing} are missing")
    return state


def load_checkpoint(
    path: str | os.PathLike,
    *,
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler: LRScheduler | None = None,
    generator: torch.Generator | None = None,
) -> Checkpoint:
    """Restore ``model`` (and ``optimizer``, ``scheduler``, ``generator``) from a :func:`save_checkpoint` file.

    Reads with ``torch.load(..., weights_only=True)``: a file holding anything
    but tensors and plain containers is refused with a :class:`CheckpointError`
    instead of being unpickled, so loading cannot run code hidden in the file.
    A missing file raises ``FileNotFoundError``; a truncated or corrupt one, a
    torch file that is not a linreg checkpoint, or one saved from a different
    model raise :class:`CheckpointError`. Returns the saved epoch and history.

    Examples:
        >>> import tempfile, pathlib
        >>> model = torch.nn.Linear(1, 1)
        >>> optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "ckpt.pt"
        >>> _ = save_checkpoint(path, model=model, optimizer=optimizer, epoch=3, history=History([1.0] * 3))
        >>> load_checkpoint(path, model=torch.nn.Linear(1, 1)).epoch
        3
    """
    path = _check_path(path)
    _check_model(model)
    if optimizer is not None:
        _check_optimizer(optimizer)
    if scheduler is not None and not isinstance(scheduler, LRScheduler):
        raise TypeError(f"scheduler must be a torch.optim.lr_scheduler scheduler, got {type(scheduler).__name__}")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator (e.g. loader.generator), got {type(generator).__name__}")
    state = _read_checkpoint(path)
    for name, target in (("scheduler", scheduler), ("generator", generator)):
        if target is not None and state[name] is None:
            raise CheckpointError(f"{str(path)!r} holds no {name} state, but a {name} was passed to restore")
    try:
        _restore(state, model, optimizer, scheduler, generator)
    except (RuntimeError, KeyError, ValueError) as exc:
        raise CheckpointError(f"{str(path)!r} does not fit the objects passed to load_checkpoint: {exc}") from exc
    history = History.from_dict(state["history"])
    return Checkpoint(epoch=int(state["epoch"]), history=history)


def _restore(state: dict[str, Any], model, optimizer, scheduler, generator) -> None:
    """Put a checkpoint's states back into the objects given (``None``: leave that part out)."""
    model.load_state_dict(state["model"])
    if optimizer is not None:
        optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None:
        scheduler.load_state_dict(state["scheduler"])
    if generator is not None:
        generator.set_state(state["generator"])  # the next shuffles continue where the saved run stopped


def resume(
    path: str | os.PathLike,
    *,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: LRScheduler | None = None,
    generator: torch.Generator | None = None,
) -> History:
    """Load a checkpoint into fresh objects and return the history to continue with :func:`fit`.

    ``fit(..., history=resume(path, model=..., optimizer=..., generator=loader.generator))``
    then carries on as if training had never stopped: the same parameters,
    optimizer state (e.g. momentum), learning rate, shuffling order and epoch
    numbering. The model is put back in ``train()`` mode.

    Examples:
        >>> import tempfile, pathlib
        >>> model = torch.nn.Linear(1, 1)
        >>> optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "ckpt.pt"
        >>> _ = save_checkpoint(path, model=model, optimizer=optimizer, epoch=2, history=History([1.0, 0.5]))
        >>> resume(path, model=model, optimizer=optimizer).epochs
        2
    """
    if optimizer is None:
        raise TypeError("optimizer must be a torch.optim.Optimizer to resume training, got NoneType")
    checkpoint = load_checkpoint(path, model=model, optimizer=optimizer, scheduler=scheduler, generator=generator)
    if checkpoint.epoch != checkpoint.history.epochs:
        raise CheckpointError(
            f"{str(path)!r} says epoch {checkpoint.epoch} but its history holds {checkpoint.history.epochs} epochs"
        )
    model.train()
    return checkpoint.history
