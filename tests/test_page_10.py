"""Page 10 (autoencoders): what its prose says, checked against what its cells printed and recorded."""

import inspect
import math
import re

import pytest

from linreg import digits

pytestmark = pytest.mark.site


@pytest.fixture(scope="module")
def page(executed_page):
    return executed_page("10-autoencoders")




def test_the_page_shows_both_ways_of_writing_the_model(page):
    assert "How linreg does it: models.Autoencoder" in page.text
    assert "How linreg does it: models.SequentialAutoencoder" in page.text
    assert "self.encoder = nn.Sequential(" in page.text


def test_the_page_shows_its_training_loop_with_each_image_as_its_own_target(page):
    assert "def train_autoencoder(" in page.code
    assert "TensorDataset(data.x_train, data.x_train)" in page.code
    assert re.search(r"fit\(model, nn\.MSELoss\(\), optimizer, train_loader, epochs,\s+val_loader=val_loader\)",
                     page.code)


def test_the_page_shows_how_the_tanh_error_floor_is_computed(page):
    assert "How linreg does it: digits.tanh_error_floor" in page.text


def test_the_page_shows_how_the_digits_are_loaded_scaled_and_split(page):
    for name in ("digits.sklearn_digits", "digits.scale_pixels", "digits.mnist"):
        assert f"How linreg does it: {name}" in page.text
    assert page.printed("tensor([-1.0000, -0.5000, 0.0000, 0.5000, 1.0000])")  # 0, 4, 8, 12, 16 of 16


def test_the_page_parses_an_idx_file_itself_and_linreg_agrees(page):
    assert "def parse_idx(raw):" in page.code and "np.frombuffer(raw, dtype=np.uint8" in page.code
    assert page.printed("magic number 0x00000803, 24 bytes")
    assert page.printed("digits.read_idx_images gives the same array: True")
    for name in ("digits.read_idx_images", "digits.read_idx"):
        assert f"How linreg does it: {name}" in page.text


def test_the_compression_ratio_is_computed_on_the_page(page):
    assert "ratio = data.n_pixels / sequential.latent" in page.code
    assert "compression_ratio" not in page.code


def test_targets_sit_on_the_bounds_of_tanh_which_float32_reaches_just_below_minus_9(page):
    assert 0 < page.glue["share_ink"] < page.glue["share_paper"] < 1
    assert page.printed(f"training pixels at exactly -1: {page.glue_text['share_paper']}, "
                        f"at exactly +1: {page.glue_text['share_ink']}")
    assert page.says(f"{page.glue_text['share_paper']} of the training pixels at exactly $-1$ and "
                     f"{page.glue_text['share_ink']} at exactly $+1$")
    assert page.printed("z = -9.1: tanh(z) = -1.00000000 in float32")
    assert page.printed("z = -9.0: tanh(z) = -0.99999994 in float32")
    slopes = [(float(f32), float(f64)) for f32, f64 in
              re.findall(r"slope (\S+) \(float32\), (\S+) \(float64\)$", page.text, flags=re.M)]
    assert len(slopes) == 4
    true = [f64 for _, f64 in slopes]
    assert all(later < earlier for earlier, later in zip(true, true[1:], strict=False))
    # autograd's slope, from the float32 output: above 0 while tanh is above -1, exactly 0 once it is -1
    assert slopes[2][0] > 0 and slopes[3][0] == 0 and page.printed("slope 0.0e+00 (float32), 5.0e-08 (float64)")
    assert page.says("Autograd computes that slope from the float32 output $y$,\nas $1 - y^2$, so it is exactly 0 "
                     "once $\\tanh$ has rounded to $-1$ (where that pixel's error is 0 too)")
    assert "strictly between" not in page.markdown


def test_the_data_set_sizes_are_the_printed_split(page):
    assert page.glue["n_images"] == 1797
    assert page.printed(f"{page.glue['n_train']} train / 270 validation / 270 test")


def tanh_table(page) -> dict[str, tuple[float, float]]:
    """The printed table: pixel range -> (tanh error floor, mean-image error)."""
    rows = re.findall(r"^(\[.*?\]).*?([\d.]+) +([\d.]+)$", page.text, flags=re.M)
    return {name: (float(floor), float(mean)) for name, floor, mean in rows}


def test_pixels_in_minus_1_1_or_0_1_have_no_tanh_error_floor(page):
    table = tanh_table(page)
    assert table["[-1, 1]"][0] == table["[0, 1]"][0] == 0


def test_raw_pixels_have_a_tanh_error_floor_above_the_mean_image_error(page):
    table = tanh_table(page)
    assert table["[0, 16]"][0] > table["[0, 16]"][1]
    assert table["[0, 255]"][0] > table["[0, 255]"][1]
    assert page.glue["raw_floor"] == pytest.approx(table["[0, 16]"][0], abs=1e-3)
    assert page.glue["raw_mean_error"] == pytest.approx(table["[0, 16]"][1], abs=1e-3)


def test_both_versions_have_the_same_parameter_count_and_compute_the_same_function(page):
    n = page.glue["n_parameters"]
    assert page.printed(f"parameters, explicit layers: {n}")
    assert page.printed(f"parameters, nn.Sequential: {n}")
    assert page.printed("same outputs: True")


def test_the_compression_ratios_are_8_and_32(page):
    assert page.glue["compression"] == 8
    assert page.glue["compression_2d"] == 32


def test_twenty_epochs_are_twenty_times_the_batches_per_epoch(page):
    batches = page.glue["batches"]
    assert batches == math.ceil(page.glue["n_train"] / 64)
    assert page.glue["steps"] == 20 * batches


def test_an_mnist_epoch_takes_about_40_times_as_many_steps(page):
    kept = round(60_000 * (1 - inspect.signature(digits.mnist).parameters["val_fraction"].default))
    prose = " ".join(page.markdown.split())
    assert kept == 50_000 and "keeps 50,000 of MNIST's 60,000" in prose
    assert "about 40 times as many steps" in prose
    assert math.ceil(kept / 64) / page.glue["batches"] == pytest.approx(40, abs=1)  # batches of 64 on both


def test_both_losses_fall_at_every_epoch(page):
    for losses in (page.glue["train_losses"], page.glue["val_losses"]):
        assert len(losses) == 20
        assert all(later < earlier for earlier, later in zip(losses, losses[1:], strict=False))


def test_the_validation_loss_is_still_falling_over_the_last_five_epochs(page):
    assert page.glue["val_last5_drop"] > 0.05  # "more epochs would still help"
    val = page.glue["val_losses"]
    assert page.printed(f"validation loss at epoch 15: {val[-6]:.4f}, at 20: {val[-1]:.4f}, "
                        f"{page.glue_text['val_last5_drop']} lower")
    assert page.says(f"by {page.glue_text['val_last5_drop']} over the last five epochs (printed above)")


def test_validation_stays_close_to_training_on_the_final_model(page):
    assert 0 <= page.glue["val_over_train"] < 0.25
    final_train = printed_number(page, r"training loss of the final model:\s+([\d.]+)")
    assert final_train == pytest.approx(page.glue["final_train"], abs=1e-4)
    assert page.glue["val_over_train"] == pytest.approx(page.glue["val_losses"][-1] / final_train - 1, abs=0.01)


def test_training_lies_above_validation_in_the_early_epochs_the_page_names(page):
    above = page.glue["train_above"]
    train, val = page.glue["train_losses"], page.glue["val_losses"]
    assert above == [epoch for epoch in range(1, 21) if train[epoch - 1] > val[epoch - 1]]
    assert above == [1, 2, 3, 4, 7]  # a run from epoch 1, then one later crossing
    assert page.printed(f"epochs whose training loss is above the validation loss: {above}")
    gaps = [train[e - 1] / val[e - 1] - 1 for e in above]
    assert page.printed("by: " + ", ".join(f"{gap:.0%}" for gap in gaps))
    assert page.glue_text["train_above_early"] == "1–4" and page.glue["train_above_later"] == [7]
    assert page.glue_text["later_gap"] == f"{gaps[-1]:.0%}"
    assert page.says("In epochs 1–4 the training loss lies *above* the validation loss")
    falls = {e: 1 - val[e - 1] / val[e - 2] for e in range(5, 21)}  # the validation loss's fall within epoch e
    assert page.printed("validation loss fall in each epoch from 5 on: "
                        + ", ".join(f"{e}: {fall:.0%}" for e, fall in falls.items()))
    assert max(falls, key=falls.get) == 7 and page.glue_text["later_fall"] == f"{falls[7]:.0%}"
    assert page.says(f"the lag wins once more at epoch 7, by {page.glue_text['later_gap']}, an epoch in which the "
                     f"validation loss fell by {page.glue_text['later_fall']}, more than in any other epoch from 5 on "
                     "(both printed above)")


def printed_number(page, pattern: str) -> float:
    return float(re.search(pattern, page.text).group(1))


def test_the_final_validation_loss_is_well_below_the_mean_image_error(page):
    val_loss = printed_number(page, r"final validation loss:\s+([\d.]+)")
    assert val_loss == pytest.approx(page.glue["val_losses"][-1], abs=1e-4)
    assert 2 * val_loss < printed_number(page, r"mean-image validation error, for comparison: ([\d.]+)")


def test_every_reconstruction_is_closest_to_its_own_original(page):
    assert page.glue["own"] == 10  # "Each of the ten reconstructions shown is closer to its own original"
    assert page.says("Each of the ten reconstructions shown is closer to its own original than to any of the "
                     "other nine (10 of the 10), though blurred.")
    assert "Each reconstruction is nearer its own original than the other nine are (10 of 10)" in page.alt_containing(
        "Ten 8 by 8 test digits")


def test_the_stricter_nearest_original_test_is_reported_as_computed(page):
    n, own_all = page.glue["own_all"]
    (shown, printed_n, printed_share) = page.numbers(
        r"closest to their own original: {n} of the 10 shown;\s+of all {n} test images, {n}%")
    assert shown == page.glue["own"] and printed_n == n == min(2000, 270)
    assert printed_share == pytest.approx(100 * own_all, abs=0.5)
    (label_share,) = page.numbers(r"closest to an original of the same digit: {n}%")
    assert label_share == pytest.approx(100 * page.glue["same_label"], abs=0.5)
    assert own_all <= page.glue["same_label"]  # own original implies the same digit
    assert own_all > 0.5  # most of all test images
    assert page.says(f"of all {n} test images, {page.glue_text['own_all'].split(', ')[1]} come out closest")
    assert "first 270" not in page.markdown and "first 270" not in page.text


def test_reconstructions_are_blurrier_than_the_originals(page):
    assert page.glue["step_reconstructions"] < page.glue["step_originals"]  # "They come out smoother"
    assert page.says("loses some of what sets one image\napart from the others of its digit")
    assert page.glue["own_all"][1] < 1  # some reconstructions are nearer another image than their own


def test_in_the_2d_code_space_neighbours_mostly_show_the_same_digit(page):
    assert page.glue["same_digit"] > 0.3  # "about one in ten" by chance


def test_all_against_all_distances_are_bounded_for_mnist(page):
    assert "[:2000]" in page.code and "min(2000, len(data.x_test))" in page.code
    assert "torch.cdist(codes, codes)" not in page.code
    assert page.glue["n_sampled"] == min(2000, int(page.glue_text["n_train"].replace(",", "")))
    assert page.printed(f"(of {page.glue_text['n_sampled']} codes)")


def test_a_code_of_2_numbers_reconstructs_worse_than_a_code_of_8(page):
    latent_2 = printed_number(page, r"latent 2: final validation loss ([\d.]+)")
    latent_8 = printed_number(page, r"\(latent 8: ([\d.]+)\)")
    assert latent_2 > latent_8
    assert (page.glue["val_2d"], page.glue["val_8"]) == pytest.approx((latent_2, latent_8), abs=1e-4)
    assert page.says(f"validation loss {page.glue_text['val_2d']} against {page.glue_text['val_8']}")


def test_a_reloaded_state_dict_gives_identical_outputs(page):
    assert page.printed("identical outputs after loading: True")


def test_explicit_and_sequential_models_train_identically_from_the_same_seed(page):
    assert page.printed("identical validation losses: True")


# --- exercises: every solution states its answer in words


def answers(page) -> list[str]:
    return re.findall(r"^Answer.*$", page.text, flags=re.M)


def test_every_solution_prints_an_answer(page):
    solutions = [cell for cell in page.notebook.cells if "solution" in cell.metadata.get("tags", [])]
    assert len(answers(page)) == len(solutions) == 4


def test_a_smaller_code_reconstructs_worse(page):
    rows = re.findall(r"^latent +(\d+): compression +[\d.]+x, final validation loss ([\d.]+)$", page.text, flags=re.M)
    losses = {int(latent): float(loss) for latent, loss in rows}
    assert sorted(losses) == [4, 8, 16]
    assert losses[4] > losses[8] > losses[16]  # "the more the code compresses, the higher the validation loss"
    assert losses[8] == pytest.approx(page.glue["val_losses"][-1], abs=1e-4)


def test_raw_pixels_end_just_above_their_tanh_error_floor_and_above_the_mean_image(page):
    raw = printed_number(page, r"final validation loss on raw pixels: ([\d.]+)")
    floor = printed_number(page, r"tanh error floor of those targets: +([\d.]+)")
    mean_image = printed_number(page, r"mean-image error on raw pixels: +([\d.]+)")
    in_raw_units = printed_number(page, r"in raw units: ([\d.]+)")
    assert floor <= raw < 1.01 * floor
    (train_floor,) = page.numbers(r"the training images': {n}, as above")
    assert f"{train_floor:.1f}" == page.glue_text["raw_floor"]  # the body's floor, from the training images
    assert raw > mean_image  # "times the error of always drawing the mean image": worse than knowing nothing
    assert in_raw_units == pytest.approx(page.glue["val_losses"][-1] * 8**2, abs=0.01)  # (16 / 2)²
    assert raw / in_raw_units > 5


def test_saving_the_whole_object_fails_a_safe_load_and_the_state_dict_does_not(page):
    assert page.printed("UnpicklingError: ... Unsupported global: GLOBAL linreg.models.SequentialAutoencoder ...")
    assert page.printed("a zip archive: True holding ['whole-model/data.pkl']")
    assert page.printed("identical outputs after loading: True")


def test_a_missing_mnist_directory_says_which_files_were_expected(page):
    from linreg import digits

    message = re.search(r"^FileNotFoundError: MNIST directory not found: .*$", page.text, flags=re.M).group()
    assert all(name in message for name in digits.MNIST_FILES.values())


def test_the_page_takes_every_size_from_the_data(page):
    assert "digits.load_digit_images(seed=0)" in page.code
    assert ".view(-1, 8, 8)" not in page.code and "(x_train + 1) * 8" not in page.code
    assert "images.view(-1, *data.image_shape)" in page.code


def test_both_loader_functions_and_the_gzip_reader_are_shown(page):
    for name in ("digits.load_digit_images", "digits.sklearn_digits", "digits.read_idx", "digits._read_bytes"):
        assert f"How linreg does it: {name}" in page.text


def test_the_code_size_answer_states_its_budget(page):
    (answer,) = [a for a in answers(page) if "16x gives" in a]
    assert answer.startswith("Answer: after 20 epochs, the more the code compresses")


# The latent-space explorable (issue 23)

def test_the_explorable_decodes_a_grid_with_the_pages_own_2d_decoder_and_codes(page):
    assert ("latent_explorer.latent_explorer(\n"
            "    model_2d.decode, codes, data.labels_train,\n"
            "    image_shape=data.image_shape, start=0, size=21,\n)") in page.code
    assert "interactive.explorable(explorer, name=\"latent\", fallback=fig," in page.code
    assert page.glue["grid_side"] == 21
    steps = page.glue_text["grid_steps"].split(" and ")
    assert page.printed(f"21 x 21 decodes, {steps[0]} apart across and {steps[1]} up;")
    assert page.says(f"a grid of 21 × 21 points of the plane ({page.glue_text['grid_steps']} apart across and up)")


def test_the_explorable_starts_at_the_first_training_images_code_which_the_page_prints(page):
    label, code1, code2 = re.search(r"the first training image, a (\d), has the code \((-?[\d.]+), (-?[\d.]+)\)",
                                    page.text).groups()
    first_labels = re.search(r"labels: \[(\d)", page.text).group(1)  # the first of the ten shown at the top
    assert label == first_labels == str(page.glue["start_label"])
    assert page.glue_text["start_code"] == f"{code1}, {code2}"
    assert page.says(f"the code of the first training image, the {label} that comes first among the ten training "
                     f"digits near the top of the page, at ({code1}, {code2})")


def test_the_start_digit_lies_among_another_digits_codes_as_the_page_says(page):
    neighbour, count = page.glue["start_neighbours"]
    assert neighbour == page.glue["start_neighbour_label"] != page.glue["start_label"]
    assert count > 10  # most of its 20 nearest codes: "among the 7s"
    counts = re.search(r"digits of its 20 nearest training codes: (\{.*\})", page.text).group(1)
    assert f"{neighbour}: {count}" in counts and sum(map(int, re.findall(r": (\d+)", counts))) == 20
    assert page.says(f"This {page.glue['start_label']} landed among the {neighbour}s "
                     f"({count} of its 20 nearest training codes are {neighbour}s)")


def test_the_explorable_comes_before_saving_and_both_ways_of_saving_follow_their_colon(page):
    md = page.markdown
    assert md.index("### Moving through the code plane") < md.index("## Saving and loading the trained model")
    saving = md[md.index("## Saving and loading"):]
    assert "Both, side by side:" in saving and "### Moving through" not in saving


def test_on_mnist_the_page_says_which_cells_do_not_run_and_why(page):
    assert "every cell of this page runs on it unchanged" not in page.markdown
    assert page.says("Every cell of this page but the code-plane explorable's runs on it unchanged")
    assert page.says("on MNIST its cell stops with an error that says so. Skip it there")
    assert page.says("(or run the page on MNIST, skipping the explorable)")


def test_figure_words_hold_at_every_width(page):
    assert page.alt_containing("Ten low-resolution 8 by 8 handwritten digits")
    assert page.alt_containing("Ten 8 by 8 test digits, each above the autoencoder's reconstruction of it.")
    for wording in ("row of ten", "rows of ten", "(top)", "(bottom)", "on top,"):
        assert wording not in page.markdown and wording not in page.text


def test_the_farthest_grid_point_from_any_training_code_is_the_one_the_prose_cites(page):
    farthest = printed_number(page, r"farthest from any training code: ([\d.]+)")
    assert farthest == pytest.approx(page.glue["farthest"], abs=0.005)
    assert page.says(f"up to {page.glue_text['farthest']} on this grid")
    assert farthest > 1  # a corner well away from the codes, worth the visit the prose suggests


def test_the_static_fallback_says_what_it_shows_in_words_true_at_every_width(page):
    # the phone rendering stacks the two panels: no "left" or "right" in the alt text or the captions
    alt = page.alt_containing("Second panel: the images the decoder draws at a grid of points over the same plane")
    assert alt.startswith("First panel: the 2-D codes of the training digits")
    assert '"with the training codes."' in page.code  # the live figure's caption
    assert page.says("(the scatter, and the decodes of every third grid point)")


def test_the_table_of_idx_type_codes_read_idx_reads_is_printed(page):
    table = {f"0x{code:02x}": dtype for code, dtype in digits._IDX_DTYPES.items()}
    assert page.printed(f"IDX type code -> NumPy type (big-endian): {table}")
    assert page.says("the other IDX type codes (their table printed, the functions folded below)")


def test_the_gap_between_training_and_validation_loss_is_called_modest_not_proof(page):
    assert page.says("a modest\ngap, so little sign that the model memorises its training images")
    assert "is not memorising" not in page.markdown
