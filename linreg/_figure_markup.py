"""A figure's rendering types and HTML, shared by the kernel and the site build.

[`linreg.display.figure_html`][linreg.display.figure_html] prints it on Markdown pages (with
``data:`` URIs, which the build turns into files) and the build writes it for a notebook's
figure (``hooks/media.py``, with file URLs): one function, so a figure is the same markup
wherever it appears. It imports nothing heavy, because the build imports it.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

DARK_PNG = "image/x-linreg-dark+png"  # linreg.display.DARK_PNG: documented there
NARROW_PNG = "image/x-linreg-narrow+png"  # linreg.display.NARROW_PNG
NARROW_DARK_PNG = "image/x-linreg-narrow-dark+png"  # linreg.display.NARROW_DARK_PNG

NARROW_SCREENS = "(max-width: 719px)"
"""Screens that get a figure's narrow rendering: Material's phone range (portrait and landscape,
up to 719 px), where the content column is the screen less its margins."""


def _dims(size: Mapping[str, int]) -> str:
    return "".join(f' {key}="{int(size[key])}"' for key in ("width", "height") if key in size)


def figure_markup(light_src: str, dark_src: str | None, alt: str, size: Mapping[str, int],
                  narrow: tuple[str, str | None, Mapping[str, int]] | None = None) -> str:
    """Lazily loaded images with alt text and size: the light rendering and, if there is one, the dark one.

    With both, they are marked ``#only-light`` and ``#only-dark``: Material hides the one that
    does not match the palette in force, and a hidden lazy image is never fetched. With a
    ``narrow`` rendering (``(light_src, dark_src, size)``), each image is a ``<picture>`` whose
    ``<source>`` serves it to ``NARROW_SCREENS``: the
    browser fetches the one rendering it shows.

    Examples:
        >>> figure_markup("l.png", "d.png", 'a "line"', {"width": 3, "height": 2})  # doctest: +NORMALIZE_WHITESPACE
        '<div class="linreg-figure"><img alt="a &quot;line&quot;" loading="lazy" width="3" height="2"
        src="l.png#only-light"><img alt="a &quot;line&quot;" loading="lazy" width="3" height="2"
        src="d.png#only-dark"></div>'
        >>> figure_markup("l.png", None, "a line", {})
        '<div class="linreg-figure"><img alt="a line" loading="lazy" src="l.png"></div>'
        >>> print(figure_markup("l.png", None, "a line", {"width": 6}, narrow=("n.png", None, {"width": 3}))
        ...       .replace("><", ">\\n<"))
        <div class="linreg-figure">
        <picture>
        <source media="(max-width: 719px)" srcset="n.png" width="3">
        <img alt="a line" loading="lazy" width="6" src="l.png">
        </picture>
        </div>
    """
    alt = html.escape(alt, quote=True)
    palettes = [(light_src, "#only-light" if dark_src else "", 0)] + ([(dark_src, "#only-dark", 1)] if dark_src else [])
    tags = []
    for src, mark, which in palettes:
        img = f'<img alt="{alt}" loading="lazy"{_dims(size)} src="{src}{mark}">'
        narrow_src = narrow[which] if narrow is not None else None
        if narrow_src:
            img = (f'<picture><source media="{NARROW_SCREENS}" srcset="{narrow_src}"{_dims(narrow[2])}>'
                   f"{img}</picture>")
        tags.append(img)
    return f'<div class="linreg-figure">{"".join(tags)}</div>'
