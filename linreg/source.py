"""Show the code of a ``linreg`` function on the page that teaches it, read from the library itself.

A page may call a helper (``scratch.gradient_descent``) to keep its cells
short, but the reader must still be able to read every line the lesson is
about. [`show_source()`][linreg.source.show_source] prints that helper's source as a collapsible,
highlighted block, read with `inspect` when the page executes: the code
shown is the code that ran, and it cannot drift from it. Only the docstrings'
cross-reference links (a reference-page convention) are reduced to their text.

Example:
    >>> from linreg import scratch
    >>> block = show_source(scratch.predict)
    >>> block.text.splitlines()[0]
    'def predict(a: float, b: float, x: np.ndarray) -> np.ndarray:'
"""

from __future__ import annotations

import html
import inspect
import re
import textwrap
from dataclasses import dataclass
from typing import Any

# mkdocstrings' cross-reference syntax in docstrings, [`fit()`][linreg.training.fit]: a link on the
# reference pages, noise in a code block. The block keeps the link's text.
_CROSS_REFERENCE = re.compile(r"\[([^\[\]\n]+)\]\[linreg(?:\.\w+)*\]")


def readable(text: str) -> str:
    """``text`` with mkdocstrings cross-references reduced to their text (code and all else unchanged).

    Example:
        >>> readable("see [`fit()`][linreg.training.fit] and x[0]")
        'see `fit()` and x[0]'
    """
    return _CROSS_REFERENCE.sub(r"\1", text)


@dataclass(frozen=True)
class SourceBlock:
    """The source of one object, displayed as a collapsible block (HTML) or plain text."""

    title: str
    text: str
    open: bool = False

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer

        # The same markup as the site's own code blocks (pymdownx.highlight): the theme colours it.
        code = highlight(self.text, PythonLexer(), HtmlFormatter(cssclass="highlight", wrapcode=True))
        state = " open" if self.open else ""
        block = (f'<details class="linreg-source"{state}><summary>{html.escape(self.title)}</summary>'
                 f"{code}</details>")
        return {"text/html": block, "text/plain": f"# {self.title}\n{self.text}"}


def show_source(obj: Any, *, title: str | None = None, open: bool = False) -> SourceBlock:
    """The source code of ``obj`` (a function, class or method) as a block a notebook displays.

    Args:
        obj: the object whose code the page teaches; it must be defined in Python source.
        title: the block's summary line; default "How linreg does it: ``module.name``".
        open: show the code unfolded (for the page's main lesson) instead of folded.

    Example:
        >>> from linreg import scratch
        >>> show_source(scratch.mse).title
        'How linreg does it: scratch.mse'
    """
    if not isinstance(open, bool):
        raise TypeError(f"open must be True or False, got {open!r}")
    try:
        text = readable(textwrap.dedent(inspect.getsource(obj))).rstrip() + "\n"
    except (TypeError, OSError) as error:
        raise TypeError(f"obj must be a Python function, class or method with source code, got {obj!r} "
                        f"({error})") from None
    if title is None:
        module = getattr(obj, "__module__", "") or ""
        name = getattr(obj, "__qualname__", getattr(obj, "__name__", repr(obj)))
        title = f"How linreg does it: {module.removeprefix('linreg.')}.{name}"
    elif not isinstance(title, str):
        raise TypeError(f"title must be a string, got {title!r}")
    return SourceBlock(title=title, text=text, open=open)
