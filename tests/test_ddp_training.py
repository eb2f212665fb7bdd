"""Specification of linreg.ddp_training: the recipe each DDP rank runs, and its single-process twin.

The DDP job itself (spawned processes) is specified in test_distributed.py.
"""

import numpy as np
import pytest
import torch

from linreg import ddp_training
from linreg.ddp_training import epoch_shards, job_config, max_param_difference, run_single_process

RECIPE = {"epochs": 50, "lr": 0.3, "batch_size": 16, "seed": 0}  # the recipe page 11 runs
N_TRAIN = 80


@pytest.fixture(scope="module")
def single_run():
    return run_single_process(2, **RECIPE)


# --- the shards DistributedSampler deals out --------------------------------------------


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


# --- the single-process reference ----------------------------------------------------------


def test_single_process_run_is_reproducible(single_run):
    again = run_single_process(2, **RECIPE)
    assert max_param_difference(single_run, again) == 0.0
    np.testing.assert_array_equal(single_run.epoch_losses, again.epoch_losses)


def test_single_process_trains_on_the_shards_ddp_would_deal_out(single_run):
    assert single_run.shards == epoch_shards(2, seed=RECIPE["seed"])


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


def test_loss_after_ten_epochs_grows_with_the_world_size_at_a_fixed_per_rank_batch():
    # Page 11, exercise 4: bigger global batches mean fewer updates per epoch.
    losses = [run_single_process(w, epochs=10, lr=0.3, batch_size=16, seed=0).epoch_losses[-1] for w in (1, 2, 4, 8)]
    assert losses == sorted(losses)
    assert losses[0] < losses[-1] / 5


def test_max_param_difference_refuses_runs_with_different_parameters(single_run):
    other = ddp_training.RunResult(**{**vars(single_run), "params": {"w": torch.zeros(1)}})
    with pytest.raises(ValueError, match="different parameters"):
        max_param_difference(single_run, other)


# --- argument errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"world_size": 0}, ValueError, "world_size"),
        ({"world_size": 2.0}, TypeError, "world_size"),
        ({"world_size": True}, TypeError, "world_size"),
        ({"world_size": N_TRAIN + 1}, ValueError, "world_size must be at most 80"),
        ({"epochs": 1.5}, TypeError, "epochs"),
        ({"lr": 0}, ValueError, "lr"),
        ({"lr": "fast"}, TypeError, "lr"),
        ({"batch_size": -4}, ValueError, "batch_size"),
        ({"seed": "zero"}, TypeError, "seed"),
        ({"seed": -1}, ValueError, "seed"),
    ],
)
def test_the_training_settings_are_checked_with_errors_that_name_them(kwargs, error, match):
    with pytest.raises(error, match=match):
        job_config(**kwargs)
    with pytest.raises(error, match=match):
        run_single_process(**kwargs)


def test_job_config_holds_the_checked_settings():
    config = job_config(world_size=4, epochs=3, lr=0.1, batch_size=8, seed=1)
    assert (config.world_size, config.epochs, config.lr, config.batch_size, config.seed) == (4, 3, 0.1, 8, 1)
    assert config.backend == "single-process" and config.fail_rank is None
