"""How a figure leaves the kernel: alt text, a light PNG with its dark rendering inside, HTML.

A notebook shows a figure as a 2x PNG ([`figure_png()`][linreg.display.figure_png]) that carries its
alternative text ([`describe()`][linreg.display.describe]) and, in a private chunk, the same figure
rendered for the site's dark palette ([`dark_palette()`][linreg.display.dark_palette]); a Markdown page
prints it as an ``<img>`` tag ([`figure_html()`][linreg.display.figure_html]). The colours come from
[`linreg.style`][linreg.style].
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

from linreg.style import DARK_STYLE, DARK_SWAP


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
    """The dark rendering that [`figure_png()`][linreg.display.figure_png] put inside ``png``, if any.

    Examples:
        >>> from linreg.style import new_figure
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
    the same figure rendered for the dark palette ([`dark_palette()`][linreg.display.dark_palette])
    travels inside it, in a private chunk that [`dark_png()`][linreg.display.dark_png] reads,
    so the site can show the rendering that matches the reader's palette.

    Examples:
        >>> from linreg.style import new_figure
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


def figure_html(fig: Figure) -> str:
    """An ``<img>`` tag holding ``fig`` as a 2x PNG, with its alt text: for Markdown pages.

    Markdown pages run code at build time (markdown-exec) and print HTML; the
    site build turns the data URI into a cached file.

    Examples:
        >>> from linreg.style import new_figure
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
