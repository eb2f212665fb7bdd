"""The claims page 11 (scaling out with DDP) makes, checked against its executed outputs."""

import pytest

pytestmark = pytest.mark.site


@pytest.fixture(scope="module")
def page(executed_page):
    return executed_page("11-scaling-out")


def test_the_two_ranks_end_in_sync_near_the_true_line(page):
    assert page.glue["rank_spread"] == 0
    assert page.glue["ddp_a"] == pytest.approx(1, abs=0.05)
    assert page.glue["ddp_b"] == pytest.approx(2, abs=0.05)


def test_each_rank_trained_on_the_shard_the_sampler_predicted(page):
    assert page.glue["shards_as_predicted"] is True
    assert "shards overlap: False | together they cover all 80: True" in page.text


def test_the_all_reduce_replaces_two_different_local_gradients_by_their_mean(page):
    assert page.glue["local_grads_differ"] is True
    assert page.glue["allreduce_vs_mean"] <= 1e-6


def test_ddp_equals_the_single_process_twin_to_1e_6(page):
    assert page.glue["ddp_difference"] <= 1e-6
    assert page.glue["ddp_allclose"] is True
    assert page.glue["curve_gap"] <= 1e-6


def test_most_of_the_ddp_jobs_time_is_not_training(page):
    # The page says which share of the job was start-up; that it is most of it is the robust claim.
    assert page.glue["ddp_train_seconds"] < page.glue["ddp_seconds"] / 2
    assert page.glue["single_train_seconds"] < page.glue["ddp_seconds"] / 2


def test_the_page_shows_the_worker_code_that_ran(page):
    assert "show_source(distributed._worker)" in page.code
    assert "show_source(distributed._train_rank" in page.code


def test_a_failed_rank_is_named_and_the_launcher_does_not_wait_for_the_timeout(page):
    assert "DDP job failed on rank 1: RuntimeError: injected failure on rank 1" in page.text
    assert "the worker's traceback came back with it: True" in page.text
    assert page.glue["fail_seconds"] < 60


def test_the_sampler_repeats_its_order_without_set_epoch(page):
    assert "two epochs without set_epoch are identical: True" in page.text
    assert "after set_epoch(1) the order changes: True" in page.text


def test_the_loss_after_10_epochs_grows_with_the_world_size(page):
    losses = page.glue["world_size_losses"]
    assert losses == sorted(losses) and len(set(losses)) == 4


def test_rank_0_reports_nothing_and_is_stopped_by_the_launcher(page):
    assert page.glue["rank_0_failed"] is False
