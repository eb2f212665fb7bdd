"""Training recipe A with DistributedDataParallel (DDP): what each rank runs, and its single-process twin.

A DDP job is ``world_size`` processes, each one *rank*, that train replicas of
the same linear model on recipe A ([`linreg.data.line_data()`][linreg.data.line_data]).
[`worker()`][linreg.ddp_training.worker] is what one rank runs: it joins the
process group, trains with [`train_rank()`][linreg.ddp_training.train_rank] and
reports to the launcher, [`linreg.distributed.run_ddp()`][linreg.distributed.run_ddp].
A `DistributedSampler` hands each rank its own shard of every epoch's shuffled
indices, and DDP averages the gradients of all ranks during ``backward()``, so
every rank applies the same update and the replicas never drift apart.

[`run_single_process()`][linreg.ddp_training.run_single_process] repeats the same
training in one process on the *global* batch (the union of the ranks' local
batches, in the same sampler order). Because the local batches have equal sizes,
the mean loss over the global batch has exactly the gradient DDP computes by
averaging, so both runs end with the same parameters (up to float32 rounding).
Both build the data set, the sampler and the model from the same helpers: the
page's lesson is that they end on the same parameters.

The worker lives in this importable module on purpose: the "spawn" start method
starts a fresh Python interpreter that must import the function it runs, which is
impossible for a function defined in a notebook cell.
"""

from __future__ import annotations

import datetime
import os
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from linreg._checks import check_finite_loss, check_non_negative_int, check_positive_int, check_positive_number
from linreg.data import line_data
from linreg.models import ManualLinearRegression

__all__ = [
    "JobBoard",
    "JobConfig",
    "RunResult",
    "epoch_shards",
    "job_config",
    "max_param_difference",
    "run_single_process",
    "train_rank",
    "worker",
]


@dataclass(frozen=True)
class RunResult:
    """What a training run reports (a DDP job or its single-process twin).

    Attributes:
        backend: ``"gloo"`` or ``"nccl"`` for DDP, ``"single-process"`` otherwise.
        world_size: number of ranks (or of simulated ranks, for the single process).
        params: final parameters by name (``a`` intercept, ``b`` slope), on the CPU.
        epoch_losses: mean training loss of each epoch, over the global batches.
        shards: the sample indices each rank sees in epoch 0, ``{rank: [index, ...]}``.
        local_grads: each rank's gradient on its own first local batch, before averaging.
        first_grads: the gradient the first update used (DDP: after the all-reduce).
        rank_param_spread: largest difference between ranks' final parameters (0 = in sync).
        seconds: wall-clock time of the whole run, start-up included.
        startup_seconds: DDP: from the launch until the last rank was ready to train (starting
            the processes, importing PyTorch in each, joining the process group, building the
            data and the DDP model); 0 for one process.
        train_seconds: wall-clock time of the training loop alone (DDP: rank 0's).
    """

    backend: str
    world_size: int
    params: dict[str, torch.Tensor]
    epoch_losses: np.ndarray
    shards: dict[int, list[int]]
    local_grads: dict[int, dict[str, torch.Tensor]]
    first_grads: dict[str, torch.Tensor]
    rank_param_spread: float = 0.0
    seconds: float = field(default=0.0, compare=False)
    startup_seconds: float = field(default=0.0, compare=False)
    train_seconds: float = field(default=0.0, compare=False)


@dataclass(frozen=True)
class JobConfig:
    """The checked settings of one run; the launcher sends a copy to every rank (it pickles by value).

    ``backend``, ``timeout``, ``startup_timeout``, ``fail_rank`` and ``port``
    concern a DDP job only: the launcher fills them in. ``timeout`` is how long a
    collective waits for a missing rank, and how long the training loop may take
    once every rank is ready to train; ``startup_timeout`` is how long the ranks
    may take to get ready (start, join the process group, build the DDP model).
    """

    world_size: int
    epochs: int
    lr: float
    batch_size: int
    seed: int
    backend: str = "single-process"
    timeout: float = 60.0
    startup_timeout: float = 300.0
    fail_rank: int | None = None
    port: int = 0


@dataclass(frozen=True)
class JobBoard:
    """What the ranks of a DDP job write for the launcher while they run: shared memory, one slot per rank.

    The launcher makes the arrays (``multiprocessing`` ``Array`` objects, which a
    spawned rank receives when it starts) and reads them while it waits.

    Attributes:
        ready_times: when each rank was ready to train (``time.time()``), 0 until then:
            in the group, its data and its DDP model built. Once every slot is set, the
            training's deadline starts.
        failure_order: 0 until the rank raises, then its place in the order of
            failures (1 for the first): the launcher names the first as the cause.
        failure_times: when each rank raised (``time.time()``), 0 if it did not.
    """

    ready_times: Any
    failure_order: Any
    failure_times: Any


def job_config(world_size: Any = 2, epochs: Any = 50, lr: Any = 0.3, batch_size: Any = 16,
               seed: Any = 0) -> JobConfig:
    """Check the training settings a DDP job and its twin share; return them as a `JobConfig`.

    Examples:
        >>> job_config(world_size=2).batch_size
        16
    """
    config = JobConfig(
        world_size=check_positive_int("world_size", world_size),
        epochs=check_positive_int("epochs", epochs),
        lr=check_positive_number("lr", lr),
        batch_size=check_positive_int("batch_size", batch_size),
        seed=check_non_negative_int("seed", seed),
    )
    n_train = len(_train_dataset())
    if config.world_size > n_train:
        raise ValueError(f"world_size must be at most {n_train} (one training sample per rank), got {world_size}")
    return config


def _train_dataset() -> TensorDataset:
    """Recipe A's 80 training points as a dataset of (x, y) pairs, shape (1,) each."""
    x_train, y_train, _, _ = line_data().tensors()
    return TensorDataset(x_train, y_train)


def _make_model(seed: int) -> ManualLinearRegression:
    # A private generator: the same start on every rank, and no global RNG
    # touched.
    return ManualLinearRegression(generator=torch.Generator().manual_seed(seed))


def epoch_shards(world_size: int = 2, *, seed: int = 0, epoch: int = 0) -> dict[int, list[int]]:
    """Return the indices of recipe A's training set that each rank sees in ``epoch``.

    This is what `DistributedSampler` hands out: the epoch's shuffled order
    (seeded by ``seed + epoch``), padded by repeating its start until it divides
    evenly, then dealt to the ranks like cards.

    Examples:
        >>> shards = epoch_shards(2, seed=0)
        >>> len(shards[0]), len(shards[1])
        (40, 40)
    """
    world_size = check_positive_int("world_size", world_size)
    seed = check_non_negative_int("seed", seed)
    epoch = check_non_negative_int("epoch", epoch)
    dataset = _train_dataset()
    shards = {}
    for rank in range(world_size):
        sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed)
        sampler.set_epoch(epoch)
        shards[rank] = list(sampler)
    return shards


def _params(model: nn.Module) -> dict[str, torch.Tensor]:
    return {name: p.detach().cpu().clone() for name, p in model.named_parameters()}


def _grads(model: nn.Module) -> dict[str, torch.Tensor]:
    return {name: p.grad.detach().cpu().clone() for name, p in model.named_parameters()}


def _local_grads(model: nn.Module, x: torch.Tensor,
                 y: torch.Tensor) -> dict[str, torch.Tensor]:
    """Gradient of the mean loss on (x, y) alone, without touching ``.grad``
    (and, on a DDP rank, unaveraged)."""
    names, params = zip(*model.named_parameters(), strict=True)
    loss = nn.functional.mse_loss(model(x), y)
    return {
        name: g.detach().cpu()
        for name, g in zip(names, torch.autograd.grad(loss, params),
                           strict=True)
    }


def max_param_difference(run_a: RunResult, run_b: RunResult) -> float:
    """Return the largest absolute difference between two runs' final parameters.

    Examples:
        >>> run = run_single_process(epochs=1)
        >>> max_param_difference(run, run)
        0.0
    """
    if set(run_a.params) != set(run_b.params):
        raise ValueError(f"runs have different parameters: {sorted(run_a.params)} and {sorted(run_b.params)}")
    return max(float((run_a.params[k] - run_b.params[k]).abs().max()) for k in run_a.params)


# ---------------------------------------------------------------------------
# The single-process reference
# ---------------------------------------------------------------------------


def run_single_process(
    world_size: int = 2, *, epochs: int = 50, lr: float = 0.3,
    batch_size: int = 16, seed: int = 0
) -> RunResult:
    """Train in one process on the global batches a ``world_size``-rank DDP
    job would use.

    At every step the global batch is the concatenation of the ranks' local
    batches (``batch_size`` samples each, same sampler order as DDP) and the
    loss is the mean over it. With equal-sized local batches that is the mean
    of the ranks' local losses, whose gradient is what DDP's averaging yields.

    Examples:
        >>> run = run_single_process(2, epochs=2)
        >>> len(run.epoch_losses), sorted(run.params)
        (2, ['a', 'b'])
    """
    start = time.perf_counter()
    config = job_config(world_size, epochs, lr, batch_size, seed)
    dataset = _train_dataset()
    # One sampler per simulated rank, each told its rank: the shards DDP's
    # ranks would get.
    samplers = [
        DistributedSampler(dataset, num_replicas=config.world_size, rank=rank,
                           shuffle=True, seed=config.seed)
        for rank in range(config.world_size)
    ]
    # The loaders' own generator only seeds their iterators: the global RNG
    # stays untouched.
    loaders = [
        DataLoader(dataset, batch_size=config.batch_size, sampler=sampler,
                   generator=torch.Generator().manual_seed(config.seed))
        for sampler in samplers
    ]
    model = _make_model(config.seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr)

    # epoch 0: no set_epoch yet
    shards = {rank: list(sampler) for rank, sampler in enumerate(samplers)}
    local_grads, first_grads, epoch_losses = {}, {}, []
    train_start = time.perf_counter()
    for epoch in range(config.epochs):
        for sampler in samplers:
            sampler.set_epoch(epoch)
        step_losses = []
        # one (x, y) local batch per simulated rank
        for rank_batches in zip(*loaders, strict=True):
            # the first step: each rank's own gradient, for the page's table
            if not local_grads:
                local_grads = {
                    rank: _local_grads(model, x, y)
                    for rank, (x, y) in enumerate(rank_batches)
                }
            # the global batch: (world_size * batch_size, 1)
            x = torch.cat([x for x, _ in rank_batches])
            y = torch.cat([y for _, y in rank_batches])
            # the mean over the global batch
            loss = nn.functional.mse_loss(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            if not first_grads:
                first_grads = _grads(model)
            optimizer.step()
            step_losses.append(loss.item())
        epoch_losses.append(check_finite_loss(
            float(np.mean(step_losses)), when=f"epoch {epoch + 1}", lr=lr
        ))
    return RunResult(
        backend="single-process",
        world_size=config.world_size,
        params=_params(model),
        epoch_losses=np.asarray(epoch_losses),
        shards=shards,
        local_grads=local_grads,
        first_grads=first_grads,
        seconds=time.perf_counter() - start,
        train_seconds=time.perf_counter() - train_start,
    )


# ---------------------------------------------------------------------------
# The DDP worker (runs in each spawned process)
# ---------------------------------------------------------------------------


def _to_numpy(tensors: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
    # Plain arrays pickle by value; tensors would travel through shared memory
    # that may vanish when the worker exits before the launcher reads them.
    return {name: t.numpy() for name, t in tensors.items()}


def train_rank(rank: int, config: JobConfig, board: JobBoard) -> dict[str, Any]:
    """Train this rank's replica on its shard of the data; return what it
    reports to the launcher.

    Runs inside a process group (see [`worker()`][linreg.ddp_training.worker]);
    notes on ``board`` when it is ready to train.
    ``config.fail_rank == rank`` makes it raise at its first step, before its
    first forward pass, to show what a failed rank does to a job.
    """
    device = (torch.device("cuda", rank) if config.backend == "nccl"
              else torch.device("cpu"))
    if device.type == "cuda":
        torch.cuda.set_device(device)

    # every rank builds the same data set; the sampler picks its shard
    dataset = _train_dataset()
    # rank and world size: from the group
    sampler = DistributedSampler(dataset, shuffle=True, seed=config.seed)
    loader = DataLoader(dataset, batch_size=config.batch_size, sampler=sampler)
    model = _make_model(config.seed).to(device)  # the same start on every rank
    ddp_model = DistributedDataParallel(
        model, device_ids=[rank] if device.type == "cuda" else None
    )
    optimizer = torch.optim.SGD(ddp_model.parameters(), lr=config.lr)

    # epoch 0's indices: no set_epoch yet
    report: dict[str, Any] = {"shard": list(sampler)}
    epoch_losses = []
    # once every rank is ready, the launcher's training deadline starts
    board.ready_times[rank] = time.time()
    train_start = time.perf_counter()
    for epoch in range(config.epochs):
        # a new shuffle each epoch, the same on every rank
        sampler.set_epoch(epoch)
        step_losses = []
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            if config.fail_rank == rank:
                raise RuntimeError(
                    f"injected failure on rank {rank} (fail_rank={rank})"
                )
            # the bare module: this rank's own gradient, no all-reduce
            if "local_grads" not in report:
                report["local_grads"] = _to_numpy(_local_grads(model, x, y))
            loss = nn.functional.mse_loss(ddp_model(x), y)
            optimizer.zero_grad()
            # DDP all-reduces the gradients here: every rank now holds
            # their mean
            loss.backward()
            if "first_grads" not in report:
                report["first_grads"] = _to_numpy(_grads(model))
            optimizer.step()
            # The global batch's loss is the mean of the ranks' losses
            # (equal-sized local batches).
            global_loss = loss.detach().clone()
            dist.all_reduce(global_loss, op=dist.ReduceOp.SUM)
            step_losses.append(global_loss.item() / config.world_size)
        epoch_losses.append(float(np.mean(step_losses)))
    report["train_seconds"] = time.perf_counter() - train_start
    report["params"] = _to_numpy(_params(model))
    report["epoch_losses"] = epoch_losses
    return report


def worker(rank: int, config: JobConfig, results: Any, board: JobBoard) -> None:
    """What one spawned rank runs: join the process group, train, leave the
    group, report.

    Args:
        rank: this process's rank, ``0 ... world_size - 1``
            (``start_processes`` passes it).
        config: the job's settings, the same for every rank.
        results: the launcher's queue; the rank puts ``(rank, report)`` there.
        board: the arrays the launcher reads while it waits
            (a [`JobBoard`][linreg.ddp_training.JobBoard]).
            A rank notes when it is ready to train, and a rank that raises notes
            its place in the order of failures *before* it leaves the group: its
            peers only notice a rank is gone when its connections close, so no
            rank can fail because of this one before this one is counted.

    The exception itself is not caught: ``start_processes`` records its
    traceback and the launcher's ``join`` raises it.
    """
    try:
        # the ranks already share the machine's cores between them
        torch.set_num_threads(1)
        # the rendezvous: rank 0 listens there, the others connect
        os.environ["MASTER_ADDR"] = "127.0.0.1"
        os.environ["MASTER_PORT"] = str(config.port)
        dist.init_process_group(
            config.backend,
            rank=rank,
            world_size=config.world_size,
            # how long a collective waits for a missing rank
            timeout=datetime.timedelta(seconds=config.timeout),
        )
        report = train_rank(rank, config, board)
        # Leave together, as a torchrun script does: a rank that tears its
        # connections down while another still uses them can abort (SIGABRT)
        # instead of exiting.
        dist.barrier()
    except Exception:
        # one rank at a time: each gets its own place
        with board.failure_order.get_lock():
            board.failure_order[rank] = max(board.failure_order[:]) + 1
        board.failure_times[rank] = time.time()
        raise
    finally:
        if dist.is_initialized():
            # closes this rank's connections to the others
            dist.destroy_process_group()
    results.put((rank, report))
