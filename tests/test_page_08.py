"""The claims page 8 (learning-rate schedulers) makes, checked against its executed outputs."""

import ast
import re

import pytest
import torch
from conftest import NUMBER

pytestmark = pytest.mark.site



@pytest.fixture(scope="module")
def page(executed_page):
    return executed_page("08-schedulers")




@pytest.fixture(scope="module")
def table(page):
    """The comparison table: schedule -> (final train, final val, last lr, mean train loss of the last 20,
    the epoch from which the training loss stays within 5% of the floor, None for never)."""
    rows = re.findall(rf"^\s*(.+?) \|\s+({NUMBER}) \|\s+({NUMBER}) \|\s+({NUMBER}) \|\s+({NUMBER}) \|\s+(\d+|never)$",
                      page.text, flags=re.M)
    return {name: [float(v) for v in values] + [None if settled == "never" else int(settled)]
            for name, *values, settled in rows}


def rate_changes(page, prefix):
    line = re.search(rf"^{re.escape(prefix)}rate changes \(epoch, lr\): (.*)$", page.text, flags=re.M).group(1)
    return ast.literal_eval(f"[{line.strip('[]')}]")


def test_the_scheduler_stepping_is_written_out_on_the_page(page):
    assert "            if per_batch:  # per-batch schedules (OneCycleLR): after every step\n" \
           "                scheduler.step()" in page.code
    assert "            scheduler.step(val_loss)" in page.code


def test_the_loop_written_out_ends_exactly_where_training_fit_does(page):
    by_hand, by_fit = page.numbers(r"final validation loss: fit_by_hand {n}, training.fit {n}", page.text)
    assert by_hand == by_fit


def test_the_comparison_runs_plain_sgd(page):
    assert "torch.optim.SGD(model.parameters(), lr=lr)  # no momentum" in page.code


def test_the_constant_rate_gets_near_the_floor_fast_and_then_keeps_spiking(page):
    (first_epochs,) = [ast.literal_eval(v) for v in re.findall(r"training loss, epochs 1-5: (\[.*\])", page.text)]
    assert first_epochs[2] < 2 * page.glue["floor"]
    assert page.glue["constant_spikes"] >= 10
    assert page.glue["constant_highest"] > 10 * page.glue["floor"]


def test_step_lr_halves_the_rate_every_30_epochs_and_the_spikes_shrink(page):
    epochs_and_rates = page.glue["step_changes"]
    assert [epoch for epoch, _ in epochs_and_rates] == [1, 31, 61, 91]
    assert [rate for _, rate in epochs_and_rates] == pytest.approx([0.8, 0.4, 0.2, 0.1])
    assert rate_changes(page, "") == [tuple(pair) for pair in epochs_and_rates]
    highest = page.numbers(r"highest training loss per stretch of epochs:\s+"
                           r"5-30: {n}, 31-60: {n}, 61-90: {n}, 91-100: {n}")
    assert all(later < earlier for earlier, later in zip(highest, highest[1:], strict=False))


def test_multistep_lr_divides_by_10_at_the_milestones_and_then_the_loss_is_flat(page):
    epochs_and_rates = page.glue["multistep_changes"]
    assert [epoch for epoch, _ in epochs_and_rates] == [1, 31, 81]
    assert [rate for _, rate in epochs_and_rates] == pytest.approx([0.8, 0.08, 0.008])
    assert page.glue["multistep_spread"] < 0.05


def test_reduce_on_plateau_cuts_every_11_epochs_down_to_8e_8(page):
    changes = re.search(r"^rate changes \(epoch, lr\): (\(1, 8e-01\).*(?:\n  .*)?)$", page.text, flags=re.M).group(1)
    epochs = [int(epoch) for epoch in re.findall(r"\((\d+), ", changes)][1:]
    assert epochs[0] == page.glue["plateau_first_drop"] > 11
    assert all(later - earlier == 11 for earlier, later in zip(epochs, epochs[1:], strict=False))
    assert len(epochs) == page.glue["plateau_drops"]
    assert page.glue["plateau_last_lr"] == pytest.approx(0.8 * 0.1 ** len(epochs))
    assert page.says(f"down to {page.glue_text['plateau_last_lr']}")


def test_min_lr_stops_the_cuts_without_costing_loss(page, table):
    assert page.glue["floored_last_lr"] == pytest.approx(1e-3)
    floored_train, _ = page.numbers(r"final training loss {n}, validation loss {n}", page.text)
    assert floored_train == pytest.approx(table["ReduceLROnPlateau"][0], abs=2e-5)


def test_one_cycle_turns_sgd_momentum_on_by_default_and_the_comparison_turns_it_off(page):
    assert re.search(r"after OneCycleLR\(\.\.\.\):\s+momentum 0\.95", page.text)
    assert re.search(r"with cycle_momentum=False:\s+momentum 0$", page.text, flags=re.M)
    assert re.search(r"optimizer, max_lr=0\.8,\s+total_steps=epochs \* len\(train_loader\),\s+cycle_momentum=False\)",
                     page.code)
    assert page.printed("100 epochs of 10 batches: total_steps=1000")


def test_one_cycle_climbs_from_max_lr_over_25_for_30_percent_of_the_run_and_settles(page):
    first, peak, last = page.glue["one_cycle_rates"]
    assert first == pytest.approx(0.8 / 25) and peak == 31 and last < first / 10
    (alt,) = [alt for alt in page.alts if "decays smoothly towards zero" in alt]
    near_epoch, early, high_epochs, late = page.numbers(
        r"within 5% of the floor by epoch {n}, during the climb, varies by {n} over the {n} epochs with a rate "
        r"above 0\.4, and by {n} over the last 30", alt)
    assert high_epochs >= 30
    assert late < early / 5
    assert near_epoch == page.glue["one_cycle_near"][0] < peak  # "long before the peak"
    low, high = page.glue["sweep_good"]
    assert page.glue["one_cycle_start"] == pytest.approx(first)
    assert low <= page.glue["one_cycle_start"] <= high  # "a rate inside the valley"
    settled_epoch, settled_rate = page.glue["one_cycle_settled"]
    assert settled_epoch > peak and settled_rate < 0.8
    assert page.glue["one_cycle_high_spread"] == pytest.approx(early, abs=1e-3)
    assert page.glue["one_cycle_high_epochs"] == high_epochs


def test_every_schedule_ends_below_the_constant_rate_and_near_the_floor(page, table):
    names = list(table)
    assert names[:5] == ["constant 0.8", "StepLR", "MultiStepLR", "ReduceLROnPlateau", "OneCycleLR"]
    constant, *scheduled = list(table.values())[:5]
    assert all(row[0] < constant[0] and row[1] < constant[1] for row in scheduled)
    floor = page.glue["floor"]
    assert all(floor * (1 - 1e-3) <= row[0] for row in table.values())
    assert max(row[0] for row in scheduled) / floor - 1 == pytest.approx(page.glue["above_floor"], abs=0.01)
    assert page.glue["above_floor"] <= 0.02  # "all four end within 2% of the floor"
    assert page.says(f"All four end within {page.glue_text['above_floor']} of the floor")


def test_no_run_dips_below_the_floor(page):
    (lowest,) = page.numbers(r"lowest training loss of these runs: {n} times the floor")
    assert lowest >= 1 - 1e-6  # "in every run the table lists it stays above 0.999999 times the floor"
    assert page.printed(f"lowest training loss of these runs: {lowest:.7f} times the floor (at least 0.999999: True)")
    assert page.says("stays above $0.999999$ times the floor")
    assert "in every run on this page it" not in page.markdown


def test_the_decaying_schedules_settle_in_the_order_and_at_the_epochs_the_table_gives(page, table):
    assert table["constant 0.8"][4] is None
    assert page.glue["settled_decaying"] == [table[name][4] for name in ("StepLR", "MultiStepLR", "ReduceLROnPlateau")]
    assert table["OneCycleLR"][4] == page.glue["one_cycle_settled"][0]
    assert [epoch for epoch, _ in page.glue["step_changes"]][2:] == [61, 91]  # "StepLR keeps 0.2 until epoch 90"
    assert page.glue["step_changes"][2][1] == pytest.approx(0.2)


def test_a_constant_rate_from_the_sweep_settles_sooner_than_any_schedule(page, table):
    line = re.search(r"^the sweep's constant rates, settled:\n(.*)\n(.*)$", page.text, flags=re.M).group(0)
    settled = dict(re.findall(rf"({NUMBER}): (\d+|never)", line))
    fastest_epoch = min(int(epoch) for epoch in settled.values() if epoch != "never")
    fastest_lr = [float(lr) for lr, epoch in settled.items() if epoch == str(fastest_epoch)]
    assert page.glue["fastest_constant"][0] == fastest_epoch
    assert page.glue["fastest_constant"][1] == pytest.approx(fastest_lr[0], rel=0.05)
    low, high = page.glue["sweep_good"]
    assert page.glue["best_constant_lr"] < fastest_lr[0] <= high * 1.01  # "the larger rates of the valley"
    scheduled = [table[name][4] for name in ("StepLR", "MultiStepLR", "ReduceLROnPlateau", "OneCycleLR")]
    assert page.glue["fastest_schedule"] == min(scheduled) > fastest_epoch  # "and faster"
    assert table[f"constant {page.glue_text['best_constant_lr']}"][4] == page.glue["best_constant_settled"]
    assert page.glue["best_constant_settled"] > page.glue["fastest_schedule"]  # "later than the fastest schedule"


def test_0_8_is_just_under_the_full_batch_limit_and_above_many_batches_limits(page):
    limit = page.glue["full_limit"]
    assert 0.8 < limit < 1.0 and page.glue["full_limit_share"] == pytest.approx(0.8 / limit)
    (printed_limit,) = page.numbers(r"all 160 samples: limit {n}")
    assert printed_limit == pytest.approx(limit, abs=1e-3)
    low, high = page.glue["batch_limit_range"]
    assert low < 0.8 < high
    count, share = page.numbers(r"0\.8 is above the limit of {n} of them \({n}%\)")
    assert count == pytest.approx(1000 * page.glue["batches_over"])
    assert share == pytest.approx(100 * page.glue["batches_over"], abs=0.5)
    assert 0.2 < page.glue["batches_over"] < 0.8  # "many" batches, not all
    assert page.glue["full_batch_final"] == pytest.approx(page.glue["floor"], rel=1e-3)  # full batch settles
    assert page.glue["sweep_diverged"] > 1.9 * limit  # "twice the full-batch limit"
    assert page.glue["constant_highest_times"] == pytest.approx(page.glue["constant_highest"] / page.glue["floor"])


def test_reduce_on_plateaus_first_cut_comes_from_one_lucky_early_epoch(page):
    record, lowest, after = page.glue["plateau_record"]
    assert record + 12 == page.glue["plateau_first_drop"]  # eleven epochs without a new best, then the cut
    assert after > lowest * (1 + 1e-4)  # no later epoch improves on it by the relative threshold
    assert page.glue["plateau_after_record"] == after
    assert page.printed(f"lowest validation loss: {lowest:.5f} at epoch {record} (rate 0.8)")


def sweep_results(page, prefix=""):
    """The printed sweep: (rate, final validation loss or None when it diverged), in order."""
    rows = re.findall(rf"^{prefix}lr\s+({NUMBER}): (?:final validation loss ({NUMBER})|(diverged))$", page.text,
                      flags=re.M)
    return [(float(lr), None if diverged else float(loss)) for lr, loss, diverged in rows]


def valley(results):
    """The lowest and highest rate whose loss is within 5% of the best."""
    best = min(loss for _, loss in results if loss is not None)
    good = [lr for lr, loss in results if loss is not None and loss <= 1.05 * best]
    return min(good), max(good)


def test_the_sweep_trains_each_constant_rate_for_the_same_100_epochs_as_the_schedules(page):
    assert "sweep[lr] = run(lr=lr)  # a constant rate, 100 epochs" in page.code
    assert "def run(make_scheduler=None, lr=0.8, epochs=100," in page.code


def test_the_sweep_has_a_valley_of_good_rates_and_diverges_past_it(page):
    results = sweep_results(page)
    assert len(results) == 9 and results[-1][1] is None
    losses = [loss for _, loss in results if loss is not None]
    assert losses[0] > 100 * min(losses)  # "too small a rate has not converged"
    low, high = page.glue["sweep_good"]
    assert (low, high) == pytest.approx(valley(results), rel=1e-3)
    assert high / low >= 5


def test_past_the_valley_the_loss_rises_then_diverges_and_0_8_lies_between(page):
    results = sweep_results(page)
    last_lr, above = page.glue["sweep_last"]
    finite = [(lr, loss) for lr, loss in results if loss is not None]
    assert last_lr == pytest.approx(finite[-1][0], rel=1e-3)
    assert above == pytest.approx(finite[-1][1] / min(loss for _, loss in finite) - 1, abs=0.01) and above > 0.05
    assert last_lr < 0.8 < page.glue["sweep_diverged"] == pytest.approx(results[-1][0], rel=1e-3)
    assert last_lr > valley(results)[1]  # "past the valley"


def test_the_best_constant_rate_of_the_sweep_is_in_the_table_and_does_as_well_as_the_schedules(page, table):
    results = sweep_results(page)
    best_lr = min((loss, lr) for lr, loss in results if loss is not None)[1]
    assert page.glue["best_constant_lr"] == pytest.approx(best_lr, rel=1e-3)
    constant_row = table[f"constant {page.glue_text['best_constant_lr']}"]
    scheduled = [table[name] for name in ("StepLR", "MultiStepLR", "ReduceLROnPlateau", "OneCycleLR")]
    assert constant_row[1] == pytest.approx(min(loss for _, loss in results if loss is not None), abs=1e-5)
    assert constant_row[0] <= max(row[0] for row in scheduled)  # "does as well"
    assert page.glue["best_constant_above_floor"] == pytest.approx(constant_row[0] / page.glue["floor"] - 1,
                                                                   abs=2e-3)
    assert page.glue["best_constant_above_floor"] <= page.glue["above_floor"]
    low, high = page.glue["val_range"]
    constant_val = page.glue["best_constant_val"]
    scheduled_val = [row[1] for row in scheduled]
    assert (low, high, constant_val) == pytest.approx((min(scheduled_val), max(scheduled_val), constant_row[1]),
                                                      abs=1e-5)
    assert constant_val <= high


def test_the_same_rate_with_one_batch_of_160_settles_on_the_floor(page):
    assert page.glue["full_batch_final"] == pytest.approx(page.glue["floor"], rel=1e-3)
    assert page.glue["full_batch_final"] < page.glue["constant_highest"] / 10


def test_the_page_shows_how_its_loaders_are_made(page):
    assert "How linreg does it: datasets.line_b_loaders" in page.text


# --- exercises: every solution states its answer in words


def answers(page) -> list[str]:
    return re.findall(r"^Answer.*$", page.text, flags=re.M)


def test_every_solution_prints_an_answer(page):
    solutions = [cell for cell in page.notebook.cells if "solution" in cell.metadata.get("tags", [])]
    assert len(answers(page)) == len(solutions) == 4


def test_the_gentle_steplr_answer_matches_its_numbers(page):
    gentle_lr, gentle_loss = page.numbers(r"gentle: lr at epoch 100 {n}, final train loss {n}")
    step_lr, step_loss = page.numbers(r"halving every 30: lr at epoch 100 {n}, final train loss {n}")
    (answer,) = [a for a in answers(page) if "gentle schedule" in a]
    assert "after 9 cuts" in answer and "after 3 halvings" in answer
    assert gentle_lr > step_lr and ("higher training loss" in answer) == (gentle_loss > step_loss)


def test_the_exponential_answer_matches_its_numbers(page):
    (last_lr, last_loss) = page.numbers(r"epoch 100: lr {n}, train loss {n}")
    assert last_lr == pytest.approx(0.8 * 0.95 ** 99, abs=1e-4)
    (above,) = page.numbers(r"training loss ends {n}% above the floor")
    assert above / 100 == pytest.approx(last_loss / page.glue["floor"] - 1, abs=2e-3)


def test_the_adam_sweep_answer_names_both_valleys(page):
    adam = sweep_results(page, prefix="Adam, ")
    assert len(adam) == 9
    adam_low, adam_high, sgd_low, sgd_high = page.numbers(
        r"Adam's valley \(within 5% of its best\) runs from lr {n} to {n}, SGD's from {n} to {n}\.")
    assert (adam_low, adam_high) == pytest.approx(valley(adam), rel=0.02)
    assert (sgd_low, sgd_high) == pytest.approx(valley(sweep_results(page)), rel=0.02)


def test_an_impatient_plateau_scheduler_drops_the_rate_sooner(page):
    (impatient,) = page.numbers(r"patience=3: first epoch at a lower rate: {n}", page.text)
    (patient,) = page.numbers(r"patience=10: first epoch at a lower rate: {n}", page.text)
    assert impatient < patient == page.glue["plateau_first_drop"]
    assert page.printed(f"{patient - impatient:.0f} epochs sooner")


# The StepLR explorable (issue 12).

def test_the_steplr_explorable_holds_25_runs_made_by_the_pages_run_function(page):
    assert page.glue["steplr_runs"] == 25
    assert "explorables.schedule_explorer(\n    lambda step_size, gamma: run(" in page.code


def test_the_explorables_run_at_step_30_and_gamma_0_5_is_the_pages_steplr_run(page):
    assert page.glue["steplr_same_as_page"] is True


def test_a_fast_decay_freezes_the_rate_and_a_slow_one_still_spikes_but_less_than_constant(page):
    glue = page.glue
    assert glue["steplr_fastest_lr"] < 1e-8
    # counted over the same epochs, 51-100, where the slow decay's rate is 0.72 and the constant's 0.8
    spikes, constant = page.numbers(r"at least twice the floor in {n} of epochs 51-100 \(constant 0\.8: {n}\)")
    assert (spikes, constant) == (glue["steplr_slowest_spikes"], glue["constant_late_spikes"])
    assert 0 < spikes < constant <= glue["constant_spikes"]
    assert page.says(f"{spikes:.0f} of the 50 epochs at that rate (the constant 0.8, in the same epochs: "
                     f"{constant:.0f})")
    assert glue["steplr_slowest_lr"] == pytest.approx(0.8 * 0.9, rel=1e-6)  # one drop, at epoch 51
    assert glue["steplr_slowest_over"] < glue["batches_over"]  # fewer batches' limits exceeded
    (share,) = page.numbers(r"^0\.72 is above the limit of {n}% of the batches")
    assert share == pytest.approx(100 * glue["steplr_slowest_over"], abs=0.5)


def test_every_steplr_setting_ends_below_the_constant_rate_at_the_end_and_over_the_last_20_epochs(page):
    runs = page.glue["steplr_runs"]
    assert page.glue["steplr_beat_constant"] == page.glue["steplr_beat_constant_20"] == runs  # "every decay"
    assert page.printed(f"settings below the constant 0.8: {runs} of {runs} at epoch 100, {runs} of {runs} over "
                        "the last 20 epochs")


def test_the_table_lists_every_rate_of_the_valley(page, table):
    results = sweep_results(page)
    low, high = valley(results)
    in_valley = [lr for lr, loss in results if loss is not None and low <= lr <= high]
    constants = [float(name.split()[1]) for name in table if name.startswith("constant ") and name != "constant 0.8"]
    assert constants == pytest.approx(in_valley, rel=0.02)


def test_one_valley_rate_ends_about_as_close_to_the_floor_as_the_schedules_and_settles_sooner(page, table):
    floor = page.glue["floor"]
    scheduled = [table[name] for name in ("StepLR", "MultiStepLR", "ReduceLROnPlateau", "OneCycleLR")]
    above = [row[0] / floor - 1 for row in scheduled]
    assert page.glue["schedules_above_range"] == pytest.approx([min(above), max(above)], abs=2e-3)
    lr, settled_epoch, both_above = page.glue["both_constant"]
    row = table[f"constant {page.glue_text['both_lr']}"]
    assert row[4] == settled_epoch < min(row[4] for row in scheduled)  # "settles sooner than any of them"
    assert both_above == pytest.approx(row[0] / floor - 1, abs=2e-3)
    assert both_above <= 0.005  # "within 0.5% of the floor"
    assert min(above) <= both_above <= max(above)  # "within the schedules' range above the floor"
    # the first of the valley's rates within 0.5% to settle
    others = [r for name, r in table.items() if name.startswith("constant ") and name != "constant 0.8"
              and r[4] is not None and r[0] <= 1.005 * floor]
    assert settled_epoch == min(r[4] for r in others)
    # the fastest constant of all ends further from the floor than most schedules
    fastest_epoch = page.glue["fastest_constant"][0]
    (fastest_row,) = [r for name, r in table.items() if name.startswith("constant ") and r[4] == fastest_epoch]
    assert page.glue["fastest_constant_above"] == pytest.approx(fastest_row[0] / floor - 1, abs=2e-3)
    closer = sum(row[0] < fastest_row[0] for row in scheduled)
    assert page.glue["fastest_constant_closer_schedules"] == closer >= 3
    assert "is as good as any of\nthese schedules" not in page.markdown
    assert page.says("outside the valley")


def test_the_plateau_section_names_min_lr_not_a_steadier_number_as_the_cure(page):
    assert "is what its `threshold` and" not in page.markdown
    assert "all of them follow from one noisy epoch" not in page.markdown
    assert "What helps is a steadier number" not in page.markdown
    assert page.says("A steadier number to watch would not stop that")
    assert page.says("What stops the cuts at a useful rate is a floor under the rate, `min_lr`, which is 0 by default")
    # and the cuts do end by themselves, far too late: a cut that changes the rate by no more than eps is skipped
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.8)
    assert torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer).eps == 1e-8
    assert page.says("until a cut would change the rate by no more than `eps`, 1e-8 by default")
    assert "with no end" not in page.markdown
    assert page.markdown.count("`cooldown`") == 1


def test_a_plateau_scheduler_that_forgets_its_records_still_cuts_a_converged_loss_again_and_again(page):
    """The counterfactual: the lucky record causes the first cut and brings the others forward; a converged
    loss is cut every patience + 2 epochs (the epoch after a cut is the new best) whatever came before."""
    page_cuts = ast.literal_eval(re.search(r"^  the run above:\s+(\[.*\])$", page.text, flags=re.M).group(1))
    cuts = ast.literal_eval(re.search(r"^  forgetful, 150 epochs:\s+(\[.*\])$", page.text, flags=re.M).group(1))
    printed = re.search(r"^rate changes \(epoch, lr\): (\(1, 8e-01\).*(?:\n  .*)?)$", page.text, flags=re.M).group(1)
    assert page_cuts == [int(epoch) for epoch in re.findall(r"\((\d+), ", printed)][1:]
    assert cuts[0] == page_cuts[0] == page.glue["plateau_first_drop"]  # the first cut: the lucky record's
    assert all(forgetful > seen for forgetful, seen in zip(cuts[1:], page_cuts[1:], strict=False))  # "later"
    in_budget = [c for c in cuts if c <= 100]
    assert len(in_budget) == page.glue["forgetful_cuts_100"] < page.glue["plateau_drops"] == len(page_cuts)
    assert page.glue["forgetful_cuts"] == cuts[:3] == in_budget
    late = [c for c in cuts if c > 100]
    assert len(late) >= 3 and page.glue["forgetful_late_cuts"] == late
    gaps = {b - a for a, b in zip(late, late[1:], strict=False)}
    assert gaps == {page.glue["forgetful_gap"]} == {12}  # patience 10: the new best, then 11 epochs without one
    assert page.glue["forgetful_cut_count"] == len(cuts)
    assert page.glue["forgetful_last_lr"] == pytest.approx(0.8 * 0.1 ** len(cuts))
    n100, n150, last_lr = page.numbers(r"^forgetful: {n} cuts in 100 epochs, {n} in 150, rate {n} in epoch 150$")
    assert (n100, n150, last_lr) == (len(in_budget), len(cuts), pytest.approx(page.glue["forgetful_last_lr"]))
    low, high, change = page.numbers(r"validation loss, epochs 100-150: {n} to {n},\s+a change of {n} of its value")
    assert change == pytest.approx(page.glue["forgetful_flat_change"], rel=0.1)
    assert page.glue["forgetful_flat_change"] < 1e-4 / 10  # "far less than the relative threshold"
    assert (high - low) / low < 1e-4
    assert page.says(f"{page.glue_text['forgetful_cuts_100']} cuts in the 100 epochs instead of "
                     f"{page.glue_text['plateau_drops']}")
    assert page.says("So the lucky record caused the first cut and brought the later ones forward")
    assert page.says(f"the rate is cut every {page.glue_text['forgetful_gap']} epochs")
    assert page.says(f"at epochs {page.glue_text['forgetful_late_cuts']}: {page.glue_text['forgetful_cut_count']} "
                     f"cuts by epoch 150, down to {page.glue_text['forgetful_last_lr']}")
    assert page.says(f"Within the 100 epochs it cuts at epochs {page.glue_text['forgetful_cuts']}: the first as before")


def test_a_rate_below_every_batch_limit_has_no_spikes_but_stays_off_the_floor(page):
    """Below every batch's limit the spikes are gone, yet gradient noise keeps the loss off the floor; the page does
    not claim this run separates the two causes of the spikes at 0.8 (it changes both)."""
    assert page.printed(f"lr {page.glue['calm_lr']} is below every batch's limit: True")
    assert page.glue["calm_lr"] < page.glue["batch_limit_range"][0]
    spikes, off = page.numbers(r"^epochs 11-100: at least twice the floor in {n} of 90 epochs,\s+"
                               r"more than 5% above the floor in {n} of 90$")
    assert spikes == page.glue["calm_spikes"] == 0
    assert off == page.glue["calm_off"] > 45  # most of the 90 epochs
    assert "throws the line off again and again" not in page.markdown
    assert "Those batches cause the spikes" not in page.markdown and "add the spikes" not in page.markdown
    assert page.says("This run does not tell which of the two causes makes more of the spikes at 0.8")


def test_the_fastest_steplr_setting_flattens_after_its_second_drop(page):
    (frozen,) = page.numbers(r"from epoch 21 the training loss varies by {n}%")
    assert frozen / 100 == pytest.approx(page.glue["steplr_fastest_frozen"], abs=1e-3)
    assert page.glue["steplr_fastest_frozen"] < 0.05


def test_the_valleys_smallest_rate_is_said_not_to_have_settled(page):
    # "the smallest of them only just, and the table below shows it has not settled on the training loss"
    smallest = page.glue["sweep_good"][0]
    row = re.search(rf"^ *constant {smallest:.2g} \|.*\| +(\S+)$", page.text, flags=re.M)
    assert row and row.group(1) == "never"
    assert page.says("the smallest of them only just, and the table below shows it has not settled")
