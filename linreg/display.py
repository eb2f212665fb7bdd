"""How a figure leaves the kernel: a light and a dark PNG with the figure's size and alt text.

A notebook output of a figure ([`figure_bundle()`][linreg.display.figure_bundle]) holds the light
2x PNG as ``image/png`` (what Jupyter, Colab and a downloaded notebook show), the same figure
rendered for the site's dark palette ([`dark_palette()`][linreg.display.dark_palette]) as
[`DARK_PNG`][linreg.display.DARK_PNG], and in its metadata the display size and the alternative text
([`describe()`][linreg.display.describe]); the site build turns the two into files and shows the one
that matches the reader's palette. A Markdown page prints both as ``<img>`` tags
([`figure_html()`][linreg.display.figure_html]). The colours come from [`linreg.style`][linreg.style].
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager

import matplotlib
import matplotlib.cm
import matplotlib.collections
import matplotlib.colors
import matplotlib.text
import numpy as np
from matplotlib.figure import Figure

from linreg import _figure_markup
from linreg._figure_markup import figure_markup
from linreg.style import DARK_CMAPS, DARK_STYLE, DARK_SWAP


def describe(fig: Figure, alt: str) -> Figure:
    """Attach alternative text to ``fig`` (what a screen reader says instead of the picture).

    Without it, the text is built from the figure's titles (see [`alt_text()`][linreg.display.alt_text]).

    Examples:
        >>> from linreg.style import new_figure
        >>> fig, _ = new_figure()
        >>> alt_text(describe(fig, "a straight line"))
        'a straight line'
    """
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("alt must be a non-empty description of the figure")
    fig.set_label(alt.strip())
    return fig


def alt_text(fig: Figure) -> str:
    """The alternative text of ``fig``: its [`describe()`][linreg.display.describe] label, else its titles.

    Examples:
        >>> from linreg.style import new_figure
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


DARK_PNG = _figure_markup.DARK_PNG
"""MIME type of a figure's dark rendering in its notebook output, beside the light ``image/png``:
``image/x-linreg-dark+png``.

Jupyter and Colab do not know it and show the light PNG; the site build shows
the one that matches the reader's palette (``hooks/media.py``).
"""


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

    Only the colours that belong to the light style change (``DARK_SWAP``, and the
    style's colormaps: ``DARK_CMAPS``); data colours and colormaps stay, so both
    renderings show the same data in the same layout.

    Examples:
        >>> from linreg.style import DARK_BACKGROUND, new_figure
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
            dark_cmap = DARK_CMAPS.get(artist.get_cmap().name)  # else a data colormap: it stays
            if dark_cmap is not None:
                undo.append((artist.set_cmap, artist.get_cmap()))
                artist.set_cmap(dark_cmap)
            recolor(artist, "edgecolor")  # an ink outline around colormapped points turns light
            continue
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


def _png(fig: Figure) -> tuple[bytes, tuple[int, int]]:
    """``fig`` as a 2x, 256-colour PNG (no ``Software`` stamp: the bytes depend on the figure only)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=2 * fig.dpi, bbox_inches="tight", metadata={"Software": None},
                facecolor=fig.get_facecolor())
    image = Image.open(buffer).convert("RGB")
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue(), image.size


def figure_pngs(fig: Figure) -> tuple[bytes, bytes, dict[str, int]]:
    """Render ``fig`` twice as 2x PNGs: ``(light, dark, {"width", "height"})`` (the size in CSS pixels).

    The images are reduced to a 256-colour palette (no dithering): line plots on
    a flat card lose nothing visible and shrink about 3x, which keeps pages
    with many figures light. The dark rendering is the same figure recoloured
    ([`dark_palette()`][linreg.display.dark_palette]) in the light rendering's layout, so both have one size.

    Examples:
        >>> from linreg.style import new_figure
        >>> fig, _ = new_figure(width=2, height=1)
        >>> light, dark, size = figure_pngs(fig)
        >>> light.startswith(b"\\x89PNG"), light != dark, size["width"] > 0
        (True, True, True)
    """
    # Light first: drawing creates the ticks from the light style, the dark pass only recolours them.
    light, (width, height) = _png(fig)
    # Constrained layout moves axes by a few pixels on every draw: frozen at the light
    # rendering's positions, the dark one has exactly its layout and size.
    engine = fig.get_layout_engine()
    fig.set_layout_engine("none")
    try:
        with dark_palette(fig):
            dark, _ = _png(fig)
    finally:
        fig.set_layout_engine(engine)
    return light, dark, {"width": width // 2, "height": height // 2}


def _base64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode("ascii")


def figure_bundle(fig: Figure) -> tuple[dict[str, str], dict[str, dict]]:
    """How a figure leaves the kernel: its notebook output as ``(data, metadata)``.

    ``data`` holds the light PNG as ``image/png`` (what Jupyter, Colab and a
    downloaded notebook show) and the dark one as [`DARK_PNG`][linreg.display.DARK_PNG];
    ``metadata`` holds the display size (``image/png``) and the alt text
    (``linreg.alt``, see [`describe()`][linreg.display.describe]), which the site puts on both images.

    Examples:
        >>> from linreg.style import new_figure
        >>> fig, _ = new_figure(width=2, height=1)
        >>> data, metadata = figure_bundle(describe(fig, "an empty plot"))
        >>> sorted(data), metadata["linreg"]
        (['image/png', 'image/x-linreg-dark+png'], {'alt': 'an empty plot'})
    """
    light, dark, size = figure_pngs(fig)
    return ({"image/png": _base64(light), DARK_PNG: _base64(dark)},
            {"image/png": size, "linreg": {"alt": alt_text(fig)}})


def figure_html(fig: Figure) -> str:
    """``fig`` as HTML for Markdown pages: its light and dark renderings as ``<img>`` tags with alt text.

    Markdown pages run code at build time (markdown-exec) and print HTML. The
    images are ``data:`` URIs marked ``#only-light``/``#only-dark``, the markup the
    site build gives a notebook's figure; the build turns each URI into a file.

    Examples:
        >>> from linreg.style import new_figure
        >>> fig, _ = new_figure()
        >>> figure_html(describe(fig, "empty")).startswith('<div class="linreg-figure"><img alt="empty"')
        True
    """
    light, dark, size = figure_pngs(fig)
    return figure_markup(f"data:image/png;base64,{_base64(light)}", f"data:image/png;base64,{_base64(dark)}",
                         alt_text(fig), size)
