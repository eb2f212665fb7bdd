"""Specification of the exporters mkdocs-jupyter renders notebooks with (hooks/exporters.py).

The lean HTML exporter must give the page nbconvert's own exporter gives, node for
node: parsed and written out by BeautifulSoup (what nbconvert's exporter does last),
its HTML is nbconvert's, byte for byte.
"""

from __future__ import annotations

import logging

import mkdocs_jupyter.nbconvert2 as mkdocs_jupyter
import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert.exporters import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from hooks import exporters

PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


@pytest.fixture
def notebook(tmp_path):
    """A notebook with what the site's pages hold: prose with entities and math, code, outputs of each kind."""
    nb = new_notebook(cells=[
        new_markdown_cell('# A title\n\nPrices "quoted", a < b & c, $f\'(x) = 2x$, and <img src="a.png">.'),
        new_code_cell("x = [1, 2]\nprint(x)  # <-- prints", execution_count=1, outputs=[
            new_output("stream", name="stdout", text="[1, 2] & <done>\n")]),
        new_code_cell("plot()", execution_count=2, metadata={"tags": ["solution"]}, outputs=[
            new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
            new_output("execute_result", execution_count=2,
                       data={"text/html": '<table><tr><td class="x">1</td></tr></table>', "text/plain": "t"})]),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "page.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def lean(monkeypatch, tmp_path):
    """mkdocs-jupyter with the exporters installed (undone after the test)."""
    monkeypatch.setattr(mkdocs_jupyter, "HTMLExporter", mkdocs_jupyter.HTMLExporter)
    monkeypatch.setattr(mkdocs_jupyter, "MarkdownExporter", mkdocs_jupyter.MarkdownExporter)
    exporters.install(tmp_path / "bytecode")
    return tmp_path / "bytecode"


def _exporter_output(monkeypatch, notebook, exporter_class) -> str:
    """The HTML ``exporter_class`` gives when mkdocs-jupyter renders ``notebook`` with it."""
    outputs = []

    class Recording(exporter_class):
        def from_notebook_node(self, nb, resources=None, **kw):
            html, resources = super().from_notebook_node(nb, resources, **kw)
            outputs.append(html)
            return html, resources

    monkeypatch.setattr(mkdocs_jupyter, "HTMLExporter", Recording)
    mkdocs_jupyter.nb2html(str(notebook))
    return outputs[-1]


def test_the_lean_exporter_gives_nbconvert_s_page_node_for_node(notebook, lean, monkeypatch):
    lean_page = _exporter_output(monkeypatch, notebook, exporters.LeanHTMLExporter)
    nbconvert_page = _exporter_output(monkeypatch, notebook, HTMLExporter)
    assert lean_page != nbconvert_page  # not re-serialised: the templates' own markup
    assert str(BeautifulSoup(lean_page, features="html.parser")) == nbconvert_page


def test_install_makes_mkdocs_jupyter_render_with_the_lean_exporters(lean):
    assert mkdocs_jupyter.HTMLExporter is exporters.LeanHTMLExporter
    assert mkdocs_jupyter.MarkdownExporter is exporters.LeanMarkdownExporter


def test_the_lean_exporters_validate_the_notebook_once_not_after_every_preprocessor(notebook, lean, monkeypatch):
    validated = []
    validate = exporters.LeanHTMLExporter._validate_preprocessor

    def counted(self, nb, preprocessor):
        validated.append(preprocessor)
        return validate(self, nb, preprocessor)

    monkeypatch.setattr(exporters.LeanHTMLExporter, "_validate_preprocessor", counted)
    mkdocs_jupyter.nb2html(str(notebook))
    assert len(validated) == 1  # nbconvert's own exporter: once per preprocessor


def test_every_cell_input_and_output_is_a_tab_stop_once(notebook, lean):
    page = BeautifulSoup(mkdocs_jupyter.nb2html(str(notebook)), features="html.parser")
    inputs, outputs = page.select("div.jp-Cell-inputWrapper"), page.select("div.jp-OutputArea-output")
    assert len(inputs) == 3 and len(outputs) == 3
    assert all(div["tabindex"] == "0" for div in inputs + outputs)
    assert exporters.focusable_cells('<div class="jp-Notebook"><div class="jp-Cell-inputWrapper" tabindex="-1">') \
        == '<div class="jp-Notebook"><div class="jp-Cell-inputWrapper" tabindex="-1">'


def test_only_the_notebook_s_cells_become_tab_stops():
    outside = '<div class="jp-OutputArea-output">theme</div>'
    assert exporters.focusable_cells(outside) == outside
    html = outside + '<div class="jp-Notebook"><div class="jp-OutputArea-output jp-mod-x">cell</div></div>'
    assert exporters.focusable_cells(html) == (
        outside + '<div class="jp-Notebook"><div class="jp-OutputArea-output jp-mod-x" tabindex="0">cell</div></div>')


def test_an_image_without_alternative_text_gets_nbconvert_s_placeholder_and_a_warning(notebook, lean, caplog):
    with caplog.at_level(logging.WARNING):
        page = BeautifulSoup(mkdocs_jupyter.nb2html(str(notebook)), features="html.parser")
    assert [img.get("alt") for img in page.select("img")] == [exporters.NO_ALT, exporters.NO_ALT]
    assert "Alternative text is missing on 2 image(s)" in caplog.text


def test_compiled_templates_are_kept_for_the_next_render(notebook, lean):
    mkdocs_jupyter.nb2html(str(notebook))
    mkdocs_jupyter.nb2md(str(notebook))  # the table of contents' exporter
    kept = sorted(lean.iterdir())
    assert len(kept) >= 10, kept  # the notebook templates and the ones they extend
    mkdocs_jupyter.nb2html(str(notebook))
    assert sorted(lean.iterdir()) == kept  # read back, not compiled again
