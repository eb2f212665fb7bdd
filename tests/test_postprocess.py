"""Specification of the notebook-page rewriting done at build time (hooks/postprocess.py)."""

from __future__ import annotations

import base64
import io

import pytest

import postprocess
from linreg import display, style

HEAD = ('<style type="text/css">.jp-Cell { color: red }</style><script src="https://cdn.example/mathjax.js"></script>'
        '<script>document.addEventListener("clipboard-copy", f)</script>')


def _png(alt: str | None) -> bytes:
    fig, _ = style.new_figure(width=1, height=1)
    if alt:
        display.describe(fig, alt)
        return display.figure_png(fig)[0]
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def test_split_moves_styles_and_scripts_out_of_the_page_and_drops_cdn_scripts():
    body, css, clipboard = postprocess.split_notebook_html(HEAD + postprocess.WRAPPER + "<p>x</p><style>junk</style>")
    assert body == postprocess.WRAPPER + "<p>x</p>"
    assert css == ".jp-Cell { color: red }"
    assert "clipboard-copy" in clipboard and "cdn.example" not in body + css + clipboard


def test_split_refuses_a_page_that_is_not_a_notebook():
    with pytest.raises(ValueError, match="jupyter-wrapper"):
        postprocess.split_notebook_html("<p>plain page</p>")


def test_png_description_reads_the_alt_text_linreg_stores():
    assert postprocess.png_description(_png("a falling loss curve")) == "a falling loss curve"
    assert postprocess.png_description(_png(None)) is None


def test_extract_media_turns_data_uris_into_hashed_files_with_alt_text():
    png, _ = postprocess.split_dark(_png("loss per epoch"))  # a single rendering
    html = (f'<img alt="No description has been provided for this image" src="data:image/png;base64,'
            f'{base64.b64encode(png).decode()}" width=10>'
            f'<video poster="data:image/png;base64,{base64.b64encode(png).decode()}">'
            f'<source src="data:video/mp4;base64,{base64.b64encode(b"mp4").decode()}"></video>')
    out, media = postprocess.extract_media(html, lambda name: f"../media/{name}")
    names = sorted(media)
    assert len(names) == 2 and names[0].endswith((".mp4", ".png")) and media[names[-1]] in (png, b"mp4")
    assert "data:" not in out and out.count("../media/") == 3
    assert 'alt="loss per epoch"' in out and "No description" not in out
    assert '<video data-poster="../media/' in out  # site.js gives the poster to the player shown only


def test_every_single_rendering_figure_but_the_first_loads_lazily():
    png = base64.b64encode(_png(None)).decode()
    out, _ = postprocess.extract_media(f'<img src="data:image/png;base64,{png}">' * 3, str)
    assert out.count('loading="lazy"') == 2 and not out.startswith('<img alt="Figure" loading=')


def test_a_figure_with_a_dark_rendering_becomes_two_lazy_images_one_per_palette():
    png = base64.b64encode(_png("a figure")).decode()
    out, media = postprocess.extract_media(f'<img src="data:image/png;base64,{png}">', lambda name: f"m/{name}")
    light, dark = sorted(media, key=lambda name: f"m/{name}#only-light" in out, reverse=True)
    assert out == (f'<img alt="a figure" loading="lazy" src="m/{light}#only-light">'
                   f'<img alt="a figure" loading="lazy" src="m/{dark}#only-dark">')


def test_an_authors_alt_text_goes_onto_both_renderings():
    png = base64.b64encode(_png("from the png")).decode()
    out, _ = postprocess.extract_media(f'<img alt="by hand" src="data:image/png;base64,{png}">', str)
    assert out.count('alt="by hand"') == 2 and "#only-dark" in out and "from the png" not in out


def test_the_light_file_served_to_the_site_no_longer_carries_the_dark_rendering():
    png = base64.b64encode(_png("a figure")).decode()
    _, media = postprocess.extract_media(f'<img src="data:image/png;base64,{png}">', str)
    assert len(media) == 2
    assert all(postprocess.split_dark(data)[1] is None for data in media.values())
    assert sum(map(len, media.values())) < len(_png("a figure")) + 64  # each file once, nothing doubled


def test_extract_media_keeps_an_authors_alt_text():
    png = base64.b64encode(_png("from the png")).decode()
    out, _ = postprocess.extract_media(f'<img alt="written by hand" src="data:image/png;base64,{png}">', str)
    assert 'alt="written by hand"' in out and "from the png" not in out


def test_collapse_solutions_wraps_the_outer_tagged_cell_once():
    cell = ('<div class="jp-Cell jp-CodeCell jp-Notebook-cell celltag_solution">'
            '<div class="jp-Cell jp-CodeCell jp-Notebook-cell celltag_solution" id="c1"><div>code</div></div></div>')
    html = "<p>before</p>" + cell + "<p>after</p>"
    out = postprocess.collapse_solutions(html)
    assert out == "<p>before</p>" + postprocess.SOLUTION_OPEN + cell + "</details><p>after</p>"
    assert postprocess.SOLUTION_OPEN.startswith('<details class="success linreg-solution" data-search-exclude>')
    assert postprocess.collapse_solutions("<p>no solutions</p>") == "<p>no solutions</p>"


def test_compact_whitespace_keeps_pre_and_script_verbatim():
    html = "<div>\n    <p>a</p>\n    <pre>x\n    <b>y</b>    <i>z</i></pre>\n  <script>if (a >  <b) {}</script></div>"
    out = postprocess.compact_whitespace(html)
    assert out.startswith("<div>\n<p>a</p>\n<pre>")
    assert "<pre>x\n    <b>y</b>    <i>z</i></pre>" in out and "if (a >  <b)" in out


def test_compact_whitespace_collapses_blank_runs_inside_text_to_one_newline():
    html = '<span class="md-ellipsis">\n    \n  \n    12. Search\n  \n\n    \n  </span> a  b'
    assert postprocess.compact_whitespace(html) == '<span class="md-ellipsis">\n12. Search\n</span> a  b'


def test_accessibility_fixes_name_the_search_dialog_and_make_notebook_code_focusable():
    page = ('<div class="md-search" data-md-component="search" role="dialog"><pre>outside</pre>'
            '<div class="jupyter-wrapper"><div class="highlight-ipynb"><pre>code</pre></div>')
    out = postprocess.accessibility_fixes(page)
    assert 'role="dialog" aria-label="Search"' in out
    assert '<pre tabindex="0">code</pre>' in out and "<pre>outside</pre>" in out


def test_drop_notebook_token_colours_keeps_the_rest_of_the_css():
    css = ".highlight-ipynb .mi { color: #080 }\n.jp-Cell { margin: 0 }\n.highlight-ipynb { background: x }"
    assert postprocess.drop_notebook_token_colours(css) == ".jp-Cell { margin: 0 }\n.highlight-ipynb { background: x }"


def test_rendered_headings_keep_inline_code():
    body = '<h2 id="changing-shape-view">Changing shape: <code>view</code><a class="anchor-link" href="#">¶</a></h2>'
    assert postprocess.rendered_headings(body) == [("changing-shape-view", "Changing shape: view")]


def test_colab_url_is_built_from_a_github_repo_url_only():
    assert (postprocess.colab_url("https://github.com/linreg/linreg", "main", "docs/tutorials/a.ipynb")
            == "https://colab.research.google.com/github/linreg/linreg/blob/main/docs/tutorials/a.ipynb")
    assert postprocess.colab_url("https://gitlab.com/x/y", "main", "a.ipynb") is None
    assert postprocess.colab_url(None, "main", "a.ipynb") is None


def test_notebook_header_has_both_links_and_the_versions():
    bar = postprocess.notebook_header(download_url="a.ipynb", colab_url="https://colab.example/a",
                                      versions={"python": "3.11.7", "torch": "2.13.0"})
    assert 'href="a.ipynb" download>Download notebook' in bar and "Open in Colab" in bar
    assert "Python 3.11.7 and PyTorch 2.13.0" in bar and "data-search-exclude" in bar


def test_links_to_notebooks_point_at_their_pages_but_the_download_link_stays():
    body = ('<a href="02-gradient-descent.ipynb#the-loss">next</a> <a href="missing.ipynb">x</a> '
            '<a href="https://example.com/a.ipynb">ext</a> <a href="01-tensors.ipynb" download>Download</a>')
    pages = {"02-gradient-descent.ipynb": "../02-gradient-descent/"}
    out = postprocess.rewrite_notebook_links(body, pages.get)
    assert 'href="../02-gradient-descent/#the-loss"' in out
    assert 'href="missing.ipynb"' in out and 'href="https://example.com/a.ipynb"' in out
    assert 'href="01-tensors.ipynb" download' in out


def test_markup_names_lists_classes_ids_and_attribute_names():
    names = postprocess.markup_names('<div class="a b" id="top" data-x="1"><pre hidden>x</pre></div>')
    assert {".a", ".b", "#top", "[data-x", "[hidden", "[class", "[id"} <= names
    assert ".x" not in names


def test_prune_css_keeps_only_selectors_the_markup_can_match():
    css = ".used { color: red }\n.unused { color: blue }\n.used, .gone .used { margin: 0 }\n[data-on] .used { x: 1 }"
    out = postprocess.prune_css(css, {".used"})
    assert ".used{color: red}" in out and ".used{margin: 0}" in out
    assert "unused" not in out and ".gone" not in out and "data-on" not in out


def test_prune_css_requires_no_class_inside_not_or_is():
    assert ".a:not(.b)" in postprocess.prune_css(".a:not(.b) { color: red }", {".a"})
    out = postprocess.prune_css(".w :is(.a:hover, .b) { x: 1 }\n.gone { y: 2 }", {".w"})
    assert out == ".w :is(.a:hover, .b){x: 1}\n"


def test_prune_css_keeps_custom_properties_only_when_something_kept_reads_them():
    css = (".w { --read: var(--chained); --chained: 1px; --unread: 2px; --icon: url(data:image/svg+xml;base64,AAA) }\n"
           ".used { margin: var(--read) }")
    out = postprocess.prune_css(css, {".w", ".used"})
    assert "--read: var(--chained)" in out and "--chained: 1px" in out
    assert "--unread" not in out and "--icon" not in out


def test_prune_css_keeps_media_queries_and_keyframes_that_kept_rules_use():
    css = ("@media (max-width: 10px) { .used { animation: spin 1s } .gone { x: 1 } }\n"
           "@keyframes spin { to { transform: rotate(1turn) } }\n@keyframes unused { to { x: 1 } }")
    out = postprocess.prune_css(css, {".used"})
    assert "@media (max-width: 10px){\n.used{animation: spin 1s}\n}" in out
    assert "@keyframes spin" in out and "unused" not in out and ".gone" not in out


def test_add_assets_links_stylesheets_last_in_the_head_and_scripts_last_in_the_body():
    page = '<html><head><link rel="stylesheet" href="site.css"></head><body><p>x</p></body></html>'
    out = postprocess.add_assets(page, stylesheets=["nb.css"], scripts=["copy.js"])
    assert '<link rel="stylesheet" href="site.css"><link rel="stylesheet" href="nb.css"></head>' in out
    assert '<p>x</p><script src="copy.js"></script></body>' in out
    assert postprocess.add_assets(page, stylesheets=[], scripts=[]) == page


def test_woff2_only_drops_the_older_font_formats():
    css = ('@font-face{src:url(fonts/A.woff2) format("woff2"),url(fonts/A.woff) format("woff"),'
           'url(fonts/A.ttf) format("truetype")}')
    assert postprocess.woff2_only(css) == '@font-face{src:url(fonts/A.woff2) format("woff2")}'


def test_every_output_of_a_cell_stays_out_of_the_search_index():
    from material.plugins.search.plugin import Parser

    child = '<div class="jp-OutputArea-child"><div><pre>{}</pre></div></div>'
    cell = ('<p>prose</p>' + postprocess._OUTPUT_AREA + child.format("first") + child.format("second")
            + '</div><p>more prose</p>')
    parser = Parser()
    parser.feed(postprocess.exclude_outputs_from_search(cell))
    text = " ".join("".join(section.text) for section in parser.data)
    assert "prose" in text and "more prose" in text
    assert "first" not in text and "second" not in text


def test_the_hook_reads_the_dark_chunk_linreg_display_writes():
    # the hook keeps its own copy of the chunk name (it does not import matplotlib): they must agree
    assert postprocess.DARK_CHUNK == display.DARK_CHUNK
