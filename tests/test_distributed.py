"""Specification of linreg.distributed: a DDP job equals its single-process twin, and never hangs."""

import multiprocessing
import socket

import numpy as np
import pytest
import torch

from linreg import distributed
from linreg.distributed import (
    choose_backend,
    epoch_shards,
    max_param_difference,
    run_ddp,
    run_single_process,
)

RECIPE = {"epochs": 50, "lr": 0.3, "batch_size": 16, "seed": 0}  # the recipe page 11 runs
N_TRAIN = 80
HAS_TWO_GPUS = torch.cuda.is_available() and torch.cuda.device_count() >= 2


@pytest.fixture(scope="module")
def two_rank_run():
    return run_ddp(2, backend="gloo", **RECIPE)


@pytest.fixture(scope="module")
def single_run():
    return run_single_process(2, **RECIPE)


# --- the DDP job (spawns processes) ------------------------------------------------


@pytest.mark.slow
def test_two_rank_ddp_ends_with_the_single_process_parameters(two_rank_run, single_run):
    for name in ("a", "b"):
        assert torch.allclose(two_rank_run.params[name], single_run.params[name], rtol=0, atol=1e-6)
    assert max_param_difference(two_rank_run, single_run) <= 1e-6


@pytest.mark.slow
def test_two_rank_ddp_reports_the_single_process_epoch_losses(two_rank_run, single_run):
    assert len(two_rank_run.epoch_losses) == RECIPE["epochs"]
    assert two_rank_run.epoch_losses == pytest.approx(single_run.epoch_losses, rel=1e-5)


@pytest.mark.slow
def test_ddp_gradient_is_the_mean_of_the_ranks_local_gradients(two_rank_run):
    for name in ("a", "b"):
        mean = (two_rank_run.local_grads[0][name] + two_rank_run.local_grads[1][name]) / 2
        assert torch.allclose(two_rank_run.first_grads[name], mean, atol=1e-6)
        assert not torch.allclose(two_rank_run.local_grads[0][name], two_rank_run.local_grads[1][name])


@pytest.mark.slow
def test_ddp_ranks_see_the_distributed_sampler_shards(two_rank_run):
    assert two_rank_run.shards == epoch_shards(2, seed=RECIPE["seed"])


@pytest.mark.slow
def test_ddp_ranks_end_with_identical_parameters(two_rank_run):
    assert two_rank_run.backend == "gloo"
    assert two_rank_run.rank_param_spread == 0.0


@pytest.mark.slow
def test_ddp_reports_its_training_time_as_part_of_the_whole_job(two_rank_run):
    assert 0 < two_rank_run.train_seconds < two_rank_run.seconds


@pytest.mark.slow
def test_ddp_fit_is_close_to_the_true_line(two_rank_run):
    # Page 11 says the fitted intercept and slope are close to the true 1 and 2.
    assert abs(two_rank_run.params["a"].item() - 1.0) < 0.05
    assert abs(two_rank_run.params["b"].item() - 2.0) < 0.05


@pytest.mark.slow
def test_one_rank_ddp_equals_single_process():
    assert max_param_difference(run_ddp(1, epochs=3), run_single_process(1, epochs=3)) <= 1e-6


@pytest.fixture(scope="module")
def failed_job():
    """Run a job whose rank 1 raises at its first step; return the error it surfaced.

    Rank 0 is left waiting in an all-reduce that only the process-group timeout would
    end. That timeout is set far beyond any run (30 min): the error can only surface
    because the launcher stopped the job when rank 1 died, and a launcher that waited
    for the timeout would hold the suite past CI's limit instead of passing.
    """
    with pytest.raises(RuntimeError) as info:
        run_ddp(2, epochs=2, fail_rank=1, timeout=1800)
    return info.value


@pytest.mark.slow
def test_failing_rank_raises_runtime_error_naming_it(failed_job):
    assert str(failed_job).startswith("DDP job failed on rank 1: RuntimeError: injected failure on rank 1")


@pytest.mark.slow
def test_failing_rank_error_carries_the_worker_traceback(failed_job):
    assert "Traceback from rank 1" in str(failed_job)
    assert "_train_rank" in str(failed_job)  # a frame of the worker's own traceback


@pytest.mark.slow
def test_failing_rank_leaves_no_worker_process_running(failed_job):
    assert not multiprocessing.active_children()


def test_job_that_overruns_its_timeout_raises_and_stops_the_workers():
    with pytest.raises(RuntimeError, match=r"did not finish within timeout=0.1 s"):
        run_ddp(2, epochs=1, timeout=0.1)
    assert not multiprocessing.active_children()


# --- argument errors (raised before any process starts) -----------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"world_size": 0}, ValueError, "world_size"),
        ({"world_size": 2.0}, TypeError, "world_size"),
        ({"world_size": True}, TypeError, "world_size"),
        ({"world_size": N_TRAIN + 1}, ValueError, "world_size must be at most 80"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"lr": -0.1}, ValueError, "lr"),
        ({"lr": "fast"}, TypeError, "lr"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"seed": -1}, ValueError, "seed"),
        ({"backend": "mpi"}, ValueError, "backend"),
        ({"backend": 1}, TypeError, "backend"),
        ({"timeout": 0}, ValueError, "timeout"),
        ({"fail_rank": 2}, ValueError, "fail_rank"),
        ({"fail_rank": -1}, ValueError, "fail_rank"),
    ],
)
def test_run_ddp_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        run_ddp(**{"world_size": 2, **kwargs})


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"world_size": 0}, ValueError, "world_size"),
        ({"epochs": 1.5}, TypeError, "epochs"),
        ({"lr": 0}, ValueError, "lr"),
        ({"batch_size": -4}, ValueError, "batch_size"),
        ({"seed": "zero"}, TypeError, "seed"),
    ],
)
def test_run_single_process_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        run_single_process(**kwargs)


@pytest.mark.skipif(HAS_TWO_GPUS, reason="this machine has the GPUs NCCL needs")
def test_nccl_without_enough_gpus_is_refused():
    with pytest.raises(ValueError, match="one GPU per rank"):
        run_ddp(2, backend="nccl")


# --- backend choice, shards, the single-process reference ---------------------------


@pytest.mark.skipif(HAS_TWO_GPUS, reason="with two GPUs the choice is nccl")
def test_choose_backend_picks_gloo_without_gpus():
    assert choose_backend(2) == "gloo"


def test_choose_backend_keeps_an_explicit_gloo():
    assert choose_backend(4, "gloo") == "gloo"


def test_epoch_shards_split_the_training_set_into_disjoint_equal_parts():
    shards = epoch_shards(2, seed=0)
    assert len(shards[0]) == len(shards[1]) == N_TRAIN // 2
    assert set(shards[0]).isdisjoint(shards[1])
    assert set(shards[0]) | set(shards[1]) == set(range(N_TRAIN))


def test_epoch_shards_pad_an_uneven_split_by_repeating_samples():
    shards = epoch_shards(3, seed=0)
    assert [len(s) for s in shards.values()] == [27, 27, 27]  # ceil(80 / 3), 81 slots for 80 samples
    everything = shards[0] + shards[1] + shards[2]
    assert len(set(everything)) == N_TRAIN


def test_epoch_shards_change_with_the_epoch():
    assert epoch_shards(2, seed=0, epoch=0) != epoch_shards(2, seed=0, epoch=1)


def test_epoch_shards_rejects_a_negative_epoch():
    with pytest.raises(ValueError, match="epoch"):
        epoch_shards(2, epoch=-1)


def test_single_process_run_is_reproducible(single_run):
    again = run_single_process(2, **RECIPE)
    assert max_param_difference(single_run, again) == 0.0
    np.testing.assert_array_equal(single_run.epoch_losses, again.epoch_losses)


def test_single_process_reports_its_training_time_as_part_of_the_run(single_run):
    assert 0 < single_run.train_seconds <= single_run.seconds


def test_single_process_loss_falls_by_more_than_ten_times(single_run):
    assert single_run.epoch_losses[-1] < single_run.epoch_losses[0] / 10


def test_single_process_global_gradient_is_the_mean_of_the_shard_gradients(single_run):
    for name in ("a", "b"):
        mean = (single_run.local_grads[0][name] + single_run.local_grads[1][name]) / 2
        assert torch.allclose(single_run.first_grads[name], mean, atol=1e-6)


def test_single_process_does_not_touch_the_global_random_state():
    before = torch.get_rng_state()
    run_single_process(2, epochs=1)
    assert torch.equal(torch.get_rng_state(), before)


def test_max_param_difference_refuses_runs_with_different_parameters(single_run):
    other = distributed.RunResult(**{**vars(single_run), "params": {"w": torch.zeros(1)}})
    with pytest.raises(ValueError, match="different parameters"):
        max_param_difference(single_run, other)


def test_loss_after_ten_epochs_grows_with_the_world_size_at_a_fixed_per_rank_batch():
    # Page 11, exercise 4: bigger global batches mean fewer updates per epoch.
    losses = [run_single_process(w, epochs=10, lr=0.3, batch_size=16, seed=0).epoch_losses[-1] for w in (1, 2, 4, 8)]
    assert losses == sorted(losses)
    assert losses[0] < losses[-1] / 5


@pytest.mark.slow
def test_a_port_taken_before_rank_0_listens_is_retried_on_a_new_one(monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = iter([taken.getsockname()[1]])
        real_free_port = distributed._free_port
        monkeypatch.setattr(distributed, "_free_port", lambda: next(ports, None) or real_free_port())
        run = run_ddp(1, epochs=1)
    assert len(run.shards) == 1
