"""The interactive parts of a page, as a notebook cell displays them.

* [`explorable()`][linreg.interactive.explorable]: an explorer's runs
  ([`linreg.explorables`][linreg.explorables]) as labelled sliders and plots that the site's
  script (``docs/assets/javascripts/explorables.js``) draws, around a static figure
  that Jupyter, Colab and a reader without JavaScript see instead;
* [`run_in_browser()`][linreg.interactive.run_in_browser]: an editable block of plain
  Python with the page's data, run by Pyodide in a Web Worker when the reader presses Run;
  [`plain_python_descent()`][linreg.interactive.plain_python_descent] writes page 2's.
"""

from __future__ import annotations

import html
import json
import math
import string
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from linreg._checks import check_positive_int, check_positive_number
from linreg.explorables import BLOWUP, Explorer, ScheduleExplorer

__all__ = ["Explorable", "explorable", "BrowserRun", "run_in_browser", "plain_python_descent"]


def _check_element_name(name) -> None:
    if not isinstance(name, str) or not name.replace("-", "").isalnum():
        raise ValueError(f"name must be letters, digits and dashes (it becomes an element id), got {name!r}")


def _inside_script(json_text: str) -> str:
    """JSON made safe inside ``<script type="application/json">``: a ``</script>`` in it cannot end the tag."""
    return json_text.replace("</", "<\\/")


@dataclass(frozen=True, repr=False)
class Explorable:
    """What a notebook cell displays: the interactive figure's HTML around a static fallback.

    Jupyter and Colab show the HTML without running the site's script, so the
    reader there sees the fallback (the live part stays ``hidden``); on the
    site, ``explorables.js`` hides the fallback and draws the selected run.
    """

    explorer: Explorer | ScheduleExplorer  # or any explorer with controls and to_json()
    name: str
    caption: str
    fallback_html: str
    selected: dict

    def __repr__(self) -> str:
        # Short: a notebook keeps it as the output's text/plain beside the HTML, and the
        # default repr would write every run at full float precision (hundreds of KiB).
        if hasattr(self.explorer, "runs"):
            size = f"runs={len(self.explorer.runs)}"
        else:
            size = f"kind={getattr(self.explorer, 'kind', None)!r}"
        return f"Explorable(name={self.name!r}, {size})"

    def _repr_html_(self) -> str:
        base = f"linreg-x-{self.name}"
        sliders = []
        for control in self.explorer.controls:
            index = _closest(control.values, self.selected.get(control.name, control.values[0]))
            value = _shown(control.values[index])
            sliders.append(
                f'<div class="linreg-explorable__control">'
                f'<label for="{base}-{control.name}">{html.escape(control.label)}</label>'
                f'<input type="range" id="{base}-{control.name}" data-control="{control.name}" min="0" '
                f'max="{len(control.values) - 1}" step="1" value="{index}" aria-valuetext="{value}">'
                f'<output for="{base}-{control.name}">{value}</output></div>')
        data = _inside_script(self.explorer.to_json())
        return (
            f'<figure class="linreg-explorable" id="{base}">'
            f'<div class="linreg-explorable__fallback">{self.fallback_html}</div>'
            f'<div class="linreg-explorable__live" hidden>'
            f'<div class="linreg-explorable__controls">{"".join(sliders)}</div>'
            f'<div class="linreg-explorable__plots"></div>'
            f'<p class="linreg-explorable__readout" aria-live="polite"></p>{self._key()}</div>'
            f'<script type="application/json" class="linreg-explorable__data">{data}</script>'
            f"<figcaption>{html.escape(self.caption)}</figcaption></figure>"
        )

    def _key(self) -> str:
        """What the marks of a path explorer mean (a schedule explorer's lines are named on its axes)."""
        if not isinstance(self.explorer, Explorer):
            return ""
        others = "the other runs" if len(self.explorer.controls) == 1 else "the runs one setting away"
        return ('<p class="linreg-explorable__key">On the surface: \u25cb the start, \u25cf where the chosen run '
                f'ends, \u2605 the least-squares minimum. In the loss panel, grey: {others}. Dashed: a run that '
                f'diverged (its loss passed {BLOWUP:,.0f} times its start, or overflowed), drawn up to there.</p>')


def _shown(value) -> str:
    """A slider's value as its label says it: a name as it is (an activation), a number as ``:g`` writes it."""
    return value if isinstance(value, str) else f"{value:g}"


def _closest(values: Sequence[float], wanted: float) -> int:
    if isinstance(wanted, str) or any(isinstance(v, str) for v in values):
        return list(values).index(wanted)  # named values (e.g. activations) match exactly
    return int(np.argmin([abs(math.log(v + 1e-12) - math.log(wanted + 1e-12)) for v in values]))


def explorable(explorer: Explorer, *, name: str, caption: str, fallback, selected: dict | None = None) -> Explorable:
    """The figure a notebook cell displays: ``explorer``'s controls and plots, ``fallback`` shown without JavaScript.

    ``name`` makes the element ids unique on the page; ``fallback`` is a
    matplotlib Figure (rendered like every figure of the site, in both palettes)
    or an HTML string; ``selected`` the settings the sliders start at.

    Examples:
        >>> from linreg import data
        >>> from linreg.explorables import learning_rate_explorer
        >>> line = data.line_data()
        >>> explorer = learning_rate_explorer(line.x_train, line.y_train, [0.01, 0.1], epochs=20)
        >>> shown = explorable(explorer, name="lr", caption="Try it", fallback="<p>static</p>", selected={"lr": 0.1})
        >>> 'aria-valuetext="0.1"' in shown._repr_html_()
        True
    """
    # Any explorer with controls and a to_json() will do (each page's builder has its own class).
    if not all(hasattr(explorer, part) for part in ("controls", "to_json")):
        raise TypeError(f"explorer must have controls and to_json(), got {type(explorer).__name__}")
    _check_element_name(name)
    if not isinstance(caption, str):
        raise TypeError(f"caption must be a string, got {caption!r}")
    if isinstance(fallback, str):
        fallback_html = fallback
    elif hasattr(fallback, "savefig"):
        from linreg.display import figure_html

        fallback_html = figure_html(fallback)
    else:
        raise TypeError(f"fallback must be a matplotlib Figure or an HTML string, got {type(fallback).__name__}")
    selected = dict(selected or {})
    names = {c.name for c in explorer.controls}
    if not set(selected) <= names:
        raise ValueError(f"selected names settings the explorer has no control for: {sorted(set(selected) - names)}")
    return Explorable(explorer=explorer, name=name, caption=caption, fallback_html=fallback_html, selected=selected)


_PLAIN_PYTHON_DESCENT = string.Template("""\
# x, y: the page's $n training points, as lists of floats
a, b = $a, $b  # step 1: the page's start
lr = $lr
n = len(x)
for epoch in range($epochs):
    yhat = [a + b * xi for xi in x]        # step 2: forward pass
    error = [p - t for p, t in zip(yhat, y)]
    loss = sum(e * e for e in error) / n   # step 3: loss (MSE), before this epoch's update
    a_grad = 2 * sum(error) / n            # step 4: gradients
    b_grad = 2 * sum(xi * e for xi, e in zip(x, error)) / n
    a, b = a - lr * a_grad, b - lr * b_grad  # step 5: update
loss = sum((a + b * xi - yi) ** 2 for xi, yi in zip(x, y)) / n  # the loss after the last update
print(f"after {epoch + 1} epochs: a = {a:.4f}, b = {b:.4f}, MSE = {loss:.5f}")
""")


def plain_python_descent(start: tuple[float, float], *, n: int, lr: float = 0.1, epochs: int = 1000) -> str:
    """Page 2's five steps in plain Python (lists, no NumPy), for ``x`` and ``y`` given as lists.

    ``start`` is ``(a, b)``, written out to full precision so the run starts where the page's did.

    Examples:
        >>> code = plain_python_descent((0.5, -0.1), n=3, epochs=2)
        >>> scope = {"x": [0.0, 0.5, 1.0], "y": [1.0, 2.0, 3.0]}
        >>> exec(code, scope)
        after 2 epochs: a = 1.0355, b = 0.3003, MSE = 1.14473
    """
    a, b = (float(v) for v in start)
    return _PLAIN_PYTHON_DESCENT.substitute(a=repr(a), b=repr(b), n=check_positive_int("n", n),
                                            lr=repr(check_positive_number("lr", lr)),
                                            epochs=check_positive_int("epochs", epochs))


@dataclass(frozen=True, repr=False)
class BrowserRun:
    """A "Run it in your browser" block: editable code, Run and Stop buttons, and the data it reads.

    On the site, Run loads Pyodide (Python compiled to WebAssembly, served by
    the site) in a Web Worker and runs the code there; Jupyter and Colab show
    the code only (run it in a cell there).
    """

    code: str
    data: dict
    name: str
    label: str

    def __repr__(self) -> str:  # short, like Explorable's: the data can be large
        return f"BrowserRun(name={self.name!r}, data={sorted(self.data)})"

    def _repr_html_(self) -> str:
        base = f"linreg-run-{self.name}"
        data = _inside_script(json.dumps(self.data, separators=(",", ":"), allow_nan=False))
        rows = self.code.count("\n") + 1
        return (
            f'<div class="linreg-pyodide" id="{base}">'
            f'<label for="{base}-code">{html.escape(self.label)}</label>'
            f'<textarea id="{base}-code" rows="{rows}" spellcheck="false" autocapitalize="off">'
            f"{html.escape(self.code)}</textarea>"
            f'<div class="linreg-pyodide__live" hidden>'
            f'<button type="button" class="linreg-pyodide__run">Run</button> '
            f'<button type="button" class="linreg-pyodide__stop" disabled>Stop</button>'
            f'<p class="linreg-pyodide__status" role="status"></p>'
            f'<pre class="linreg-pyodide__output"><output for="{base}-code"></output></pre></div>'
            f'<script type="application/json" class="linreg-pyodide__data">{data}</script></div>'
        )


def run_in_browser(code: str, *, name: str, label: str, **data) -> BrowserRun:
    """A block that runs ``code`` in the reader's browser, with each keyword argument as a global variable.

    The values must be JSON data (numbers, strings, lists, dicts): arrays are turned into lists of floats.

    Examples:
        >>> block = run_in_browser("print(sum(x))", name="demo", label="Python", x=np.array([1.0, 2.0]))
        >>> block.data
        {'x': [1.0, 2.0]}
    """
    if not isinstance(code, str) or not code.strip():
        raise ValueError("code must be a non-empty string of Python")
    _check_element_name(name)
    if not isinstance(label, str) or not label:
        raise ValueError(f"label must be a non-empty string (it names the code box for screen readers), got {label!r}")
    values = {}
    for key, value in data.items():
        if isinstance(value, np.ndarray):
            value = value.astype(float).ravel().tolist()
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{key} must be JSON data (numbers, strings, lists), got {type(value).__name__}") from error
        values[key] = value
    return BrowserRun(code=code, data=values, name=name, label=label)
