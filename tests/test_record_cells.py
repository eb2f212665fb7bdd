"""Cells tagged ``record`` only record values for the prose, so the site may leave them off the page.

The build drops them from the rendered page (``hooks/execution.py``'s
``fill_glue``; mkdocs-jupyter's ``remove_cell_tags`` honours only one tag): what a
page computes must stay visible, so a ``record`` cell may do nothing but call
``glue(name, value[, format])`` — no assignments, loops, imports or other calls
at its top level — and it prints nothing. The values it records are computed in
its arguments from names the page's visible cells made.
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


def problems(source: str) -> list[str]:
    """What in a record cell is more than glue calls (empty list: it only records)."""
    found = []
    for node in ast.parse(source).body:
        call = node.value if isinstance(node, ast.Expr) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "glue"):
            found.append(ast.unparse(node).splitlines()[0])
    return found


def test_a_cell_of_glue_calls_only_records():
    assert problems('glue("gap", float(abs(a - b)), "{:.1e}")\nglue("n", len(x))') == []


def test_an_assignment_or_another_call_in_a_record_cell_is_reported():
    assert problems("gap = a - b\nglue('gap', gap)\nprint(gap)") == ["gap = a - b", "print(gap)"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_record_cells_do_nothing_but_call_glue(path):
    bad = {index: problems(source) for index, source in enumerate(record_cells(path)) if problems(source)}
    assert not bad, f"{path.name}: record cells may only call glue(...); found {bad}"


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
