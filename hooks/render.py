"""Touch-ups: turn mkdocs-jupyter's HTML for a notebook into a lean, self-contained page.

mkdocs-jupyter emits, for every notebook page, ~590 KB of inline JupyterLab
CSS, a copy-button script and MathJax and Mermaid scripts from a CDN (its media
are files already: ``media.py`` took them out of the notebook). Here each page
is rewritten so that:

* only the notebook is kept (:func:`notebook_body`): the site's own
  ``notebook.css`` styles it and ``site.js`` copies code, so nothing is loaded
  from another origin;
* code cells tagged ``solution`` are collapsed into a "Solution" block;
* outputs are excluded from the search index (prose, not printed tensors);
* the table of contents gets the headings' ids and titles as rendered.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping

WRAPPER = '<div class="jupyter-wrapper">'
_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)


def notebook_body(content: str) -> str:
    """The notebook in mkdocs-jupyter's page content, without what it puts around it.

    Before the notebook wrapper come JupyterLab's theme as inline styles (the site's
    ``notebook.css`` replaces them), the script of its copy buttons (``slim_markup``
    puts buttons that ``site.js`` serves in their place) and CDN scripts for MathJax,
    Mermaid and RequireJS (the build typesets math itself: ``formulas.py``). With
    ``highlight_extra_classes`` set, mkdocs-jupyter also appends a ``<style>`` holding
    the repr of a Python list after the notebook. All of it goes.
    """
    start = content.find(WRAPPER)
    if start < 0:
        raise ValueError("not a mkdocs-jupyter notebook page: no jupyter-wrapper div")
    return _STYLE.sub("", content[start:])


SOLUTION_OPEN = '<details class="success linreg-solution" data-search-exclude><summary>Solution</summary>'
_DIV_TAG = re.compile(r"<div\b|</div>")


def _div_end(html: str, start: int) -> int:
    """Index just past the ``</div>`` that closes the ``<div`` opening at ``start``."""
    depth = 0
    for tag in _DIV_TAG.finditer(html, start):
        depth += 1 if tag.group() == "<div" else -1
        if depth == 0:
            return tag.end()
    raise ValueError("unbalanced <div> in notebook HTML")


def collapse_solutions(body: str) -> str:
    """Wrap every code cell tagged ``solution`` in a collapsed "Solution" block.

    A plain scan for the matching ``</div>`` (nbconvert's markup is regular),
    about 50x faster than parsing the page with BeautifulSoup on every build.
    Solutions stay out of the search index (Material's indexer does not honour
    ``data-search-exclude`` on outputs nested inside ``<details>``).
    """
    marker = re.compile(r'<div (?:id="[^"]*" )?class="jp-Cell jp-CodeCell[^"]*\bcelltag_solution\b[^"]*"[^>]*>')
    out, position = [], 0
    for match in marker.finditer(body):
        if match.start() < position:
            continue  # nbconvert nests a cell div in mkdocs-jupyter's: wrap the outer one only
        end = _div_end(body, match.start())
        out += [body[position:match.start()], SOLUTION_OPEN, body[match.start():end], "</details>"]
        position = end
    return "".join(out) + body[position:]


# The copy button of a code cell and the hidden copy of its code that the button's script read.
_COPY_WIDGET = re.compile(r'<div class="zeroclipboard-container">.*?</clipboard-copy>\s*</div>', re.S)
_COPY_TEXT = re.compile(r'<div (?:id="cell-\d+" )?class="clipboard-copy-txt"(?: id="cell-\d+")?>[^<]*</div>')
COPY_BUTTON = ('<button class="linreg-copy" type="button" title="Copy to clipboard" '
               'aria-label="Copy to clipboard"></button>')


_TAG_GAP = re.compile(r"(?:(?<=>)|\A)\s{2,}(?=<|\Z)")  # between tags, or at the edge of a verbatim block
_VERBATIM = re.compile(r"(<(?:pre|textarea|script)\b.*?</(?:pre|textarea|script)>)", re.S)
_TEXT_WITH_NEWLINE = re.compile(r">([^<]*\n[^<]*)<")  # a text node that spans lines (Material's nav labels)
_NEWLINE_RUN = re.compile(r"[ \t]*\n\s*")
_EMPTY_COLLAPSER = re.compile(r'<div class="jp-Collapser [^"]*">\s*</div>')


def slim_markup(body: str) -> str:
    """Drop markup every cell repeats for JupyterLab's editor but a static page never uses.

    A code cell's copy widget (a custom element with ~800 bytes of SVG) becomes a
    plain button drawn by ``notebook.css``, and the hidden second copy of the cell's
    code it read goes: ``site.js`` copies the code shown. The empty "collapser"
    divs go too.
    """
    body = _COPY_TEXT.sub("", _COPY_WIDGET.sub(COPY_BUTTON, body))
    return _EMPTY_COLLAPSER.sub("", body)


def compact_whitespace(page: str) -> str:
    """Drop the indentation between tags and around text (~11% of a page), keeping one newline.

    ``<pre>``, ``<textarea>`` and ``<script>`` are left alone: there every
    space is content. Elsewhere a run of spaces and newlines renders as one
    space, so one newline keeps inline elements and words apart.
    """
    def text(match: re.Match) -> str:
        return ">" + _NEWLINE_RUN.sub("\n", match.group(1)) + "<"

    parts = _VERBATIM.split(page)
    return "".join(part if _VERBATIM.fullmatch(part) else _TEXT_WITH_NEWLINE.sub(text, _TAG_GAP.sub("\n", part))
                   for part in parts)


# Pygments gives every name and every run of whitespace a span of its own: in a page of code
# they are a quarter of all elements, each one styled and laid out. The theme colours a
# name (``n``) exactly as the code around it (``--md-code-hl-name-color`` is
# ``--md-code-fg-color``) and whitespace (``w``) not at all, so their text can stand bare.
_PLAIN_TOKEN = re.compile(r'<span class="[nw]">([^<]*)</span>')
_PRE = re.compile(r"<pre\b.*?</pre>", re.S)


def unwrap_plain_tokens(page: str) -> str:
    """Highlighted code without the spans around names and whitespace, which change nothing shown.

    Only inside ``<pre>`` blocks, where Pygments' markup is; the text is untouched, so
    copying, search and find-in-page see the same code.
    """
    return _PRE.sub(lambda block: _PLAIN_TOKEN.sub(r"\1", block.group()), page)


# A folded source block: a reference entry's "Source code in ..." (mkdocstrings) or a page's
# "How linreg does it" (linreg.source), not one shown unfolded.
_FOLDED_SOURCE = re.compile(
    r'(<details class="(?:mkdocstrings|linreg)-source">\s*<summary>.*?</summary>)(.*?)(</details>)', re.S)
FOLDED_OPEN = '<noscript class="linreg-folded">'


def defer_folded_source(page: str) -> str:
    """Folded source blocks carry their highlighted code as the text of a ``<noscript>``.

    Most are never opened, yet as markup each costs the browser hundreds of elements
    to build (a reference page's sources are most of its elements), and their small
    code counts against the page's legible text. With JavaScript on, a ``<noscript>``'s
    content is plain text the browser only stores; ``site.js`` builds the code from it
    when the reader opens the block. Without JavaScript it is the block's content, as
    before. The search index is built from the page before this step, so it is unchanged.
    """
    return _FOLDED_SOURCE.sub(lambda m: f"{m[1]}{FOLDED_OPEN}{m[2]}</noscript>{m[3]}", page)


_OUTPUT_AREA = '<div class="jp-OutputArea jp-Cell-outputArea">'
OUTPUTS_OPEN = '<section class="linreg-outputs" data-search-exclude>'


def exclude_outputs_from_search(body: str) -> str:
    """Wrap output areas in an element that Material's search plugin leaves out of the index.

    Not a ``<div>``: the plugin tells elements apart by tag name only, so the
    first nested ``</div>`` would end the exclusion and a cell's second output
    (a print split into two stream chunks) would be indexed.
    """
    out, position = [], 0
    for match in re.finditer(re.escape(_OUTPUT_AREA), body):
        end = _div_end(body, match.start())
        out += [body[position:match.start()], OUTPUTS_OPEN, body[match.start():end], "</section>"]
        position = end
    return "".join(out) + body[position:]


def notebook_header(*, download_url: str, colab_url: str | None, versions: dict[str, str]) -> str:
    """The bar above a notebook: Download and Colab links, and what it was executed with."""
    links = [f'<a class="md-button" href="{html.escape(download_url)}" download>Download notebook</a>']
    if colab_url:
        links.append(f'<a class="md-button" href="{html.escape(colab_url)}" rel="noopener">Open in Colab</a>')
    stamp = ""
    if versions:
        stamp = (f'<p class="linreg-stamp">Outputs on this page were produced when the site was built, '
                 f'with Python {html.escape(versions.get("python", "?"))} and '
                 f'PyTorch {html.escape(versions.get("torch", "?"))}.</p>')
    return f'<div class="linreg-notebook-bar" data-search-exclude>{"".join(links)}{stamp}</div>'


def downloadable_notebook(source: str, values: Mapping[str, Mapping], versions: Mapping[str, str]) -> str:
    """The notebook a reader downloads: the source with its prose's ``{{ glue:name }}`` citations filled.

    ``source`` is the committed notebook's JSON, ``values`` what the build's run
    recorded (``metadata.linreg.glue`` of the executed notebook). The prose then
    reads as on the site; code cells keep no outputs, so the reader runs them, and
    the title cell says which run the cited numbers come from. Only Markdown cells
    change; the JSON keeps the committed layout.
    """
    from linreg import glue  # here: importing linreg imports NumPy, which most build steps do not need

    notebook = json.loads(source)
    cells = notebook.get("cells", [])
    cites = any(glue.CITATION.search("".join(cell["source"])) for cell in cells if cell["cell_type"] == "markdown")
    if not cites:
        return source
    for number, cell in enumerate(cells, start=1):
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        text = glue.fill(text, values, where=f"cell {number}")
        if number == 1:
            run = (f"Python {versions.get('python', '?')} and PyTorch {versions.get('torch', '?')}"
                   if versions else "its build")
            text += (f"\n\n*The numbers quoted in this notebook's text come from the website's run ({run});"
                     " the cells print your run's own.*")
        cell["source"] = text.splitlines(keepends=True)
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def insert_after_title(body: str, header: str) -> str:
    """``header`` placed right after the page's ``<h1>`` (or first, if it has none)."""
    end = body.find("</h1>")
    return header + body if end < 0 else body[:end + 5] + header + body[end + 5:]


def colab_url(repo_url: str | None, branch: str, path_in_repo: str) -> str | None:
    """Colab's URL for a notebook in a GitHub repository, or None for other hosts."""
    match = re.match(r"https://github\.com/([^/]+)/([^/#?]+?)(?:\.git)?/?$", repo_url or "")
    if not match:
        return None
    owner, repo = match.groups()
    return f"https://colab.research.google.com/github/{owner}/{repo}/blob/{branch}/{path_in_repo}"


def accessibility_fixes(page: str) -> str:
    """Small fixes to the theme's and nbconvert's markup that axe-core reports as serious.

    * Material's search panel has ``role="dialog"`` but no accessible name;
    * a code block that scrolls sideways must be reachable with the keyboard,
      so every ``<pre>`` of a notebook (code, outputs, code in Markdown cells)
      gets ``tabindex="0"``; and so does the ``<code>`` of every highlighted
      block (what scrolls in Material's code blocks): Material makes one
      focusable when it finds it scrolls, but it looks at a block only once the
      block comes into view (``content.lazy``), and a keyboard reader may tab to
      one before that. Material drops the tab stop from a block that fits.
    """
    page = page.replace('<div class="md-search" data-md-component="search" role="dialog">',
                        '<div class="md-search" data-md-component="search" role="dialog" aria-label="Search">')
    page = page.replace("<span></span><code>", '<span></span><code tabindex="0">')
    wrapper = page.find('<div class="jupyter-wrapper">')
    if wrapper < 0:
        return page
    return page[:wrapper] + page[wrapper:].replace("<pre>", '<pre tabindex="0">')


def rendered_headings(body: str) -> list[tuple[str, str]]:
    """``(id, text)`` of the notebook's headings in page order, inline code included.

    mkdocs-jupyter builds the table of contents from the Markdown with inline
    code stripped: the title reads "Changing shape: , and" and its link points
    at an id that no heading has. The rendered headings have both right.
    """
    found = re.findall(r'<h[1-6] id="([^"]+)">(.*?)<a class="anchor-link"', body, re.S)
    return [(anchor, html.unescape(re.sub(r"<[^>]+>", "", text)).strip()) for anchor, text in found]


def fix_toc(toc, headings: list[tuple[str, str]]) -> None:
    """Give the table of contents the ids and titles of the headings as rendered (see :func:`rendered_headings`)."""
    def walk(items):
        for item in items:
            yield item
            yield from walk(item.children)

    items = list(walk(toc))
    if len(items) == len(headings):  # else not the same headings: leave mkdocs-jupyter's TOC as it is
        for item, (anchor, title) in zip(items, headings, strict=True):
            item.id, item.title = anchor, title


_NOTEBOOK_LINK = re.compile(r'href="(?![a-z]+:|/|#)([^"#]+\.ipynb)(#[^"]*)?"(?! download)')


def rewrite_notebook_links(body: str, url_for) -> str:
    """Point links to other notebooks (``02-gradient-descent.ipynb#the-loss``) at their pages.

    mkdocs rewrites ``.md`` links in Markdown pages, but links written in a
    notebook's Markdown cells reach the page as they are. ``url_for(path)``
    returns the page URL (relative to this page) for a notebook path relative
    to this one, or None to leave the link alone. The Download link is kept.
    """
    def replace(match: re.Match) -> str:
        url = url_for(match.group(1))
        return match.group(0) if url is None else f'href="{url}{match.group(2) or ""}"'

    return _NOTEBOOK_LINK.sub(replace, body)
