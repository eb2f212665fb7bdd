"""Figures of optimizers at work: loss surfaces with the paths across them, and learning-rate sweeps.

Each function draws results a page computed in view (a [`LossSurface`][linreg.surfaces.LossSurface],
paths from [`linreg.optimizer_paths`][linreg.optimizer_paths] or
[`linreg.scratch.gradient_descent()`][linreg.scratch.gradient_descent], losses of a sweep) and returns a
`matplotlib.figure.Figure` (the animation a [`linreg.animation.Video`][linreg.animation.Video]):

* [`contour_figure()`][linreg.optimizer_plots.contour_figure]: contour lines of the MSE, with paths on them;
* [`surface_3d_figure()`][linreg.optimizer_plots.surface_3d_figure]: the same surface as a 3-D bowl;
* [`learning_rate_figure()`][linreg.optimizer_plots.learning_rate_figure]: one contour panel per run, side by side;
* [`animate_descent()`][linreg.optimizer_plots.animate_descent]: a path descending the contours next to its
  line in data space;
* [`sweep_figure()`][linreg.optimizer_plots.sweep_figure]: a score against the learning rate, one curve per
  optimizer (and, above it, from which step each run stayed near the minimum);
* [`race_sweep_figure()`][linreg.optimizer_plots.race_sweep_figure]: that figure for a race's sweep, with its alt text;
* [`step_losses_figure()`][linreg.optimizer_plots.step_losses_figure]: losses step by step, an optimizer's colour
  for each curve that names it, line styles for its settings, and an alt text that reads the curves.

Paths and curves labelled with an optimization method take the method's colour
([`linreg.style.METHOD_COLORS`][linreg.style.METHOD_COLORS]), so a path and its loss curve can be read together.

Why one module of about 490 lines: it holds one concept, drawing what an optimizer did, and its
figures share the contour drawing (levels, minimum star, start and end markers, the method colours),
which the animation reuses frame by frame; the sweep figures share one per-rate reading of a sweep.
Split by figure kind, each part would import the others' private drawing helpers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from linreg._checks import as_line_arrays, check_positive_int, check_positive_number
from linreg.display import describe
from linreg.narrow import NARROW_WIDTH, narrow_layout
from linreg.style import COLORS, METHOD_COLORS, line_colors, method_of, new_figure
from linreg.surfaces import LossSurface, grid_around, loss_surface

__all__ = [
    "SURFACE_CMAP",
    "PATH_COLORS",
    "contour_figure",
    "surface_3d_figure",
    "learning_rate_figure",
    "animate_descent",
    "sweep_figure",
    "race_sweep_figure",
    "step_losses_figure",
]

SURFACE_CMAP = "viridis"
"""Colour map of the surfaces: perceptually uniform and readable with colour blindness."""
PATH_COLORS = [COLORS[c] for c in ("red", "sky", "purple", "orange", "ink")]
"""Colours of the paths drawn on a surface, in order: neighbours differ in hue and lightness (vermillion, then sky
blue), and each stands out on the viridis contours. Paths labelled with optimization methods take the methods'
colours instead ([`linreg.style.line_colors()`][linreg.style.line_colors])."""
_LINE_STYLES = ["-", "--", ":", "-."]  # settings of one method, told apart within its colour


def _as_paths(paths) -> dict[str, object]:
    if paths is None:
        return {}
    if hasattr(paths, "weights"):
        return {getattr(paths, "name", "") or "path": paths}
    if not isinstance(paths, Mapping):
        raise TypeError("paths must be a path (with .weights and .biases) or a mapping label -> path")
    return dict(paths)


def _levels(losses: np.ndarray, count: int = 14) -> np.ndarray:
    """Contour levels spaced evenly on a log scale: the valley and the walls both get lines."""
    low, high = max(losses.min(), 1e-6), losses.max()
    return np.geomspace(low * 1.05, high, count)


def _draw_contour(ax, surface: LossSurface, paths: Mapping[str, object], *, minimum=None,
                  colors=PATH_COLORS) -> None:
    grid_w, grid_b = np.meshgrid(surface.weights, surface.biases)
    losses = np.maximum(surface.losses, 1e-6)  # a log scale cannot show an exact zero
    norm = LogNorm(vmin=losses.min(), vmax=losses.max())
    levels = _levels(losses)
    ax.contourf(grid_w, grid_b, losses, levels=levels, cmap=SURFACE_CMAP, norm=norm, alpha=0.55)
    ax.contour(grid_w, grid_b, losses, levels=levels, cmap=SURFACE_CMAP, norm=norm, linewidths=0.8)
    colors = line_colors(paths, colors)
    for label, path in paths.items():
        ax.plot(path.weights, path.biases, color=colors[label], lw=1.8, marker="o", ms=2.5, label=label, zorder=3)
    if minimum is not None:  # under the paths' end points: a path that ends on the minimum is seen ending there
        ax.plot(*minimum, marker="*", ms=16, color=COLORS["yellow"], mec=COLORS["ink"], mew=0.8,
                ls="none", label="least-squares minimum", zorder=4)
    for label, path in paths.items():
        ax.plot(path.weights[-1], path.biases[-1], marker="o", ms=6, color=colors[label], mec="white", mew=1.2,
                zorder=5)
    ax.set_xlim(surface.weights[0], surface.weights[-1])
    ax.set_ylim(surface.biases[0], surface.biases[-1])
    ax.grid(False)


def contour_figure(surface: LossSurface, paths=None, *, minimum=None, title: str = "Loss surface (MSE)",
                   xlabel: str = "weight", ylabel: str = "bias", ax=None) -> Figure:
    """Contour plot of ``surface`` (log-spaced levels) with optimizer ``paths`` drawn on it.

    ``paths`` is one path or a mapping ``label -> path`` (anything with
    ``.weights`` and ``.biases``); ``minimum`` an optional ``(weight, bias)``, the least-squares one, marked
    with a star.

    Examples:
        >>> surface = loss_surface([0.0, 1.0], [1.0, 3.0], np.linspace(0, 4, 5), np.linspace(-1, 3, 5))
        >>> fig = contour_figure(surface, minimum=(2.0, 1.0))
        >>> fig.axes[0].get_xlabel()
        'weight'
    """
    if not isinstance(surface, LossSurface):
        raise TypeError(f"surface must be a LossSurface, got {type(surface).__name__}")
    paths = _as_paths(paths)
    if ax is None:
        fig, (ax,) = new_figure(width=6.0 if len(paths) <= 1 else 8.2, height=4.6)
    else:
        fig = ax.figure
    _draw_contour(ax, surface, paths, minimum=minimum)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if len(paths) > 1:  # several paths: the legend goes beside the plot, off the paths
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9)
    elif paths or minimum is not None:
        ax.legend(loc="best", fontsize=9, frameon=True, framealpha=0.85)
    return fig


def surface_3d_figure(surface: LossSurface, path=None, *, minimum=None, title: str = "Loss surface (MSE)",
                      xlabel: str = "weight", ylabel: str = "bias", elev: float = 32, azim: float = -60) -> Figure:
    """3-D view of ``surface`` with optimizer ``path`` drawn on it, each point at its loss height.

    ``path`` is one path or a mapping ``label -> path``; a ringed dot marks where each ends, and
    ``minimum``, an optional ``(weight, bias)``, is starred as in ``contour_figure``. ``elev`` and ``azim`` place the
    camera; the default looks into the bowl from its large-weight, small-bias corner, the low
    side of page 2's surface, so that no part of the surface hides another (matplotlib
    draws a surface's patches in order of their mean depth, one painted over the next, and
    gets that order wrong where a near, high wall should hide a lower part behind it).

    Examples:
        >>> surface = loss_surface([0.0, 1.0], [1.0, 3.0], np.linspace(0, 4, 5), np.linspace(-1, 3, 5))
        >>> fig = surface_3d_figure(surface)
        >>> fig.axes[0].name
        '3d'
    """
    if not isinstance(surface, LossSurface):
        raise TypeError(f"surface must be a LossSurface, got {type(surface).__name__}")
    # computed_zorder=False draws the path after (over) the surface: seen from the low side,
    # the path lies on the side of the bowl that faces the camera.
    fig, (ax,) = new_figure(width=6.4, height=5.0, projection="3d", computed_zorder=False)
    grid_w, grid_b = np.meshgrid(surface.weights, surface.biases)
    ax.plot_surface(grid_w, grid_b, surface.losses, cmap=SURFACE_CMAP, alpha=0.75, linewidth=0,
                    rstride=2, cstride=2, antialiased=True)
    paths = _as_paths(path)
    colors = line_colors(paths, PATH_COLORS)
    for label, p in paths.items():
        color = colors[label]
        x_p, y_p = np.asarray(p.weights), np.asarray(p.biases)
        heights = surface.loss_at(x_p, y_p)
        ax.plot(x_p, y_p, heights, color=color, lw=2.2, marker="o", ms=2.5, label=label, zorder=10)
    if minimum is not None:
        if np.shape(minimum) != (2,):
            raise ValueError(f"minimum must be a (weight, bias) pair, got {minimum!r}")
        weight, bias = (float(v) for v in minimum)
        ax.plot([weight], [bias], surface.loss_at([weight], [bias]), marker="*", ms=16, color=COLORS["yellow"],
                mec=COLORS["ink"], mew=0.8, ls="none", label="least-squares minimum", zorder=11)
    for label, p in paths.items():  # over the star, as on the contour plot
        end_w, end_b = float(np.asarray(p.weights)[-1]), float(np.asarray(p.biases)[-1])
        ax.plot([end_w], [end_b], surface.loss_at([end_w], [end_b]), marker="o", ms=6, color=colors[label],
                mec="white", mew=1.2, ls="none", zorder=12)
    if paths or minimum is not None:
        ax.legend(loc="upper left", fontsize=9)
    ax.view_init(elev=elev, azim=azim)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel, zlabel="MSE")
    return fig


def learning_rate_figure(x, y, runs: Mapping[str, object], *, minimum=None, xlabel: str = "weight",
                         ylabel: str = "bias") -> Figure:
    """One contour panel per run, side by side: e.g. a learning rate too small, good, too large.

    Each panel's grid spans its own path, so a divergent path stays in view.

    Examples:
        >>> from linreg.optimizer_paths import OptimizerPath
        >>> path = OptimizerPath("p", np.array([0.0, 1.0]), np.array([0.0, 2.0]), np.array([1.0]), 1)
        >>> fig = learning_rate_figure([0.0, 1.0], [1.0, 3.0], {"lr = 0.1": path})
        >>> fig.axes[0].get_title()
        'lr = 0.1'
    """
    runs = _as_paths(runs)
    if not runs:
        raise ValueError("runs must be a non-empty mapping of label -> path")
    fig, axes = new_figure(ncols=len(runs), width=3.6 * len(runs), height=3.7)
    for ax, color, (label, path) in zip(axes, PATH_COLORS * 2, runs.items(), strict=False):
        weights, biases = grid_around(path, include=minimum, n=81)
        surface = loss_surface(x, y, weights, biases)
        _draw_contour(ax, surface, {label: path}, minimum=minimum, colors=[color])
        ax.set(title=label, xlabel=xlabel, ylabel=ylabel)
    return fig


def _frozen_copy(fig: Figure) -> tuple[Figure, list, Callable[[str], None], list[float]]:
    """A snapshot of ``fig`` as one image, with an empty, invisible axes over each of its axes.

    Every video frame is a full redraw, and ticks, labels and contours are most of
    its cost. Drawing them once into a picture and animating only the moving
    artists on transparent overlays makes each frame several times cheaper.
    The snapshot is taken in both palettes; the third item, ``set_palette(name)``,
    shows the ``"light"`` or ``"dark"`` one (what ``render_video`` expects); the fourth
    lists the sizes of the text drawn into it (render_video's ``text_sizes``).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from linreg.animation import round_to_even_pixels
    from linreg.display import dark_palette, drawn_text_sizes

    round_to_even_pixels(fig)  # render_video would otherwise resize the snapshot
    canvas = FigureCanvasAgg(fig)
    with drawn_text_sizes() as text_sizes:
        canvas.draw()
    snapshots = {"light": np.asarray(canvas.buffer_rgba())[..., :3].copy()}  # (H, W, 3)
    fig.set_layout_engine("none")  # the dark snapshot keeps the light one's layout
    with dark_palette(fig):
        canvas.draw()
        snapshots["dark"] = np.asarray(canvas.buffer_rgba())[..., :3].copy()
    frozen = Figure(figsize=fig.get_size_inches(), dpi=fig.get_dpi(), layout="none")  # overlays stay put
    image = frozen.figimage(snapshots["light"], 0, 0, origin="upper", zorder=-1)  # pixel for pixel
    overlays = []
    for ax in fig.axes:
        overlay = frozen.add_axes(ax.get_position(), facecolor="none")
        overlay.set_xlim(ax.get_xlim())
        overlay.set_ylim(ax.get_ylim())
        overlay.set_axis_off()
        overlays.append(overlay)
    return frozen, overlays, lambda name: image.set_data(snapshots[name]), text_sizes


def animate_descent(x, y, surface: LossSurface, path, *, alt: str, minimum=None, xlabel: str = "weight",
                    ylabel: str = "bias", fps: int = 12, every: int = 1):
    """Animate ``path`` descending the contour of ``surface`` next to its line in data space.

    One frame per ``every`` recorded steps (the last step is always shown).
    Returns a [`linreg.animation.Video`][linreg.animation.Video].

    Examples:
        >>> from linreg.optimizer_paths import OptimizerPath
        >>> path = OptimizerPath("p", np.array([0.0, 2.0]), np.array([0.0, 1.0]), np.array([1.0]), 1)
        >>> surface = loss_surface([0.0, 1.0], [1.0, 3.0], np.linspace(-1, 3, 5), np.linspace(-1, 2, 5))
        >>> animate_descent([0.0, 1.0], [1.0, 3.0], surface, path, alt="a short walk").frames
        2
    """
    from linreg.animation import VIDEO_DPI, render_video

    if not isinstance(surface, LossSurface):
        raise TypeError(f"surface must be a LossSurface, got {type(surface).__name__}")
    if not hasattr(path, "weights"):
        raise TypeError("path must have .weights and .biases (an OptimizerPath or DescentResult)")
    x, y = (values[:, 0] for values in as_line_arrays(x, y))  # (N,) each
    every = check_positive_int("every", every)
    frames = list(range(0, len(path.weights), every))
    if frames[-1] != len(path.weights) - 1:
        frames.append(len(path.weights) - 1)

    # One above the other, at the videos' resolution: the same file reads in a desktop column and on a phone.
    fig, (ax_surface, ax_data) = new_figure(nrows=2, width=3.8, height=5.4)
    fig.set_dpi(VIDEO_DPI)
    _draw_contour(ax_surface, surface, {}, minimum=minimum)
    ax_surface.set(title="Path on the loss surface", xlabel=xlabel, ylabel=ylabel)

    ax_data.scatter(x, y, s=10, alpha=0.6, color=COLORS["blue"], label="data")
    ax_data.plot([], [], color=COLORS["red"], lw=2.2, label="current line")  # legend entry only
    pad = 0.15 * (y.max() - y.min())
    ax_data.set_ylim(y.min() - pad, y.max() + pad)
    ax_data.set(title="The line in data space", xlabel="x", ylabel="y")
    ax_data.legend(loc="upper left", fontsize=9)

    # Only the path, the line and the caption move: draw everything else once.
    frozen, (over_surface, over_data), set_palette, text_sizes = _frozen_copy(fig)
    (trail,) = over_surface.plot([], [], color=COLORS["red"], lw=1.8)
    (head,) = over_surface.plot([], [], marker="o", ms=7, color=COLORS["red"], mec="white", mew=1.2)
    x_line = np.array([x.min(), x.max()])
    (line,) = over_data.plot([], [], color=COLORS["red"], lw=2.2)
    label = over_data.text(0.98, 0.04, "", transform=over_data.transAxes, ha="right", fontsize=9.5,
                           color=COLORS["ink"])

    def update(i: int) -> None:
        k = frames[i]
        trail.set_data(path.weights[:k + 1], path.biases[:k + 1])
        head.set_data([path.weights[k]], [path.biases[k]])
        line.set_data(x_line, path.biases[k] + path.weights[k] * x_line)
        label.set_text(f"update {k}: weight {path.weights[k]:.2f}, bias {path.biases[k]:.2f}")

    return render_video(frozen, update, len(frames), alt=alt, fps=fps, set_palette=set_palette,
                        text_sizes=text_sizes)


def sweep_figure(learning_rates: Sequence[float], scores: Mapping[str, Sequence[float]], *,
                 settled: Mapping[str, Sequence[float]] | None = None, steps: int | None = None,
                 best: Mapping[str, float] | None = None, title: str = "Learning-rate sweep",
                 ylabel: str = "score", diverged: str = "diverged") -> Figure:
    """A score against the learning rate, one curve per optimizer, both axes on log scales.

    ``scores[label][i]`` is that optimizer's score at ``learning_rates[i]`` (lower is better);
    a run that diverged has ``inf`` or NaN and is drawn as a cross at the top of the plot, in
    the curve's colour. ``settled[label][i]``, if given, is the step from which that run's loss
    stayed near the minimum (more than ``steps`` where it never did): a panel above the scores
    draws it on a linear axis up to ``steps``, leaving out the runs that never settled. The rate
    ``best[label]`` is circled, in the top panel if that run settled, else on its score; without
    ``best``, each curve's lowest score. ``diverged`` is the crosses' legend entry.

    Examples:
        >>> fig = sweep_figure([0.01, 0.1, 1.0], {"SGD": [1.0, 0.01, float("inf")], "Adam": [5.0, 0.5, 0.05]})
        >>> fig.axes[0].get_xscale(), len(fig.axes[0].get_legend().get_texts())
        ('log', 4)
        >>> fig = sweep_figure([0.1, 1.0], {"SGD": [1e-9, 0.5]}, settled={"SGD": [12, 101]}, steps=100,
        ...                    best={"SGD": 0.1})
        >>> [ax.get_yscale() for ax in fig.axes]
        ['linear', 'log']
    """
    rates = np.asarray(learning_rates, dtype=float)
    if rates.ndim != 1 or rates.size == 0 or np.any(rates <= 0):
        raise ValueError("learning_rates must be a non-empty 1-D sequence of positive numbers (a log scale)")
    curves = _per_rate("scores", scores, rates)
    for label, values in curves.items():
        if not np.isfinite(values).any():
            raise ValueError(f"scores[{label!r}] has no finite value: every run diverged")
        if np.any(values[np.isfinite(values)] <= 0):
            raise ValueError(f"scores[{label!r}] has values <= 0, which a log scale cannot show")
    if settled is not None:
        settled = _per_rate("settled", settled, rates)
        if set(settled) != set(curves):
            raise ValueError("settled must name the same optimizers as scores")
        steps = check_positive_int("steps", steps)
    chosen = {}
    for label, values in curves.items():
        if best is None:
            chosen[label] = int(np.nanargmin(np.where(np.isfinite(values), values, np.nan)))
        elif label not in best or not np.isclose(rates, best[label]).any():
            raise ValueError(f"best must give each optimizer one of the learning rates, got {dict(best)!r}")
        else:
            chosen[label] = int(np.flatnonzero(np.isclose(rates, best[label]))[0])
    top = max(values[np.isfinite(values)].max() for values in curves.values()) * 5

    if settled is None:
        fig, (ax,) = new_figure(width=8.2, height=4.2)
    else:
        fig, (ax_settled, ax) = new_figure(nrows=2, width=8.2, height=6.6)
        ax_settled.sharex(ax)
    colors = line_colors(curves)
    circle = {"s": 170, "facecolors": "none", "linewidths": 1.8, "zorder": 3}
    for k, (label, values) in enumerate(curves.items()):
        finite = np.isfinite(values)
        ax.plot(rates[finite], values[finite], marker="o", ms=4, color=colors[label], label=label)
        # crosses of different curves at the same rate sit one above the other, not on top of each other
        ax.scatter(rates[~finite], np.full((~finite).sum(), top * 4.0 ** k), marker="x", s=50, color=colors[label])
        i = chosen[label]
        if settled is not None:
            came = settled[label] <= steps
            ax_settled.plot(rates[came], settled[label][came], marker="o", ms=4, color=colors[label], label=label)
            if came[i]:
                ax_settled.scatter([rates[i]], [settled[label][i]], edgecolors=colors[label], **circle)
                continue
        ax.scatter([rates[i]], [values[i]], edgecolors=colors[label], **circle)
    ax.scatter([], [], marker="x", s=50, color=COLORS["ink"], label=diverged)  # legend entries only
    ax.scatter([], [], s=170, facecolors="none", edgecolors=COLORS["ink"], linewidths=1.8, label="best rate")
    ax.set(xscale="log", yscale="log", xlabel="learning rate (log scale)", ylabel=ylabel)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9)
    if settled is None:
        ax.set_title(title)
    else:
        ax_settled.set(ylim=(0, steps), title=title,
                       ylabel=f"step from which it stays\nnear the minimum (of {steps})")
        ax_settled.tick_params(labelbottom=False)
    return fig


def _per_rate(name: str, values_by_label, rates: np.ndarray) -> dict[str, np.ndarray]:
    """``values_by_label`` as float arrays, one value per learning rate, or a ValueError naming ``name``."""
    if not isinstance(values_by_label, Mapping) or not values_by_label:
        raise ValueError(f"{name} must be a non-empty mapping of label -> one value per learning rate")
    arrays = {}
    for label, values in values_by_label.items():
        values = np.asarray(values, dtype=float)
        if values.shape != rates.shape:
            raise ValueError(f"{name}[{label!r}] must hold one score per learning rate ({rates.size}), "
                             f"got shape {values.shape}")
        arrays[label] = values
    return arrays


def race_sweep_figure(learning_rates: Sequence[float], measures: Mapping[str, Sequence[tuple[float, float]]], *,
                      steps: int, best: Mapping[str, float], title: str, blowup: float = 1e6) -> Figure:
    """[`sweep_figure()`][linreg.optimizer_plots.sweep_figure] of a race's sweep, with an alt text that reads it.

    ``measures[label][i]`` is ``(arrival step, excess)`` at ``learning_rates[i]``, as
    [`linreg.optimizer_paths.sweep()`][linreg.optimizer_paths.sweep] returns them (``(inf, inf)`` for a run
    that diverged); ``best[label]`` the rate chosen for each optimizer. An excess of exactly 0 (rounding)
    is drawn at 1e-16, the bottom of a log scale; an excess above ``blowup`` (a loss that grew without
    overflowing yet) is drawn as diverged, so that the scale keeps to the losses that matter.

    Examples:
        >>> fig = race_sweep_figure([0.1, 1.0], {"SGD": [(12, 0.0), (float("inf"), float("inf"))]}, steps=100,
        ...                         best={"SGD": 0.1}, title="sweep")
        >>> from linreg.display import alt_text
        >>> alt_text(fig).split(". ")[-1]
        'SGD: from step 12 at its best rate, 0.1.'
    """
    arrivals = {name: [float(arrived) for arrived, _ in row] for name, row in measures.items()}
    excesses = {name: [max(float(excess), 1e-16) if excess <= blowup else math.inf for _, excess in row]
                for name, row in measures.items()}
    check_positive_number("blowup", blowup)
    fig = sweep_figure(learning_rates, excesses, settled=arrivals, steps=steps, best=best, title=title,
                       ylabel="worst loss above the minimum,\nlast 10 steps (log scale)",
                       diverged=f"blew up (> {blowup:,.0f})")  # no superscript: it would be too small on a phone
    narrow_layout(fig, lambda narrow: _race_sweep_on_a_phone(narrow, steps))
    rates = list(learning_rates)
    verdicts = []
    for name, row in measures.items():
        arrived, excess = row[rates.index(best[name])]
        verdicts.append(f"{name}: from step {arrived} at its best rate, {best[name]:g}" if arrived <= steps else
                        f"{name}: at no rate within {steps} steps; at its best rate, {best[name]:g}, the loss stays "
                        f"up to {excess:.2g} above the minimum's")
    return describe(fig, f"{title}, two panels against the learning rate (log scale), one curve per optimizer, crosses "
                         f"where a run blew up (its loss overflowed, or ended more than {blowup:,.0f} above the "
                         "minimum's), each "
                         "optimizer's best rate circled. Top: the step from which the loss "
                         f"stays within 1% of the minimum's, for the runs that get there within {steps} steps. Bottom: "
                         "the worst loss above the minimum over the last 10 steps. " + "; ".join(verdicts) + ".")


def _race_sweep_on_a_phone(fig: Figure, steps: int) -> None:
    """The race's sweep at a phone's width: short y labels (the alt text and the prose say what each panel
    measures), and a bottom panel taller than the top one for its twenty decades of excess."""
    ax_settled, ax = fig.axes[:2]
    fig.set_size_inches(NARROW_WIDTH, 5.4)
    grid = fig.add_gridspec(2, 1, height_ratios=(2, 3))
    ax_settled.set_subplotspec(grid[0, 0])
    ax.set_subplotspec(grid[1, 0])
    ax_settled.set_ylabel(f"arrival step (of {steps})")
    ax.set_ylabel("worst excess (log)")


def step_losses_figure(curves: Mapping[str, Sequence[float]], *, title: str, floor: float | None = None) -> Figure:
    """Losses at the start and after each step (log scale), with an alt text that reads each curve.

    ``curves[label][k]`` is the loss after ``k`` steps (``k = 0``: the start). A label that names a
    method ([`linreg.style.method_of()`][linreg.style.method_of], e.g. "SGD, lr 0.1" or "SGD with momentum 0.5")
    takes that method's colour, as in the race's figures; curves of one method differ in line style
    (solid, dashed, dotted, dash-dot, in order), and so do plain SGD and SGD with momentum, whose
    two colours are close: they count as one family of curves. The alt text says whether each loss falls at every
    step, in waves, or mostly rises, and, given ``floor`` (the least-squares minimum's loss, drawn as
    a dotted line), from which step it stays within 1% of it.

    Examples:
        >>> fig = step_losses_figure({"SGD, lr 0.1": [2.0, 1.0, 0.5], "SGD, lr 0.3": [2.0, 0.3, 0.4]}, title="two")
        >>> [line.get_linestyle() for line in fig.axes[0].lines]
        ['-', '--']
        >>> from linreg.display import alt_text
        >>> alt_text(fig).split(": ", 1)[1]
        'SGD, lr 0.1 falls at every step, to 0.5; SGD, lr 0.3 falls in waves, ending at 0.4, rising.'
    """
    from linreg.optimizer_paths import race_measure

    if not isinstance(curves, Mapping) or not curves:
        raise ValueError("curves must be a non-empty mapping of label -> losses")
    fig, (ax,) = new_figure()
    fallback = iter(PATH_COLORS * len(curves))
    used: dict[str, int] = {}
    said = []
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        if values.ndim != 1 or values.size < 2 or np.any(values[np.isfinite(values)] <= 0):
            raise ValueError(f"curves[{label!r}] must be a 1-D sequence of positive losses, the start and at least "
                             "one step (a log scale)")
        method = method_of(label) if isinstance(label, str) else None
        color = METHOD_COLORS[method] if method else next(fallback)
        family = method.split(" with ")[0] if method else color  # "SGD with momentum": the SGD family
        style = _LINE_STYLES[used.get(family, 0) % len(_LINE_STYLES)]
        used[family] = used.get(family, 0) + 1
        ax.plot(np.arange(values.size), values, color=color, ls=style, lw=1.8, label=label)
        rises = int((np.diff(values) > 0).sum())
        steps = values.size - 1
        shape = ("falls at every step" if rises == 0 else f"rises at {rises} of its {steps} steps" if 2 * rises > steps
                 else "falls in waves")
        arrived = race_measure(values, floor)[0] if floor is not None else steps + 1
        if arrived <= steps:
            where = f"within 1% of the minimum's loss from step {arrived}"
        elif rises and 2 * rises <= steps:  # waves: the last value need not be the lowest, nor the end a fall
            where = f"ending at {values[-1]:.3g}" + (", rising" if values[-1] > values[-2] else "")
        else:
            where = f"to {values[-1]:.3g}"
        said.append(f"{label} {shape}, {where}")
    ax.set(yscale="log", title=title, xlabel="step", ylabel="loss (log scale)")
    floor_said = ""
    if floor is not None:  # what "the minimum's loss" is, drawn: the curves that arrive end on it
        ax.axhline(floor, color=COLORS["ink"], ls=":", lw=1.2, label="least-squares minimum's loss", zorder=1)
        floor_said = f" A dotted line marks the least-squares minimum's loss, {floor:.3g}."
    ax.legend(fontsize=9)
    return describe(fig, f"{title}, on a log scale: " + "; ".join(said) + "." + floor_said)
