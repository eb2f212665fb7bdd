"""Checkpoints: stop training and pick it up exactly where it stopped (page 7).

* [`save_checkpoint()`][linreg.checkpoints.save_checkpoint] writes the model, optimizer, scheduler,
  history and shuffling state to one file, atomically;
* [`load_checkpoint()`][linreg.checkpoints.load_checkpoint] reads it back with
  ``torch.load(weights_only=True)`` and restores those states, refusing unsafe or foreign files with a
  [`CheckpointError`][linreg.checkpoints.CheckpointError];
* [`resume()`][linreg.checkpoints.resume] loads a checkpoint and returns the
  [`History`][linreg.training.History] that [`fit()`][linreg.training.fit] continues.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.optim.lr_scheduler import LRScheduler

from linreg._checks import check_non_negative_int
from linreg.training import History, _check_model, _check_optimizer

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "load_checkpoint",
    "resume",
    "save_checkpoint",
]

CHECKPOINT_FORMAT = "linreg-checkpoint-v1"
"""Marks a file as a linreg checkpoint (and its layout version)."""
_CHECKPOINT_KEYS = ("format", "epoch", "model", "optimizer", "scheduler", "history", "generator")


class CheckpointError(ValueError):
    """A checkpoint file cannot be used: truncated, corrupt, not ours, unsafe,
    or for another model."""


@dataclass(frozen=True)
class Checkpoint:
    """What [`load_checkpoint()`][linreg.checkpoints.load_checkpoint] hands back besides the restored states: the epoch
    and the history."""

    epoch: int
    history: History


def _check_path(path: Any) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    return Path(path)


def _check_scheduler_and_generator(scheduler: Any, generator: Any) -> None:
    """Both are optional in a checkpoint; when given, they must be what their states come from."""
    if scheduler is not None and not isinstance(scheduler, LRScheduler):
        raise TypeError(f"scheduler must be a torch.optim.lr_scheduler scheduler, got {type(scheduler).__name__}")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator (e.g. loader.generator), got {type(generator).__name__}")


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
    """Save everything needed to resume training to ``path``, atomically;
    return the path.

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
        >>> save_checkpoint(
        ...     path, model=model, optimizer=optimizer, epoch=0,
        ...     history=History(),
        ... ).name
        'ckpt.pt'
    """
    path = _check_path(path)
    _check_model(model)
    _check_optimizer(optimizer)
    epoch = check_non_negative_int("epoch", epoch)
    if not isinstance(history, History):
        raise TypeError(
            "history must be a linreg.training.History, "
            f"got {type(history).__name__}"
        )
    _check_scheduler_and_generator(scheduler, generator)
    if not path.parent.is_dir():
        raise FileNotFoundError(
            "cannot save the checkpoint: the directory "
            f"{str(path.parent)!r} does not exist"
        )
    # tensors, numbers, strings, lists and dicts only: what
    # torch.load(weights_only=True) rebuilds
    state = {
        "format": CHECKPOINT_FORMAT,
        "epoch": epoch,
        "model": model.state_dict(),
        # momentum buffers, Adam's moments, the learning rate
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "history": history.to_dict(),  # plain lists, not a History object
        # the loader's next shuffles
        "generator": generator.get_state() if generator is not None else None,
    }
    _write_atomically(state, path)
    return path


def _write_atomically(state: dict[str, Any], path: Path) -> None:
    """``torch.save`` to a temporary file next to ``path``, then rename it
    over ``path``: never half a file."""
    # Same directory as the target: os.replace is only atomic within one file
    # system.
    handle = tempfile.NamedTemporaryFile(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            torch.save(state, handle)
            handle.flush()
            # the bytes are on disk before the name points at them
            os.fsync(handle.fileno())
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
    """The dict a checkpoint file holds, read with ``weights_only=True``;
    every way of failing is a clear error."""
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint file at {str(path)!r}")
    try:
        # weights_only=True: only tensors and plain containers are rebuilt. A
        # full unpickle can call any function named in the file, so a
        # checkpoint from an untrusted source could run code on this machine
        # just by being loaded.
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        # not an unsafe object: bytes that are not a torch pickle at all
        if "global" not in str(exc).lower():
            raise CheckpointError(
                f"{str(path)!r} is truncated or corrupt, or was not written "
                "by torch.save: its bytes are not a pickle that "
                "torch.load(weights_only=True) can read"
            ) from exc
        raise CheckpointError(
            f"refused to load {str(path)!r}: it contains objects that are "
            "not plain tensors or containers, which "
            "torch.load(weights_only=True) does not rebuild (unpickling them "
            "could run arbitrary code). Only load such a file with "
            "weights_only=False if you trust whoever wrote it. "
            f"({_global_line(exc)})"
        ) from exc
    except (
        RuntimeError, EOFError, zipfile.BadZipFile, OSError, ValueError
    ) as exc:
        raise CheckpointError(
            f"{str(path)!r} is truncated or corrupt and cannot be read as a "
            f"checkpoint: {_first_line(exc)}"
        ) from exc
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        found = (
            sorted(map(str, state))
            if isinstance(state, dict)
            else type(state).__name__
        )
        raise CheckpointError(
            f"{str(path)!r} is a torch file but not a linreg checkpoint "
            f"(expected the keys {list(_CHECKPOINT_KEYS)}, found {found}); "
            "save one with linreg.checkpoints.save_checkpoint"
        )
    missing = [key for key in _CHECKPOINT_KEYS if key not in state]
    if missing:
        raise CheckpointError(
            f"{str(path)!r} is an incomplete linreg checkpoint: the keys "
            f"{missing} are missing"
        )
    return state


def load_checkpoint(
    path: str | os.PathLike,
    *,
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler: LRScheduler | None = None,
    generator: torch.Generator | None = None,
) -> Checkpoint:
    """Restore ``model`` (and ``optimizer``, ``scheduler``, ``generator``)
    from a [`save_checkpoint()`][linreg.checkpoints.save_checkpoint] file.

    Reads with ``torch.load(..., weights_only=True)``: a file holding anything
    but tensors and plain containers is refused with a
    [`CheckpointError`][linreg.checkpoints.CheckpointError] instead of being
    unpickled, so loading cannot run code hidden in the file. A missing file
    raises ``FileNotFoundError``; a truncated or corrupt one, a torch file that
    is not a linreg checkpoint, or one saved from a different model raise
    [`CheckpointError`][linreg.checkpoints.CheckpointError]. Returns the saved
    epoch and history.

    Examples:
        >>> import tempfile, pathlib
        >>> model = torch.nn.Linear(1, 1)
        >>> optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "ckpt.pt"
        >>> _ = save_checkpoint(
        ...     path, model=model, optimizer=optimizer, epoch=3,
        ...     history=History([1.0] * 3),
        ... )
        >>> load_checkpoint(path, model=torch.nn.Linear(1, 1)).epoch
        3
    """
    path = _check_path(path)
    _check_model(model)
    if optimizer is not None:
        _check_optimizer(optimizer)
    _check_scheduler_and_generator(scheduler, generator)
    state = _read_checkpoint(path)
    for name, target in (("scheduler", scheduler), ("generator", generator)):
        if target is not None and state[name] is None:
            raise CheckpointError(
                f"{str(path)!r} holds no {name} state, but a {name} was "
                "passed to restore"
            )
    try:  # each object takes back its own state; None leaves that part out
        model.load_state_dict(state["model"])
        if optimizer is not None:
            optimizer.load_state_dict(state["optimizer"])
        if scheduler is not None:
            scheduler.load_state_dict(state["scheduler"])
        if generator is not None:
            # the next shuffles continue where the saved run stopped
            generator.set_state(state["generator"])
    except (RuntimeError, KeyError, ValueError) as exc:
        raise CheckpointError(
            f"{str(path)!r} does not fit the objects passed to "
            f"load_checkpoint: {exc}"
        ) from exc
    return Checkpoint(
        epoch=int(state["epoch"]),
        history=History.from_dict(state["history"]),
    )


def resume(
    path: str | os.PathLike,
    *,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: LRScheduler | None = None,
    generator: torch.Generator | None = None,
) -> History:
    """Load a checkpoint into fresh objects and return the history to
    continue with [`fit()`][linreg.training.fit].

    ``fit(..., history=resume(path, model=..., optimizer=...,
    generator=loader.generator))`` then carries on as if training had never
    stopped: the same parameters, optimizer state (e.g. momentum), learning
    rate, shuffling order and epoch numbering. The model is put back in
    ``train()`` mode.

    Examples:
        >>> import tempfile, pathlib
        >>> model = torch.nn.Linear(1, 1)
        >>> optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "ckpt.pt"
        >>> _ = save_checkpoint(
        ...     path, model=model, optimizer=optimizer, epoch=2,
        ...     history=History([1.0, 0.5]),
        ... )
        >>> resume(path, model=model, optimizer=optimizer).epochs
        2
    """
    if optimizer is None:
        raise TypeError(
            "optimizer must be a torch.optim.Optimizer to resume training, "
            "got NoneType"
        )
    checkpoint = load_checkpoint(
        path, model=model, optimizer=optimizer, scheduler=scheduler,
        generator=generator,
    )
    if checkpoint.epoch != checkpoint.history.epochs:
        raise CheckpointError(
            f"{str(path)!r} says epoch {checkpoint.epoch} but its history "
            f"holds {checkpoint.history.epochs} epochs"
        )
    model.train()
    return checkpoint.history
