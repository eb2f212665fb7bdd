"""A figure's dark-rendering type and HTML, shared by the kernel and the site build.

[`linreg.display.figure_html`][linreg.display.figure_html] prints it on Markdown pages (with
``data:`` URIs, which the build turns into files) and the build writes it for a notebook's
figure (``hooks/media.py``, with file URLs): one function, so a figure is the same markup
wherever it appears. It imports nothing heavy, because the build imports it.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

DARK_PNG = "image/x-linreg-dark+png"  # linreg.display.DARK_PNG: documented there


def figure_markup(light_src: str, dark_src: str | None, alt: str, size: Mapping[str, int]) -> str:
    """Lazily loaded ``<img>`` tags with alt text and size: the light rendering and, if there is one, the dark one.

    With both, they are marked ``#only-light`` and ``#only-dark``: Material hides the one that
    does not match the palette in force, and a hidden lazy image is never fetched.

    Examples:
        >>> figure_markup("l.png", "d.png", 'a "line"', {"width": 3, "height": 2})  # doctest: +NORMALIZE_WHITESPACE
        '<div class="linreg-figure"><img alt="a &quot;line&quot;" loading="lazy" width="3" height="2"
        src="l.png#only-light"><img alt="a &quot;line&quot;" loading="lazy" width="3" height="2"
        src="d.png#only-dark"></div>'
        >>> figure_markup("l.png", None, "a line", {})
        '<div class="linreg-figure"><img alt="a line" loading="lazy" src="l.png"></div>'
    """
    alt = html.escape(alt, quote=True)
    dims = "".join(f' {key}="{int(size[key])}"' for key in ("width", "height") if key in size)
    tags = [f'<img alt="{alt}" loading="lazy"{dims} src="{light_src}{"#only-light" if dark_src else ""}">']
    if dark_src:
        tags.append(f'<img alt="{alt}" loading="lazy"{dims} src="{dark_src}#only-dark">')
    return f'<div class="linreg-figure">{"".join(tags)}</div>'
