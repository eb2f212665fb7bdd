"""Figures of a hyperparameter search (page 12): where each method looked, and how fast it found its best.

Both read only the [`Trial`][linreg.tuning.Trial] records that
[`linreg.tuning`][linreg.tuning]'s searches return, so a page can draw any
search it ran: [`trials_figure()`][linreg.search_plots.trials_figure] puts every
trial on the search space, [`best_so_far_figure()`][linreg.search_plots.best_so_far_figure]
draws the best loss found after each trial. Like every figure of the site, they
come back with their alternative text (see [`linreg.display`][linreg.display]).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from linreg.tuning import Range, Trial, _check_space, _check_trials, best_so_far, best_trial

__all__ = ["best_so_far_figure", "trials_figure"]


def _check_results(results: Any) -> dict[str, list[Trial]]:
    if not isinstance(results, Mapping) or not results:
        raise TypeError("results must be a non-empty dict of method name -> list of Trial")
    return {name: _check_trials(trials, f"results[{name!r}]") for name, trials in results.items()}


def _padded(interval: Range) -> tuple[float, float]:
    """The interval widened by 4% on each side (of its orders of magnitude, on a log scale), for axis limits."""
    if interval.log:
        factor = (interval.high / interval.low) ** 0.04
        return interval.low / factor, interval.high * factor
    margin = 0.04 * (interval.high - interval.low)
    return interval.low - margin, interval.high + margin


def _fmt(value: float) -> str:
    return f"{value:#.3g}"  # three significant figures, trailing zeros kept: 0.00650, as the pages print it


def _check_steps(steps: Any, results: Mapping[str, Sequence[Trial]]) -> dict[str, tuple[str, ...]]:
    """``steps`` as a dict of method -> one step name per trial, checked against ``results``."""
    if steps is None:
        return {}
    if not isinstance(steps, Mapping):
        raise TypeError(f"steps must be a dict of method name -> the step that proposed each trial, got {steps!r}")
    checked = {}
    for method, names in steps.items():
        if method not in results:
            raise ValueError(f"steps names {method!r}, which is not a method of results {sorted(results)}")
        names = tuple(names) if isinstance(names, Sequence) and not isinstance(names, str) else None
        if names is None or len(names) != len(results[method]) or not all(isinstance(n, str) for n in names):
            raise ValueError(f"steps[{method!r}] must give one step name (a string) per trial: "
                             f"{len(results[method])} of them")
        checked[method] = names
    return checked


def trials_figure(results: Mapping[str, Sequence[Trial]], space: Mapping[str, Range], *,
                  x: str, y: str, title: str = "Where each search looked",
                  steps: Mapping[str, Sequence[str]] | None = None):
    """One panel per method: every trial at its ``(x, y)`` parameters, coloured by loss, the best one ringed.

    The colour scale (log) is shared by all panels, so a colour means the same
    loss everywhere; diverged trials are drawn as crosses. ``steps`` may name,
    for a method, the step that proposed each of its trials (Ax's ``AxSearch.nodes``,
    as [`budget_explorer()`][linreg.budget_explorer.budget_explorer] takes them):
    the trials placed before its model existed are drawn as diamonds, those the model
    chose ([`MODEL_STEP`][linreg.budget_explorer.MODEL_STEP]) as dots. The
    alternative text names each method's best trial and loss, and says how many
    trials of each kind there are.

    Examples:
        >>> from linreg.tuning import grid_points, run_trials
        >>> space = {"lr": Range(0.01, 1.0), "momentum": Range(0.0, 0.9)}
        >>> trials = run_trials(lambda p: p["lr"] + p["momentum"] + 0.01, grid_points(space, 2))
        >>> len(trials_figure({"grid": trials}, space, x="lr", y="momentum").axes)  # a panel and a colour bar
        2
    """
    import matplotlib.colors
    from matplotlib.lines import Line2D

    from linreg.budget_explorer import MODEL_STEP
    from linreg.display import describe
    from linreg.style import COLORS, new_figure

    results = _check_results(results)
    space = _check_space(space)
    steps = _check_steps(steps, results)
    for axis, name in (("x", x), ("y", y)):
        if name not in space:
            raise ValueError(f"{axis} must name a parameter of space {sorted(space)}, got {name!r}")
    finite = [t.val_loss for trials in results.values() for t in trials if not t.diverged]
    if not finite or min(finite) <= 0:
        raise ValueError("results need at least one finite, positive loss to colour the trials")
    norm = matplotlib.colors.LogNorm(vmin=min(finite), vmax=max(finite))
    # Panels about 2.5 in wide: the figure is shown near its own size in the content column at 1280 px
    # (at 3.3 in, three panels were shown at 60% and their text at 6-7 px).
    fig, axes = new_figure(ncols=len(results), width=2.5 * len(results) + 1.2, height=3.6)
    summary = []
    for ax, (method, trials) in zip(axes, results.items(), strict=True):
        ok = [t for t in trials if not t.diverged]
        before_model = [t for t in ok if method in steps and steps[method][t.number - 1] != MODEL_STEP]
        # Circles for the trials a model chose (or every trial of a method without steps), diamonds for those
        # placed before it: a shape reads in both palettes, where hollow rings of the darkest viridis colours
        # would sink into the dark background.
        handles = []
        for shown, marker in (([t for t in ok if t not in before_model], "o"), (before_model, "D")):
            if not shown:
                continue
            points = ax.scatter([t.params[x] for t in shown], [t.params[y] for t in shown],
                                c=[t.val_loss for t in shown], cmap="viridis", norm=norm, marker=marker,
                                s=42 if marker == "o" else 36, edgecolors=COLORS["ink"], zorder=3,
                                linewidths=0.9)  # the darkest viridis dots keep a visible ring on the dark palette
        if before_model:
            handles.append(Line2D([], [], ls="none", marker="D", markersize=5.5, markerfacecolor="none",
                                  markeredgecolor=COLORS["ink"], label="before the model"))
        bad = [t for t in trials if t.diverged]
        if bad:
            handles.append(ax.scatter([t.params[x] for t in bad], [t.params[y] for t in bad], marker="x", s=50,
                                      color=COLORS["red"], label="diverged", zorder=3))
        best = best_trial(trials)
        # ink, not a hue: an orange ring would read as random search's orange in the figures beside it
        handles.insert(0, ax.scatter([best.params[x]], [best.params[y]], s=220, facecolors="none",
                                     edgecolors=COLORS["ink"], linewidths=2, zorder=4,
                                     label=f"best: {_fmt(best.val_loss)}"))
        ax.set(title=f"{method} ({len(trials)} trials)", xlabel=x + (" (log scale)" if space[x].log else ""))
        for name, set_scale, set_limits in ((x, ax.set_xscale, ax.set_xlim), (y, ax.set_yscale, ax.set_ylim)):
            set_scale("log" if space[name].log else "linear")
            set_limits(*_padded(space[name]))  # the whole space, the same in every panel
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.22), fontsize=9)
        kinds = (f" ({len(before_model)} placed before its model, drawn as diamonds; "
                 f"{len(ok) - len(before_model)} chosen by the model, as dots)") if method in steps else ""
        summary.append(f"{method}: best loss {_fmt(best.val_loss)} at trial {best.number}, "
                       f"{x} {_fmt(best.params[x])}, {y} {_fmt(best.params[y])}{kinds}")
    axes[0].set_ylabel(y + (" (log scale)" if space[y].log else ""))
    fig.colorbar(points, ax=list(axes), label="validation loss (log scale)")
    fig.suptitle(title, fontweight="bold")
    panels = "one panel" if len(results) == 1 else f"{len(results)} panels, one per search method"
    scale = {name: " on a log scale" if space[name].log else "" for name in (x, y)}
    return describe(fig, (
        f"{panels}, each trial a dot at its {x} (horizontal{scale[x]}) and {y} (vertical{scale[y]}), "
        "coloured by its validation "
        f"loss from {_fmt(min(finite))} to {_fmt(max(finite))}, the best trial ringed. " + "; ".join(summary) + "."))


def best_so_far_figure(results: Mapping[str, Sequence[Trial]], *, zoom: float = 1.25,
                       title: str = "Best validation loss so far"):
    """The lowest loss found after each trial, one step line per method: all of it, and the end up close.

    The left panel shows the whole descent on a log scale; the right one
    zooms on losses up to ``zoom`` times the best any method found (linear
    scale), where the methods' final differences are visible. A curve that
    drops early found a good region with fewer trials. The alternative text
    gives each method's final best loss and the trial that found it.

    Examples:
        >>> fig = best_so_far_figure({"a": [Trial(1, {}, 0.5), Trial(2, {}, 0.1)]})
        >>> [ax.get_yscale() for ax in fig.axes]
        ['log', 'linear']
    """
    import matplotlib.ticker

    from linreg.display import describe
    from linreg.style import new_figure

    results = _check_results(results)
    if isinstance(zoom, bool) or not isinstance(zoom, numbers.Real) or not zoom > 1:
        raise ValueError(f"zoom must be a number greater than 1 (a factor above the best loss), got {zoom!r}")
    fig, (whole, close) = new_figure(ncols=2, width=9.0, height=3.6)
    summary = []
    for method, trials in results.items():
        curve = best_so_far(trials)
        if not np.isfinite(curve[-1]) or curve[-1] <= 0:
            raise ValueError(f"results[{method!r}] needs a finite, positive best loss for a log scale")
        shown = np.where(np.isfinite(curve), curve, np.nan)  # no line until the first finite loss
        for ax in (whole, close):
            ax.step(np.arange(1, len(curve) + 1), shown, where="post", marker="o", markersize=3.5, label=method)
        best = best_trial(trials)
        summary.append(f"{method} ends at {_fmt(best.val_loss)}, found at trial {best.number}")
    overall = min(best_trial(trials).val_loss for trials in results.values())
    whole.set_yscale("log")
    whole.set(title="every trial", xlabel="trial", ylabel="best validation loss so far (log scale)")
    close.set_ylim(overall - 0.05 * (zoom - 1) * overall, zoom * overall)
    close.set(title=f"up close: up to {zoom:g} × the best", xlabel="trial", ylabel="best validation loss so far")
    for ax in (whole, close):
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    close.legend()
    fig.suptitle(title, fontweight="bold")
    return describe(fig, (
        "Step lines of the lowest validation loss found so far against the trial number, one per search "
        "method, on the whole range (left) and close to the best (right): " + "; ".join(summary) + "."))
