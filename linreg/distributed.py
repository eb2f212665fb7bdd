"""Launching a DDP job: start the ranks, wait for them with a deadline, and say how they ended (page 11).

[`run_ddp()`][linreg.distributed.run_ddp] starts ``world_size`` processes with
PyTorch's own launcher, ``torch.multiprocessing.start_processes``; each runs
[`linreg.ddp_training.worker()`][linreg.ddp_training.worker], which trains one
rank of the job. ``join`` waits for them: when a rank raises, it stops the
survivors and re-raises that rank's error. `run_ddp` adds two deadlines, one for
getting the ranks ready to train (``startup_timeout``: a fresh interpreter
importing PyTorch is slow on a busy machine) and one for the training loop once
every rank is ready (``timeout``), and a report that names the right rank.

Which rank to name: a rank that fails takes its peers down with it. Their next
collective breaks ("Connection closed by peer"), they raise errors of their own,
and ``join`` re-raises whichever failed process it happens to see first, which
may be one of those consequences. So every rank that raises notes its place in
the order of failures before it leaves the process group (see
[`worker()`][linreg.ddp_training.worker]), and the launcher gathers every
rank's error and names the first as the cause:
[`DDPJobError`][linreg.distributed.DDPJobError].
"""

from __future__ import annotations

import logging
import os
import pickle
import queue as queue_module
import signal
import socket
import time
from contextlib import contextmanager, suppress
from dataclasses import replace
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from linreg._checks import check_non_negative_int, check_positive_int, check_positive_number
from linreg.ddp_training import JobBoard, JobConfig, RunResult, job_config, worker

__all__ = ["BACKENDS", "DDPJobError", "choose_backend", "run_ddp"]

BACKENDS = ("gloo", "nccl")


def choose_backend(world_size: int = 2, backend: str | None = None) -> str:
    """Return the process-group backend for ``world_size`` ranks.

    ``None`` picks ``"nccl"`` when CUDA offers at least one GPU per rank, and
    ``"gloo"`` (CPU) otherwise. Asking for ``"nccl"`` without enough GPUs is an
    error.

    Examples:
        >>> choose_backend(2, "gloo")
        'gloo'
    """
    world_size = check_positive_int("world_size", world_size)
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if backend is None:
        return ("nccl" if gpus >= world_size and dist.is_nccl_available()
                else "gloo")
    if not isinstance(backend, str):
        raise TypeError(
            f"backend must be None or one of {BACKENDS}, "
            f"got {type(backend).__name__}"
        )
    if backend not in BACKENDS:
        raise ValueError(
            f"backend must be None or one of {BACKENDS}, got {backend!r}"
        )
    if backend == "nccl" and gpus < world_size:
        raise ValueError(
            f"backend='nccl' needs one GPU per rank: world_size={world_size} "
            f"but {gpus} GPU(s) available"
        )
    return backend


class DDPJobError(RuntimeError):
    """A DDP job in which a rank failed.

    The message starts with ``DDP job failed on rank R: <its error>``, where R
    is the rank that failed first (the cause), then says how every rank ended
    and gives the traceback of each rank that raised, the cause first.

    Attributes:
        rank: the rank that failed first.
        endings: how each rank ended, one line per rank, ``{rank: text}``, the
            cause first.
        tracebacks: the traceback of each rank that raised, ``{rank: text}``,
            the cause first.
        raised_at: when each rank that raised did so (``time.time()``),
            ``{rank: seconds}``, the cause first.
        reported_at: when the launcher made this error (``time.time()``).
    """

    def __init__(self, message: str, rank: int, endings: dict[int, str],
                 tracebacks: dict[int, str],
                 raised_at: dict[int, float] | None = None):
        super().__init__(message)
        self.rank = rank
        self.endings = endings
        self.tracebacks = tracebacks
        self.raised_at = dict(raised_at or {})
        self.reported_at = time.time()


def run_ddp(
    world_size: int = 2,
    *,
    epochs: int = 50,
    lr: float = 0.3,
    batch_size: int = 16,
    seed: int = 0,
    backend: str | None = None,
    timeout: float = 60.0,
    startup_timeout: float = 300.0,
    fail_rank: int | None = None,
) -> RunResult:
    """Train recipe A with DistributedDataParallel on ``world_size`` spawned
    processes.

    Args:
        world_size: number of ranks (processes); each trains on its shard of
            the data.
        epochs: passes over the training data.
        lr: learning rate of the SGD optimizer.
        batch_size: samples per rank and step, so the global batch holds
            ``world_size * batch_size`` samples.
        seed: seeds the model's start and the samplers' shuffling.
        backend: ``"gloo"`` (CPU), ``"nccl"`` (one GPU per rank) or ``None``
            to choose.
        timeout: seconds the training loop may take once every rank is ready to
            train; also the process group's timeout: how long a collective (and
            the rendezvous) waits for a missing rank.
        startup_timeout: seconds the ranks may take to get ready: start, join
            the process group, build the data and the DDP model (a fresh
            interpreter importing PyTorch takes long on a busy machine).
        fail_rank: make this rank raise at its first step (to demonstrate and
            test failure handling); ``None`` for a normal run.

    Returns:
        A [`RunResult`][linreg.ddp_training.RunResult] with rank 0's parameters
        and losses and every rank's shard.

    Raises:
        DDPJobError: a rank failed; the message names the rank that failed
            first and holds every failed rank's traceback. No process is left
            running.
        RuntimeError: the ranks were not ready within ``startup_timeout``, or
            did not finish within ``timeout`` of being ready.

    Examples:
        >>> run = run_ddp(2, epochs=2)  # doctest: +SKIP
        >>> run.backend, len(run.shards)  # doctest: +SKIP
        ('gloo', 2)
    """
    start, launched_at = time.perf_counter(), time.time()
    config = job_config(world_size, epochs, lr, batch_size, seed)
    if fail_rank is not None:
        check_non_negative_int("fail_rank", fail_rank)
        if fail_rank >= config.world_size:
            raise ValueError(
                "fail_rank must be None or a rank in "
                f"[0, {config.world_size - 1}], got {fail_rank}"
            )
    config = replace(
        config,
        backend=choose_backend(config.world_size, backend),
        timeout=check_positive_number("timeout", timeout),
        startup_timeout=check_positive_number(
            "startup_timeout", startup_timeout
        ),
        fail_rank=fail_rank,
    )
    # The port is free when asked for but may be taken before rank 0 listens on
    # it (another job starting beside this one): then start again on a new port.
    for attempt in range(3):
        try:
            reports, ready_at = _run_job(replace(config, port=_free_port()))
            break
        except DDPJobError as error:
            if "EADDRINUSE" not in str(error) or attempt == 2:
                raise
    return _merge(reports, config, seconds=time.perf_counter() - start,
                  startup_seconds=ready_at - launched_at)


def _run_job(config: JobConfig) -> tuple[dict[int, dict[str, Any]], float]:
    """Start the ranks, wait for them with the two deadlines; return each
    rank's report and when the last was ready."""
    # fresh interpreters: safe with CUDA and from notebooks
    context = mp.get_context("spawn")
    results = context.Queue()
    board = JobBoard(
        # zeros; see ddp_training.worker
        ready_times=context.Array("d", config.world_size),
        failure_order=context.Array("i", config.world_size),
        failure_times=context.Array("d", config.world_size),
    )
    # its "Terminating process" warning: the report says it instead
    with _launcher_warnings_off():
        job = mp.start_processes(
            worker, args=(config, results, board), nprocs=config.world_size,
            join=False,  # join=False: we wait with deadlines
            start_method="spawn",
        )
        reports: dict[int, dict[str, Any]] = {}
        # until every rank is ready to train
        deadline = time.monotonic() + config.startup_timeout
        training = False
        try:
            # join() returns True once every rank exited cleanly; when one
            # fails it stops the others and raises that rank's error.
            while not job.join(timeout=0.1):
                _drain(results, reports)
                # every rank is ready: the training's deadline
                if not training and all(board.ready_times[:]):
                    training, deadline = True, time.monotonic() + config.timeout
                if time.monotonic() >= deadline:
                    raise RuntimeError(
                        _overrun_message(config, training, board, reports)
                    )
            # every rank exited cleanly: its report is in the pipe
            while len(reports) < config.world_size:
                rank, report = results.get(timeout=config.timeout)
                reports[rank] = report
        except (mp.ProcessRaisedException, mp.ProcessExitedException) as exc:
            error = _job_error(exc, job, board.failure_order)
            error.raised_at = {
                rank: board.failure_times[rank]
                for rank in error.endings if board.failure_times[rank]
            }
            raise error from None
        finally:
            _stop(job.processes)
            results.close()
            # where a rank that raised left its traceback
            for path in job.error_files:
                with suppress(FileNotFoundError):
                    os.remove(path)
    return reports, max(board.ready_times[:])


def _overrun_message(config: JobConfig, training: bool, board: JobBoard, reports: dict[int, Any]) -> str:
    """What a job that ran past one of its deadlines raises: which deadline, and which ranks were missing."""
    if not training:
        missing = [rank for rank in range(config.world_size) if not board.ready_times[rank]]
        return (f"DDP job did not start within startup_timeout={config.startup_timeout:g} s: rank(s) {missing} "
                "never got ready to train. Raise startup_timeout if the machine is slow.")
    missing = sorted(set(range(config.world_size)) - set(reports))
    return (f"DDP job did not finish within timeout={config.timeout:g} s of its ranks being ready to train: "
            f"rank(s) {missing} never reported. Raise timeout for a longer training, or look for a rank stuck "
            "waiting on a collective.")


def _job_error(exc: mp.ProcessException, job: Any,
               failure_order: Any) -> DDPJobError:
    """Every rank's ending, the first to fail first: the error ``_run_job``
    raises.

    ``exc`` is what ``join`` raised: the rank it saw fail first, not always the
    one that failed first. All processes have ended by now.
    """
    # no lock: a rank stopped while holding it would never free it
    order = list(failure_order.get_obj())
    tracebacks = {}
    for rank, path in enumerate(job.error_files):
        with (suppress(OSError, EOFError, pickle.UnpicklingError),
              open(path, "rb") as file):
            # start_processes' record: the traceback text
            tracebacks[rank] = str(pickle.load(file)).rstrip()
    exitcodes = [process.exitcode for process in job.processes]
    # finished, or stopped by join
    stopped = (0, -signal.SIGTERM,
               -getattr(signal, "SIGKILL", signal.SIGTERM))

    def crashed(rank: int) -> bool:
        """Died without raising (a crash, a kill): it could not note its place
        in the order."""
        return rank not in tracebacks and not order[rank] and (
            rank == exc.error_index or exitcodes[rank] not in stopped
        )

    def place(rank: int) -> tuple[int, float]:
        # A crash comes first: a rank that loses a peer raises (its collective
        # breaks), it does not crash.
        if crashed(rank):
            return (0, rank != exc.error_index)
        return (1, order[rank] or float("inf"))

    failed = sorted(
        (rank for rank in range(len(exitcodes))
         if order[rank] or rank in tracebacks or crashed(rank)),
        key=place,
    )
    cause = failed[0]
    endings = {}
    for rank in failed:
        if rank in tracebacks:
            what = _last_line(tracebacks[rank])
        elif order[rank]:
            what = ("it raised, but was stopped before its traceback reached "
                    "the launcher")
        else:
            what = (f"{_exit_description(exitcodes[rank])} without a "
                    "traceback: it crashed or was killed")
        endings[rank] = (f"failed first: {what}" if rank == cause
                         else f"failed after rank {cause}: {what}")
    for rank, exitcode in enumerate(exitcodes):
        if rank not in endings:
            endings[rank] = (
                "finished its training" if exitcode == 0
                else "stopped by the launcher while still running"
            )

    lines = [
        f"DDP job failed on rank {cause}: "
        f"{endings[cause].removeprefix('failed first: ')}",
        "",
        "How each rank ended:",
        *(f"  rank {rank}: {text}" for rank, text in endings.items()),
    ]
    if crashed(cause):
        lines += ["", "If a rank died on start-up, check that the script "
                  "calling run_ddp guards it with "
                  '`if __name__ == "__main__":` (spawned processes import '
                  "the main module)."]
    tracebacks = {  # the cause first
        rank: tracebacks[rank] for rank in failed if rank in tracebacks
    }
    for rank, text in tracebacks.items():
        lines += ["", f"Traceback from rank {rank}:", text]
    return DDPJobError("\n".join(lines), cause, endings, tracebacks)


def _last_line(traceback_text: str) -> str:
    """The exception line of a traceback (its last non-empty line)."""
    return [line for line in traceback_text.splitlines() if line.strip()][-1]


def _exit_description(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        with suppress(ValueError):
            return f"ended by signal {signal.Signals(-exitcode).name}"
    return f"exited with code {exitcode}"


@contextmanager
def _launcher_warnings_off():
    """Drop the warnings of ``torch.multiprocessing``'s launcher inside the block (the report covers them)."""
    launcher_log = logging.getLogger("torch.multiprocessing.spawn")

    def covered(record: logging.LogRecord) -> bool:  # "Terminating process ... via signal SIGTERM", and the SIGKILL one
        return not record.getMessage().startswith(("Terminating process", "Unable to shutdown process"))

    launcher_log.addFilter(covered)
    try:
        yield
    finally:
        launcher_log.removeFilter(covered)


def _free_port() -> int:
    """Ask the OS for a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(processes: list[Any]) -> None:
    """Terminate ranks still running (after a timeout), then kill the stubborn
    ones."""
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


def _merge(reports: dict[int, dict[str, Any]], config: JobConfig, seconds: float, startup_seconds: float) -> RunResult:
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
        startup_seconds=startup_seconds,
        train_seconds=rank0["train_seconds"],
    )


if __name__ == "__main__":  # pragma: no cover - a quick manual check: python -m linreg.distributed
    from linreg.ddp_training import max_param_difference, run_single_process

    ddp, single = run_ddp(2), run_single_process(2)
    print(f"{ddp.backend}: a={ddp.params['a'].item():.6f} b={ddp.params['b'].item():.6f} in {ddp.seconds:.1f} s")
    print(f"max |DDP - single process| = {max_param_difference(ddp, single):.3g}")
