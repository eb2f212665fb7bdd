"""Static figures, one function per kind of figure, in the house style of [`linreg.style`][linreg.style].

Every function returns a `matplotlib.figure.Figure` and never calls
``plt.show()``: a notebook displays the returned figure, a test inspects it.

Why one module of about 540 lines: independent functions of 20 to 60 lines, one
per kind of figure; they share only the style and the checks, and a reader looks
for "the loss-curve figure" in one list. Figures that read a topic's own types live
with that topic (loss surfaces and optimizer paths in [`linreg.optimizer_plots`][linreg.optimizer_plots],
searches in [`linreg.search_plots`][linreg.search_plots]).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.ticker
import numpy as np
from matplotlib.figure import Figure

from linreg.display import describe
from linreg.narrow import NARROW_WIDTH, narrow_layout, wrap_columns
from linreg.style import COLORS, line_colors, new_figure


def _curve_arrays(curves: Mapping[str, Sequence[float]], *, log: bool, remedy: str = "") -> dict[str, np.ndarray]:
    """``curves`` as label -> 1-D float array, or a ValueError naming the curve a plot cannot show (and ``remedy``)."""
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError("curves must be a non-empty mapping of label -> loss values")
    arrays = {}
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"curves[{label!r}] must be a non-empty 1-D sequence of numbers")
        if log and np.any(values <= 0):
            raise ValueError(f"curves[{label!r}] has values <= 0, which a log scale cannot show{remedy}")
        arrays[label] = values
    return arrays


def loss_curves(curves: Mapping[str, Sequence[float]], *, log: bool = True,
                title: str = "Loss per epoch", xlabel: str = "epoch",
                ylabel: str = "loss", legend_below: bool = False,
                floor: tuple[str, float] | None = None) -> Figure:
    """Plot one or more loss curves against the epoch, on a log scale by default.

    ``curves`` maps a label (``"train"``, ``"validation"``, ...) to its values.
    Labels that name optimization methods ("SGD", "Adam (lr 0.5)") draw in
    the methods' own colours ([`line_colors()`][linreg.style.line_colors]).
    ``legend_below=True`` puts the legend under the axes, for curves that fill
    the whole plot (no corner is free for it).
    ``floor=(label, value)`` draws a loss no model can go below as a dotted line.

    Examples:
        >>> fig = loss_curves({"train": [1.0, 0.5, 0.25]})
        >>> fig.axes[0].get_yscale()
        'log'
    """
    curves = _curve_arrays(curves, log=log, remedy="; pass log=False")
    fig, (ax,) = new_figure()
    colors = line_colors(curves)
    for label, values in curves.items():
        ax.plot(np.arange(1, values.size + 1), values, label=label, color=colors[label])
    if floor is not None:
        _floor_line(ax, floor)
    if log:
        ax.set_yscale("log")
        decimal_log_ticks(ax)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel + (" (log scale)" if log else ""))
    keyed = len(curves) > 1 or floor is not None
    if keyed and legend_below:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=len(curves) + (floor is not None))
    elif keyed:
        ax.legend()
    return fig


def _floor_line(ax, floor: tuple[str, float]) -> None:
    """A dotted ink line at a loss no model can go below, labelled for the legend."""
    if not (isinstance(floor, tuple) and len(floor) == 2 and isinstance(floor[0], str)):
        raise ValueError(f"floor must be a (label, value) pair, got {floor!r}")
    label, value = floor
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"floor's value must be a positive number, got {value!r}")
    ax.axhline(value, color=COLORS["ink"], ls=":", lw=1.5, label=label, zorder=1)


def data_and_fit(x, y, *, lines: Mapping[str, tuple] | None = None,
                 title: str = "Data and fitted line", ax=None) -> Figure:
    """Scatter ``(x, y)`` and draw fitted lines, each given as ``label -> (intercept, slope)``.

    Examples:
        >>> fig = data_and_fit([0, 1, 2], [1, 3, 5], lines={"fit": (1.0, 2.0)})
        >>> len(fig.axes[0].lines)
        1
    """
    from linreg._checks import as_2d_array, check_same_length

    x = as_2d_array("x", x)[:, 0]
    y = as_2d_array("y", y)[:, 0]
    check_same_length("x", x, "y", y)
    if ax is None:
        fig, (ax,) = new_figure()
    else:
        fig = ax.figure
    ax.set_axisbelow(True)  # gridlines under the points: one on a gridline crossing would look hollow
    ax.scatter(x, y, s=18, alpha=0.8, label="data", color=COLORS["blue"])
    grid = np.linspace(x.min(), x.max(), 50)
    colors = iter([COLORS[c] for c in ("red", "green", "orange", "purple")])
    for label, (intercept, slope) in (lines or {}).items():
        ax.plot(grid, intercept + slope * grid, label=label, color=next(colors))
    ax.set(title=title, xlabel="x", ylabel="y")
    ax.legend()
    return fig


def loss_curves_linear_and_log(curves: Mapping[str, Sequence[float]], *,
                               title: str = "Loss per epoch") -> Figure:
    """The same loss curves twice, side by side: linear y axis (left) and log y axis (right).

    The linear axis shows the steep early drop; the log axis shows whether the
    loss is still falling late in training, and the gap between curves.

    Examples:
        >>> fig = loss_curves_linear_and_log({"train": [1.0, 0.5], "validation": [1.1, 0.6]})
        >>> [ax.get_yscale() for ax in fig.axes]
        ['linear', 'log']
    """
    curves = _curve_arrays(curves, log=True)  # the right-hand panel is a log scale
    fig, axes = new_figure(ncols=2, width=9.0, height=3.6)
    colors = line_colors(curves)
    for ax, log in zip(axes, (False, True), strict=True):
        for label, values in curves.items():
            ax.plot(np.arange(1, values.size + 1), values, label=label, color=colors[label])
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set(xlabel="epoch", ylabel="loss (log scale)" if log else "loss",
               title="log scale" if log else "linear scale")
        if log:
            ax.set_yscale("log")
            decimal_log_ticks(ax)
        if len(curves) > 1:
            ax.legend()
    fig.suptitle(title, fontweight="bold")
    return fig


def decimal_log_ticks(ax) -> None:
    """Label a log-scale y axis that spans little more than a decade with plain decimals at round values.

    Over a short range matplotlib labels its minor ticks in scientific notation
    (6×10⁻¹, 4×10⁻¹, 3×10⁻¹ ...) and may leave the bottom of the curves unlabelled;
    here the ticks sit at 1, 2 and 5 times powers of ten, or finer steps until at least
    four fall in view, written as decimals (0.5, 0.2, 0.1, 0.07). An axis spanning
    more than 20× keeps matplotlib's powers of ten.

    Examples:
        >>> ax = loss_curves({"train": [0.6, 0.3, 0.15, 0.075]}).axes[0]
        >>> low, high = ax.get_ylim()
        >>> [ax.yaxis.get_major_formatter()(t) for t in ax.get_yticks() if low <= t <= high]
        ['0.07', '0.1', '0.2', '0.3', '0.5']
    """
    low, high = ax.get_ylim()
    if high / low > 20:
        return
    for subs in ((1.0, 2.0, 5.0), (1.0, 2.0, 3.0, 5.0, 7.0), (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0)):
        shown = [t for t in matplotlib.ticker.LogLocator(subs=subs).tick_values(low, high) if low <= t <= high]
        if len(shown) >= 4:
            break
    ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=subs))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())


def image_rows(rows: Mapping[str, object], image_shape: tuple[int, int], *,
               title: str = "Images", low: float = -1.0, high: float = 1.0) -> Figure:
    """Show rows of flattened images, one row per entry of ``rows`` (label -> array ``(n, h*w)``).

    E.g. ``{"original": x[:10], "reconstruction": model(x[:10])}`` puts the
    originals on top and the reconstructions below, column by column. Pixel
    values from ``low`` (white) to ``high`` (dark ink).

    Examples:
        >>> fig = image_rows({"original": np.zeros((3, 4)), "copy": np.ones((3, 4))}, (2, 2))
        >>> len(fig.axes)
        6
    """
    if not isinstance(rows, Mapping) or not rows:
        raise ValueError("rows must be a non-empty mapping of label -> images")
    height, width = image_shape
    arrays = {}
    for label, images in rows.items():
        if hasattr(images, "detach"):
            images = images.detach().cpu().numpy()
        images = np.asarray(images, dtype=float)
        if images.ndim != 2 or images.shape[1] != height * width:
            raise ValueError(f"rows[{label!r}] must have shape (n, {height * width}), got {images.shape}")
        arrays[label] = images.reshape(-1, height, width)  # (n, h, w)
    counts = {len(images) for images in arrays.values()}
    if len(counts) != 1:
        raise ValueError(f"every row must hold the same number of images, got {sorted(counts)}")
    n = counts.pop()
    fig, axes = new_figure(ncols=n, nrows=len(arrays), width=0.85 * n + 0.8, height=0.95 * len(arrays) + 0.5)
    axes = axes.reshape(len(arrays), n)
    for row, (label, images) in enumerate(arrays.items()):
        for col in range(n):
            ax = axes[row, col]
            ax.imshow(images[col], cmap="gray_r", vmin=low, vmax=high, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            ax.set_frame_on(False)  # the white background is part of the image: no box around it
        axes[row, 0].set_ylabel(label, rotation=0, ha="right", va="center")
    fig.suptitle(title, fontweight="bold")
    return narrow_layout(fig, wrap_columns(5))  # on a phone: five images a row, every row's name repeated


CLASS_COLORS: list[str] = [COLORS[c] for c in ("blue", "orange", "green", "red", "purple", "sky", "yellow", "ink")] + [
    "#8E6BD1",  # violet: bluer than the house purple (a pink), darker than the sky
    "#8C8C8C",  # mid grey: between the ink of either palette and its background
]
"""Ten colours for ten classes (digits), no two alike, each at least 3:1 on the slate background (the ink
turns light there); with [`CLASS_MARKERS`][linreg.plots.CLASS_MARKERS] a class differs from every other in
colour and in shape."""

CLASS_MARKERS: list[str] = ["o", "s", "^", "D", "v", "P", "X", "*", "h", "<"]
"""Ten marker shapes, one per class, in the order of [`CLASS_COLORS`][linreg.plots.CLASS_COLORS]."""


def latent_scatter(codes, labels, *, title: str = "Latent space") -> Figure:
    """Scatter 2-D codes ``(N, 2)`` coloured and shaped by their integer label, each class named at its median.

    Up to ten classes, each with its own colour and marker ([`CLASS_COLORS`][linreg.plots.CLASS_COLORS]).

    Examples:
        >>> fig = latent_scatter(np.random.RandomState(0).randn(20, 2), np.arange(20) % 10)
        >>> len(fig.axes[0].collections)
        10
    """
    if hasattr(codes, "detach"):
        codes = codes.detach().cpu().numpy()
    if hasattr(labels, "detach"):
        labels = labels.detach().cpu().numpy()
    codes = np.asarray(codes, dtype=float)
    labels = np.asarray(labels)
    if codes.ndim != 2 or codes.shape[1] != 2:
        raise ValueError(f"codes must have shape (N, 2), got {codes.shape}")
    if labels.shape != (len(codes),):
        raise ValueError(f"labels must have shape ({len(codes)},) to match codes, got {labels.shape}")
    classes = np.unique(labels)
    if len(classes) > len(CLASS_COLORS):
        raise ValueError(f"labels holds {len(classes)} classes; a latent scatter tells at most "
                         f"{len(CLASS_COLORS)} apart")
    fig, (ax,) = new_figure(width=6.0, height=5.0)
    for i, label in enumerate(classes):
        points = codes[labels == label]
        ax.scatter(points[:, 0], points[:, 1], s=12, alpha=0.6, color=CLASS_COLORS[i], marker=CLASS_MARKERS[i],
                   label=str(label))
        cx, cy = np.median(points, axis=0)
        ax.text(cx, cy, str(label), fontsize=13, fontweight="bold", ha="center", va="center",
                color=COLORS["ink"], bbox={"boxstyle": "round,pad=0.2", "fc": "#FCFCFD", "alpha": 0.8, "lw": 0})
    ax.set(title=title, xlabel="code 1", ylabel="code 2")
    ax.legend(title="label", loc="center left", bbox_to_anchor=(1.0, 0.5), markerscale=1.5)
    return fig


def data_and_curves(x, y, curves: Mapping[str, tuple], *, title: str = "Data and model",
                    point_size: float = 6.0, dashed: Sequence[str] = (), point_alpha: float = 0.35,
                    points_label: str = "data",
                    colors: Sequence[str] = ("red", "green", "orange", "purple", "ink")) -> Figure:
    """Scatter ``(x, y)`` (many points are fine) and draw curves given as ``label -> (x_curve, y_curve)``.

    Curves named in ``dashed`` are drawn thinner, dashed and on top of the others, so that a
    reference curve (the true one) and a fitted curve lying on it both stay visible.
    ``point_alpha`` is the points' opacity (low for thousands of points, high
    for a few dozen); ``colors`` names the curves' colours in turn (keys of
    [`COLORS`][linreg.style.COLORS]), e.g. to keep red for a true line drawn
    in another figure.

    Examples:
        >>> fig = data_and_curves([0, 1, 2], [1, 3, 5], {"fit": ([0, 2], [1, 5])})
        >>> len(fig.axes[0].lines)
        1
    """
    from linreg._checks import as_2d_array, check_fraction, check_same_length

    x = as_2d_array("x", x)[:, 0]
    y = as_2d_array("y", y)[:, 0]
    check_same_length("x", x, "y", y)
    unknown = sorted(set(dashed) - set(curves))
    if unknown:
        raise ValueError(f"dashed names curves that are not in curves: {unknown}")
    point_alpha = check_fraction("point_alpha", point_alpha, inclusive=True)
    if isinstance(colors, str) or not colors or any(c not in COLORS for c in colors):
        raise ValueError(f"colors must be a non-empty sequence of names from {sorted(COLORS)}, got {colors!r}")
    fig, (ax,) = new_figure()
    ax.scatter(x, y, s=point_size, alpha=point_alpha, label=points_label, color=COLORS["blue"])
    colors = iter([COLORS[c] for c in colors] * len(curves))
    for label, (x_curve, y_curve) in curves.items():
        x_curve = as_2d_array(f"curves[{label!r}] x", x_curve)[:, 0]
        y_curve = as_2d_array(f"curves[{label!r}] y", y_curve)[:, 0]
        order = np.argsort(x_curve)
        line = {"ls": "--", "lw": 1.8, "zorder": 3} if label in dashed else {"lw": 2.5}
        ax.plot(x_curve[order], y_curve[order], label=label, color=next(colors), **line)
    ax.set(title=title, xlabel="x", ylabel="y")
    ax.legend()
    return fig


def losses_and_lr(train_loss: Sequence[float], lr: Sequence[float], *,
                  val_loss: Sequence[float] | None = None,
                  title: str = "Loss and learning rate per epoch",
                  floor: tuple[str, float] | None = None) -> Figure:
    """Loss curves on a log scale with the learning rate on a second (right-hand) axis.

    Pass the lists of a [`linreg.training.History`][linreg.training.History]: ``train_loss``, ``lr``
    and optionally ``val_loss``. The learning rate is drawn as a dashed step
    line, so a scheduler's drops line up with the bends in the loss.
    ``floor=(label, value)`` draws a loss no model can go below as a dotted line.

    Examples:
        >>> fig = losses_and_lr([1.0, 0.5, 0.4], [0.1, 0.1, 0.05], val_loss=[1.1, 0.6, 0.5])
        >>> [ax.get_yscale() for ax in fig.axes]
        ['log', 'log']
    """
    curves = {"train loss": train_loss}
    if val_loss is not None and len(val_loss):
        curves["validation loss"] = val_loss
    lengths = {len(v) for v in (*curves.values(), lr)}
    if len(lengths) != 1 or 0 in lengths:
        raise ValueError(f"train_loss, val_loss and lr must be non-empty and of equal length, got lengths {lengths}")
    fig, (ax,) = new_figure()
    epochs = np.arange(1, len(lr) + 1)
    for (label, values), color in zip(curves.items(), ("blue", "orange"), strict=False):
        values = np.asarray(values, dtype=float)
        if np.any(values <= 0):
            raise ValueError(f"{label} has values <= 0, which a log scale cannot show")
        ax.plot(epochs, values, label=label, color=COLORS[color])
    if floor is not None:
        _floor_line(ax, floor)
    ax.set_yscale("log")
    ax.set(title=title, xlabel="epoch", ylabel="loss (log scale)")
    rate_ax = ax.twinx()
    rate_ax.step(epochs, np.asarray(lr, dtype=float), where="post", color=COLORS["green"], ls="--", lw=1.8,
                 label="learning rate")
    rate_ax.set_yscale("log")
    rate_ax.set_ylabel("learning rate (log scale)", color=COLORS["green"])
    rate_ax.tick_params(axis="y", which="both", colors=COLORS["green"])
    rate_ax.grid(False)  # one grid (the loss axis) is enough
    rate_ax.spines["right"].set_visible(True)
    handles = ax.get_legend_handles_labels()[0] + rate_ax.get_legend_handles_labels()[0]
    # Below the axes: inside, any corner would hide part of a loss or rate curve.
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles))
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    return fig


def lr_sweep(learning_rates: Sequence[float], final_losses: Sequence[float], *,
             title: str = "Final loss against learning rate", tie: float = 1e-6,
             marks: Mapping[str, float] | None = None) -> Figure:
    """Final loss against learning rate, both on log scales; a diverged run is a NaN or inf loss.

    Diverged runs (non-finite losses) are marked with a cross at the top of
    the plot instead of being dropped silently. The best rate is circled; when
    several losses lie within ``tie`` (relative) of the lowest, they are a tie,
    not a best: every one of them is circled and the legend names their range.
    ``marks`` (label -> rate) draws a labelled vertical line at each rate, e.g. one used elsewhere on the page.

    Examples:
        >>> fig = lr_sweep([0.001, 0.01, 0.1, 1.0], [0.5, 0.05, 0.01, float("nan")])
        >>> fig.axes[0].get_xscale()
        'log'
        >>> lr_sweep([0.01, 0.1, 1.0], [0.5, 0.01, 0.01 * (1 + 1e-9)]).axes[0].get_legend().get_texts()[-1].get_text()
        'lowest, tied: lr 0.1 to 1'
    """
    rates = np.asarray(learning_rates, dtype=float)
    losses = np.asarray(final_losses, dtype=float)
    if rates.ndim != 1 or rates.shape != losses.shape or rates.size == 0:
        raise ValueError("learning_rates and final_losses must be non-empty 1-D sequences of equal length")
    if np.any(rates <= 0):
        raise ValueError("learning_rates must all be positive for a log scale")
    finite = np.isfinite(losses)
    if not finite.any():
        raise ValueError("final_losses has no finite value: every run diverged")
    fig, (ax,) = new_figure()
    ax.plot(rates[finite], losses[finite], marker="o", color=COLORS["blue"], label="final loss")
    if (~finite).any():
        top = losses[finite].max() * 2
        ax.scatter(rates[~finite], np.full((~finite).sum(), top), marker="x", s=60, color=COLORS["red"],
                   label="diverged", zorder=3)
    lowest = np.nanmin(np.where(finite, losses, np.nan))
    tied = np.flatnonzero(finite & (losses <= lowest * (1 + tie)))
    label = (f"best: lr = {rates[tied[0]]:.3g}" if tied.size == 1
             else f"lowest, tied: lr {rates[tied].min():.3g} to {rates[tied].max():.3g}")
    ax.scatter(rates[tied], losses[tied], s=160, facecolors="none", edgecolors=COLORS["green"], linewidths=2,
               label=label, zorder=3)
    for label, rate in (marks or {}).items():
        if not np.isfinite(rate) or rate <= 0:
            raise ValueError(f"marks[{label!r}] must be a positive learning rate, got {rate!r}")
        ax.axvline(rate, color=COLORS["ink"], ls=":", lw=1.5, label=label, zorder=1)
    ax.set(xscale="log", yscale="log", title=title, xlabel="learning rate (log scale)",
           ylabel="final loss (log scale)")
    ax.legend()
    return fig


def landing_figure(points, fit, least_squares: tuple[float, float], *,
                   checkpoints: Sequence[int] = (1, 10, 100)) -> Figure:
    """The home page's picture: the data, the line after a few epochs and at the end, and the MSE after each epoch.

    ``points`` is a [`linreg.data.LineData`][linreg.data.LineData]; ``fit`` a
    [`linreg.scratch.DescentResult`][linreg.scratch.DescentResult] whose ``path`` holds ``(a, b)`` at the start
    and after every epoch; ``least_squares`` the exact ``(a, b)``
    ([`linreg.scratch.closed_form()`][linreg.scratch.closed_form]), drawn as a wide pale band under the
    final line. Both panels count the same way: the training MSE of the line *after* a number of epochs
    (0 is the random start), so a dot in the second panel is the MSE of the line of its colour in the first. The
    alt text states the numbers the picture shows: each line's training MSE and how far the final line
    lies from the exact one.

    Examples:
        >>> from linreg import data, scratch
        >>> points = data.line_data()
        >>> fit = scratch.gradient_descent(points.x_train, points.y_train, epochs=100)
        >>> exact = scratch.closed_form(points.x_train, points.y_train)
        >>> len(landing_figure(points, fit, exact, checkpoints=(1, 10)).axes)
        2
    """
    epochs = len(fit.losses)
    shades = [COLORS["sky"], COLORS["purple"], COLORS["orange"]]
    if len(checkpoints) > len(shades):
        raise ValueError(f"checkpoints can name at most {len(shades)} epochs, got {len(checkpoints)}")
    for epoch in checkpoints:
        if not 1 <= epoch < epochs:
            raise ValueError(f"checkpoints must lie between 1 and {epochs - 1} (the final epoch is drawn anyway), "
                             f"got {epoch}")
    if len(fit.path) != epochs + 1:
        raise ValueError(f"fit.path must hold (a, b) at the start and after each of the {epochs} epochs "
                         f"(a run without record_steps), got {len(fit.path)} rows")
    if len(least_squares) != 2:
        raise ValueError(f"least_squares must be the exact pair (a, b), got {least_squares!r}")
    a_exact, b_exact = (float(v) for v in least_squares)
    x, y = points.x_train[:, 0], points.y_train[:, 0]
    # the training MSE of the line after each number of epochs, 0 (the random start) to the last
    mse_after = np.array([float(np.mean((a + b * x - y) ** 2)) for a, b in fit.path])

    fig, (left, right) = new_figure(ncols=2, width=9.0, height=3.6)
    # Neutral points and a final line in ink (light in the dark rendering): the coloured lines stand out.
    left.scatter(x, y, s=16, alpha=0.45, color=COLORS["ink"], label="training data")
    grid = np.linspace(0, 1, 20)
    for color, epoch in zip(shades, checkpoints, strict=False):
        a, b = fit.path[epoch]
        left.plot(grid, a + b * grid, ls="--", lw=1.5, color=color, label=f"after {epoch} epoch{'s' * (epoch > 1)}")
    # The exact answer as a wide pale band, the final line thin on top: where they
    # agree, the final line runs inside the band.
    left.plot(grid, a_exact + b_exact * grid, lw=7, alpha=0.35, color=COLORS["green"], solid_capstyle="butt",
              label="exact least squares")
    left.plot(grid, fit.a + fit.b * grid, lw=1.8, color=COLORS["ink"], label=f"after {epochs} epochs")
    left.set(title="Fitting y = a + b x by gradient descent", xlabel="x", ylabel="y")
    left.legend(fontsize=8.5)
    right.plot(np.arange(epochs + 1), mse_after, lw=1.5, color=COLORS["ink"])
    for color, epoch in [*zip(shades, checkpoints, strict=False), (COLORS["ink"], epochs)]:
        right.plot(epoch, mse_after[epoch], "o", ms=7, color=color)  # the line of this colour on the left
    right.set_yscale("log")
    right.set_xscale("symlog", linthresh=1)  # linear from 0 to 1, logarithmic beyond: the start has a place
    right.set_xlim(0, epochs * 1.3)
    right.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda value, _: f"{value:g}"))  # 100, not 10²
    right.set(title="Training MSE after each epoch", xlabel="epochs trained (log scale past 1)",
              ylabel="MSE (log scale)")

    # Lines are straight: their largest vertical gap over [0, 1] is at an end.
    gap = max(abs((fit.a - a_exact) + (fit.b - b_exact) * end) for end in (0.0, 1.0))
    def in_words(items) -> str:  # "1, 10 and 100"
        items = [str(item) for item in items]
        return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"

    checkpoint_mses = in_words(f"{mse_after[epoch]:.3g}" for epoch in checkpoints)
    return describe(fig, (
        f"First panel: {len(x)} noisy points rising from about {a_exact:.1f} at x = 0 to "
        f"{a_exact + b_exact:.1f} at x = 1. Dashed lines show the fit after "
        f"{in_words(checkpoints)} epochs of gradient descent, with training MSE {checkpoint_mses}. "
        f"The solid line after {epochs} epochs (MSE {mse_after[-1]:.3g}) runs inside a wide band, the "
        f"exact least-squares line y = {a_exact:.3f} + {b_exact:.3f}x: the two lines are at most {gap:.1e} "
        f"apart in y over 0 ≤ x ≤ 1. "
        f"Second panel: the training MSE after each epoch, falling from {mse_after[0]:.3g} at the random start "
        f"(0 epochs) to {mse_after[-1]:.3g} after {epochs} epochs; a dot in each line's colour marks its MSE."))


def _value_grid(ax, values: np.ndarray, vmax: float, title: str) -> None:
    """Draw a 2-D array as coloured cells, each labelled with its value."""
    from linreg.style import VALUE_CMAP

    ax.imshow(values, cmap=VALUE_CMAP, vmin=0, vmax=vmax)
    for (row, col), value in np.ndenumerate(values):
        # the ink reads on every cell of VALUE_CMAP; the dark rendering swaps both (style.DARK_CMAPS)
        ax.text(col, row, f"{value:g}", ha="center", va="center", fontsize=10, fontweight="bold",
                color=COLORS["ink"])
    ax.set_xticks(range(values.shape[1]))
    ax.set_yticks(range(values.shape[0]))
    ax.tick_params(length=0)
    ax.grid(False)
    ax.set_title(title)


def _memory_order_on_a_phone(fig: Figure) -> None:
    """memory_order_figure's narrow arrangement: the flat tensors in two halves, one under the other.

    At a phone's width twelve cells and the rows' names do not fit on one line.
    """
    grid_x, grid_t, strip = fig.axes
    image = strip.images[0]
    flat, vmax = np.asarray(image.get_array()), float(image.norm.vmax)
    names = [label.get_text() for label in strip.get_yticklabels()]
    title, xlabel = strip.get_title(), strip.get_xlabel()
    half = -(-flat.shape[1] // 2)
    rows, cols = grid_x.images[0].get_array().shape
    layout = fig.add_gridspec(3, 2, height_ratios=[max(rows, cols) + 1.5, 2, 2], width_ratios=[cols, rows])
    grid_x.set_subplotspec(layout[0, 0])
    grid_t.set_subplotspec(layout[0, 1])
    strip.set_subplotspec(layout[1, :])
    rest = fig.add_subplot(layout[2, :])
    for ax, start, stop in ((strip, 0, half), (rest, half, flat.shape[1])):
        ax.clear()
        _value_grid(ax, flat[:, start:stop], vmax, title if ax is strip else "")
        ax.set_xticks(range(stop - start), [str(i) for i in range(start, stop)])
        ax.set_yticks([0, 1], names)
        ax.set_aspect("auto")  # cells taller than wide: each row's two-line name fits beside it
    rest.set_xlabel(xlabel)
    fig.set_size_inches(NARROW_WIDTH, 5.2)


def memory_order_figure(x) -> Figure:
    """How a 2-D tensor ``x`` and its transpose lay their elements out when flattened (page 1).

    Top: ``x`` and ``x.t()`` as coloured grids (same colour, same element).
    Bottom: ``x.view(-1)`` and ``x.t().reshape(-1)``: flattening reads rows
    left to right, top to bottom, so the transpose comes out in a new order,
    which its memory does not hold, and ``reshape`` has to copy.

    Examples:
        >>> import torch
        >>> fig = memory_order_figure(torch.arange(6.0).view(2, 3))
        >>> len(fig.axes)
        3
    """
    from linreg._checks import check_tensor

    check_tensor("x", x, ndim=2)
    values = x.detach().cpu().double().numpy()
    flat, flat_t = x.reshape(-1), x.t().reshape(-1)
    vmax = float(values.max()) or 1.0
    rows, cols = values.shape
    fig, axes = new_figure(ncols=2, nrows=2, width=8.0, height=4.6)
    narrow_layout(fig, _memory_order_on_a_phone)
    grid_spec = axes[2].get_subplotspec().get_gridspec()
    for ax in axes[2:]:
        ax.remove()
    strip = fig.add_subplot(grid_spec[1, :])
    _value_grid(axes[0], values, vmax, f"x: shape {tuple(x.shape)}")
    _value_grid(axes[1], values.T, vmax, f"x.t(): shape {(cols, rows)}")
    strips = np.stack([flat.detach().cpu().double().numpy(), flat_t.detach().cpu().double().numpy()])  # (2, N)
    _value_grid(strip, strips, vmax, "Flattened: the order each flat tensor holds")
    strip.set_yticks([0, 1], ["x.view(-1)\nshares memory", "x.t().reshape(-1)\nmakes a copy"])
    strip.set_xlabel("position in the flat tensor")
    for ax in axes[:2]:
        ax.set(xlabel="column", ylabel="row")
    def reading(order: np.ndarray) -> str:  # "0, 1, 2, 3, 4, 5", or the first four and "..." for a long one
        return ", ".join(f"{v:g}" for v in order[:8]) if order.size <= 8 else ", ".join(
            f"{v:g}" for v in order[:4]) + "..."

    return describe(fig, (
        f"Top: a {rows} by {cols} tensor and its {cols} by {rows} transpose, each cell coloured and labelled "
        f"by its value. Bottom: the two flattened: x.view(-1) reads {reading(values.ravel())} in order, while "
        f"x.t().reshape(-1) reads {reading(values.T.ravel())}, an order x's memory does not hold, so reshape "
        "copies."))
