"""Cells tagged ``record`` only record values for the prose, so the site may leave them off the page.

The rule, exactly: a ``record`` cell's top level is nothing but calls
``glue("name", value[, format])``, each naming its value with a string literal.
Their arguments may be any expression (a ``min``, a count, a comparison over
values the page's visible cells computed; a conditional that picks a word for
the prose), so a call *inside* an argument is allowed; an assignment, a loop,
an import or another call at the top level is not. Nor may an argument define
a function (``lambda``), bind a name (``:=``) or import (``__import__``):
a record cell derives, it makes nothing the page's other cells could use.

The build drops these cells from the rendered page (``hooks/execution.py``'s
``fill_glue``; mkdocs-jupyter's ``remove_cell_tags`` honours only one tag);
Jupyter, Colab and the downloaded notebook keep them, so a reader can see every
derivation. A calculation the prose explains belongs in a visible cell.

Example (a record cell, and a line of it this test reports):

    glue("best_lr", min(lr for lr, loss in zip(rates, losses) if loss < floor + 2))
    best = min(losses)        # reported: an assignment, which the next cells could use
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "docs" / "tutorials").glob("*.ipynb"))
RECORD_TAG = "record"


def record_cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text())["cells"]
    return ["".join(c["source"]) for c in cells
            if c["cell_type"] == "code" and RECORD_TAG in c.get("metadata", {}).get("tags", [])]


# In a glue call's arguments: what would make a record cell more than a derivation of the page's values.
MAKES_SOMETHING = {ast.Lambda: "defines a function", ast.NamedExpr: "binds a name",
                   ast.Yield: "yields", ast.YieldFrom: "yields", ast.Await: "awaits"}
FORBIDDEN_CALLS = {"__import__", "exec", "eval", "compile", "globals", "setattr", "delattr"}


def problems(source: str) -> list[str]:
    """What in a record cell is more than glue calls (empty list: it only records)."""
    found = []
    for node in ast.parse(source).body:
        call = node.value if isinstance(node, ast.Expr) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "glue"):
            found.append(ast.unparse(node).splitlines()[0])
            continue
        if not (call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)):
            found.append(f"{ast.unparse(call)[:60]}: the name is not a string literal")
        for inner in ast.walk(call):
            if type(inner) in MAKES_SOMETHING:
                found.append(f"{ast.unparse(inner)[:60]}: {MAKES_SOMETHING[type(inner)]}")
            elif (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name)
                  and inner.func.id in FORBIDDEN_CALLS):
                found.append(f"{ast.unparse(inner)[:60]}: calls {inner.func.id}")
    return found


def test_a_cell_of_glue_calls_only_records_whatever_its_arguments_compute():
    source = ('glue("gap", float(abs(a - b)), "{:.1e}")\nglue("n", len(x))\n'
              'glue("within", sum(loss < 1.01 * min(losses) for loss in losses))\n'
              'glue("word", "longer" if t > np.mean(ts) else "shorter")')
    assert problems(source) == []


def test_an_assignment_or_another_call_at_the_top_level_is_reported():
    assert problems("gap = a - b\nglue('gap', gap)\nprint(gap)") == ["gap = a - b", "print(gap)"]


@pytest.mark.parametrize(("source", "reason"), [
    ("glue('f', (lambda v: v * 2)(x))", "defines a function"),
    ("glue('g', (g := a - b))", "binds a name"),
    ("glue('pi', __import__('math').pi)", "calls __import__"),
    ("glue('y', eval('x + 1'))", "calls eval"),
    ("glue(name, x)", "the name is not a string literal"),
])
def test_an_argument_that_makes_something_or_a_name_that_is_not_written_out_is_reported(source, reason):
    [problem] = problems(source)
    assert problem.endswith(reason)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_record_cells_do_nothing_but_call_glue(path):
    bad = {index: problems(source) for index, source in enumerate(record_cells(path)) if problems(source)}
    assert not bad, f"{path.name}: record cells may only call glue(\"name\", expression); found {bad}"


def test_the_site_removes_only_the_colab_cell_by_tag():
    # mkdocs-jupyter honours one tag only; record cells are the build's job (next test).
    config = (ROOT / "mkdocs.yml").read_text()
    assert "remove_cell_tags: [colab-setup]" in config


def test_the_build_leaves_record_cells_off_the_rendered_page():
    import nbformat

    from hooks import execution

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1", outputs=[]),
        nbformat.v4.new_code_cell("glue('x', x)", metadata={"tags": [RECORD_TAG]}, outputs=[]),
        nbformat.v4.new_markdown_cell("x is {{ glue:x }}")])
    record = {"name": "x", "value": 1, "text": "1"}
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={"application/vnd.linreg.glue+json": record})]
    filled = execution.fill_glue(nb, where="t.ipynb")
    assert [c.source for c in filled.cells] == ["x = 1", "x is 1"]
