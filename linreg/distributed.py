"""Data-parallel training with DistributedDataParallel (DDP), small enough to run anywhere.

[`run_ddp()`][linreg.distributed.run_ddp] spawns ``world_size`` worker processes that train the same
linear model on recipe A ([`linreg.data.line_data()`][linreg.data.line_data]). Each process is one
*rank*: a `DistributedSampler` hands it its own shard
of every epoch's shuffled indices, and DDP averages the gradients of all ranks
during ``backward()``, so every rank applies the same update and the replicas
never drift apart. On the CPU the ranks talk through the ``gloo`` backend; on a
machine with enough GPUs, one GPU per rank through ``nccl``.

[`run_single_process()`][linreg.distributed.run_single_process] repeats the same training in one process on the
*global* batch (the union of the ranks' local batches, in the same sampler
order). Because the ranks' local batches have equal sizes, the mean loss over
the global batch has exactly the gradient DDP computes by averaging, so both
runs end with the same parameters (up to float32 rounding).

The worker function lives in this importable module on purpose: the "spawn"
start method starts a fresh Python interpreter that must import the function
it runs, which is impossible for a function defined in a notebook cell.

The ranks are started and joined by PyTorch's own launcher,
``torch.multiprocessing.start_processes``: when a rank raises, its ``join``
stops the surviving ranks and reports the failed rank's index and traceback
(``ProcessRaisedException``), which [`run_ddp()`][linreg.distributed.run_ddp] turns into a
`RuntimeError` naming that rank. It never waits longer than ``timeout`` seconds.

Why one module of about 500 lines: the DDP job and its single-process twin must
build the same data set, sampler, model and checked settings, because the page's
lesson is that both end on the same parameters; here they share one code path.
"""

from __future__ import annotations

import datetime
import os
import queue as queue_module
import socket
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from linreg._checks import check_finite_loss, check_non_negative_int, check_positive_int, check_positive_number
from linreg.data import line_data
from linreg.models import ManualLinearRegression

__all__ = [
    "RunResult",
    "choose_backend",
    "epoch_shards",
    "max_param_difference",
    "run_ddp",
    "run_single_process",
]

BACKENDS = ("gloo", "nccl")


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
    train_seconds: float = field(default=0.0, compare=False)


# ---------------------------------------------------------------------------
# Argument checks and pieces shared by both runs
# ---------------------------------------------------------------------------


def choose_backend(world_size: int = 2, backend: str | None = None) -> str:
    """Return the process-group backend for ``world_size`` ranks.

    ``None`` picks ``"nccl"`` when CUDA offers at least one GPU per rank, and
    ``"gloo"`` (CPU) otherwise. Asking for ``"nccl"`` without enough GPUs is an error.

    Examples:
        >>> choose_backend(2, "gloo")
        'gloo'
    """
    world_size = check_positive_int("world_size", world_size)
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if backend is None:
        return "nccl" if gpus >= world_size and dist.is_nccl_available() else "gloo"
    if not isinstance(backend, str):
        raise TypeError(f"backend must be None or one of {BACKENDS}, got {type(backend).__name__}")
    if backend not in BACKENDS:
        raise ValueError(f"backend must be None or one of {BACKENDS}, got {backend!r}")
    if backend == "nccl" and gpus < world_size:
        raise ValueError(f"backend='nccl' needs one GPU per rank: world_size={world_size} but {gpus} GPU(s) available")
    return backend


@dataclass(frozen=True)
class _JobConfig:
    """The checked settings of one run; a DDP job sends a copy to every rank (it pickles by value)."""

    world_size: int
    epochs: int
    lr: float
    batch_size: int
    seed: int
    backend: str = "single-process"
    timeout: float = 60.0
    fail_rank: int | None = None
    port: int = 0


def _check_training_args(world_size: Any, epochs: Any, lr: Any, batch_size: Any, seed: Any) -> _JobConfig:
    config = _JobConfig(
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
    # A private generator: the same start on every rank, and no global RNG touched.
    return ManualLinearRegression(generator=torch.Generator().manual_seed(seed))


def _sampler(dataset: TensorDataset, world_size: int, rank: int, seed: int) -> DistributedSampler:
    # num_replicas/rank given explicitly so this also works without a process group.
    return DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed)


def epoch_shards(world_size: int = 2, *, seed: int = 0, epoch: int = 0) -> dict[int, list[int]]:
    """Return the indices of recipe A's training set that each rank sees in ``epoch``.

    This is what `DistributedSampler` hands out: the
    epoch's shuffled order (seeded by ``seed + epoch``), padded by repeating its
    start until it divides evenly, then dealt to the ranks like cards.

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
        sampler = _sampler(dataset, world_size, rank, seed)
        sampler.set_epoch(epoch)
        shards[rank] = list(sampler)
    return shards


def _grads(model: nn.Module) -> dict[str, torch.Tensor]:
    return {name: p.grad.detach().cpu().clone() for name, p in model.named_parameters()}


def _params(model: nn.Module) -> dict[str, torch.Tensor]:
    return {name: p.detach().cpu().clone() for name, p in model.named_parameters()}


def _local_grads(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, torch.Tensor]:
    """Gradient of the mean loss on (x, y) alone, without touching ``.grad``."""
    names, params = zip(*model.named_parameters(), strict=True)
    loss = nn.functional.mse_loss(model(x), y)
    return {name: g.detach().cpu() for name, g in zip(names, torch.autograd.grad(loss, params), strict=True)}


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
    world_size: int = 2, *, epochs: int = 50, lr: float = 0.3, batch_size: int = 16, seed: int = 0
) -> RunResult:
    """Train in one process on the global batches a ``world_size``-rank DDP job would use.

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
    config = _check_training_args(world_size, epochs, lr, batch_size, seed)
    world_size, seed = config.world_size, config.seed
    dataset = _train_dataset()
    samplers = [_sampler(dataset, world_size, rank, seed) for rank in range(world_size)]
    # The loaders' own generator only seeds their iterators; it keeps the global RNG untouched.
    loaders = [
        DataLoader(dataset, batch_size=config.batch_size, sampler=s, generator=torch.Generator().manual_seed(seed))
        for s in samplers
    ]
    model = _make_model(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr)

    shards = {rank: list(s) for rank, s in enumerate(samplers)}  # before set_epoch: epoch 0
    local_grads: dict[int, dict[str, torch.Tensor]] = {}
    first_grads: dict[str, torch.Tensor] = {}
    epoch_losses = []
    train_start = time.perf_counter()
    for epoch in range(config.epochs):
        for sampler in samplers:
            sampler.set_epoch(epoch)
        step_losses = []
        for rank_batches in zip(*loaders, strict=True):  # one (x, y) local batch per rank
            if not local_grads:
                local_grads = {rank: _local_grads(model, x, y) for rank, (x, y) in enumerate(rank_batches)}
            x = torch.cat([x for x, _ in rank_batches])  # (world_size * local batch, 1)
            y = torch.cat([y for _, y in rank_batches])
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            if not first_grads:
                first_grads = _grads(model)
            optimizer.step()
            optimizer.zero_grad()
            step_losses.append(loss.item())
        epoch_losses.append(check_finite_loss(float(np.mean(step_losses)), when=f"epoch {epoch + 1}", lr=lr))
    train_seconds = time.perf_counter() - train_start
    return RunResult(
        backend="single-process",
        world_size=world_size,
        params=_params(model),
        epoch_losses=np.asarray(epoch_losses),
        shards=shards,
        local_grads=local_grads,
        first_grads=first_grads,
        seconds=time.perf_counter() - start,
        train_seconds=train_seconds,
    )


# ---------------------------------------------------------------------------
# The DDP worker (runs in each spawned process)
# ---------------------------------------------------------------------------


def _to_numpy(tensors: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
    # Plain arrays pickle by value; tensors would travel through shared memory
    # that may vanish when the worker exits before the launcher reads them.
    return {name: t.numpy() for name, t in tensors.items()}


def _train_rank(rank: int, config: _JobConfig) -> dict[str, Any]:
    """Train this rank's replica; return what it reports to the launcher."""
    world_size, backend = config.world_size, config.backend
    device = torch.device("cuda", rank) if backend == "nccl" else torch.device("cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)

    dataset = _train_dataset()  # every rank builds the same data set; the sampler picks its shard
    sampler = DistributedSampler(dataset, shuffle=True, seed=config.seed)  # rank/world from the group
    generator = torch.Generator().manual_seed(config.seed)
    loader = DataLoader(dataset, batch_size=config.batch_size, sampler=sampler, generator=generator)
    model = _make_model(config.seed).to(device)
    ddp_model = DistributedDataParallel(model, device_ids=[rank] if device.type == "cuda" else None)
    optimizer = torch.optim.SGD(ddp_model.parameters(), lr=config.lr)

    report: dict[str, Any] = {"shard": list(sampler)}  # epoch 0, before any set_epoch
    epoch_losses = []
    train_start = time.perf_counter()
    for epoch in range(config.epochs):
        sampler.set_epoch(epoch)  # a new shuffle each epoch, identical on every rank
        step_losses = []
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            if config.fail_rank == rank:
                raise RuntimeError(f"injected failure on rank {rank} (fail_rank={rank})")
            if "local_grads" not in report:
                report["local_grads"] = _to_numpy(_local_grads(model, x, y))  # bare module: no all-reduce
            loss = nn.functional.mse_loss(ddp_model(x), y)
            loss.backward()  # DDP all-reduces the gradients here and divides by world_size
            if "first_grads" not in report:
                report["first_grads"] = _to_numpy(_grads(model))
            optimizer.step()
            optimizer.zero_grad()
            # The global loss is the mean of the ranks' losses (equal-sized local batches).
            global_loss = loss.detach().clone()
            dist.all_reduce(global_loss, op=dist.ReduceOp.SUM)
            step_losses.append(global_loss.item() / world_size)
        epoch_losses.append(float(np.mean(step_losses)))
    report["train_seconds"] = time.perf_counter() - train_start
    report["params"] = _to_numpy(_params(model))
    report["epoch_losses"] = epoch_losses
    return report


def _worker(rank: int, config: _JobConfig, results: Any) -> None:
    """Entry point of one spawned rank: join the group, train, report.

    An exception is not caught here: ``start_processes`` records its traceback
    and the launcher's ``join`` raises it as a ``ProcessRaisedException``.
    """
    # One thread per rank: the ranks already share the cores between them.
    os.environ["OMP_NUM_THREADS"] = "1"
    torch.set_num_threads(1)
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(config.port)
    dist.init_process_group(
        config.backend, rank=rank, world_size=config.world_size, timeout=datetime.timedelta(seconds=config.timeout)
    )
    try:
        report = _train_rank(rank, config)
    finally:
        dist.destroy_process_group()
    results.put((rank, report))


# ---------------------------------------------------------------------------
# The launcher: torch.multiprocessing starts and joins the ranks
# ---------------------------------------------------------------------------


def _free_port() -> int:
    """Ask the OS for a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _failure_message(exc: mp.ProcessRaisedException | mp.ProcessExitedException) -> str:
    """``DDP job failed on rank R: <its error>``, then the rank's traceback (if it raised one)."""
    if isinstance(exc, mp.ProcessRaisedException):
        traceback_text = exc.msg.split("terminated with the following error:\n", 1)[-1].rstrip()
        last_line = [line for line in traceback_text.splitlines() if line.strip()][-1]
        rank = exc.error_index
        return f"DDP job failed on rank {rank}: {last_line}\n\nTraceback from rank {rank}:\n{traceback_text}"
    return (
        f"DDP job failed on rank {exc.error_index}: {exc.msg.strip()} without a traceback: the process crashed "
        "or was killed. If it died on start-up, check that the script calling run_ddp guards it with "
        '`if __name__ == "__main__":` (spawned processes import the main module).'
    )


def _stop(processes: list[Any]) -> None:
    """Terminate ranks still running (after a timeout), then kill the stubborn ones."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=2.0)
        if process.is_alive():
            process.kill()
            process.join(timeout=2.0)


def _drain(results: Any, reports: dict[int, dict[str, Any]]) -> None:
    # Read reports while waiting: a rank whose report still sits in the pipe cannot exit.
    while True:
        try:
            rank, report = results.get_nowait()
        except queue_module.Empty:
            return
        reports[rank] = report


def run_ddp(
    world_size: int = 2,
    *,
    epochs: int = 50,
    lr: float = 0.3,
    batch_size: int = 16,
    seed: int = 0,
    backend: str | None = None,
    timeout: float = 60.0,
    fail_rank: int | None = None,
) -> RunResult:
    """Train recipe A with DistributedDataParallel on ``world_size`` spawned processes.

    Args:
        world_size: number of ranks (processes); each trains on its shard of the data.
        epochs: passes over the training data.
        lr: learning rate of the SGD optimizer.
        batch_size: samples per rank and step, so the global batch holds
            ``world_size * batch_size`` samples.
        seed: seeds the model's start and the samplers' shuffling.
        backend: ``"gloo"`` (CPU), ``"nccl"`` (one GPU per rank) or ``None`` to choose.
        timeout: seconds the whole job may take, start-up included; also the
            process group's timeout for a collective that waits on a missing rank.
        fail_rank: make this rank raise at its first step (to demonstrate and test
            failure handling); ``None`` for a normal run.

    Returns:
        A [`RunResult`][linreg.distributed.RunResult] with rank 0's parameters and losses and every rank's shard.

    Raises:
        RuntimeError: a rank failed (the message names it and holds its traceback)
            or the job did not finish within ``timeout``; no process is left running.

    Examples:
        >>> run = run_ddp(2, epochs=2)  # doctest: +SKIP
        >>> run.backend, len(run.shards)  # doctest: +SKIP
        ('gloo', 2)
    """
    start = time.perf_counter()
    config = _check_training_args(world_size, epochs, lr, batch_size, seed)
    if fail_rank is not None:
        check_non_negative_int("fail_rank", fail_rank)
        if fail_rank >= config.world_size:
            raise ValueError(f"fail_rank must be None or a rank in [0, {config.world_size - 1}], got {fail_rank}")
    config = replace(
        config,
        backend=choose_backend(config.world_size, backend),
        timeout=check_positive_number("timeout", timeout),
        fail_rank=fail_rank,
    )
    # The port is free when asked for but may be taken before rank 0 listens on it
    # (another job starting beside this one): then start again on a new port.
    for attempt in range(3):
        try:
            reports = _run_job(replace(config, port=_free_port()))
            break
        except RuntimeError as error:
            if "EADDRINUSE" not in str(error) or attempt == 2:
                raise
    return _merge(reports, config, seconds=time.perf_counter() - start)


def _run_job(config: _JobConfig) -> dict[int, dict[str, Any]]:
    """Start the ranks, wait for them within ``config.timeout``, return each rank's report."""
    results = mp.get_context("spawn").Queue()
    # "spawn": fresh interpreters, safe with CUDA and from notebooks. join=False: we wait with a deadline.
    job = mp.start_processes(
        _worker, args=(config, results), nprocs=config.world_size, join=False, start_method="spawn"
    )
    reports: dict[int, dict[str, Any]] = {}
    deadline = time.monotonic() + config.timeout
    try:
        # join() returns True once every rank exited cleanly; when one fails it
        # terminates the others and raises, naming the failed rank.
        while not job.join(timeout=0.1):
            _drain(results, reports)
            if time.monotonic() >= deadline:
                missing = sorted(set(range(config.world_size)) - set(reports))
                raise RuntimeError(
                    f"DDP job did not finish within timeout={config.timeout:g} s: rank(s) {missing} never "
                    "reported. Raise timeout if the machine is slow, or look for a rank stuck waiting on a collective."
                )
        while len(reports) < config.world_size:  # every rank exited cleanly: its report is in the pipe
            rank, report = results.get(timeout=config.timeout)
            reports[rank] = report
    except (mp.ProcessRaisedException, mp.ProcessExitedException) as exc:
        raise RuntimeError(_failure_message(exc)) from None
    finally:
        _stop(job.processes)
        results.close()
    return reports


def _merge(reports: dict[int, dict[str, Any]], config: _JobConfig, seconds: float) -> RunResult:
    """Build the result from rank 0's report plus every rank's shard and gradients."""
    def as_tensors(arrays: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
        return {name: torch.from_numpy(a) for name, a in arrays.items()}

    params = {rank: as_tensors(r["params"]) for rank, r in reports.items()}
    spread = max(
        float((params[rank][name] - params[0][name]).abs().max()) for rank in params for name in params[0]
    )
    rank0 = reports[0]
    return RunResult(
        backend=config.backend,
        world_size=config.world_size,
        params=params[0],
        epoch_losses=np.asarray(rank0["epoch_losses"]),
        shards={rank: reports[rank]["shard"] for rank in sorted(reports)},
        local_grads={rank: as_tensors(reports[rank]["local_grads"]) for rank in sorted(reports)},
        first_grads=as_tensors(rank0["first_grads"]),
        rank_param_spread=spread,
        seconds=seconds,
        train_seconds=rank0["train_seconds"],
    )


if __name__ == "__main__":  # pragma: no cover - a quick manual check: python -m linreg.distributed
    ddp, single = run_ddp(2), run_single_process(2)
    print(f"{ddp.backend}: a={ddp.params['a'].item():.6f} b={ddp.params['b'].item():.6f} in {ddp.seconds:.1f} s")
    print(f"max |DDP - single process| = {max_param_difference(ddp, single):.3g}")
