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


def test_the_validation_points_hold_more_noise_than_the_training_points(page):
    train_noise, val_noise = page.glue["train_noise"], page.glue["val_noise"]
    assert train_noise < 0.01 < val_noise  # "a little below sigma squared ... a little above it"
    assert page.says(f"Ours holds more (the cell above: {val_noise:.4f} against {train_noise:.4f})")


def test_each_curve_ends_at_the_noise_of_its_own_points(page):
    assert page.glue["final_train"] == pytest.approx(page.glue["train_noise"], rel=0.05)
    assert page.glue["final_val"] == pytest.approx(page.glue["val_noise"], rel=0.05)
    assert page.says("on the validation points the trained line does about as well as the true line")


def test_the_loss_figure_alt_text_states_the_computed_run(page):
    [alt] = [a for a in page.alts if a.startswith("Training and validation loss over 60 epochs")]
    assert f"training near {page.glue['final_train']:.4f}" in alt
    assert f"below the training curve in {page.glue['below_epochs']} epochs, from epoch 1" in alt


def test_fit_repeats_the_hand_written_loop_up_to_float32_rounding(page):
    assert page.glue["fit_gap"] < 1e-6


def test_fit_its_epoch_loop_and_the_checkpoint_code_are_shown_from_linreg(page):
    shown = [
        "datasets.line_b_loaders", "training.fit", "training._train_epoch", "training.evaluate", "training.History",
        "checkpoints.save_checkpoint", "checkpoints._write_atomically", "checkpoints.load_checkpoint",
        "checkpoints.resume", "checkpoints._read_checkpoint", "checkpoints.CheckpointError",
    ]
    for name in shown:
        assert f"show_source({name}" in page.code
        assert f"How linreg does it: {name}" in page.text
    assert "callback(epoch, model, history)" in page.text  # fit's loop, as shown


def test_the_page_states_the_callback_contract(page):
    assert page.says("A callback is any function `callback(epoch, model, history)`")
    assert page.says("`history.val_loss[-1]` is this epoch's validation loss")
    assert page.says("What a callback returns is ignored")


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


class _Unsafe:
    def __reduce__(self):
        return (print, ("unpickled",))


def test_weights_only_is_torch_loads_default_unless_the_environment_forces_it_off(page, tmp_path, monkeypatch):
    import pickle

    import torch

    assert page.says("Since PyTorch 2.6 that is also `torch.load`'s default")
    path = tmp_path / "unsafe.pt"
    torch.save({"x": _Unsafe()}, path)
    monkeypatch.delenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", raising=False)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)  # the default refuses it
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    with pytest.warns(UserWarning, match="forcing weights_only=False"):
        assert torch.load(path) == {"x": None}  # the variable turns the unset default into full unpickling
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)  # an explicit argument still holds


def test_exercise_1_answers_that_the_last_file_holds_epoch_30(page):
    assert "saved after epochs [10, 20, 30]; epoch in latest.pt: 30" in page.text
    assert page.printed("Answer: the last file holds epoch 30.")


def test_exercise_2_answers_that_resuming_without_the_generator_state_changes_the_result(page):
    assert "equal to the uninterrupted run: False" in page.text
    assert page.printed("Answer: no. Without the generator's state")


def test_exercise_3_answers_with_the_epoch_of_the_lowest_validation_loss(page):
    loss, epoch = page.numbers(r"^best validation loss {n} at epoch {n}$")
    assert 1 <= epoch <= 40
    assert "the kept weights differ from those of epoch 40: True" in page.text
    assert page.printed(f"Answer: epoch {epoch:.0f}, with a validation loss of {loss:.5f}.")


def test_exercise_4_answers_with_the_two_shapes_that_do_not_fit(page):
    assert "size mismatch for linear.weight" in page.text
    assert page.printed("linear.weight has shape (1, 1), the new model's (2, 3)")
    assert page.text.count("Answer: ") == 4


def test_validation_dips_below_training_only_while_the_loss_still_falls_steeply(page):
    assert page.glue["below_epochs"] < page.glue["settled_epoch"]
