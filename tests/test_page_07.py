"""The claims page 7 (training loop, validation, checkpoints) makes, checked against its executed outputs."""

import pytest

pytestmark = pytest.mark.site


@pytest.fixture(scope="module")
def page(executed_page):
    return executed_page("07-training-loop")


def test_validation_loss_is_below_training_loss_only_in_an_unbroken_run_of_early_epochs(page):
    assert page.glue["below_from_start"] is True
    assert 1 <= page.glue["below_epochs"] < 30  # the early epochs, not most of the 60


def test_both_curves_end_near_the_noise_level_with_validation_above_training(page):
    train, val = page.glue["final_train"], page.glue["final_val"]
    assert 0.005 < train < 0.02 and 0.005 < val < 0.02  # sigma = 0.1, an MSE of about 0.01
    assert val > train
    assert train < 0.01  # "may end a little below sigma squared"


def test_the_loss_figure_alt_text_states_the_computed_run(page):
    [alt] = [a for a in page.alts if a.startswith("Training and validation loss over 60 epochs")]
    assert f"training near {page.glue['final_train']:.4f}" in alt
    assert f"below the training curve in {page.glue['below_epochs']} epochs, from epoch 1" in alt


def test_fit_repeats_the_hand_written_loop_up_to_float32_rounding(page):
    assert page.glue["fit_gap"] < 1e-6


def test_the_epoch_loop_and_the_checkpoint_code_are_shown_from_linreg(page):
    shown = ["training._train_epoch"] + [
        f"checkpoints.{name}" for name in ("_checkpoint_state", "_write_atomically", "resume", "_restore")
    ]
    for name in shown:
        assert f"show_source({name}" in page.code


def test_a_diverging_run_stops_with_diverged_error(page):
    assert "DivergedError: training diverged at epoch" in page.text


def test_the_resumed_run_equals_the_uninterrupted_one_bit_for_bit(page):
    assert (page.glue["resumed_after"], page.glue["resumed_end"]) == (20, 40)
    assert page.glue["resumed_equal"] is True
    assert page.text.count("torch.equal: True") == 2


def test_resuming_from_the_weights_alone_gives_a_small_but_nonzero_difference(page):
    assert page.glue["weights_only_same"] is False
    assert 0 < page.glue["weights_only_difference"] < 0.05


def test_full_unpickling_runs_code_and_weights_only_refuses_it(page):
    assert "!!! this line ran while the file was being loaded" in page.text
    assert page.glue["evil_refused"] is True


def test_a_loaded_model_is_in_training_mode_until_eval_is_called(page):
    assert page.glue["mode_after_loading"] is True
    assert "eval mode: True" in page.text


def test_resuming_without_the_generator_state_changes_the_result(page):
    assert "equal to the uninterrupted run: False" in page.text


def test_validation_dips_below_training_only_while_the_loss_still_falls_steeply(page):
    assert page.glue["below_epochs"] < page.glue["settled_epoch"]
