"""The claims page 6 (datasets and loaders) makes, checked against its executed outputs."""

import re

import pytest

pytestmark = pytest.mark.site


@pytest.fixture(scope="module")
def page(executed_page):
    return executed_page("06-datasets")


def table_rows(text, header):
    """The rows printed under ``header`` until the first line that is not a table row."""
    lines = text[text.index(header) + len(header):].splitlines()[1:]
    rows = []
    for line in lines:
        if "|" not in line:
            break
        rows.append([cell.strip() for cell in line.split("|")])
    return rows


def test_the_dataset_class_the_page_teaches_is_written_in_a_cell_that_runs(page):
    assert "class LineDataset(Dataset):" in page.code
    assert "from torch.utils.data import DataLoader, Dataset" in page.code
    assert "```python" not in page.markdown  # no code that never runs
    assert "len(dataset) = 200" in page.text


def test_linregs_line_dataset_is_shown_and_gives_the_same_samples(page):
    assert "How linreg does it: datasets.LineDataset" in page.text
    assert page.glue["same_samples"] is True


def test_an_index_past_the_end_raises_index_error_and_iteration_stops(page):
    assert "IndexError: index 200 is out of range for a dataset of 200 samples" in page.text
    assert "iterating stops after 200 samples" in page.text


def test_the_200_samples_make_13_batches_of_16_with_a_last_one_of_8(page):
    assert (page.glue["batches_per_epoch"], page.glue["full_batches"], page.glue["last_batch"]) == (13, 12, 8)
    assert page.says("The 200 samples make 13 batches per epoch: 12 full ones and a last one of 8.")


def test_each_method_gets_its_best_rate_from_the_same_sweep_and_mini_batches_win_one_pass(page):
    rows = table_rows(page.text, "MSE over all 200 points after one pass")
    rates = [1 / float(row[0].removeprefix("1/")) if "/" in row[0] else float(row[0]) for row in rows[1:]]
    full = [float(row[1]) for row in rows[1:]]
    mini = [float(row[2]) for row in rows[1:]]
    assert rates == [2.0**-k for k in range(6, -1, -1)]
    for mses, name in ((full, "best_full"), (mini, "best_mini")):
        best = min(range(len(mses)), key=mses.__getitem__)
        assert 0 < best < len(mses) - 1  # "inside the range tried, with worse results on both sides"
        assert page.glue[name] == pytest.approx([mses[best], rates[best]], abs=5e-5)
    full_best, mini_best = page.glue["best_full"][0], page.glue["best_mini"][0]
    assert mini_best < full_best
    assert page.glue_text["one_pass_gain"] == f"{full_best / mini_best:.1f}"
    assert page.glue["floor"] <= mini_best < 1.2 * page.glue["floor"]  # "close to the least-squares floor"


def test_the_timing_cell_is_tagged_and_the_prose_cites_no_timed_number(page, project_root):
    cells = [cell for cell in page.notebook.cells if "seconds_per_epoch(ways)" in cell.source]
    assert len(cells) == 1 and "timing" in cells[0].metadata.get("tags", [])
    source = (project_root / "docs" / "tutorials" / "06-datasets.ipynb").read_text()
    cited = set(re.findall(r"glue:(\w+)", source))
    assert cited.isdisjoint({"seconds_per_epoch", "seconds_per_step"})


def test_the_timing_text_promises_orderings_and_factors_of_two_only(page):
    assert page.says("so the text below cites none of its numbers. It states orderings, and ratios only as "
                     "rough factors, good to within a factor of two")


def test_per_step_200_samples_cost_about_as_much_as_16(page):
    full, pre_cut, _ = page.glue["seconds_per_step"]
    assert 0.5 < full / pre_cut < 2  # "about as much", though 12.5 times the arithmetic
    assert page.says("Per step, 200 samples cost about as much as 16")
    assert page.says("within a factor of two, either way")


def test_an_epoch_costs_its_steps_times_the_price_and_the_loader_adds_its_own_work(page):
    full, pre_cut, loader = page.glue["seconds_per_epoch"]
    assert full < pre_cut < loader
    assert 13 / 2 < pre_cut / full < 13 * 2  # "roughly 13 times as long"
    assert page.says("takes roughly 13 times as long as the full-batch epoch")


def test_the_split_is_made_with_random_split_and_a_seeded_generator_in_a_cell(page):
    assert ("random_split(dataset, [160, 40],\n                                   "
            "generator=torch.Generator().manual_seed(42))") in page.code
    assert "train: 160 samples in 10 batches; test: 40 samples in 1 batch" in page.text  # one loader per split


def test_the_test_split_is_judged_once_at_the_end_and_validation_is_named(page):
    assert page.says("A **test** split is for judging the finished model, once, at the very end")
    assert page.says("is a **validation** split")
    training_cells = [cell.source for cell in page.notebook.cells
                      if cell.cell_type == "code" and "train_one_epoch(model, optimizer, train_loader)" in cell.source]
    assert training_cells and not any("test" in source for source in training_cells)  # not watched while training
    uses = [cell.source for cell in page.notebook.cells if cell.cell_type == "code"
            and "test_set[:]" in cell.source and "solution" not in cell.metadata.get("tags", [])]
    assert len(uses) == 1  # judged once, in the last section


def test_the_training_run_is_read_in_the_prose(page):
    values = page.glue["split_train_mse"]
    assert len(values) == 4 and len({f"{v:.4f}" for v in values}) == 1  # "the same to four decimals"
    assert page.printed("training MSE after epochs 5, 10, 15, 20: " + ", ".join([f"{values[0]:.4f}"] * 4))
    assert page.says("After epochs 5, 10, 15 and 20 the training MSE is the same to four decimals,\n"
                     f"{values[-1]:.4f},")
    assert page.glue["split_train_mse_last"] == values[-1] and 0.005 < values[-1] < 0.015
    intercept, slope = page.glue["split_learned"]
    assert abs(intercept - 1.5) < 0.01 and abs(slope - 2.0) < 0.01
    assert page.says(f"The learned intercept and slope, {intercept:.3f} and {slope:.3f}, are close to the true")
    assert page.says("Now we judge the `model` trained in the split section above")
    assert "How linreg does it: datasets.seeded_split" in page.text
    assert page.glue["same_split"] is True


def test_the_page_no_longer_says_random_split_needs_cpu_tensors(page):
    assert "random_split` all expect CPU" not in page.markdown
    assert page.says("the samples themselves are never touched")


def test_the_augmenting_dataset_is_shown_with_its_getitem_and_reseed(page):
    assert "show_source(datasets.AugmentedLineDataset, open=True)" in page.code
    assert (
        "def __getitem__(\n        self, index: int | slice\n    ) -> tuple[torch.Tensor, torch.Tensor]:"
        in page.text
    )
    assert "def reseed(self, seed: int) -> None:" in page.text


def test_workers_already_draw_different_numbers_from_numpys_global_generator(page):
    assert page.glue["global_workers_same"] is False


def test_a_dataset_owned_generator_repeats_across_workers_and_epochs(page):
    assert page.glue["owned_workers_same"] is True
    assert page.glue["owned_epochs_same"] is True


def test_seed_worker_and_a_seeded_generator_give_new_reproducible_numbers(page):
    assert page.glue["seeded_workers_differ"] is True
    assert page.glue["seeded_epochs_differ"] is True
    assert page.glue["seeded_repeats"] is True


def test_the_page_shows_seed_worker_and_make_loader_and_wires_them_with_a_seeded_generator(page):
    assert "show_source(datasets.seed_worker" in page.code
    assert "show_source(datasets.make_loader" in page.code
    assert "worker_init_fn=datasets.seed_worker" in page.code
    assert "generator=torch.Generator().manual_seed(seed)" in page.code


def test_predictions_use_the_40_test_points_only(page):
    assert "test points: 40 (test_loader's batch: True);" in page.text
    gap = page.glue["test_line_gap"]
    assert page.printed(f"largest gap between the model's line and the true line: {gap:.3f}")
    assert any(alt.startswith("The 40 test points") and "the dashed true line" in alt
               and f"stay within {gap:.3f} of each other" in alt for alt in page.alts)
    assert 'points_label="test points"' in page.code
    assert 'colors=("green", "red"),\n    dashed=["true line y = 1.5 + 2x"])' in page.code  # red: the true line's


def test_the_test_mse_is_read_against_the_noise_of_the_test_points(page):
    test_mse, noise = page.glue["test_mse"], page.glue["test_true_line_mse"]
    assert page.printed(f"test MSE {test_mse:.4f}")
    assert page.printed(f"the true line y = 1.5 + 2x on the same points: MSE {noise:.4f}")
    assert test_mse > page.glue["split_train_mse_last"]  # "higher than the training MSE"
    assert test_mse == pytest.approx(noise, rel=0.05)  # "the model is not to blame"
    assert noise > 0.01  # "their noise happens to be larger than the recipe's 0.01"
    lowest = page.glue["lowest_test_mse"]
    assert page.printed(f"least squares on these 40 points themselves: MSE {lowest:.4f}")
    assert 0.9 * noise < lowest < noise  # "only gets down to": below the true line, not by much
    assert page.says(f"these 40 points themselves, which a model trained on the other 160 has no way to find,\n"
                     f"only gets down to {lowest:.4f}")
    gap = page.glue["test_line_gap"]
    assert gap < 0.1  # "not to blame": its line is nearer the true line than the noise's deviation, 0.1
    assert page.says(f"The test MSE, {test_mse:.4f}, is higher than the training MSE of "
                     f"{page.glue['split_train_mse_last']:.4f}, but the model is not to blame: its line stays "
                     f"within {gap:.3f} of the true line (dashed in the\nfigure), and the true line itself scores "
                     f"{noise:.4f} on these 40 points")


def test_the_one_pass_gain_is_scoped_to_the_grid_tried(page):
    assert page.says("Each at the best of the seven rates tried, one pass of mini-batches (in one shuffle order, "
                     "the loader's seed 0)")
    sweep = next(cell.source for cell in page.notebook.cells if "after_one_pass = {" in cell.source)
    assert sweep.count("generator=torch.Generator().manual_seed(0)") == 1  # that one order
    assert page.says("(a factor for these seven rates; a finer grid could change it)")
    assert "Each at its own best rate" not in page.markdown


def test_the_worker_and_index_statements_are_scoped(page):
    assert page.says("each with its own copy of the dataset, that call `__getitem__` in parallel")
    assert page.says("(with the default `persistent_workers=False`)")
    assert page.says("an index must be an integer, a slice, a list or a 1-D tensor")
    assert page.says("A `DataLoader`'s sampler never asks for an index past the end")
    assert page.says("a large data set may not fit in GPU memory at all")


def test_exercise_1_answers_that_at_equal_steps_the_full_batch_ends_lower_and_took_less_time(page):
    (full,) = page.numbers(r"^13 full-batch steps \(lr=0.5\): MSE {n}$")
    (mini,) = page.numbers(r"^13 mini-batch steps \(lr=0.25\): MSE {n}$")
    assert page.glue["ex1_full_wins"] is True and full < mini
    assert page.printed(f"Answer: at equal steps the full batch reaches the lower MSE ({full:.4f} against "
                        f"{mini:.4f}; the floor is {page.glue['floor']:.4f})")
    # the mini-batches' rate was the best for one epoch, this very run; the full batch's the best for one step
    assert page.printed("The rates favour the mini-batches, if anything: theirs was chosen for exactly this epoch "
                        "of 13 steps, the full batch's for a single step.")
    per_step_full = page.glue["seconds_per_step"][0]
    loader_epoch = page.glue["seconds_per_epoch"][2]
    assert 13 * per_step_full < loader_epoch  # "13 full-batch steps also took less time than one mini-batch epoch"
    assert page.says("13 full-batch steps (13 times the first row's epoch) take less time than one epoch of the "
                     "loader's 13 mini-batch steps")
    full_time, loader_time = page.glue["ex1_times"]  # computed in the solution from the timing table
    assert full_time == pytest.approx(13 * page.glue["seconds_per_epoch"][0]) and full_time < loader_time
    assert page.printed(f"time: 13 full-batch steps {1e3 * full_time:.1f} ms, the loader's epoch "
                        f"{1e3 * loader_time:.1f} ms")
    assert page.printed(f"the 13 full-batch steps took less time than the loader's epoch ({1e3 * full_time:.1f} "
                        f"against {1e3 * loader_time:.1f} ms)")


def test_exercises_2_to_4_answer_from_their_outputs(page):
    assert "sentinel dataset[500] -> 'out of range'" in page.text
    assert "same seed, same test indices: True" in page.text
    assert "other seed, same test indices: False" in page.text
    assert "distinct epochs out of 3: 3" in page.text
    assert page.text.count("Answer: ") == 4
    assert page.printed("Answer: 3 different sets of jitter in 3 epochs")


def test_the_repeated_jitter_is_described_for_this_unshuffled_demo_and_for_shuffling(page):
    assert page.says("This loader does not shuffle, so here the same samples even get the same jitter every epoch")
    assert page.says("With `shuffle=True` the numbers would land on other samples")
    assert "the same distortions forever" not in page.markdown


def test_the_prose_says_seed_worker_looks_through_a_subset(page):
    assert page.says("for a split, that is the `Subset`, so `seed_worker` looks\n   through it to the dataset inside")
    assert page.says("So in the workers the loader's seed alone decides the jitter")
    assert "while isinstance(dataset, Subset):" in page.text  # the loop, shown in seed_worker's source


def test_the_opening_does_not_claim_that_no_real_data_set_fits_in_a_batch(page):
    assert page.says("Many real data sets do not fit in one batch")
