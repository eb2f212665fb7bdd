"""linreg.search_plots: where each search looked, and how fast it found its best."""

import math

import matplotlib.colors
import numpy as np
import pytest
from matplotlib.markers import MarkerStyle

from linreg import search_plots, tuning
from linreg.display import alt_text
from linreg.tuning import Range, Trial

SPACE = {"lr": Range(0.001, 0.5), "momentum": Range(0.0, 0.95)}


def bowl(params):
    """A cheap objective with its minimum 0.01 at lr 0.2, momentum 0.5."""
    return (params["lr"] - 0.2) ** 2 + (params["momentum"] - 0.5) ** 2 + 0.01


@pytest.fixture(scope="module")
def results():
    return {"grid": tuning.run_trials(bowl, tuning.grid_points(SPACE, 3)),
            "random": tuning.run_trials(bowl, tuning.random_points(SPACE, 9, seed=0))}


def test_trials_figure_has_one_panel_per_method_and_a_shared_colour_bar(results):
    fig = search_plots.trials_figure(results, SPACE, x="lr", y="momentum")
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["grid (9 trials)", "random (9 trials)"]
    assert len(fig.axes) == 3  # two panels and the colour bar


def test_trials_figure_rings_each_methods_best_trial(results):
    fig = search_plots.trials_figure(results, SPACE, x="lr", y="momentum")
    for ax, trials in zip(fig.axes, results.values(), strict=False):
        best = tuning.best_trial(trials)
        ring = ax.collections[-1].get_offsets()
        assert ring.tolist() == [[best.params["lr"], best.params["momentum"]]]


def test_trials_figure_alt_text_names_each_methods_best_loss(results):
    alt = alt_text(search_plots.trials_figure(results, SPACE, x="lr", y="momentum"))
    for name, trials in results.items():
        best = tuning.best_trial(trials)
        assert f"{name}: best loss {best.val_loss:#.3g} at trial {best.number}" in alt


def test_trials_figure_alt_text_says_which_axis_is_on_a_log_scale():
    log_space = {"lr": Range(0.001, 0.5, log=True), "momentum": Range(0.0, 0.95)}
    trials = tuning.run_trials(bowl, tuning.grid_points(log_space, 2))
    alt = alt_text(search_plots.trials_figure({"grid": trials}, log_space, x="lr", y="momentum"))
    assert "at its lr (horizontal on a log scale) and momentum (vertical)," in alt


def test_trials_figure_panels_all_show_the_whole_search_space(results):
    fig = search_plots.trials_figure(results, SPACE, x="lr", y="momentum")
    for ax in fig.axes[:2]:
        (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
        assert x_low < 0.001 and x_high > 0.5 and y_low < 0.0 and y_high > 0.95
    assert fig.axes[0].get_ylim() == fig.axes[1].get_ylim()


def test_trials_figure_draws_diverged_trials_as_crosses():
    trials = [Trial(1, {"lr": 0.1, "momentum": 0.0}, 0.5), Trial(2, {"lr": 0.4, "momentum": 0.9}, math.inf)]
    fig = search_plots.trials_figure({"grid": trials}, SPACE, x="lr", y="momentum")
    assert "diverged" in [text.get_text() for text in fig.axes[0].get_legend().get_texts()]


def test_trials_figure_draws_the_trials_placed_before_the_model_as_diamonds(results):
    steps = {"random": ["CenterOfSearchSpace"] + ["Sobol"] * 4 + ["MBM"] * 4}
    fig = search_plots.trials_figure(results, SPACE, x="lr", y="momentum", steps=steps)
    random_panel = fig.axes[1]
    dots, diamonds = random_panel.collections[:2]
    assert len(dots.get_offsets()) == 4 and len(diamonds.get_offsets()) == 5
    # the diamonds keep the loss colours (and the dots' ink edge): the shape alone tells them apart
    diamond = MarkerStyle("D")
    diamond_outline = diamond.get_path().transformed(diamond.get_transform()).vertices
    assert np.allclose(diamonds.get_paths()[0].vertices, diamond_outline)
    assert len(diamonds.get_array()) == 5
    assert "before the model" in [t.get_text() for t in random_panel.get_legend().get_texts()]
    assert "before the model" not in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    alt = alt_text(fig)
    assert "(5 placed before its model, drawn as diamonds; 4 chosen by the model, as dots)" in alt
    assert alt.count("diamonds") == 1  # grid search has no steps


def test_trials_figure_rings_the_best_trial_in_ink_not_in_a_methods_hue(results):
    from linreg.style import COLORS

    fig = search_plots.trials_figure(results, SPACE, x="lr", y="momentum")
    ring = fig.axes[0].collections[-1]
    assert matplotlib.colors.to_hex(ring.get_edgecolor()[0]).upper() == COLORS["ink"].upper()


@pytest.mark.parametrize(("steps", "message"), [
    ({"Ax": ["MBM"] * 9}, "steps names 'Ax', which is not a method"),
    ({"random": ["MBM"] * 3}, r"steps\['random'\] must give one step name \(a string\) per trial: 9"),
    ({"random": "MBM"}, r"steps\['random'\] must give one step name"),
    (["MBM"], "steps must be a dict"),
])
def test_trials_figure_refuses_steps_that_do_not_fit_the_results(results, steps, message):
    with pytest.raises((TypeError, ValueError), match=message):
        search_plots.trials_figure(results, SPACE, x="lr", y="momentum", steps=steps)


def test_trials_figure_refuses_an_axis_that_is_not_in_the_space(results):
    with pytest.raises(ValueError, match="x must name a parameter"):
        search_plots.trials_figure(results, SPACE, x="batch_size", y="momentum")


def test_best_so_far_figure_draws_each_methods_running_minimum(results):
    fig = search_plots.best_so_far_figure(results)
    for ax in fig.axes:
        lines = ax.get_lines()
        assert [line.get_label() for line in lines] == list(results)
        for line, trials in zip(lines, results.values(), strict=True):
            assert np.array_equal(line.get_ydata(), tuning.best_so_far(trials))
    assert [ax.get_yscale() for ax in fig.axes] == ["log", "linear"]


def test_best_so_far_figure_zooms_on_the_best_loss_found(results):
    fig = search_plots.best_so_far_figure(results, zoom=1.5)
    overall = min(tuning.best_trial(trials).val_loss for trials in results.values())
    low, high = fig.axes[1].get_ylim()
    assert low < overall and high == pytest.approx(1.5 * overall)


def test_best_so_far_figure_alt_text_gives_each_final_best_and_its_trial(results):
    alt = alt_text(search_plots.best_so_far_figure(results))
    best = tuning.best_trial(results["random"])
    assert f"random ends at {best.val_loss:#.3g}, found at trial {best.number}" in alt
