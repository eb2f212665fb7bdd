"""The claims page 7 (training loop, validation, checkpoints) makes, checked against its executed outputs."""

import re

import pytest

pytestmark = pytest.mark.site


@pytest.fixture(scope="module")
def page(executed_page):
    return executed_page("07-training-loop")


def _answers(page):
    """The Markdown answers the four solution cells display, spaces normalised."""
    return [" ".join(output.data["text/markdown"].split())
            for cell in page.notebook.cells if "solution" in cell.metadata.get("tags", [])
            for output in cell.outputs if "text/markdown" in output.get("data", {})]


def _answered(page, phrase):
    return any(" ".join(phrase.split()) in answer for answer in _answers(page))


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
    assert page.says(f"validation points hold more of it ({val_noise:.4f} against {train_noise:.4f})")


def test_at_the_same_parameters_validation_is_lower_from_the_start_so_timing_is_not_the_cause(page):
    start_val, start_train = page.glue["start_losses"]
    assert start_val < start_train  # epoch 0: no training, no lag
    assert page.says(f"the validation loss is already the lower one: {start_val:.2f} against {start_train:.2f}")
    below_at_end = page.glue["below_at_end"]
    assert below_at_end == list(range(0, page.glue["below_at_end_last"] + 1))
    lag = page.glue["lag_epochs"]
    assert lag == ", ".join(str(e) for e in range(below_at_end[-1] + 1, page.glue["below_last"] + 1))
    assert len(lag.split(", ")) == 1  # "adds epoch N": one epoch
    assert page.says(f"validation stays below training up to epoch {below_at_end[-1]}")
    assert page.says(f"training curve adds epoch {lag}")
    assert page.says("it is not what puts the validation curve below")
    assert "the timing is what put it below" not in page.markdown


def test_the_lag_lifts_the_training_curve_in_epoch_1(page):
    curve, end, val = page.glue["epoch_1"]
    assert curve > end > val
    assert page.says(f"at epoch 1 the curve reads {curve:.2f} instead of {end:.2f}, with validation at {val:.2f}")


def test_the_table_backs_the_split_explanation(page):
    rows = re.findall(r"^\s+(\d+) \|\s+(-|[\d.]+) \|\s+([\d.]+) \|\s+([\d.]+) \|\s+([\d.]+) ([\d.]+)$",
                      page.text, flags=re.M)
    assert [int(r[0]) for r in rows] == [0, 1, 2, 5, 10, 15, 16, 17, 18, 20, 30, 60]
    line_train, line_val = page.glue["start_line_error"][1], page.glue["start_line_error"][0]
    assert float(rows[0][4]) == pytest.approx(line_train, abs=1e-4) and line_val < line_train
    assert float(rows[0][5]) == pytest.approx(line_val, abs=1e-4)
    assert page.says(f"the starting line's line error is {line_val:.2f} at the validation inputs against "
                     f"{line_train:.2f} at the training inputs")  # a mean square, not a distance
    assert page.glue["lower_line_error"] is True
    assert "line error lower on the validation points at every epoch: True" in page.text
    train_mean, train_square = page.numbers(r"^training inputs: mean \+?{n}, mean square {n}$")
    val_mean, val_square = page.numbers(r"^validation inputs: mean \+?{n}, mean square {n}$")
    assert val_mean < train_mean and val_square < train_square  # "a lower mean and a lower mean square"
    start_bias, start_slope = page.numbers(r"^starting line: intercept {n}, slope {n}")
    assert start_bias < 1.5 and start_slope < 2  # "both negative"


def test_the_cross_term_keeps_validation_below_for_a_little_longer_than_line_error_and_noise_alone(page):
    two_parts_above, last_below = page.glue["two_parts_above"], page.glue["below_at_end_last"]
    assert 0 < last_below - two_parts_above + 1 <= 3  # "a little longer"
    negative_until = page.glue["cross_negative_until"]  # "negative ... from the start to epoch N"
    assert last_below < negative_until < 60
    assert page.says(f"negative on the validation points from the start to epoch {negative_until}")
    assert f"validation cross term negative from epoch 0 to epoch {negative_until}" in page.text  # printed
    # a negative cross term puts the loss below line error + noise, not below the line error alone
    assert page.says("so the loss on these points is a little below line error + noise")
    assert "closer to their targets than to the true line" not in page.markdown
    cross_difference, two_parts_difference = page.glue["cross_at_crossing"]
    # "the cross terms still differ by more than line error and noise together do the other way"
    assert two_parts_difference > 0 and cross_difference < -two_parts_difference
    assert page.says(f"would put the validation loss above the training loss from epoch {two_parts_above}")
    assert f"line error + noise alone: validation above training from epoch {two_parts_above}" in page.text
    assert "up to a small cross term" not in page.markdown


def test_each_curve_ends_at_the_noise_of_its_own_points(page):
    assert page.glue["final_train"] == pytest.approx(page.glue["train_noise"], rel=0.05)
    assert page.glue["final_val"] == pytest.approx(page.glue["val_noise"], rel=0.05)
    assert page.says("Timing is real, but here it only widens the gap during the fast fall and adds epoch "
                     f"{page.glue['lag_epochs']}; it is not what puts the validation curve below in epochs 1 to "
                     f"{page.glue['below_at_end_last']}.")
    assert page.glue["line_error_end"] < 1e-3
    assert f"line error after 60 epochs, the larger of the two: {page.glue['line_error_end']:.0e}" in page.text
    assert page.says(f"with a line error of {page.glue['line_error_end']:.0e} at most")


def test_the_noise_is_what_the_true_line_leaves_and_a_fitted_line_can_go_slightly_below_it(page):
    assert "what no line can remove" not in page.markdown
    assert page.says("(what the true line leaves; a fitted line can dip slightly below it only by following these "
                     "points' noise, as below)")
    train, train_noise = page.glue["final_train"], page.glue["train_noise"]
    epoch, lowest = page.glue["val_min"]
    val_noise = page.glue["val_noise"]
    assert train < train_noise and lowest < val_noise  # below the noise, both
    assert epoch == page.glue["val_min_epoch"]
    assert page.says(f"at epoch 60 the training loss is {train:.5f} against a training noise of {train_noise:.5f}, "
                     f"and the lowest validation loss, at epoch {epoch}, is {lowest:.5f} against a validation noise "
                     f"of {val_noise:.5f}")
    assert f"noise (the true line's MSE): training {train_noise:.5f}, validation {val_noise:.5f}" in page.text
    assert f"training loss at epoch 60: {train:.5f}" in page.text
    assert page.says("(on the training points because it is fitted to them, on the validation points by chance)")
    assert page.says("each curve ends near the noise of its own points")
    assert f"lowest validation loss: {lowest:.5f} at epoch {epoch}" in page.text


def test_the_rise_after_the_lowest_validation_loss_is_explained_by_the_least_squares_line(page):
    epoch, lowest = page.glue["val_min"]
    assert 1 < epoch < 60 and lowest < page.glue["final_val"]
    assert page.glue["least_squares_val"] == pytest.approx(page.glue["final_val"], abs=1e-4)
    intercept, slope = page.numbers(r"^least-squares line of the training points: intercept {n}, slope {n}")
    trained = page.numbers(r"^the trained line at epoch 60: intercept {n}, slope {n}$")
    assert trained == pytest.approx([intercept, slope], abs=2e-4)


def test_the_loss_figure_alt_text_states_the_computed_run(page):
    [alt] = [a for a in page.alts if a.startswith("Training and validation loss over 60 epochs")]
    assert f"training near {page.glue['final_train']:.4f}" in alt
    assert f"below the training curve in {page.glue['below_epochs']} epochs, from epoch 1" in alt
    settled_train, settled_val = page.glue["settled"]
    assert (f"training falls steeply until about epoch {settled_train} and validation until about epoch "
            f"{settled_val}; then both stay nearly flat") in alt
    assert settled_val < settled_train  # each curve's own epoch, not one for both
    assert (f"within 10 % of its last value from epoch: training {settled_train}, validation {settled_val}"
            in page.text)


def _settled(losses):
    """The first epoch from which a curve stays within 10 % of its last value: the page's rule."""
    return next(epoch for epoch in range(1, len(losses) + 1)
                if all(abs(loss - losses[-1]) < 0.1 * losses[-1] for loss in losses[epoch - 1:]))


def test_each_curve_settles_where_the_page_says_and_stays_settled(page):
    train, val = page.glue["curves"]
    assert len(train) == len(val) == 60
    assert train[-1] == page.glue["final_train"] and val[-1] == page.glue["final_val"]
    assert page.glue["settled"] == [_settled(train), _settled(val)]
    for losses, epoch in zip((train, val), page.glue["settled"], strict=True):
        assert abs(losses[epoch - 2] - losses[-1]) >= 0.1 * losses[-1]  # the epoch before is still outside


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
    assert page.says("so when `fit` has a validation loader, `history.val_loss[-1]` is this epoch's validation loss "
                     "(without one, `val_loss` does not grow)")
    assert page.says("What a callback returns is ignored")


def test_validation_and_test_are_named_for_what_they_are_used_for(page):
    assert page.says("a split that is watched during training, or used to choose anything, is a **validation** split")
    assert page.says("a test split is kept apart and looked at once")


def test_each_loss_is_said_to_be_measured_when_it_is(page):
    assert page.says("each batch's loss is computed before that batch's update")
    assert page.says("The validation loss is measured *after* the epoch's last update")
    assert "with the best ones" not in page.markdown


def test_the_learning_rate_line_and_the_finite_check_are_visible(page):
    assert 'lr = float(optimizer.param_groups[0]["lr"])' in page.text  # in fit's source
    assert page.says('`optimizer.param_groups[0]["lr"]`')
    assert page.says("`check_finite_loss` (shown on [page 5](05-models.ipynb))")


def test_a_diverging_run_stops_with_diverged_error(page):
    assert "DivergedError: training diverged at epoch" in page.text


def test_the_resumed_run_equals_the_uninterrupted_one_bit_for_bit(page):
    assert (page.glue["resumed_after"], page.glue["resumed_end"]) == (20, 40)
    assert page.glue["resumed_equal"] is True
    assert page.glue["resumed_lengths"] == [40, 40]  # resumed with the validation loader: the lists stay in step
    assert "resumed after epoch 20, ended at epoch 40; 40 training and 40 validation losses" in page.text
    assert "val_loader=val_loader, history=history)" in page.code
    assert page.text.count("torch.equal: True") == 2


def test_the_checkpoint_section_has_a_heading_and_says_what_to_save(page):
    assert "## Checkpoints" in page.markdown
    for key in ("`epoch`", "`model`", "`optimizer`", "`scheduler`", "`history`", "`generator`"):
        assert f"| {key} |" in page.markdown


def test_only_the_full_checkpoint_resumes_exactly_and_each_part_has_its_share(page):
    both, generator_only, optimizer_only, neither = page.glue["restored_differences"]
    assert both == 0
    assert generator_only > optimizer_only > 0 and neither > generator_only  # Adam's state costs the most
    assert optimizer_only > 1e-4  # the shuffle order matters too, well above float32 rounding
    assert page.says(f"Leaving out Adam's state costs the most here: {generator_only:.1e} at epoch 40, against "
                     f"{optimizer_only:.1e} for the shuffle order, and {neither:.1e} for both")


def test_a_fresh_adam_stays_further_off_than_fresh_shuffles_at_every_epoch(page):
    largest_both, largest_adam, largest_shuffles, _ = page.glue["restored_largest"]
    assert largest_both == 0  # "a difference of exactly 0, at every epoch"
    assert page.says("(a difference of exactly 0, at every epoch)")
    assert page.glue["adam_further_every_epoch"] is True
    assert "fresh Adam further off than fresh shuffles at every epoch 21-40: True" in page.text
    assert largest_adam > largest_shuffles
    assert page.says("a fresh Adam is further from the uninterrupted run than fresh shuffles at every epoch from 21 "
                     f"to 40, by up to {largest_adam:.1e} against up to {largest_shuffles:.1e}")
    assert "how long the difference lasts" not in page.markdown


def test_a_fresh_adam_takes_steps_of_about_the_learning_rate(page):
    restored = page.numbers(r"^restored Adam: {n}")
    fresh = page.numbers(r"^   fresh Adam: {n}")
    assert fresh[0] == pytest.approx(0.02, rel=0.3) and fresh[0] > 5 * restored[0]
    assert page.glue["first_step_ratio"] > 5
    assert page.says("Adam's first step is one learning rate up to Adam's $\\epsilon$")  # as page 4 says
    assert "exactly one learning rate" not in page.markdown


def test_every_loop_moves_its_batches_to_the_device_of_the_model(page):
    # the page runs on a GPU where there is one (Colab): a batch left on the CPU would fail there
    loops = re.findall(r"^( *)for (\w+), (\w+) in \w+:.*\n\1    (.*)$", page.code, flags=re.M)
    assert loops
    for _, x, y, first_line in loops:
        assert first_line == f"{x}, {y} = {x}.to(device), {y}.to(device)", first_line


def test_the_loss_figure_says_training_as_the_prose_does(page):
    assert 'plots.loss_curves({"training": train_losses' in page.code


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
    assert _answered(page, "**Answer:** the last file holds epoch 30.")


def test_exercise_2_answers_that_with_momentum_the_shuffle_order_matters_and_the_optimizer_state_hardly(page):
    both, generator_only, optimizer_only, _ = page.glue["momentum_differences"]
    assert both == 0 and 0 < generator_only < optimizer_only / 100
    assert _answered(page, f"**Answer:** now the shuffle order matters and the optimizer state hardly does by the "
                           f"end: at epoch 40, {optimizer_only:.1e} without the generator, {generator_only:.1e} "
                           "without the optimizer state (not zero, so still not exact)")
    _, fresh_buffer, fresh_shuffles, _ = page.glue["momentum_largest"]
    assert generator_only < fresh_buffer / 100 < fresh_shuffles / 100  # "less than fresh shuffles ... nearly gone"
    assert _answered(page, f"On the way, a fresh momentum buffer moves the run by up to {fresh_buffer:.1e}, less than "
                           f"fresh shuffles (up to {fresh_shuffles:.1e}), and by epoch 40 that difference is nearly "
                           "gone.")
    # both decay factors over the same horizons, 10 steps and 200
    assert page.printed("momentum buffer: 0.9 per step; 0.9**10 = 0.35, 0.9**200 = 7.1e-10")
    assert page.printed("Adam's second average: 0.999 per step; 0.999**10 = 0.99, 0.999**200 = 0.82")
    assert _answered(page, "Adam's second average keeps 0.999 per step: 0.99 after 10 steps and still 0.82 after 200")


def test_exercise_3_answers_with_the_epoch_of_the_lowest_validation_loss(page):
    loss, epoch = page.numbers(r"^best validation loss {n} at epoch {n}$")
    assert 1 <= epoch <= 40
    assert "the kept weights differ from those of epoch 40: True" in page.text
    assert _answered(page, f"**Answer:** epoch {epoch:.0f}, with a validation loss of {loss:.5f}.")
    assert _answered(page, "And no, that loss is optimistic")
    assert [epoch, round(loss, 5)] == [page.glue["val_min"][0], round(page.glue["val_min"][1], 5)]


def test_exercise_4_answers_with_the_two_shapes_that_do_not_fit(page):
    assert page.printed("size mismatch for linear.weight")
    assert _answered(page, "`linear.weight` has shape (1, 1), the new model's (2, 3)")


def test_each_solution_states_its_answer_in_a_markdown_sentence_that_wraps_on_a_phone(page):
    answers = _answers(page)
    assert len(answers) == 4 and all(answer.startswith("**Answer:** ") for answer in answers)
    assert "Answer: " not in page.text  # not as printed, fixed-width output


def test_validation_dips_below_training_only_while_the_training_loss_still_falls_steeply(page):
    assert page.glue["below_epochs"] < page.glue["settled"][0]
    assert page.glue["below_last"] == page.glue["below_epochs"]  # epochs 1 to N
