"""Loss surfaces: the MSE of a line over a grid of (weight, bias), and optimizer paths across it.

A line ``yhat = bias + weight * x`` has two parameters, so its whole loss
landscape fits in one picture: [`loss_surface()`][linreg.surfaces.loss_surface] evaluates the MSE on a
grid, [`optimizer_path()`][linreg.surfaces.optimizer_path] records where an optimizer walks from a start
point, and the figures draw one on the other ([`contour_figure()`][linreg.surfaces.contour_figure],
[`surface_3d_figure()`][linreg.surfaces.surface_3d_figure],
[`learning_rate_figure()`][linreg.surfaces.learning_rate_figure],
[`animate_descent()`][linreg.surfaces.animate_descent]). For recipe A (``y = a + b x``) the weight is the
slope ``b`` and the bias the intercept ``a``.

Page 2 walks recipe D (``y = x - 1``) from a start far away (weight -15,
bias -10) with mini-batch SGD; page 4 lets SGD, SGD with momentum, RMSprop and
Adam race from the same start ([`optimizer_paths()`][linreg.surfaces.optimizer_paths]).

Why one module of over 400 lines: every figure here draws a
[`LossSurface`][linreg.surfaces.LossSurface] and the optimizer paths across it, and nothing else
draws them; splitting data from figures would put each figure away from the only types it reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import torch
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from linreg._checks import (
    as_line_arrays,
    check_finite_loss,
    check_non_negative_int,
    check_positive_int,
    check_positive_number,
)
from linreg.style import COLORS, line_colors, new_figure

__all__ = [
    "LossSurface",
    "OptimizerPath",
    "DEFAULT_OPTIMIZERS",
    "loss_surface",
    "grid_around",
    "optimizer_path",
    "descent_path",
    "optimizer_paths",
    "contour_figure",
    "surface_3d_figure",
    "learning_rate_figure",
    "animate_descent",
]

SURFACE_CMAP = "viridis"
"""Colour map of the surfaces: perceptually uniform and readable with colour blindness."""
PATH_COLORS = [COLORS[c] for c in ("red", "orange", "purple", "sky", "ink")]
"""Colours of the paths drawn on a surface, in order (they stand out on viridis). Paths labelled with optimization
methods take the methods' colours instead ([`linreg.style.line_colors()`][linreg.style.line_colors])."""


@dataclass(frozen=True)
class LossSurface:
    """The MSE on a grid: ``losses[i, j]`` is the loss at ``biases[i]``, ``weights[j]``.

    ``x``/``y`` are the data (shape (N,)) the losses were computed on.
    """

    weights: np.ndarray
    biases: np.ndarray
    losses: np.ndarray
    x: np.ndarray
    y: np.ndarray

    def loss_at(self, weights, biases) -> np.ndarray:
        """The exact MSE at each ``(weight, bias)`` pair, e.g. the points of a path.

        Examples:
            >>> surface = loss_surface([0.0, 1.0], [1.0, 3.0], [0.0, 2.0], [1.0, 2.0])
            >>> surface.loss_at([2.0, 0.0], [1.0, 1.0]).tolist()
            [0.0, 2.0]
        """
        weights = np.asarray(weights, dtype=float).reshape(-1, 1)  # (P, 1)
        biases = np.asarray(biases, dtype=float).reshape(-1, 1)    # (P, 1)
        return ((biases + weights * self.x - self.y) ** 2).mean(axis=1)  # (P, N) -> (P,)


@dataclass(frozen=True)
class OptimizerPath:
    """Where an optimizer went: parameters at the start and after every step, and the losses.

    ``weights``/``biases`` have ``steps + 1`` entries (the start first);
    ``losses[i]`` is the mean training MSE of epoch ``i + 1``, each step's loss
    measured before its update. ``lr`` is the optimizer's learning rate
    (None when unknown), e.g. to measure steps in units of it.
    """

    name: str
    weights: np.ndarray
    biases: np.ndarray
    losses: np.ndarray
    steps_per_epoch: int
    lr: float | None = None

    @property
    def final(self) -> tuple[float, float]:
        """The final ``(weight, bias)``."""
        return float(self.weights[-1]), float(self.biases[-1])


def _line_arrays(x, y) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``y`` as float arrays of shape (N,), checked to be one feature and one target."""
    x, y = as_line_arrays(x, y)
    return x[:, 0], y[:, 0]


def _grid_axis(name: str, values) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size < 2 or not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be a 1-D array of at least 2 finite numbers, got shape {array.shape}")
    return array


def loss_surface(x, y, weights, biases) -> LossSurface:
    """The MSE of ``bias + weight * x`` against ``y`` for every pair on the grid ``biases x weights``.

    Examples:
        >>> surface = loss_surface([0.0, 1.0], [1.0, 3.0], weights=[0.0, 2.0], biases=[1.0, 2.0])
        >>> surface.losses.shape, float(surface.losses[0, 1])
        ((2, 2), 0.0)
    """
    x, y = _line_arrays(x, y)
    weights, biases = _grid_axis("weights", weights), _grid_axis("biases", biases)
    # (B, 1, 1) + (1, W, 1) * (1, 1, N) -> (B, W, N): every line on every sample at once
    predictions = biases[:, None, None] + weights[None, :, None] * x[None, None, :]
    losses = ((predictions - y) ** 2).mean(axis=-1)  # (B, W)
    return LossSurface(weights=weights, biases=biases, losses=losses, x=x, y=y)


def grid_around(*paths, margin: float = 0.2, n: int = 101, include=None) -> tuple[np.ndarray, np.ndarray]:
    """Grid axes ``(weights, biases)`` spanning every path (objects with ``.weights``/``.biases``).

    ``margin`` widens each range by that fraction on both sides; ``include``
    is an extra ``(weight, bias)`` point to keep in view, e.g. the minimum.

    Examples:
        >>> path = OptimizerPath("p", np.array([0.0, 1.0]), np.array([0.0, 2.0]), np.array([1.0]), 1)
        >>> w, b = grid_around(path, margin=0.0, n=3)
        >>> w.tolist(), b.tolist()
        ([0.0, 0.5, 1.0], [0.0, 1.0, 2.0])
    """
    if not paths:
        raise ValueError("grid_around needs at least one path")
    check_positive_int("n", n)
    weights = np.concatenate([np.asarray(p.weights, dtype=float) for p in paths])
    biases = np.concatenate([np.asarray(p.biases, dtype=float) for p in paths])
    if include is not None:
        weights, biases = np.append(weights, include[0]), np.append(biases, include[1])
    axes = []
    for values in (weights, biases):
        low, high = values.min(), values.max()
        pad = margin * (high - low) if high > low else 1.0
        axes.append(np.linspace(low - pad, high + pad, n))
    return axes[0], axes[1]


def optimizer_path(x, y, make_optimizer: Callable, *, weight: float = -15.0, bias: float = -10.0,
                   epochs: int = 10, batch_size: int | None = None, seed: int = 0,
                   name: str = "", device: str | torch.device | None = None) -> OptimizerPath:
    """Train ``bias + weight * x`` with the optimizer ``make_optimizer([weight, bias])`` and record its path.

    ``batch_size=None`` uses the whole data set per step; a smaller one
    shuffles every epoch with a generator seeded by ``seed``. Raises
    [`linreg.DivergedError`][linreg.DivergedError] if a loss is NaN or infinite.

    Examples:
        >>> from linreg import data
        >>> x, y = data.surface_line_data()
        >>> path = optimizer_path(x, y, lambda p: torch.optim.SGD(p, lr=0.1), epochs=50)
        >>> [round(v, 1) for v in path.final]
        [1.0, -1.0]
    """
    x, y = _line_arrays(x, y)
    if not callable(make_optimizer):
        raise TypeError(f"make_optimizer must be callable (params -> optimizer), got {type(make_optimizer).__name__}")
    epochs = check_positive_int("epochs", epochs)
    n = len(x)
    batch_size = n if batch_size is None else check_positive_int("batch_size", batch_size)
    if batch_size > n:
        raise ValueError(f"batch_size must be at most the number of samples ({n}), got {batch_size}")
    generator = torch.Generator().manual_seed(check_non_negative_int("seed", seed))
    x_t = torch.tensor(x, dtype=torch.float32, device=device)  # (N,)
    y_t = torch.tensor(y, dtype=torch.float32, device=device)  # (N,)
    w = torch.tensor(float(weight), device=device, requires_grad=True)
    b = torch.tensor(float(bias), device=device, requires_grad=True)
    optimizer = make_optimizer([w, b])
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"make_optimizer must return a torch.optim.Optimizer, got {type(optimizer).__name__}")
    lr = float(optimizer.param_groups[0]["lr"])

    weights, biases, losses = [w.item()], [b.item()], []
    for epoch in range(1, epochs + 1):
        order = torch.arange(n) if batch_size == n else torch.randperm(n, generator=generator)
        step_losses = []
        for idx in order.split(batch_size):
            loss = torch.mean((b + w * x_t[idx.to(x_t.device)] - y_t[idx.to(x_t.device)]) ** 2)
            step_losses.append(check_finite_loss(loss.item(), when=f"epoch {epoch}", lr=lr))
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            weights.append(w.item())
            biases.append(b.item())
        losses.append(float(np.mean(step_losses)))
    return OptimizerPath(name=name, weights=np.asarray(weights), biases=np.asarray(biases),
                         losses=np.asarray(losses), steps_per_epoch=len(step_losses), lr=lr)


def descent_path(x, y, *, lr: float = 0.01, weight: float = -15.0, bias: float = -10.0,
                 epochs: int = 10, batch_size: int | None = 5, seed: int = 0) -> OptimizerPath:
    """Recipe D's walk: plain SGD with ``lr`` in mini-batches of ``batch_size``, from far away.

    Examples:
        >>> from linreg import data
        >>> path = descent_path(*data.surface_line_data())
        >>> len(path.weights), path.steps_per_epoch
        (121, 12)
    """
    lr = check_positive_number("lr", lr)
    return optimizer_path(x, y, lambda params: torch.optim.SGD(params, lr=lr), weight=weight, bias=bias,
                          epochs=epochs, batch_size=batch_size, seed=seed, name=f"SGD, lr={lr:g}")


DEFAULT_OPTIMIZERS: dict[str, Callable] = {
    "SGD (lr 0.01)": lambda params: torch.optim.SGD(params, lr=0.01),
    "SGD with momentum 0.9 (lr 0.01)": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
    "RMSprop (lr 0.2)": lambda params: torch.optim.RMSprop(params, lr=0.2),
    "Adam (lr 0.5)": lambda params: torch.optim.Adam(params, lr=0.5),
}
"""Four optimizers to race on recipe D, each ``name -> params -> optimizer``. Adam's and RMSprop's steps do not scale
with the gradient's size (Adam's stay near ``lr``; RMSprop's start near ``10 * lr`` and shrink towards ``lr``), so
they get larger rates than SGD. The names start with the methods of
[`linreg.style.METHOD_COLORS`][linreg.style.METHOD_COLORS], which gives each its colour."""


def optimizer_paths(x, y, optimizers: Mapping[str, Callable] | None = None, *, weight: float = -15.0,
                    bias: float = -10.0, epochs: int = 100, batch_size: int | None = None,
                    seed: int = 0) -> dict[str, OptimizerPath]:
    """Run several optimizers from the same start on the same data; ``name -> OptimizerPath``.

    ``optimizers`` maps a label to ``params -> optimizer`` (default:
    [`DEFAULT_OPTIMIZERS`][linreg.surfaces.DEFAULT_OPTIMIZERS]: SGD, SGD with momentum 0.9, RMSprop, Adam).

    Examples:
        >>> from linreg import data
        >>> paths = optimizer_paths(*data.surface_line_data(), epochs=5)
        >>> list(paths)[0], len(paths)
        ('SGD (lr 0.01)', 4)
    """
    optimizers = DEFAULT_OPTIMIZERS if optimizers is None else optimizers
    if not isinstance(optimizers, Mapping) or not optimizers:
        raise ValueError("optimizers must be a non-empty mapping of label -> (params -> optimizer)")
    return {name: optimizer_path(x, y, make, weight=weight, bias=bias, epochs=epochs,
                                 batch_size=batch_size, seed=seed, name=name)
            for name, make in optimizers.items()}


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
        color = colors[label]
        ax.plot(path.weights, path.biases, color=color, lw=1.8, marker="o", ms=2.5, label=label)
        ax.plot(path.weights[-1], path.biases[-1], marker="o", ms=7, color=color, mec="white", mew=1.2)
    if minimum is not None:
        ax.plot(*minimum, marker="*", ms=14, color=COLORS["yellow"], mec=COLORS["ink"], mew=0.8,
                ls="none", label="minimum")
    ax.set_xlim(surface.weights[0], surface.weights[-1])
    ax.set_ylim(surface.biases[0], surface.biases[-1])
    ax.grid(False)


def contour_figure(surface: LossSurface, paths=None, *, minimum=None, title: str = "Loss surface (MSE)",
                   xlabel: str = "weight", ylabel: str = "bias", ax=None) -> Figure:
    """Contour plot of ``surface`` (log-spaced levels) with optimizer ``paths`` drawn on it.

    ``paths`` is one path or a mapping ``label -> path`` (anything with
    ``.weights`` and ``.biases``); ``minimum`` an optional ``(weight, bias)`` marked with a star.

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


def surface_3d_figure(surface: LossSurface, path=None, *, title: str = "Loss surface (MSE)",
                      xlabel: str = "weight", ylabel: str = "bias", elev: float = 32, azim: float = -125) -> Figure:
    """3-D view of ``surface`` with one optimizer ``path`` drawn on it, each point at its loss height.

    Examples:
        >>> surface = loss_surface([0.0, 1.0], [1.0, 3.0], np.linspace(0, 4, 5), np.linspace(-1, 3, 5))
        >>> fig = surface_3d_figure(surface)
        >>> fig.axes[0].name
        '3d'
    """
    if not isinstance(surface, LossSurface):
        raise TypeError(f"surface must be a LossSurface, got {type(surface).__name__}")
    # computed_zorder=False draws the path over the surface instead of letting
    # matplotlib's depth sort bury it.
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
        ax.legend(loc="upper left", fontsize=9)
    ax.view_init(elev=elev, azim=azim)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel, zlabel="MSE")
    return fig


def learning_rate_figure(x, y, runs: Mapping[str, object], *, minimum=None, xlabel: str = "weight",
                         ylabel: str = "bias") -> Figure:
    """One contour panel per run, side by side: e.g. a learning rate too small, good, too large.

    Each panel's grid spans its own path, so a divergent path stays in view.

    Examples:
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


def _frozen_copy(fig: Figure) -> tuple[Figure, list]:
    """A snapshot of ``fig`` as one image, with an empty, invisible axes over each of its axes.

    Every video frame is a full redraw, and ticks, labels and contours are most of
    its cost. Drawing them once into a picture and animating only the moving
    artists on transparent overlays makes each frame several times cheaper.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    dpi = fig.get_dpi()
    width_px, height_px = (int(v) for v in fig.get_size_inches() * dpi)
    # Even pixel sizes, as H.264 needs: render_video would otherwise resize the snapshot.
    fig.set_size_inches((width_px - width_px % 2) / dpi, (height_px - height_px % 2) / dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgb = np.asarray(canvas.buffer_rgba())[..., :3].copy()  # (H, W, 3)
    frozen = Figure(figsize=fig.get_size_inches(), dpi=dpi, layout="none")  # overlays sit where they are
    frozen.figimage(rgb, 0, 0, origin="upper", zorder=-1)  # pixel for pixel, under the overlays
    overlays = []
    for ax in fig.axes:
        overlay = frozen.add_axes(ax.get_position(), facecolor="none")
        overlay.set_xlim(ax.get_xlim())
        overlay.set_ylim(ax.get_ylim())
        overlay.set_axis_off()
        overlays.append(overlay)
    return frozen, overlays


def animate_descent(x, y, surface: LossSurface, path, *, alt: str, minimum=None, xlabel: str = "weight",
                    ylabel: str = "bias", fps: int = 12, every: int = 1):
    """Animate ``path`` descending the contour of ``surface`` next to its line in data space.

    One frame per ``every`` recorded steps (the last step is always shown).
    Returns a [`linreg.animation.Video`][linreg.animation.Video].

    Examples:
        >>> path = OptimizerPath("p", np.array([0.0, 2.0]), np.array([0.0, 1.0]), np.array([1.0]), 1)
        >>> surface = loss_surface([0.0, 1.0], [1.0, 3.0], np.linspace(-1, 3, 5), np.linspace(-1, 2, 5))
        >>> animate_descent([0.0, 1.0], [1.0, 3.0], surface, path, alt="a short walk").frames
        2
    """
    from linreg.animation import render_video

    if not isinstance(surface, LossSurface):
        raise TypeError(f"surface must be a LossSurface, got {type(surface).__name__}")
    if not hasattr(path, "weights"):
        raise TypeError("path must have .weights and .biases (an OptimizerPath or DescentResult)")
    x, y = _line_arrays(x, y)
    every = check_positive_int("every", every)
    frames = list(range(0, len(path.weights), every))
    if frames[-1] != len(path.weights) - 1:
        frames.append(len(path.weights) - 1)

    fig, (ax_surface, ax_data) = new_figure(ncols=2, width=8.0, height=3.6)
    _draw_contour(ax_surface, surface, {}, minimum=minimum)
    ax_surface.set(title="Path on the loss surface", xlabel=xlabel, ylabel=ylabel)

    ax_data.scatter(x, y, s=10, alpha=0.6, color=COLORS["blue"], label="data")
    ax_data.plot([], [], color=COLORS["red"], lw=2.2, label="current line")  # legend entry only
    pad = 0.15 * (y.max() - y.min())
    ax_data.set_ylim(y.min() - pad, y.max() + pad)
    ax_data.set(title="The line in data space", xlabel="x", ylabel="y")
    ax_data.legend(loc="upper left", fontsize=9)

    # Only the path, the line and the caption move: draw everything else once.
    frozen, (over_surface, over_data) = _frozen_copy(fig)
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
        label.set_text(f"step {k}: weight {path.weights[k]:.2f}, bias {path.biases[k]:.2f}")

    return render_video(frozen, update, len(frames), alt=alt, fps=fps)
