"""Static figures in one house style, one function per kind of figure.

Every function returns a `matplotlib.figure.Figure` and never calls
``plt.show()``: a notebook displays the returned figure, a test inspects it.

The house style draws on an opaque, light "card"; every figure a notebook
displays is also rendered in a dark version of the style (`DARK_STYLE`, the
slate page's background, light ink), and the site shows the rendering that
matches the reader's palette (see [`figure_png()`][linreg.plots.figure_png]). Colours come from the Okabe-Ito palette,
which stays distinguishable with the common forms of colour blindness; a page
never picks colours by hand, it uses [`COLORS`][linreg.plots.COLORS]. An optimization method
keeps one colour in every figure of the site ([`METHOD_COLORS`][linreg.plots.METHOD_COLORS]), so that
a loss curve and a path on a loss surface can be read together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import contextmanager

import matplotlib
import matplotlib.collections
import matplotlib.pyplot as plt
import matplotlib.text
import matplotlib.ticker
import numpy as np
from matplotlib.figure import Figure

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
(see [`method_of()`][linreg.plots.method_of]). The colours stand out both on the light card and on the viridis loss
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
[`COLORS`][linreg.plots.COLORS]) are not in it: each keeps at least 3:1 contrast on both
backgrounds it has to read on, checked in ``tests/test_plots.py``."""

DARK_STYLE: dict[str, object] = {
    key: DARK_SWAP.get(value, value) if isinstance(value, str) else value for key, value in STYLE.items()
}
"""The house style for the site's dark (slate) palette: same sizes and fonts, colours from ``DARK_SWAP``."""


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


# Artists take their defaults from rcParams when they are created, which is
# often after new_figure() has returned: so the style is applied globally, once,
# on import. Everything that imports linreg.plots draws in the house style.
matplotlib.rcParams.update(STYLE)


def method_of(label: str) -> str | None:
    """The method of [`METHOD_COLORS`][linreg.plots.METHOD_COLORS] that ``label`` names, or None.

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
    """Apply the house style and, inside IPython, show figures as 2x PNGs with alt text.

    Call once near the top of a notebook: figures a page draws by hand then
    match the ones [`linreg.plots`][linreg.plots] returns, and every figure carries its
    alternative text (see [`describe()`][linreg.plots.describe]) into the built page.

    Examples:
        >>> use_house_style()
        >>> matplotlib.rcParams["axes.spines.top"]
        False
    """
    matplotlib.rcParams.update(STYLE)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the docs extra
        return
    shell = get_ipython()
    if shell is not None:
        formatters = shell.display_formatter.formatters
        formatters["image/png"].for_type(Figure, figure_png)
        # figure_png is the only representation: no duplicate text/plain "<Figure ...>"
        formatters["text/plain"].for_type(Figure, lambda fig, p, cycle: None)


def describe(fig: Figure, alt: str) -> Figure:
    """Attach alternative text to ``fig`` (what a screen reader says instead of the picture).

    Without it, the text is built from the figure's titles (see [`alt_text()`][linreg.plots.alt_text]).

    Examples:
        >>> fig, _ = new_figure()
        >>> alt_text(describe(fig, "a straight line"))
        'a straight line'
    """
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("alt must be a non-empty description of the figure")
    fig.set_label(alt.strip())
    return fig


def alt_text(fig: Figure) -> str:
    """The alternative text of ``fig``: its [`describe()`][linreg.plots.describe] label, else its titles.

    Examples:
        >>> fig, (ax,) = new_figure()
        >>> _ = ax.set_title("Loss per epoch")
        >>> alt_text(fig)
        'Figure: Loss per epoch'
    """
    if fig.get_label():
        return fig.get_label()
    titles = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    titles += [ax.get_title() for ax in fig.axes if ax.get_title()]
    return "Figure: " + "; ".join(titles) if titles else "Figure"


DARK_CHUNK = b"dkPn"
"""PNG chunk type (ancillary, private) holding a figure's dark rendering inside its light PNG."""


def _swap(color, swap: Mapping[str, str]):
    """``color`` with its RGB replaced through ``swap`` (alpha kept), or None if ``swap`` does not name it."""
    try:
        rgba = matplotlib.colors.to_rgba(color)
    except (ValueError, TypeError):
        return None
    new = swap.get(matplotlib.colors.to_hex(rgba).upper())
    return None if new is None else matplotlib.colors.to_rgba(new, rgba[3])


@contextmanager
def dark_palette(fig: Figure):
    """Context manager: ``fig`` recoloured for the dark palette inside the block, restored after.

    Only the colours that belong to the light style change (``DARK_SWAP``); data colours
    and colormaps stay, so both renderings show the same data in the same layout.

    Examples:
        >>> fig, (ax,) = new_figure()
        >>> with dark_palette(fig):
        ...     matplotlib.colors.to_hex(fig.get_facecolor()).upper() == DARK_BACKGROUND
        True
        >>> matplotlib.colors.to_hex(fig.get_facecolor())
        '#fcfcfd'
    """
    undo = []

    def recolor(obj, prop):
        getter, setter = getattr(obj, "get_" + prop, None), getattr(obj, "set_" + prop, None)
        if getter is None or setter is None:
            return
        old = getter()
        if isinstance(old, np.ndarray) and old.ndim == 2:  # collections: one colour per item
            if not len(old):
                return
            rows = [_swap(tuple(row), DARK_SWAP) for row in old]
            if all(row is None for row in rows):
                return
            new = np.array([row if row is not None else tuple(o) for row, o in zip(rows, old, strict=True)])
        else:
            new = _swap(old, DARK_SWAP) if isinstance(old, str | tuple | np.ndarray) else None
            if new is None:
                return
        undo.append((setter, old))
        setter(new)

    props = ("facecolor", "edgecolor", "color", "markerfacecolor", "markeredgecolor")
    for artist in fig.findobj():
        if isinstance(artist, matplotlib.cm.ScalarMappable) and artist.get_array() is not None:
            continue  # coloured by its colormap: data, not style
        if isinstance(artist, matplotlib.text.Text):
            recolor(artist, "color")
            if artist.get_bbox_patch() is not None:
                recolor(artist.get_bbox_patch(), "facecolor")
                recolor(artist.get_bbox_patch(), "edgecolor")
            continue
        for prop in props:
            if prop == "color" and isinstance(artist, matplotlib.collections.Collection):
                continue  # set_color would overwrite face and edge with one colour
            recolor(artist, prop)
    saved_axinfo = []
    for ax in fig.axes:  # 3-D axes keep pane and grid colours outside the artist tree
        for axis in (getattr(ax, "xaxis", None), getattr(ax, "yaxis", None), getattr(ax, "zaxis", None)):
            if axis is not None and hasattr(axis, "pane"):
                # matplotlib's panes are light greys drawn at half opacity (not a style colour):
                # a grey just above the slate background instead, so no light wall shows.
                undo.append((axis.pane.set_facecolor, axis.pane.get_facecolor()))
                undo.append((axis.pane.set_edgecolor, axis.pane.get_edgecolor()))
                axis.pane.set_facecolor("#2E323C")
                axis.pane.set_edgecolor("#2E323C")
                grid = axis._axinfo.get("grid", {})
                saved_axinfo.append((grid, dict(grid)))
                if "color" in grid and _swap(grid["color"], DARK_SWAP) is not None:
                    grid["color"] = _swap(grid["color"], DARK_SWAP)
    try:
        with matplotlib.rc_context(DARK_STYLE):  # artists created while drawing (new ticks) take dark colours
            yield fig
    finally:
        for setter, old in reversed(undo):
            setter(old)
        for grid, old in saved_axinfo:
            grid.clear()
            grid.update(old)


def _png(fig: Figure, alt: str | None = None) -> tuple[bytes, tuple[int, int]]:
    """``fig`` as a 2x, 256-colour PNG, with ``alt`` in a Description chunk if given."""
    import io

    from PIL import Image, PngImagePlugin

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=2 * fig.dpi, bbox_inches="tight", metadata={"Software": None},
                facecolor=fig.get_facecolor())
    image = Image.open(buffer).convert("RGB")
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    info = PngImagePlugin.PngInfo()
    if alt is not None:
        info.add_text("Description", alt)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True, pnginfo=info)
    return out.getvalue(), image.size


def dark_png(png: bytes) -> bytes | None:
    """The dark rendering that [`figure_png()`][linreg.plots.figure_png] put inside ``png``, if any.

    Examples:
        >>> fig, _ = new_figure(width=2, height=1)
        >>> dark_png(figure_png(fig)[0]).startswith(b"\\x89PNG")
        True
    """
    import struct

    pos = 8  # after the PNG signature
    while pos + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == DARK_CHUNK:
            return png[pos + 8:pos + 8 + length]
        if kind == b"IEND":
            break
        pos += 12 + length
    return None


def figure_png(fig: Figure) -> tuple[bytes, dict[str, int]]:
    """Render ``fig`` as a 2x PNG for notebooks: ``(png_bytes, {"width", "height"})``.

    The image is reduced to a 256-colour palette (no dithering): line plots on
    a flat card lose nothing visible and shrink about 3x, which keeps pages
    with many figures light. The alternative text travels inside the PNG (a
    ``Description`` text chunk) so the site build can put it on the ``<img>``
    tag; no ``Software`` stamp, so the bytes depend on the figure only.

    The PNG is the light rendering (what Colab and a downloaded notebook show);
    the same figure rendered for the dark palette ([`dark_palette()`][linreg.plots.dark_palette])
    travels inside it, in a private chunk that [`dark_png()`][linreg.plots.dark_png] reads,
    so the site can show the rendering that matches the reader's palette.

    Examples:
        >>> fig, _ = new_figure(width=2, height=1)
        >>> png, size = figure_png(fig)
        >>> png.startswith(b"\\x89PNG"), size["width"] > 0
        (True, True)
    """
    import struct
    import zlib

    # Light first: drawing creates the ticks from the light style, the dark pass only recolours them.
    light, (width, height) = _png(fig, alt=alt_text(fig))
    # Constrained layout moves axes by a few pixels on every draw: frozen at the light
    # rendering's positions, the dark one has exactly its layout and size.
    engine = fig.get_layout_engine()
    fig.set_layout_engine("none")
    try:
        with dark_palette(fig):
            dark, _ = _png(fig)
    finally:
        fig.set_layout_engine(engine)
    chunk = struct.pack(">I", len(dark)) + DARK_CHUNK + dark + struct.pack(">I", zlib.crc32(DARK_CHUNK + dark))
    iend = len(light) - 12  # the IEND chunk closes every PNG
    return light[:iend] + chunk + light[iend:], {"width": width // 2, "height": height // 2}


@contextmanager
def house_style():
    """Context manager: the house style for the figures created inside the block."""
    with plt.style.context(STYLE):
        yield


def new_figure(ncols: int = 1, nrows: int = 1, *, width: float | None = None,
               height: float | None = None, **subplot_kw) -> tuple[Figure, np.ndarray]:
    """Create a figure in the house style; returns ``(fig, axes)`` with ``axes`` always an array.

    Examples:
        >>> fig, axes = new_figure(ncols=2)
        >>> axes.shape
        (2,)
    """
    for name, value in (("ncols", ncols), ("nrows", nrows)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    base_w, base_h = STYLE["figure.figsize"]
    size = (width or base_w * (1 if ncols == 1 else 0.62 * ncols),
            height or base_h * (1 if nrows == 1 else 0.85 * nrows))
    with house_style():
        # A bare Figure, not plt.figure(): pyplot's registry of open figures is
        # global state, and a notebook would display every figure twice.
        fig = Figure(figsize=size)
        axes = fig.subplots(nrows, ncols, squeeze=False, subplot_kw=subplot_kw or None)
    return fig, axes.ravel()


def loss_curves(curves: Mapping[str, Sequence[float]], *, log: bool = True,
                title: str = "Loss per epoch", xlabel: str = "epoch",
                ylabel: str = "loss") -> Figure:
    """Plot one or more loss curves against the epoch, on a log scale by default.

    ``curves`` maps a label (``"train"``, ``"validation"``, ...) to its values.
    Labels that name optimization methods ("SGD", "Adam (lr 0.5)") draw in
    the methods' own colours ([`line_colors()`][linreg.plots.line_colors]).

    Examples:
        >>> fig = loss_curves({"train": [1.0, 0.5, 0.25]})
        >>> fig.axes[0].get_yscale()
        'log'
    """
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError("curves must be a non-empty mapping of label -> loss values")
    fig, (ax,) = new_figure()
    colors = line_colors(curves)
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"curves[{label!r}] must be a non-empty 1-D sequence of numbers")
        if log and np.any(values <= 0):
            raise ValueError(f"curves[{label!r}] has values <= 0, which a log scale cannot show; pass log=False")
        ax.plot(np.arange(1, values.size + 1), values, label=label, color=colors[label])
    if log:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel + (" (log scale)" if log else ""))
    if len(curves) > 1:
        ax.legend()
    return fig


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
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError("curves must be a non-empty mapping of label -> loss values")
    fig, axes = new_figure(ncols=2, width=9.0, height=3.6)
    colors = line_colors(curves)
    for ax, log in zip(axes, (False, True), strict=True):
        for label, values in curves.items():
            values = np.asarray(values, dtype=float)
            if values.ndim != 1 or values.size == 0:
                raise ValueError(f"curves[{label!r}] must be a non-empty 1-D sequence of numbers")
            if log and np.any(values <= 0):
                raise ValueError(f"curves[{label!r}] has values <= 0, which a log scale cannot show")
            ax.plot(np.arange(1, values.size + 1), values, label=label, color=colors[label])
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set(xlabel="epoch", ylabel="loss (log scale)" if log else "loss",
               title="log scale" if log else "linear scale")
        if log:
            ax.set_yscale("log")
        if len(curves) > 1:
            ax.legend()
    fig.suptitle(title, fontweight="bold")
    return fig


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
    return fig


def latent_scatter(codes, labels, *, title: str = "Latent space") -> Figure:
    """Scatter 2-D codes ``(N, 2)`` coloured and shaped by their integer label, each class named at its median.

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
    # ten classes but seven palette colours: colour and marker together keep every class distinct
    palette = [COLORS[c] for c in ("blue", "orange", "green", "red", "purple", "sky", "yellow", "ink")]
    markers = ["o", "s", "^", "D", "v", "P", "X", "*"]
    fig, (ax,) = new_figure(width=6.0, height=5.0)
    for i, label in enumerate(np.unique(labels)):
        points = codes[labels == label]
        ax.scatter(points[:, 0], points[:, 1], s=12, alpha=0.6, color=palette[i % len(palette)],
                   marker=markers[(i + i // len(palette)) % len(markers)], label=str(label))
        cx, cy = np.median(points, axis=0)
        ax.text(cx, cy, str(label), fontsize=13, fontweight="bold", ha="center", va="center",
                color=COLORS["ink"], bbox={"boxstyle": "round,pad=0.2", "fc": "#FCFCFD", "alpha": 0.8, "lw": 0})
    ax.set(title=title, xlabel="code 1", ylabel="code 2")
    ax.legend(title="label", loc="center left", bbox_to_anchor=(1.0, 0.5), markerscale=1.5)
    return fig


def data_and_curves(x, y, curves: Mapping[str, tuple], *, title: str = "Data and model",
                    point_size: float = 6.0) -> Figure:
    """Scatter ``(x, y)`` (many points are fine) and draw curves given as ``label -> (x_curve, y_curve)``.

    Examples:
        >>> fig = data_and_curves([0, 1, 2], [1, 3, 5], {"fit": ([0, 2], [1, 5])})
        >>> len(fig.axes[0].lines)
        1
    """
    from linreg._checks import as_2d_array, check_same_length

    x = as_2d_array("x", x)[:, 0]
    y = as_2d_array("y", y)[:, 0]
    check_same_length("x", x, "y", y)
    fig, (ax,) = new_figure()
    ax.scatter(x, y, s=point_size, alpha=0.35, label="data", color=COLORS["blue"])
    colors = iter([COLORS[c] for c in ("red", "green", "orange", "purple", "ink")] * 4)
    for label, (x_curve, y_curve) in curves.items():
        x_curve = as_2d_array(f"curves[{label!r}] x", x_curve)[:, 0]
        y_curve = as_2d_array(f"curves[{label!r}] y", y_curve)[:, 0]
        order = np.argsort(x_curve)
        ax.plot(x_curve[order], y_curve[order], label=label, color=next(colors), lw=2.5)
    ax.set(title=title, xlabel="x", ylabel="y")
    ax.legend()
    return fig


def losses_and_lr(train_loss: Sequence[float], lr: Sequence[float], *,
                  val_loss: Sequence[float] | None = None,
                  title: str = "Loss and learning rate per epoch") -> Figure:
    """Loss curves on a log scale with the learning rate on a second (right-hand) axis.

    Pass the lists of a [`linreg.training.History`][linreg.training.History]: ``train_loss``, ``lr``
    and optionally ``val_loss``. The learning rate is drawn as a dashed step
    line, so a scheduler's drops line up with the bends in the loss.

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
             title: str = "Final loss against learning rate") -> Figure:
    """Final loss against learning rate, both on log scales; a diverged run is a NaN or inf loss.

    Diverged runs (non-finite losses) are marked with a cross at the top of
    the plot instead of being dropped silently. The best rate is circled.

    Examples:
        >>> fig = lr_sweep([0.001, 0.01, 0.1, 1.0], [0.5, 0.05, 0.01, float("nan")])
        >>> fig.axes[0].get_xscale()
        'log'
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
    best = np.nanargmin(np.where(finite, losses, np.nan))
    ax.scatter([rates[best]], [losses[best]], s=160, facecolors="none", edgecolors=COLORS["green"], linewidths=2,
               label=f"best: lr = {rates[best]:.3g}", zorder=3)
    ax.set(xscale="log", yscale="log", title=title, xlabel="learning rate (log scale)",
           ylabel="final loss (log scale)")
    ax.legend()
    return fig


def figure_html(fig: Figure) -> str:
    """An ``<img>`` tag holding ``fig`` as a 2x PNG, with its alt text: for Markdown pages.

    Markdown pages run code at build time (markdown-exec) and print HTML; the
    site build turns the data URI into a cached file.

    Examples:
        >>> fig, _ = new_figure()
        >>> figure_html(describe(fig, "empty")).startswith('<img alt="empty"')
        True
    """
    import base64
    import html

    png, size = figure_png(fig)
    data = base64.b64encode(png).decode("ascii")
    return (f'<img alt="{html.escape(alt_text(fig), quote=True)}" width="{size["width"]}" '
            f'height="{size["height"]}" src="data:image/png;base64,{data}">')


def landing_figure(points, fit, least_squares: tuple[float, float], *,
                   checkpoints: Sequence[int] = (1, 10, 100)) -> Figure:
    """The home page's picture: the data, the line after a few epochs and at the end, and the loss per epoch.

    ``points`` is a [`linreg.data.LineData`][linreg.data.LineData]; ``fit`` a
    [`linreg.scratch.DescentResult`][linreg.scratch.DescentResult] whose ``path`` holds ``(a, b)`` after
    every epoch; ``least_squares`` the exact ``(a, b)``
    ([`linreg.scratch.closed_form()`][linreg.scratch.closed_form]), drawn as a wide pale band under the
    final line. The alt text states the numbers the picture shows: each line's
    training MSE and how far the final line lies from the exact one.

    Examples:
        >>> from linreg import data, scratch
        >>> points = data.line_data()
        >>> fit = scratch.gradient_descent(points.x_train, points.y_train, epochs=100)
        >>> exact = scratch.closed_form(points.x_train, points.y_train)
        >>> len(landing_figure(points, fit, exact, checkpoints=(1, 10)).axes)
        2
    """
    epochs = len(fit.losses)
    shades = [COLORS["sky"], COLORS["purple"], COLORS["orange"], COLORS["yellow"]]
    if len(checkpoints) > len(shades):
        raise ValueError(f"checkpoints can name at most {len(shades)} epochs, got {len(checkpoints)}")
    for epoch in checkpoints:
        if not 1 <= epoch <= epochs:
            raise ValueError(f"checkpoints must lie between 1 and the {epochs} epochs trained, got {epoch}")
    if len(least_squares) != 2:
        raise ValueError(f"least_squares must be the exact pair (a, b), got {least_squares!r}")
    a_exact, b_exact = (float(v) for v in least_squares)
    x, y = points.x_train[:, 0], points.y_train[:, 0]

    def mse(a: float, b: float) -> float:
        return float(np.mean((a + b * x - y) ** 2))

    fig, (left, right) = new_figure(ncols=2, width=9.0, height=3.6)
    left.scatter(x, y, s=16, alpha=0.75, color=COLORS["blue"], label="training data")
    grid = np.linspace(0, 1, 20)
    for color, epoch in zip(shades, checkpoints, strict=False):
        a, b = fit.path[epoch]
        left.plot(grid, a + b * grid, ls="--", lw=1.5, color=color, label=f"after {epoch} epoch{'s' * (epoch > 1)}")
    # The exact answer as a wide pale band, the final line thin on top: where they
    # agree, the red line runs inside the band.
    left.plot(grid, a_exact + b_exact * grid, lw=7, alpha=0.35, color=COLORS["green"], solid_capstyle="butt",
              label="exact least squares")
    left.plot(grid, fit.a + fit.b * grid, lw=1.8, color=COLORS["red"], label=f"after {epochs} epochs")
    left.set(title="Fitting y = a + b x by gradient descent", xlabel="x", ylabel="y")
    left.legend(fontsize=8.5)
    right.plot(np.arange(1, epochs + 1), fit.losses, color=COLORS["red"])
    right.set_yscale("log")
    right.set_xscale("log")
    right.set(title="Training loss (MSE)", xlabel="epoch (log scale)", ylabel="loss (log scale)")

    # Lines are straight: their largest vertical gap over [0, 1] is at an end.
    gap = max(abs((fit.a - a_exact) + (fit.b - b_exact) * end) for end in (0.0, 1.0))
    def in_words(items) -> str:  # "1, 10 and 100"
        items = [str(item) for item in items]
        return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"

    checkpoint_mses = in_words(f"{mse(*fit.path[epoch]):.3g}" for epoch in checkpoints)
    return describe(fig, (
        f"Left: {len(x)} noisy points rising from about {a_exact:.1f} at x = 0 to "
        f"{a_exact + b_exact:.1f} at x = 1. Dashed lines show the fit after "
        f"{in_words(checkpoints)} epochs of gradient descent, with training MSE {checkpoint_mses}. "
        f"The solid line after {epochs} epochs (MSE {mse(fit.a, fit.b):.3g}) runs inside a wide pale band, the "
        f"exact least-squares line y = {a_exact:.3f} + {b_exact:.3f}x: the two are at most {gap:.1e} apart. "
        f"Right: the training loss falling from {fit.losses[0]:.3g} at epoch 1 to {fit.losses[-1]:.3g} at "
        f"epoch {epochs}."))
