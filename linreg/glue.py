"""Numbers in a page's prose, taken from its own outputs: record a value in a cell, cite it in Markdown.

A sentence such as "Adam ends 170 times lower than SGD" must stay true when
the code or the data change. So the prose does not retype the number: a code
cell records it with [`glue()`][linreg.glue.glue], and a Markdown cell cites it as
``{{ glue:name }}``. When the site is built, the executed notebook's recorded
values replace the citations ([`fill()`][linreg.glue.fill]), and the page's test reads the
same values ([`collect()`][linreg.glue.collect]) to check the claims the sentence makes.

The convention both sides share is one output MIME type, [`MIME_TYPE`][linreg.glue.MIME_TYPE].
A notebook opened in Jupyter or Colab shows nothing for a glued value (no
front end renders that type) and shows the citation as written.

Example:
    >>> glue("ratio", 41.7, "{:.0f}")          # in a code cell
    >>> fill("about {{ glue:ratio }} times", {"ratio": {"text": "42", "value": 41.7}})
    'about 42 times'
"""

from __future__ import annotations

import json
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from typing import Any

MIME_TYPE = "application/vnd.linreg.glue+json"
"""The output type that carries a glued value: ``{"name": ..., "text": ..., "value": ...}``."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
CITATION = re.compile(r"\{\{\s*glue:([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
"""``{{ glue:name }}`` in a Markdown cell (spaces inside the braces optional)."""


class GlueError(ValueError):
    """A citation names a value no cell recorded, or a value cannot be recorded."""


def _plain(value: Any) -> Any:
    """``value`` as JSON data: numbers (NumPy and tensor scalars too), strings, bools, lists of them."""
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if hasattr(value, "tolist"):  # NumPy arrays and scalars, tensors: 0-d gives a Python number
        return value.tolist()
    if isinstance(value, Iterable):
        return [_plain(v) for v in value]
    raise GlueError(f"value must be a number, a string, a bool or a list of them, got {type(value).__name__}")


def glue(name: str, value: Any, fmt: str = "{}") -> None:
    """Record ``value`` under ``name`` for the page's prose, shown as ``fmt.format(value)``.

    Call it in a code cell; cite the value in Markdown as ``{{ glue:name }}``.
    Outside IPython (a script, a test) nothing is displayed.

    Args:
        name: a Python identifier, unique on the page.
        value: a number, string, bool or a list of them (NumPy and 0-d tensor values too).
        fmt: a `str.format()` pattern with one field, e.g. ``"{:.4f}"`` or ``"{:.0%}"``.

    Example:
        >>> glue("final_loss", 0.00812, "{:.4f}")
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise GlueError(f"name must be a Python identifier such as 'final_loss', got {name!r}")
    if not isinstance(fmt, str):
        raise TypeError(f"fmt must be a format string such as '{{:.3f}}', got {fmt!r}")
    plain = _plain(value)
    if isinstance(plain, float) and not math.isfinite(plain):
        raise GlueError(f"value of {name!r} is {plain}: a page should not cite a non-finite number")
    try:
        text = fmt.format(value)
    except (ValueError, IndexError, KeyError) as error:
        raise GlueError(f"fmt {fmt!r} cannot format the value of {name!r} ({value!r}): {error}") from None
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is there wherever a notebook runs
        return
    if get_ipython() is not None:
        display({MIME_TYPE: {"name": name, "text": text, "value": plain}}, raw=True)


def collect(notebook: Mapping) -> dict[str, dict[str, Any]]:
    """Every value a notebook's executed cells recorded, by name: ``{"text": ..., "value": ...}``.

    Example:
        >>> cell = {"cell_type": "code", "outputs": [{"output_type": "display_data",
        ...         "data": {MIME_TYPE: {"name": "n", "text": "3", "value": 3}}}]}
        >>> collect({"cells": [cell]})
        {'n': {'text': '3', 'value': 3}}
    """
    values: dict[str, dict[str, Any]] = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            record = output.get("data", {}).get(MIME_TYPE)
            if record is None:
                continue
            if isinstance(record, str):  # some writers keep JSON outputs as text
                record = json.loads(record)
            values[record["name"]] = {"text": record["text"], "value": record["value"]}
    return values


def fill(markdown: str, values: Mapping[str, Mapping[str, Any]], *, where: str = "the page") -> str:
    """``markdown`` with every ``{{ glue:name }}`` replaced by the recorded text; unknown names raise.

    Example:
        >>> fill("MSE {{glue:mse}}", {"mse": {"text": "0.0081", "value": 0.00812}})
        'MSE 0.0081'
    """
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            known = ", ".join(sorted(values)) or "none"
            raise GlueError(f"{where} cites {{{{ glue:{name} }}}}, but no cell recorded {name!r} "
                            f"(recorded: {known}); call linreg.glue.glue({name!r}, value) in a code cell")
        return str(values[name]["text"])

    return CITATION.sub(replace, markdown)


def is_glue_output(output: Mapping) -> bool:
    """Whether a notebook output only carries a glued value (the site drops such outputs).

    Example:
        >>> is_glue_output({"output_type": "display_data", "data": {MIME_TYPE: {}}})
        True
    """
    return MIME_TYPE in output.get("data", {})
