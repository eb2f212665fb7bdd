"""Tables for pages: rows of values as the Markdown a cell displays.

A topic module builds its rows (e.g. [`linreg.tensors.dtype_table()`][linreg.tensors.dtype_table]);
this module only lays them out, so every table on the site escapes and checks
its cells the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["markdown_table"]


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table of ``rows`` under ``headers`` (display it with ``IPython.display.Markdown``).

    Examples:
        >>> print(markdown_table(["a", "b"], [(1, "x|y")]))
        | a | b |
        | --- | --- |
        | 1 | x\\|y |
    """
    headers = list(headers)
    if not headers:
        raise ValueError("headers must name at least one column")
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    for position, row in enumerate(rows):
        cells = [str(cell).replace("|", "\\|") for cell in row]
        if len(cells) != len(headers):
            raise ValueError(f"rows[{position}] has {len(cells)} cells but there are {len(headers)} headers")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
