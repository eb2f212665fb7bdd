"""The house style of every figure: colours, matplotlib settings and the figure factory.

The house style draws on an opaque, light "card"; every figure a notebook
displays is also rendered in a dark version of the style (`DARK_STYLE`, the
slate page's background, light ink), and the site shows the rendering that
matches the reader's palette (see [`linreg.display`][linreg.display]). Colours come from the
Okabe-Ito palette, which stays distinguishable with the common forms of colour
blindness; a page never picks colours by hand, it uses [`COLORS`][linreg.style.COLORS]. An
optimization method keeps one colour in every figure of the site
([`METHOD_COLORS`][linreg.style.METHOD_COLORS]), so that a loss curve and a path on a loss
surface can be read together.

The style is applied one way: as matplotlib's global settings (``rcParams``),
when this module is imported and again by [`use_house_style()`][linreg.style.use_house_style].
Artists take their defaults from ``rcParams`` when they are created, which is
often after [`new_figure()`][linreg.style.new_figure] has returned, so a context around figure
creation alone would not reach them.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib
import matplotlib.colors
import numpy as np
from matplotlib.figure import Figure

from linreg._checks import check_positive_int

COLORS: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "red": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "ink": "#1F2430",
    "grid": "#D8DCE3",
}
"""Named colours of the house style (Okabe-Ito), in the order lines receive them."""

LINE_COLORS: list[str] = [COLORS[c] for c in ("blue", "orange", "green", "red", "purple", "sky")]
"""Colours that lines receive in turn when nothing else decides (matplotlib's colour cycle)."""

METHOD_COLORS: dict[str, str] = {
    "SGD": COLORS["red"],
    "SGD with momentum": COLORS["orange"],
    "SGD with Nesterov momentum": COLORS["ink"],
    "RMSprop": COLORS["purple"],
    "Adam": COLORS["sky"],
}
"""One colour per optimization method, the same on every page and in every kind of figure
(loss curves, paths on a loss surface). A figure's label names the method by starting with one of these names
(see [`method_of()`][linreg.style.method_of]). The colours stand out both on the light card and on the viridis loss
surfaces."""

STYLE: dict[str, object] = {
    "figure.facecolor": "#FCFCFD",
    "axes.facecolor": "#FCFCFD",
    "savefig.facecolor": "#FCFCFD",
    "figure.figsize": (7.0, 3.8),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.constrained_layout.use": True,
    "font.size": 10.5,
    "axes.titlesize": 11.5,
    "axes.titleweight": "bold",
    "axes.edgecolor": "#9AA3B2",
    "axes.labelcolor": COLORS["ink"],
    "axes.grid": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=LINE_COLORS),
    "grid.color": COLORS["grid"],
    "grid.linewidth": 0.7,
    "text.color": COLORS["ink"],
    "xtick.color": "#4A5263",
    "ytick.color": "#4A5263",
    "legend.frameon": False,
    "lines.linewidth": 2.0,
    "scatter.edgecolors": "none",
    "svg.hashsalt": "linreg",  # stable ids inside SVG output: same code, same file
    "animation.embed_limit": 8.0,
}
"""Matplotlib settings of the house style: light card, dark ink, quiet grid."""

DARK_BACKGROUND = "#1E2129"
"""Page background of Material's slate palette: ``hsla(var(--md-hue), 15%, 14%, 1)`` with its default hue 225deg."""

DARK_SWAP: dict[str, str] = {
    "#FCFCFD": DARK_BACKGROUND,   # card -> slate page
    COLORS["ink"]: "#E2E5EB",     # text, titles, ink-coloured lines (Nesterov)
    "#000000": "#E2E5EB",         # matplotlib's own black (annotation arrows, markers)
    COLORS["grid"]: "#3A3F4B",
    "#9AA3B2": "#6B7385",         # spines
    "#4A5263": "#B4BAC6",         # tick labels
}
"""Light-style colour -> its dark-style replacement. Data colours (the Okabe-Ito hues of
[`COLORS`][linreg.style.COLORS]) are not in it: each keeps at least 3:1 contrast on both
backgrounds it has to read on, checked in ``tests/test_style.py``."""

DARK_POINTS: dict[str, object] = {"color": COLORS["sky"], "alpha": 0.6}
"""How the dark rendering draws a cloud of translucent house-blue data points.

Many small translucent points read as a cloud whose density shows. On the light card the house
blue at 35 to 45% opacity does that; on the slate background the same points sink into it (a
lone point about 1.5:1), so the dark rendering draws them in the lighter sky blue at 60% at least
(3.4:1; ``tests/test_animation.py`` and ``tests/test_display.py`` check them against the slate)."""

DARK_STYLE: dict[str, object] = {
    key: DARK_SWAP.get(value, value) if isinstance(value, str) else value for key, value in STYLE.items()
}
"""The house style for the site's dark (slate) palette: same sizes and fonts, colours from ``DARK_SWAP``."""

VALUE_CMAP = matplotlib.colors.LinearSegmentedColormap.from_list(
    "linreg_values", [COLORS["grid"], COLORS["sky"]])
"""A colormap for cells that show how large a value is (a tensor's elements), grid grey to sky blue:
ink labels read on every cell (at least 6.7:1; in the dark rendering, light ink on ``DARK_CMAPS``'
version, at least 5.8:1; ``tests/test_tensors.py``)."""

DARK_CMAPS: dict[str, matplotlib.colors.Colormap] = {
    "gray_r": matplotlib.colormaps["gray"],
    "linreg_values": matplotlib.colors.LinearSegmentedColormap.from_list(
        "linreg_values_dark", [DARK_SWAP[COLORS["grid"]], "#005A8C"]),  # a deep shade of the house blue
}
"""Colormap name -> its replacement in the dark rendering, for the colormaps that belong to the style
rather than to the data. A grey picture (a digit) is ink on paper: dark ink on white in the light
rendering, light ink on black in the dark one. The value cells start from the grid grey of each
palette. Data colormaps (a loss surface's) are not in it and stay."""


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21; text needs 4.5, lines and shapes 3).

    Examples:
        >>> round(contrast_ratio("#000000", "#FFFFFF"), 1)
        21.0
    """
    def luminance(color: str) -> float:
        channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                    for c in matplotlib.colors.to_rgb(color)]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    darker, lighter = sorted((luminance(a), luminance(b)))
    return (lighter + 0.05) / (darker + 0.05)


# Applied on import (see the module docstring): everything that imports linreg.style,
# linreg.plots among them, draws in the house style.
matplotlib.rcParams.update(STYLE)


def method_of(label: str) -> str | None:
    """The method of [`METHOD_COLORS`][linreg.style.METHOD_COLORS] that ``label`` names, or None.

    A label names a method when it starts with the method's name followed by
    nothing, a space or punctuation; the longest such name wins, so
    "SGD with momentum 0.9" is momentum, not plain SGD.

    Examples:
        >>> method_of("SGD with momentum 0.9 (lr 0.01)"), method_of("Adam"), method_of("AdamW")
        ('SGD with momentum', 'Adam', None)
    """
    if not isinstance(label, str):
        raise TypeError(f"label must be a string, got {type(label).__name__}")
    named = [method for method in METHOD_COLORS
             if label.startswith(method) and not label[len(method):len(method) + 1].isalnum()]
    return max(named, key=len, default=None)


def line_colors(labels, cycle: Sequence[str] = LINE_COLORS) -> dict[str, str]:
    """A colour for each label: its method's colour when the labels name different methods, else ``cycle``.

    Method colours are used only when every label names a method and no two
    name the same one: in "SGD with four learning rates" every curve is SGD,
    and the colour must tell the curves apart instead. A label that is not a
    string names no method.

    Examples:
        >>> line_colors(["SGD (lr 0.01)", "Adam (lr 0.5)"]) == {
        ...     "SGD (lr 0.01)": METHOD_COLORS["SGD"], "Adam (lr 0.5)": METHOD_COLORS["Adam"]}
        True
        >>> line_colors(["train", "validation"], cycle=["red", "blue"])
        {'train': 'red', 'validation': 'blue'}
    """
    labels = list(labels)
    if not cycle:
        raise ValueError("cycle must hold at least one colour")
    methods = [method_of(label) if isinstance(label, str) else None for label in labels]
    if None not in methods and len(set(methods)) == len(methods):
        return {label: METHOD_COLORS[method] for label, method in zip(labels, methods, strict=True)}
    return {label: cycle[i % len(cycle)] for i, label in enumerate(labels)}


def use_house_style() -> None:
    """Apply the house style again: call once near the top of a notebook.

    Figures a page draws by hand then match the ones [`linreg.plots`][linreg.plots]
    returns, even after a cell changed ``rcParams``. How figures are shown (PNGs
    with alt text, the site's dark and narrow renderings) is
    [`linreg.display`][linreg.display]'s job, done when a page imports it.

    Examples:
        >>> use_house_style()
        >>> matplotlib.rcParams["axes.spines.top"]
        False
    """
    matplotlib.rcParams.update(STYLE)


def new_figure(ncols: int = 1, nrows: int = 1, *, width: float | None = None,
               height: float | None = None, **subplot_kw) -> tuple[Figure, np.ndarray]:
    """Create a figure in the house style; returns ``(fig, axes)`` with ``axes`` always an array.

    Examples:
        >>> fig, axes = new_figure(ncols=2)
        >>> axes.shape
        (2,)
    """
    ncols, nrows = check_positive_int("ncols", ncols), check_positive_int("nrows", nrows)
    base_w, base_h = STYLE["figure.figsize"]
    size = (width or base_w * (1 if ncols == 1 else 0.62 * ncols),
            height or base_h * (1 if nrows == 1 else 0.85 * nrows))
    # A bare Figure, not plt.figure(): pyplot's registry of open figures is
    # global state, and a notebook would display every figure twice.
    fig = Figure(figsize=size)
    axes = fig.subplots(nrows, ncols, squeeze=False, subplot_kw=subplot_kw or None)
    return fig, axes.ravel()
