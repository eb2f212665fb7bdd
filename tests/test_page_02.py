"""The claims page 2 (gradient descent from scratch) makes, checked against its executed outputs."""

import re

import pytest

pytestmark = pytest.mark.site


@pytest.fixture(scope="module")
def page(executed_page):
    return executed_page("02-gradient-descent")


# The code the page teaches is on the page.

def test_the_five_steps_are_written_out_in_a_loop_of_1000_epochs(page):
    loop = page.code[page.code.index("for epoch in range(1000):"):]
    for line in ["yhat = a + b * x", "losses.append((error ** 2).mean())", "a_grad = 2 * error.mean()",
                 "b_grad = 2 * (x * error).mean()", "a, b = a - lr * a_grad, b - lr * b_grad",
                 "final_loss = ((a + b * x - y) ** 2).mean()  # the loss after the last update"]:
        assert line in loop


def test_the_page_says_once_which_moment_each_loss_belongs_to(page):
    assert page.says("*before* that epoch's update (it is the loss whose gradient the update uses)")
    assert page.says("The figure plots the loss after each epoch, as every figure on this page does.")


def test_the_packaged_loop_gives_exactly_the_numbers_of_the_written_one(page):
    assert page.glue["library_matches_loop"] is True
    assert "# How linreg does it: scratch.gradient_descent" in page.text  # its source is shown


def test_the_crop_yields_bridge_is_written_in_cells(page):
    for line in ["return x @ w.t() + b", "return torch.sum(difference * difference) / difference.numel()",
                 "loss.backward()", "with torch.no_grad():", "w -= lr * w.grad", "w.grad.zero_()"]:
        assert line in page.code
    assert "crop_yields_by_hand" not in page.code


def test_step_1_is_shown_as_the_library_writes_it(page):
    assert "scratch.initial_parameters(seed=42) gives the same start: True" in page.text
    assert "# How linreg does it: scratch.initial_parameters" in page.text


def test_the_normal_equation_is_written_in_a_cell_and_the_library_closed_form_is_shown(page):
    assert "np.linalg.solve(X.T @ X, X.T @ y)" in page.code and "np.linalg.lstsq(X, y, rcond=None)" in page.code
    assert page.glue["closed_form_matches"] is True
    assert "# How linreg does it: scratch.closed_form" in page.text


def test_the_loss_surface_code_is_shown_open(page):
    shown = [out for cell in page.notebook.cells if cell.cell_type == "code" for out in cell.outputs
             if "How linreg does it: surfaces.loss_surface" in out.get("data", {}).get("text/plain", "")]
    assert len(shown) == 1 and "<details class=\"linreg-source\" open>" in shown[0]["data"]["text/html"]


def test_the_walk_starts_at_weight_minus_15_and_bias_minus_10_in_the_code(page):
    assert "init=(-10.0, -15.0)" in page.code and "record_steps=True" in page.code
    assert "weight -15 -> " in page.text and "bias -10 -> " in page.text


# The data.

def test_recipe_a_has_80_training_and_20_validation_points(page):
    assert "training: (80, 1)  validation: (20, 1)" in page.text


def test_the_split_is_shown_under_the_figure(page):
    assert "# How linreg does it: data.line_data" in page.text and "rng.shuffle(idx)" in page.text


def test_recipe_d_has_60_points_from_minus_3_to_2_9(page):
    assert "60 points, x from -3.0 to 2.9; 12 updates per epoch" in page.text


# Steps 1 to 5, one at a time.

def test_both_gradients_at_the_start_are_negative(page):
    assert page.says("Both gradients are negative")
    assert page.glue["a_grad"] < 0 and page.glue["b_grad"] < 0


def test_one_update_lowers_the_loss(page):
    assert page.glue["loss_after_one"] < page.glue["loss_start"]


# 1000 epochs.

def test_the_loss_falls_more_than_tenfold_to_a_little_below_the_noise_variance(page):
    assert page.glue["loss_drop"] > 10
    assert 0.005 < page.glue["loss_final"] < 0.01  # "a little below 0.1² = 0.01"
    assert page.glue["loss_drop"] == pytest.approx(page.glue["loss_start"] / page.glue["loss_final"])


def test_the_loop_prints_the_loss_after_its_last_update(page):
    printed = page.numbers(r"^after 1000 epochs: a = {n}, b = {n}, MSE = {n}")[2]
    assert printed == pytest.approx(page.glue["loss_final"], abs=5e-6)


def test_the_dip_below_0_01_is_mostly_the_samples_own_noise_and_fitting_removes_a_little_more(page):
    glue = page.glue
    true_line, fitted, expected = page.numbers(
        r"^training MSE of the true line y = 1 \+ 2x: {n} .*\n^training MSE of our fitted line:\s+{n}\n"
        r"^a fitted line's on average, 0.01 x 78 / 80: {n}$")
    assert glue["true_line_loss"] == pytest.approx(true_line, abs=1e-5)
    assert fitted == pytest.approx(glue["loss_final"], abs=1e-5)
    assert expected == pytest.approx(0.01 * 78 / 80) == glue["expected_fit"]
    assert glue["loss_final"] < glue["true_line_loss"] < 0.01  # the fit is below the true line, both below sigma²
    assert glue["fit_gain"] == pytest.approx(glue["true_line_loss"] - glue["loss_final"])
    assert 0 < glue["fit_gain"] < 0.01 - glue["true_line_loss"]  # "most of the dip" is the sample, not the fit
    assert glue["sample_share"] == pytest.approx((0.01 - glue["true_line_loss"]) / (0.01 - glue["loss_final"]))
    assert glue["sample_share"] > 0.5
    assert page.says("That sample is most of the dip")
    assert not page.says("because the line was fitted to these very 80 points")


def test_the_loss_figure_plots_the_loss_after_each_epoch_and_states_the_computed_numbers(page):
    assert 'after = np.append(losses[1:], final_loss)' in page.code
    alt = page.alt_containing("Training loss after each epoch on a log scale")
    first, final, settled = page.numbers(r"{n} after the first epoch, {n} after the last; within 1% of that after "
                                         r"epoch {n} and every epoch that follows", alt)
    assert final == pytest.approx(page.glue["loss_final"], abs=1e-4)
    assert page.glue["loss_after_one"] == pytest.approx(first, abs=0.005)  # the loss after one update, step 5
    assert settled == page.glue["settled_epoch"] and 1 < settled < 1000


def test_gradient_descent_matches_lstsq_to_the_cited_decimals(page):
    assert page.glue["gd_gap"] < 10 ** -page.glue["gd_decimals"]
    assert page.glue["gd_decimals"] >= 4
    printed = {re.search(rf"{method}\s+(a = \S+\s+b = \S+)", page.text).group(1)
               for method in ["np.linalg.lstsq", "normal equation", "sklearn LinearRegression"]}
    assert len(printed) == 1  # "the three exact methods print the same six decimals"


def test_the_best_line_for_the_sample_is_not_the_true_line(page):
    a, b = (float(v) for v in re.search(r"np.linalg.lstsq\s+a = (\S+)\s+b = (\S+)", page.text).groups())
    assert (a, b) != (1.0, 2.0)


# Batch, mini-batch, stochastic.

@pytest.fixture(scope="module")
def variants(page):
    """The variants' sweep: name -> ({learning rate: largest distance over the last 10 epochs}, best rate)."""
    header = re.search(r"^lr\s+(batch\s+mini-batch\s+stochastic)$", page.text, flags=re.M).group(1).split()
    table = page.text[page.text.index("largest distance from the exact answer"):]
    rows = re.findall(r"^(\d\S*)\s+(\S+)\s+(\S+)\s+(\S+)$", table[:table.index("best lr")], flags=re.M)
    best = page.numbers(r"^best lr\s+{n}\s+{n}\s+{n}$")
    return {name: ({float(r[0]): float("inf") if r[k + 1] == "diverged" else float(r[k + 1]) for r in rows}, best[k])
            for k, name in enumerate(header)}


def test_updates_per_epoch_are_1_5_and_80(page):
    assert "updates per epoch: {'batch': 1, 'mini-batch': 5, 'stochastic': 80}" in page.text


def test_each_variant_is_swept_over_the_same_13_rates_and_its_best_is_inside_the_grid(variants):
    grids = {tuple(distances) for distances, _ in variants.values()}
    assert len(grids) == 1 and len(next(iter(grids))) == 13
    for distances, best in variants.values():
        assert distances[best] == min(distances.values())
        assert min(distances) < best < max(distances)


def test_each_at_its_own_rate_batch_ends_closest_and_mini_batch_and_stochastic_about_the_same(page, variants):
    glue = page.glue
    closest = {name: glue[key][1] for name, key in (("batch", "best_batch"), ("mini-batch", "best_mini_batch"),
                                                  ("stochastic", "best_stochastic"))}
    for name, (distances, best) in variants.items():
        assert closest[name] == pytest.approx(distances[best], rel=0.05)  # the table prints two digits
    assert closest["batch"] < closest["mini-batch"] < closest["stochastic"] < 2 * closest["mini-batch"]  # "about"
    assert glue["best_batch"][0] > glue["best_mini_batch"][0] > glue["best_stochastic"][0]


def test_batchs_best_rate_is_the_largest_on_the_grid_before_it_runs_away(page, variants):
    distances, best = variants["batch"]
    runaway_rate, runaway_distance = page.glue["batch_runaway"]
    assert best == page.glue["best_batch"][0] and runaway_rate == min(r for r in distances if r > best)
    assert distances[runaway_rate] == pytest.approx(runaway_distance, rel=0.05)
    assert runaway_distance > 1e6 * distances[best]
    assert runaway_distance > max(distances[r] for r in distances if r < best)  # further than any start
    assert page.says(f"(at the next one up, {page.glue_text['batch_runaway']}), so a finer grid")


def test_stochastic_descent_needs_a_smaller_rate_and_wanders_at_lr_0_1(page, variants):
    glue = page.glue
    assert glue["stochastic_rate_ratio"] == pytest.approx(glue["best_mini_batch"][0] / glue["best_stochastic"][0])
    assert glue["stochastic_rate_ratio"] > 10
    # "roughly 10 to 30 times", "about the ratio of their batch sizes": within one grid step (1.78x) of 16
    assert 10 <= glue["stochastic_rate_ratio"] <= 30
    assert glue["batch_size_ratio"] == 16 and glue["updates_per_epoch"] == [80, 5]
    assert glue["batch_size_ratio"] / 1.78 < glue["stochastic_rate_ratio"] < glue["batch_size_ratio"] * 1.78
    assert page.says("at the ends of the last 10 epochs (after each epoch's last update)")
    assert glue["stochastic_at_01"] == pytest.approx(variants["stochastic"][0][0.1], rel=0.05)
    assert glue["stochastic_at_01"] > 10 * glue["best_stochastic"][1]
    assert not page.says("yet ends further away")


# Learning rates.

def test_lr_0_01_stops_short_and_lr_0_1_reaches_the_minimum(page):
    assert page.glue["distance_small"] > 0.1
    assert page.glue["distance_good"] < 1e-4


def test_lr_0_9_diverges_moving_further_out_every_epoch(page):
    assert page.glue["large_grows"] is True
    assert page.glue["loss_large"] > 100 * page.glue["loss_start"]


def test_the_loss_of_lr_0_9_is_the_one_after_its_15_epochs(page):
    assert page.numbers(r"^lr 0\.9: \S+ from the minimum at the start, \S+ after 15 epochs, MSE {n}$")[0] == round(
        page.glue["loss_large"])
    assert page.says(f"after 15 epochs the loss has grown to {page.glue_text['loss_large']}")


def test_lr_2_stops_with_a_diverged_error(page):
    assert "DivergedError: training diverged at epoch" in page.text


# The loss surface.

def test_the_gradient_points_along_the_weight_for_two_reasons_curvature_and_the_start(page):
    glue = page.glue
    best_weight, best_bias = page.numbers(r"weight -15 -> \S+ \(best {n}\), bias -10 -> \S+ \(best {n}\)")
    assert glue["start_weight_off"] == pytest.approx(best_weight + 15, abs=1e-3)
    assert glue["start_bias_off"] == pytest.approx(best_bias + 10, abs=1e-3)
    assert glue["start_weight_off"] > glue["start_bias_off"] > 0
    assert glue["start_gradient_axes_ratio"] == pytest.approx(
        glue["steepness"] * glue["start_weight_off"] / glue["start_bias_off"])
    weight_gradient, bias_gradient, ratio = page.numbers(
        r"^gradient at the start, all 60 points: weight {n}, bias {n}; ratio {n}$")
    assert glue["start_gradient"] == pytest.approx([weight_gradient, bias_gradient], abs=0.05)
    assert glue["start_gradient_ratio"] == pytest.approx(ratio, abs=0.05)
    assert weight_gradient < bias_gradient < 0  # both point back towards the minimum, the weight's far more
    # "the mixed term takes a little off the bias's part": the full ratio is larger than the axes-only one, by < 20%
    assert glue["start_gradient_axes_ratio"] < glue["start_gradient_ratio"] < 1.2 * glue["start_gradient_axes_ratio"]
    assert page.says(f"The full gradient, printed above the 3-D figure, is {page.glue_text['start_gradient']}")
    assert page.says("Two things make the gradient point mostly along the weight.")


def test_the_loss_curves_more_steeply_along_the_weight_by_the_mean_of_x_squared(page):
    assert page.glue["steepness"] > 2
    assert page.glue["first_weight_move"] > 3 * page.glue["first_bias_move"] > 0
    assert page.says(f"the mean of $x^2$ is {page.glue_text['steepness']}: it is this average, not the largest input")
    assert f"{page.glue_text['steepness']} times more steeply along the weight" in page.alt_containing("3-D bowl")
    assert "seen from the corner of large weight and low bias" in page.alt_containing("3-D bowl")
    assert abs(page.glue["mean_x"]) < 0.1  # "the mixed derivative ... is close to zero"
    assert not page.says("reach $\\pm 3$")


def test_after_10_epochs_the_weight_is_found_and_the_bias_is_not(page):
    glue = page.glue
    assert glue["walk_weight_off"] < 0.1 < glue["walk_bias_off"]


def test_the_walk_figures_start_at_weight_minus_15_and_bias_minus_10(page):
    assert "from weight -15, bias -10" in page.alt_containing("Contour plot of the MSE")
    assert "from weight -15, bias -10" in page.alt_containing("Animation:")
    assert "at weight -15, bias -10" in page.alt_containing("3-D bowl")


def test_the_3d_figure_and_the_contour_plot_end_where_the_walk_ends(page):
    weight, bias = page.numbers(r"weight -15 -> {n} \(best \S+\), bias -10 -> {n}")
    for alt in (page.alt_containing("3-D bowl"), page.alt_containing("Contour plot of the MSE")):
        assert f"weight {weight:.2f}, bias {bias:.2f}" in alt


def test_the_figures_star_the_minimum_and_the_page_keys_the_markers(page):
    best_weight, best_bias = page.numbers(r"weight -15 -> \S+ \(best {n}\), bias -10 -> \S+ \(best {n}\)")
    assert "minimum=minimum" in page.code[page.code.index("surface_3d_figure("):]
    for alt in (page.alt_containing("3-D bowl"), page.alt_containing("Contour plot of the MSE")):
        assert re.search(rf"minimum (\(the star\) )?at weight {best_weight:.2f}, bias {best_bias:.2f}\.", alt)
    assert "(the ringed dot), short of the least-squares minimum (the star)" in page.alt_containing("3-D bowl")
    assert page.says("white-ringed dot is where the walk ends") and page.says("white-ringed dot is where the run ends")


def test_with_lr_0_1_the_walk_ends_closer_to_the_minimum_than_with_0_01(page):
    alt = page.alt_containing("Both paths")
    fast, slow = (float(v) for v in re.search(r"lr 0.1 ends (\d+\.\d+) from the minimum, lr 0.01 (\d+\.\d+)",
                                              alt).groups())
    assert fast < 0.05 < slow


# Crop yields.

def test_the_crop_loss_falls_more_than_tenfold_and_predictions_move_towards_the_targets(page):
    glue = page.glue
    assert glue["crop_drop"] > 10
    before, after, worst = page.numbers(r"^average miss {n} before, {n} after; largest after {n}$")
    assert (glue["crop_miss_before"], glue["crop_miss_after"], glue["crop_worst_after"]) == pytest.approx(
        (before, after, worst), abs=0.05)
    assert glue["crop_miss_after"] < glue["crop_miss_before"]
    assert glue["crop_worst_after"] > glue["crop_miss_after"]


def test_exercises_have_collapsed_solutions(page):
    solutions = [c for c in page.notebook.cells if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) == 2


# Run it in your browser (issue 12): tests/test_explorables_browser.py runs it; here, what the page says.

def test_the_plain_python_block_prints_the_loops_a_and_b(page):
    loop = re.search(r"after 1000 epochs: a = (\S+), b = (\S+), MSE", page.text)
    assert page.text.count(loop.group(0)) == 2  # the NumPy loop's line, and the plain-Python code's, run by exec
    assert (page.glue_text["loop_a"], page.glue_text["loop_b"]) == (loop.group(1).rstrip(","), loop.group(2))


def test_the_plain_python_block_is_shown_as_an_editable_box_with_the_five_steps(page, built_site):
    from test_site import page_html

    html = page_html(built_site, "tutorials/02-gradient-descent.ipynb")
    box = re.search(r'<textarea[^>]*id="linreg-run-descent-code"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    for step in ("# step 1", "# step 2", "# step 3", "# step 4", "# step 5"):
        assert step in box
    assert "numpy" not in box and "np." not in box


# The learning-rate explorable.

def test_the_explorable_holds_19_runs_from_0_01_to_1_78(page):
    assert page.glue["explorer_runs"] == 19
    assert page.says("learning rates from 0.01 to 1.78, eight per factor of ten")


def test_the_explorable_reports_the_loops_final_parameters_at_lr_0_1(page):
    assert page.glue_text["explorer_final_at_lr_01"] == (f"b = {page.glue_text['loop_b']}, "
                                                        f"a = {page.glue_text['loop_a']}")


def test_rates_from_the_cited_one_to_the_largest_steady_one_reach_the_answer_and_larger_ones_diverge(page):
    glue = page.glue
    assert 0.01 < glue["explorer_on_target"] <= 0.1 < glue["explorer_largest_steady"] < glue["explorer_first_diverged"]
    assert 0 < glue["explorer_diverged_at"] < 1000
    assert page.says(f"From {glue['explorer_on_target']:g} to {glue['explorer_largest_steady']:g}, every run ends "
                     "within 0.0001 of the exact answer")
    assert page.says("the largest of these rates that converges")
    # "Slide left below it ... stops short": explorer_on_target is the smallest rate that ends on target
    assert page.says(f"**Slide left** below {glue['explorer_on_target']:g} and the path still heads for the star")
    assert not page.says("Slide left from 0.1")
    assert not page.says("the largest rate that still converges")


def test_sliding_right_keeps_the_route_until_the_zigzag_and_arrives_sooner(page):
    rows = re.findall(r"^lr (\S+)\s+within 0.0001 from epoch\s+(\d+), path length\s+(\S+),\s+(\d+) steps turning back",
                      page.text, flags=re.M)
    measured = {float(lr): (int(epoch), float(length), int(back)) for lr, epoch, length, back in rows}
    glue = page.glue
    assert min(measured) == 0.1 and max(measured) == glue["explorer_largest_steady"]
    epochs = [measured[lr][0] for lr in sorted(measured)]
    assert epochs == sorted(epochs, reverse=True)  # a larger rate arrives sooner
    assert (glue["arrive_01"], glue["arrive_largest"]) == (epochs[0], epochs[-1])
    zigzag = glue["first_zigzag"]
    assert all(back == 0 for lr, (_, _, back) in measured.items() if lr < zigzag)
    assert all(back > 0 for lr, (_, _, back) in measured.items() if lr >= zigzag)
    same_route = [length for lr, (_, length, _) in measured.items() if lr < zigzag]
    assert max(same_route) < 1.05 * min(same_route)  # "keeps the same route"
    longest = max(length for _, length, _ in measured.values())
    assert glue["length_largest"] == pytest.approx(longest, abs=0.005) and longest > 3 * glue["length_01"]
    assert glue["turning_largest"] == measured[max(measured)][2]
    assert page.says(f"below {glue['first_zigzag']:g} the path keeps the same route")
    assert not page.says("the path shortens")


def test_the_zigzag_count_leaves_out_rounding_flips_and_says_so(page):
    glue = page.glue
    assert "def steps_turning_back(run, tol=1e-12):" in page.code
    assert page.says("The count leaves out steps shorter than $10^{-12}$")
    any_length, last = page.numbers(r"^lr \S+, counting steps of any length: {n} turning back; "
                                    r"its last 100 steps are at most {n} long$")
    assert glue["turning_any_length"] == any_length > glue["turning_largest"] > 0
    assert glue["last_steps"] == pytest.approx(last, rel=0.5) and glue["last_steps"] < 1e-12
    assert page.says(f"would give {glue['turning_any_length']}")


def test_the_explorables_static_figure_circles_a_tie_not_a_best_rate(page):
    alt = page.alt_containing("Final training loss against learning rate")
    low, high = page.glue["explorer_tied"]
    assert f"every rate from {low:g} to {high:g} ends within one part in a million of that (circled: a tie" in alt
    assert high == page.glue["explorer_largest_steady"] and low < page.glue["explorer_on_target"]
    assert "plots.lr_sweep(\n    rates, final_losses," in page.code
    assert "lowest * (1 + 1e-6)" in page.code  # its tie rule
    assert f"the runs at {page.glue_text['explorer_first_diverged']}," in alt


def test_the_divergence_check_the_prose_describes_is_shown_under_the_loop(page):
    assert "How linreg does it: _checks.check_finite_loss" in page.text
    assert "if math.isfinite(loss):" in page.text and "raise DivergedError(" in page.text
    assert page.says("(`check_finite_loss`, which raises `DivergedError` once the loss is no longer a finite number)")
