"""Specification of the notebook-page rewriting done at build time (hooks/render.py)."""

from __future__ import annotations

import json

import pytest

from hooks import render

HEAD = ('<style type="text/css">.jp-Cell { color: red }</style><script src="https://cdn.example/mathjax.js"></script>'
        '<script>document.addEventListener("clipboard-copy", f)</script>')


def test_notebook_body_keeps_the_notebook_and_drops_styles_and_scripts_around_it():
    body = render.notebook_body(HEAD + render.WRAPPER + "<p>x</p><style>junk</style>")
    assert body == render.WRAPPER + "<p>x</p>"


def test_notebook_body_refuses_a_page_that_is_not_a_notebook():
    with pytest.raises(ValueError, match="jupyter-wrapper"):
        render.notebook_body("<p>plain page</p>")


# The templates write a tag's id first; a BeautifulSoup pass (nbconvert's own exporter) sorts attributes.
@pytest.mark.parametrize("hidden_text", ['<div class="clipboard-copy-txt" id="cell-3">',
                                         '<div id="cell-3" class="clipboard-copy-txt">'])
def test_slim_markup_puts_a_plain_copy_button_in_place_of_the_copy_widget_and_its_hidden_text(hidden_text):
    cell = ('<div class="CodeMirror"><div class="zeroclipboard-container">\n<clipboard-copy for="cell-3">'
            '<div><span class="clipboard-copy-icon"><svg>...</svg></span></div></clipboard-copy>\n</div>'
            '<div class="highlight"><pre>x &lt; 1</pre></div>'
            f'{hidden_text}x &lt; 1</div>'
            '<div class="jp-Collapser jp-OutputCollapser">\n</div></div>')
    assert render.slim_markup(cell) == ('<div class="CodeMirror">' + render.COPY_BUTTON +
                                        '<div class="highlight"><pre>x &lt; 1</pre></div></div>')


@pytest.mark.parametrize("inner", ['<div class="jp-Cell jp-CodeCell jp-Notebook-cell celltag_solution" id="c1">',
                                   '<div id="c1" class="jp-Cell jp-CodeCell jp-Notebook-cell  celltag_solution">'])
def test_collapse_solutions_wraps_the_outer_tagged_cell_once(inner):
    cell = '<div class="jp-Cell jp-CodeCell jp-Notebook-cell celltag_solution">' + inner + "<div>code</div></div></div>"
    html = "<p>before</p>" + cell + "<p>after</p>"
    out = render.collapse_solutions(html)
    assert out == "<p>before</p>" + render.SOLUTION_OPEN + cell + "</details><p>after</p>"
    assert render.SOLUTION_OPEN.startswith('<details class="success linreg-solution" data-search-exclude>')
    assert render.collapse_solutions(inner + "</div>") == render.SOLUTION_OPEN + inner + "</div></details>"
    assert render.collapse_solutions("<p>no solutions</p>") == "<p>no solutions</p>"


def test_compact_whitespace_keeps_pre_and_script_verbatim():
    html = "<div>\n    <p>a</p>\n    <pre>x\n    <b>y</b>    <i>z</i></pre>\n  <script>if (a >  <b) {}</script></div>"
    out = render.compact_whitespace(html)
    assert out.startswith("<div>\n<p>a</p>\n<pre>")
    assert "<pre>x\n    <b>y</b>    <i>z</i></pre>" in out and "if (a >  <b)" in out


def test_compact_whitespace_leaves_one_newline_for_each_run_of_blank_space_around_text():
    html = '<span class="md-ellipsis">\n    \n  \n    linreg.style\n  \n  </span><a>one two</a>'
    assert render.compact_whitespace(html) == '<span class="md-ellipsis">\nlinreg.style\n</span><a>one two</a>'


def test_accessibility_fixes_name_the_search_dialog_and_make_notebook_code_focusable():
    page = ('<div class="md-search" data-md-component="search" role="dialog"><pre>outside</pre>'
            '<div class="jupyter-wrapper"><div class="highlight-ipynb"><pre>code</pre></div>')
    out = render.accessibility_fixes(page)
    assert 'role="dialog" aria-label="Search"' in out
    assert '<pre tabindex="0">code</pre>' in out and "<pre>outside</pre>" in out



def test_rendered_headings_keep_inline_code():
    body = '<h2 id="changing-shape-view">Changing shape: <code>view</code><a class="anchor-link" href="#">¶</a></h2>'
    assert render.rendered_headings(body) == [("changing-shape-view", "Changing shape: view")]


def test_colab_url_is_built_from_a_github_repo_url_only():
    assert (render.colab_url("https://github.com/linreg/linreg", "main", "docs/tutorials/a.ipynb")
            == "https://colab.research.google.com/github/linreg/linreg/blob/main/docs/tutorials/a.ipynb")
    assert render.colab_url("https://gitlab.com/x/y", "main", "a.ipynb") is None
    assert render.colab_url(None, "main", "a.ipynb") is None


def test_notebook_header_has_both_links_and_the_versions():
    bar = render.notebook_header(download_url="a.ipynb", colab_url="https://colab.example/a",
                                      versions={"python": "3.11.7", "torch": "2.13.0"})
    assert 'href="a.ipynb" download>Download notebook' in bar and "Open in Colab" in bar
    assert "Python 3.11.7 and PyTorch 2.13.0" in bar and "data-search-exclude" in bar


def test_links_to_notebooks_point_at_their_pages_but_the_download_link_stays():
    body = ('<a href="02-gradient-descent.ipynb#the-loss">next</a> <a href="missing.ipynb">x</a> '
            '<a href="https://example.com/a.ipynb">ext</a> <a href="01-tensors.ipynb" download>Download</a>')
    pages = {"02-gradient-descent.ipynb": "../02-gradient-descent/"}
    out = render.rewrite_notebook_links(body, pages.get)
    assert 'href="../02-gradient-descent/#the-loss"' in out
    assert 'href="missing.ipynb"' in out and 'href="https://example.com/a.ipynb"' in out
    assert 'href="01-tensors.ipynb" download' in out


def test_every_output_of_a_cell_stays_out_of_the_search_index():
    from material.plugins.search.plugin import Parser

    child = '<div class="jp-OutputArea-child"><div><pre>{}</pre></div></div>'
    cell = ('<p>prose</p>' + render._OUTPUT_AREA + child.format("first") + child.format("second")
            + '</div><p>more prose</p>')
    parser = Parser()
    parser.feed(render.exclude_outputs_from_search(cell))
    text = " ".join("".join(section.text) for section in parser.data)
    assert "prose" in text and "more prose" in text
    assert "first" not in text and "second" not in text


def test_the_notebook_bar_goes_right_after_the_title_or_first_without_one():
    assert render.insert_after_title("<h1>T</h1><p>x</p>", "<nav>") == "<h1>T</h1><nav><p>x</p>"
    assert render.insert_after_title("<p>x</p>", "<nav>") == "<nav><p>x</p>"


def test_names_and_whitespace_in_highlighted_code_lose_their_spans_and_nothing_else_does():
    page = ('<p><span class="n">prose</span></p><pre><span class="n">loss</span><span class="w"> </span>'
            '<span class="o">=</span> <span class="n">mse</span><span class="p">(</span><span class="s2">"a"</span>'
            '<span class="p">)</span></pre>')
    assert render.unwrap_plain_tokens(page) == (
        '<p><span class="n">prose</span></p><pre>loss <span class="o">=</span> mse<span class="p">(</span>'
        '<span class="s2">"a"</span><span class="p">)</span></pre>')


def test_folded_source_blocks_carry_their_code_as_noscript_text_and_open_ones_are_left_alone():
    folded = ('<details class="mkdocstrings-source">\n<summary>Source code in <code>a.py</code></summary>\n'
              '<div>code</div></details>')
    shown = '<details class="linreg-source" open><summary>How linreg does it: f</summary><div>code</div></details>'
    other = '<details class="note"><summary>Note</summary><p>text</p></details>'
    assert render.defer_folded_source(folded + shown + other) == (
        '<details class="mkdocstrings-source">\n<summary>Source code in <code>a.py</code></summary>'
        '<noscript class="linreg-folded">\n<div>code</div></noscript></details>' + shown + other)


def test_every_highlighted_code_block_is_focusable_before_material_measures_it():
    page = '<div class="highlight"><pre><span></span><code>x = 1</code></pre></div><p><code>inline</code></p>'
    assert render.accessibility_fixes(page) == ('<div class="highlight"><pre><span></span><code tabindex="0">x = 1'
                                                '</code></pre></div><p><code>inline</code></p>')


def _notebook(*cells) -> str:
    return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
                      indent=1, ensure_ascii=False) + "\n"


def test_the_downloaded_notebook_cites_the_builds_values_and_keeps_its_code_cells_as_committed():
    title = {"cell_type": "markdown", "metadata": {}, "source": ["# 2. Title\n", "\n", "Intro."]}
    prose = {"cell_type": "markdown", "metadata": {},
             "source": ["The loss ends at {{ glue:final }}\n", "and {{glue:n}}."]}
    code = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
            "source": ["glue('final', loss)  # {{ glue:final }} stays code"]}
    values = {"final": {"text": "0.0081", "value": 0.00812}, "n": {"text": "80", "value": 80}}
    published = json.loads(render.downloadable_notebook(_notebook(title, prose, code), values,
                                                         {"python": "3.11.9", "torch": "2.13.0"}))
    assert "".join(published["cells"][1]["source"]) == "The loss ends at 0.0081\nand 80."
    assert published["cells"][2] == code  # no outputs: the reader runs it
    assert "".join(published["cells"][0]["source"]) == (
        "# 2. Title\n\nIntro.\n\n*The numbers quoted in this notebook's text come from the website's run "
        "(Python 3.11.9 and PyTorch 2.13.0); the cells print your run's own.*")


def test_a_notebook_without_citations_is_downloaded_byte_for_byte():
    source = _notebook({"cell_type": "markdown", "metadata": {}, "source": ["# 1. Tensors"]})
    assert render.downloadable_notebook(source, {}, {"python": "3.11.9"}) is source


def test_a_citation_the_run_did_not_record_fails_the_download_with_its_name():
    source = _notebook({"cell_type": "markdown", "metadata": {}, "source": ["{{ glue:missing }}"]})
    with pytest.raises(ValueError, match="missing"):
        render.downloadable_notebook(source, {}, {})
