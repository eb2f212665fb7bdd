"""Datasets and loaders: how samples reach the training loop (page 6).

* [`LineDataset`][linreg.datasets.LineDataset] — a map-style ``Dataset`` written by hand (recipe B);
* [`seeded_split()`][linreg.datasets.seeded_split] — ``random_split`` with its own seeded generator;
* [`seed_worker()`][linreg.datasets.seed_worker] and [`make_loader()`][linreg.datasets.make_loader] — loaders whose
  shuffling and
  worker randomness are reproducible;
* [`AugmentedLineDataset`][linreg.datasets.AugmentedLineDataset] — a dataset that draws random numbers in
  ``__getitem__``, to show what happens to that randomness in worker processes.

Datasets keep their tensors on the CPU: loader workers read them in other
processes (where PyTorch advises against CUDA tensors), ``pin_memory`` pins CPU
memory for fast copies, and only the current mini-batch needs to sit on the
accelerator, so the training loop moves each batch with ``.to(device)``.
(``random_split`` does not care where the data lives: it only splits the indices.)
"""

from __future__ import annotations

import operator
import random
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Subset, get_worker_info, random_split

from linreg._checks import check_non_negative_int, check_positive_int, check_same_length

__all__ = [
    "AugmentedLineDataset",
    "LineDataset",
    "line_b_loaders",
    "make_loader",
    "seed_worker",
    "seeded_split",
]


def _as_column(name: str, values: Any) -> torch.Tensor:
    """``values`` as a float32 CPU tensor of shape (N, 1) (a 1-D input is one feature per sample)."""
    tensor = torch.as_tensor(values).detach().to("cpu", torch.float32)
    if tensor.ndim == 1:
        tensor = tensor.view(-1, 1)  # (N,) -> (N, 1)
    if tensor.ndim != 2:
        raise ValueError(f"{name} must have shape (N,) or (N, k), got {tuple(tensor.shape)}")
    if len(tensor) == 0:
        raise ValueError(f"{name} is empty: a dataset needs at least one sample")
    return tensor


def _check_dataset(dataset: Any) -> None:
    if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
        raise TypeError(
            f"dataset must be a map-style Dataset with __len__ and __getitem__, got {type(dataset).__name__}"
        )


class LineDataset(Dataset):
    """Pairs ``(x[i], y[i])`` of a 1-D regression problem, as a map-style
    ``Dataset``.

    A ``Dataset`` needs two methods: ``__len__`` (how many samples) and
    ``__getitem__`` (the sample at an index). Inputs are stored as float32
    CPU tensors of shape (N, 1), so a sample is a pair of shape-(1,) tensors
    and a loader's batch a pair of (B, 1) tensors. Negative indices count from
    the end as in a Python list; an index out of range raises ``IndexError``
    (which also tells Python's ``for`` loop where the data ends). A slice or a
    list of indices returns the pair of (k, 1) tensors, like ``TensorDataset``.

    Examples:
        >>> dataset = LineDataset(torch.arange(5.0), 2 * torch.arange(5.0))
        >>> len(dataset), dataset[-1]
        (5, (tensor([4.]), tensor([8.])))
    """

    def __init__(self, x: Any, y: Any):
        self.x = _as_column("x", x)
        self.y = _as_column("y", y)
        check_same_length("x", self.x, "y", self.y)

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(
        self, index: int | slice | list[int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        if isinstance(index, (slice, list)) or (
            isinstance(index, torch.Tensor) and index.ndim == 1
        ):
            # Many samples at once (what Subset[:] asks for); tensor indexing
            # checks the bounds.
            return self.x[index], self.y[index]
        try:
            # ints, NumPy and 0-d torch integers; not floats
            position = operator.index(index)
        except TypeError:
            raise TypeError(
                "index must be an integer or a slice, "
                f"got {type(index).__name__}"
            ) from None
        n = len(self)
        if not -n <= position < n:
            raise IndexError(
                f"index {position} is out of range for a dataset of {n} "
                "samples"
            )
        return self.x[position], self.y[position]

    def __repr__(self) -> str:
        return f"LineDataset({len(self)} samples)"


def seeded_split(
    dataset: Dataset, lengths: Sequence[int | float], seed: int
) -> list[Subset]:
    """Split ``dataset`` at random into subsets of ``lengths``, the same way
    for the same ``seed``.

    A thin wrapper around ``torch.utils.data.random_split`` that passes a
    ``torch.Generator`` seeded with ``seed``: the split no longer depends on
    (or changes) the global random state. ``lengths`` are sample counts that
    add up to ``len(dataset)``, or fractions that add up to 1.

    Examples:
        >>> train, test = seeded_split(
        ...     LineDataset(torch.arange(10.0), torch.arange(10.0)),
        ...     [8, 2],
        ...     seed=0,
        ... )
        >>> len(train), len(test)
        (8, 2)
    """
    _check_dataset(dataset)
    seed = check_non_negative_int("seed", seed)
    if (
        isinstance(lengths, (str, bytes))
        or not isinstance(lengths, Sequence)
        or len(lengths) == 0
    ):
        raise TypeError(
            "lengths must be a non-empty list of sizes such as [160, 40], "
            f"got {lengths!r}"
        )
    if all(isinstance(n, int) and not isinstance(n, bool) for n in lengths):
        if any(n < 0 for n in lengths) or sum(lengths) != len(dataset):
            raise ValueError(
                "lengths must be non-negative and add up to the dataset's "
                f"{len(dataset)} samples, "
                f"got {list(lengths)} (sum {sum(lengths)})"
            )
    try:
        return random_split(
            dataset, lengths, generator=torch.Generator().manual_seed(seed)
        )
    except ValueError as exc:
        raise ValueError(
            f"lengths {list(lengths)} do not split {len(dataset)} samples: "
            f"{exc}"
        ) from exc


def seed_worker(worker_id: int) -> None:
    """``worker_init_fn`` for a ``DataLoader``: seed every random generator a
    worker uses from its torch seed.

    Each worker process starts with a copy of the main process. PyTorch gives
    every worker its own torch seed, ``torch.initial_seed()``: the loader's
    base seed (drawn from the loader's ``generator`` at every
    ``iter(loader)``: every epoch, unless ``persistent_workers=True`` keeps
    the first workers) plus the worker id, so it differs between workers and
    epochs and is reproducible.
    This function seeds Python's ``random`` and NumPy's global generator from
    it (the recipe of PyTorch's reproducibility notes). A generator that the
    dataset owns (``self.rng = np.random.default_rng(seed)``) is copied into
    every worker with the same state, and no global seed reaches it: a dataset
    with such a generator defines ``reseed(seed)``, and this function calls it
    on the worker's own copy of the dataset (``get_worker_info().dataset``,
    looking through ``Subset`` wrappers).

    Examples:
        >>> loader = DataLoader(
        ...     range(4), num_workers=0, worker_init_fn=seed_worker
        ... )
    """
    check_non_negative_int("worker_id", worker_id)
    # NumPy seeds must fit in 32 bits
    worker_seed = torch.initial_seed() % 2**32
    np.random.seed(worker_seed)
    random.seed(worker_seed)
    info = get_worker_info()  # None in the main process
    if info is not None:
        dataset = info.dataset  # this worker's copy, not the main process's
        # a split wraps the dataset that owns the generator
        while isinstance(dataset, Subset):
            dataset = dataset.dataset
        if callable(getattr(dataset, "reseed", None)):
            dataset.reseed(worker_seed)


def make_loader(
    dataset: Dataset,
    batch_size: int = 16,
    *,
    shuffle: bool = True,
    seed: int = 0,
    num_workers: int = 0,
) -> DataLoader:
    """A ``DataLoader`` whose shuffling and worker randomness depend only on
    ``seed``.

    The loader gets its own ``torch.Generator`` seeded with ``seed`` (it
    decides the shuffle order of every epoch and the workers' base seed) and
    [`seed_worker()`][linreg.datasets.seed_worker] as ``worker_init_fn``. The
    generator is ``loader.generator``: save its state in a checkpoint to resume
    the same sequence of shuffles.

    Examples:
        >>> loader = make_loader(
        ...     LineDataset(torch.arange(8.0), torch.arange(8.0)),
        ...     batch_size=4,
        ...     seed=1,
        ... )
        >>> [tuple(x.shape) for x, _ in loader]
        [(4, 1), (4, 1)]
    """
    _check_dataset(dataset)
    batch_size = check_positive_int("batch_size", batch_size)
    if not isinstance(shuffle, bool):
        raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
    seed = check_non_negative_int("seed", seed)
    num_workers = check_non_negative_int("num_workers", num_workers)
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=shuffle,
        num_workers=num_workers,
        worker_init_fn=seed_worker,
        generator=torch.Generator().manual_seed(seed),
    )


def line_b_loaders(
    batch_size: int = 16,
    *,
    lengths: Sequence[int] = (160, 40),
    split_seed: int = 42,
    loader_seed: int = 0,
) -> tuple[DataLoader, DataLoader]:
    """Recipe B as a [`LineDataset`][linreg.datasets.LineDataset], split at
    random, as ``(train_loader, val_loader)``.

    The set-up of pages 7 and 8 in one call, from the parts page 6 shows:
    [`linreg.data.gaussian_line_data()`][linreg.data.gaussian_line_data],
    [`seeded_split()`][linreg.datasets.seeded_split] into ``lengths`` samples
    with ``split_seed``, a shuffling
    [`make_loader()`][linreg.datasets.make_loader] for training (seeded with
    ``loader_seed``) and a loader that serves the validation subset in one
    unshuffled batch.

    Examples:
        >>> train_loader, val_loader = line_b_loaders()
        >>> len(train_loader.dataset), len(val_loader.dataset)
        (160, 40)
    """
    from linreg.data import gaussian_line_data

    train_set, val_set = seeded_split(
        LineDataset(*gaussian_line_data()), list(lengths), seed=split_seed
    )
    train_loader = make_loader(
        train_set, batch_size, shuffle=True, seed=loader_seed
    )
    val_loader = make_loader(val_set, len(val_set), shuffle=False)
    return train_loader, val_loader


class AugmentedLineDataset(LineDataset):
    """A [`LineDataset`][linreg.datasets.LineDataset] that jitters each ``x``
    with fresh Gaussian noise when it is read.

    Random augmentation in ``__getitem__`` is where worker seeding matters.
    With ``seed=None`` the noise comes from NumPy's global generator
    (``np.random.normal``); with an integer ``seed`` the dataset owns a
    generator ``self.rng = np.random.default_rng(seed)``, which every loader
    worker inherits as an identical copy, until
    [`seed_worker()`][linreg.datasets.seed_worker] calls `reseed()` on the
    worker's copy.

    Examples:
        >>> dataset = AugmentedLineDataset(
        ...     torch.zeros(4), torch.zeros(4), jitter=1.0, seed=0
        ... )
        >>> dataset[0][0].shape
        torch.Size([1])
    """

    def __init__(
        self, x: Any, y: Any, jitter: float = 0.1, seed: int | None = None
    ):
        super().__init__(x, y)
        if (
            isinstance(jitter, bool)
            or not isinstance(jitter, (int, float))
            or not jitter >= 0
        ):
            raise ValueError(
                f"jitter must be a non-negative number, got {jitter!r}"
            )
        self.jitter = float(jitter)
        self.rng = (
            None
            if seed is None
            else np.random.default_rng(check_non_negative_int("seed", seed))
        )

    def reseed(self, seed: int) -> None:
        """Draw from a new generator seeded with ``seed``
        (what [`seed_worker()`][linreg.datasets.seed_worker] calls in each
        worker).

        From then on the dataset draws from its own generator, also if it was
        built with ``seed=None``.

        Examples:
            >>> dataset = AugmentedLineDataset(
            ...     torch.zeros(2), torch.zeros(2), jitter=1.0, seed=0
            ... )
            >>> dataset.reseed(7)
        """
        self.rng = np.random.default_rng(check_non_negative_int("seed", seed))

    def __getitem__(
        self, index: int | slice
    ) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = super().__getitem__(index)
        source = np.random if self.rng is None else self.rng
        noise = (
            source.normal(0.0, self.jitter, size=tuple(x.shape))
            if self.jitter
            else np.zeros(tuple(x.shape))
        )
        return x + torch.from_numpy(noise).float(), y
