"""Specification of linreg.interactive: what a notebook cell displays for an explorer, and the Python block."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stdout

import numpy as np
import pytest

from linreg import data, explorables, interactive, scratch


@pytest.fixture(scope="module")
def momentum_explorer():
    x, y = data.surface_line_data(seed=1)
    return explorables.momentum_explorer(x, y, [0.01, 0.5], [0.0, 0.9], steps=100)


@pytest.fixture(scope="module")
def line():
    return data.line_data()


# what a notebook displays

def test_an_explorable_has_labelled_sliders_a_hidden_live_part_and_a_visible_fallback(momentum_explorer):
    shown = interactive.explorable(momentum_explorer, name="m", caption="Try it", fallback="<p>static</p>",
                                   selected={"lr": 0.5, "momentum": 0.9})
    markup = shown._repr_html_()
    for control, index, text in (("lr", 1, "0.5"), ("momentum", 1, "0.9")):
        assert f'<label for="linreg-x-m-{control}">' in markup
        assert re.search(rf'<input type="range" id="linreg-x-m-{control}"[^>]*value="{index}" aria-valuetext="{text}"',
                         markup)
    assert '<div class="linreg-explorable__fallback"><p>static</p></div>' in markup
    assert '<div class="linreg-explorable__live" hidden>' in markup


def test_the_embedded_json_cannot_close_its_script_tag(momentum_explorer):
    shown = interactive.explorable(momentum_explorer, name="m", caption="x", fallback="</script>")
    payload = shown._repr_html_().split('class="linreg-explorable__data">', 1)[1].split("</script>", 1)[0]
    assert json.loads(payload.replace("<\\/", "</")) == json.loads(momentum_explorer.to_json())


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"name": "two words"}, ValueError, "name must be letters"),
    ({"fallback": 3}, TypeError, "fallback must be a matplotlib Figure or an HTML string"),
    ({"selected": {"beta": 0.9}}, ValueError, "no control for: \\['beta'\\]"),
])
def test_explorable_names_a_bad_argument(momentum_explorer, kwargs, error, message):
    arguments = {"name": "m", "caption": "c", "fallback": "<p>static</p>", **kwargs}
    with pytest.raises(error, match=message):
        interactive.explorable(momentum_explorer, **arguments)


# the block that runs in the browser

def test_the_plain_python_code_reproduces_the_numpy_loop_to_the_last_digits(line):
    start = scratch.initial_parameters(seed=42)
    code = interactive.plain_python_descent(start, n=80, lr=0.1, epochs=1000)
    scope = {"x": line.x_train.ravel().tolist(), "y": line.y_train.ravel().tolist()}
    with redirect_stdout(io.StringIO()):
        exec(code, scope)
    fit = scratch.gradient_descent(line.x_train, line.y_train, lr=0.1, epochs=1000)
    assert abs(scope["a"] - fit.a) < 1e-12 and abs(scope["b"] - fit.b) < 1e-12


def test_the_plain_python_code_uses_no_numpy():
    code = interactive.plain_python_descent((0.5, -0.1), n=80)
    assert "import" not in code and "np." not in code


def test_a_browser_block_embeds_its_data_as_json_and_escapes_the_code():
    block = interactive.run_in_browser("print(x < y)", name="demo", label="Code", x=np.array([[1.0], [2.0]]), y=[3.0])
    markup = block._repr_html_()
    assert '<label for="linreg-run-demo-code">Code</label>' in markup
    assert "print(x &lt; y)</textarea>" in markup
    assert '<script type="application/json" class="linreg-pyodide__data">{"x":[1.0,2.0],"y":[3.0]}</script>' in markup
    assert '<div class="linreg-pyodide__live" hidden>' in markup  # Jupyter shows the code only


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"code": " "}, ValueError, "code must be a non-empty string"),
    ({"label": ""}, ValueError, "label must be a non-empty string"),
    ({"x": {1, 2}}, TypeError, "x must be JSON data"),
    ({"x": [float("nan")]}, TypeError, "x must be JSON data"),
])
def test_run_in_browser_names_a_bad_argument(kwargs, error, message):
    arguments = {"code": "print(1)", "name": "demo", "label": "Code", **kwargs}
    with pytest.raises(error, match=message):
        interactive.run_in_browser(**arguments)


def test_a_displayed_explorable_keeps_a_short_plain_text_form(momentum_explorer):
    shown = interactive.explorable(momentum_explorer, name="m", caption="x", fallback="<p>static</p>")
    assert repr(shown) == f"Explorable(name='m', runs={len(momentum_explorer.runs)})"
    block = interactive.run_in_browser("print(x)", name="demo", label="Code", x=[1.0])
    assert repr(block) == "BrowserRun(name='demo', data=['x'])"


def test_a_path_explorer_says_what_its_marks_mean_and_its_divergence_rule(momentum_explorer):
    markup = interactive.explorable(momentum_explorer, name="m", caption="c", fallback="<p>f</p>")._repr_html_()
    key = re.search(r'<p class="linreg-explorable__key">(.*?)</p>', markup).group(1)
    for mark in ("start", "least-squares minimum", "grey", "Dashed", "1,000,000 times its start"):
        assert mark in key


def test_a_schedule_explorer_has_no_path_key():
    history = type("History", (), {"lr": [0.1], "train_loss": [1.0], "val_loss": [1.0]})
    schedules = explorables.schedule_explorer(lambda gamma: history, {"gamma": [0.5]})
    assert "linreg-explorable__key" not in interactive.explorable(schedules, name="s", caption="c",
                                                                  fallback="<p>f</p>")._repr_html_()


def test_the_plain_python_code_prints_the_loss_after_its_last_update(line):
    code = interactive.plain_python_descent(scratch.initial_parameters(seed=42), n=80, lr=0.1, epochs=5)
    scope = {"x": line.x_train.ravel().tolist(), "y": line.y_train.ravel().tolist()}
    with redirect_stdout(io.StringIO()) as printed:
        exec(code, scope)
    fit = scratch.gradient_descent(line.x_train, line.y_train, lr=0.1, epochs=5)
    after = float(((fit.a + fit.b * line.x_train - line.y_train) ** 2).mean())
    assert printed.getvalue().strip().endswith(f"MSE = {after:.5f}")
