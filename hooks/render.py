"""Touch-ups: turn mkdocs-jupyter's HTML for a notebook into a lean, self-contained page.

mkdocs-jupyter emits, for every notebook page, ~590 KB of inline JupyterLab
CSS, a MathJax script from a CDN and a Mermaid script from a CDN (its media are
files already: ``media.py`` took them out of the notebook). Here each page is
rewritten so that:

* the CSS is served once, as a stylesheet the browser caches
  (:func:`split_notebook_html` hands it back to the hook), cut down to the
  rules notebook pages use (:func:`prune_css`, ~11 KiB of ~590);
* no script or font is loaded from another origin;
* code cells tagged ``solution`` are collapsed into a "Solution" block;
* outputs are excluded from the search index (prose, not printed tensors);
* the table of contents gets the headings' ids and titles as rendered.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable

WRAPPER = '<div class="jupyter-wrapper">'
_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)


def split_notebook_html(content: str) -> tuple[str, str, str]:
    """Split mkdocs-jupyter's output into ``(body, css, clipboard_js)``.

    Everything before the notebook wrapper is head material: the inline
    styles (returned as one CSS text), the copy-button script (returned) and
    CDN scripts for MathJax, Mermaid and RequireJS (dropped: the build
    typesets the math itself, see ``formulas.py``).
    """
    start = content.find(WRAPPER)
    if start < 0:
        raise ValueError("not a mkdocs-jupyter notebook page: no jupyter-wrapper div")
    head, body = content[:start], content[start:]
    css = "\n".join(block.strip() for block in _STYLE.findall(head))
    scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", head, re.S)
    clipboard = "\n".join(s for s in scripts if "clipboard" in s.lower())
    # With highlight_extra_classes set, mkdocs-jupyter also appends a <style> holding
    # the repr of a Python list after the notebook: noise, dropped.
    return _STYLE.sub("", body), css, clipboard


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
    marker = re.compile(r'<div class="jp-Cell jp-CodeCell[^"]*\bcelltag_solution\b[^"]*"[^>]*>')
    out, position = [], 0
    for match in marker.finditer(body):
        if match.start() < position:
            continue  # nbconvert nests a cell div in mkdocs-jupyter's: wrap the outer one only
        end = _div_end(body, match.start())
        out += [body[position:match.start()], SOLUTION_OPEN, body[match.start():end], "</details>"]
        position = end
    return "".join(out) + body[position:]


_COPY_ICON = re.compile(r'<svg\b[^>]*class="clipboard-copy-icon"[^>]*>.*?</svg>', re.S)


_TAG_GAP = re.compile(r"(?:(?<=>)|\A)\s{2,}(?=<|\Z)")  # between tags, or at the edge of a verbatim block
_VERBATIM = re.compile(r"(<(?:pre|textarea|script)\b.*?</(?:pre|textarea|script)>)", re.S)
_TEXT_WITH_NEWLINE = re.compile(r">([^<]*\n[^<]*)<")  # a text node that spans lines (Material's nav labels)
_NEWLINE_RUN = re.compile(r"[ \t]*\n\s*")
_EMPTY_COLLAPSER = re.compile(r'<div class="jp-Collapser [^"]*">\s*</div>')


def slim_markup(body: str) -> str:
    """Drop markup every cell repeats for JupyterLab's editor but a static page never uses.

    The copy icon (~800 bytes of SVG per code cell) becomes an empty span drawn
    once by CSS (``.clipboard-copy-icon`` in site.css); the empty "collapser"
    divs go.
    """
    body = _COPY_ICON.sub('<span class="clipboard-copy-icon" aria-hidden="true"></span>', body)
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
      gets ``tabindex="0"``, as Material does for its own code blocks.
    """
    page = page.replace('<div class="md-search" data-md-component="search" role="dialog">',
                        '<div class="md-search" data-md-component="search" role="dialog" aria-label="Search">')
    wrapper = page.find('<div class="jupyter-wrapper">')
    if wrapper < 0:
        return page
    return page[:wrapper] + page[wrapper:].replace("<pre>", '<pre tabindex="0">')


def drop_notebook_token_colours(css: str) -> str:
    """Remove nbconvert's Pygments colours (``.highlight-ipynb .mi {...}``) from the notebook CSS.

    Notebook code cells also carry Material's ``highlight`` class (mkdocs.yml,
    ``highlight_extra_classes``), so they take the theme's token colours, which
    follow the palette and meet contrast requirements; nbconvert's would win the
    cascade (its stylesheet loads later) and some fail them.
    """
    return "\n".join(line for line in css.splitlines() if not line.lstrip().startswith(".highlight-ipynb ."))


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



# ---------------------------------------------------------------- notebook stylesheet

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|[{};]')
# :not(.x) matches without .x; :is(.a, .b), :where() and :has() need only some: none is required
_PSEUDO_WITH_SELECTORS = re.compile(r":(?:not|is|where|has)\((?:[^()]|\([^()]*\))*\)")
_SELECTOR_COMMA = re.compile(r",(?![^(]*\))")  # not the commas inside :is(...)
_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_ID = re.compile(r"#(-?[_a-zA-Z][\w-]*)")
_ATTRIBUTE = re.compile(r"\[\s*([\w-]+)")
_DECLARATION_END = re.compile(r";(?![^(]*\))")  # not the ; of a data: URI inside url(...)
_VAR_USE = re.compile(r"var\(\s*(--[\w-]+)")
_VAR_DEFINITION = re.compile(r"^\s*(--[\w-]+)\s*:")
_HTML_TAG = re.compile(r"<([a-zA-Z][\w-]*)((?:\s+[^\s=>]+(?:=(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*/?>")
_HTML_ATTRIBUTE = re.compile(r"([^\s=>]+)(?:=(\"[^\"]*\"|'[^']*'|[^\s>]+))?")


@functools.lru_cache(maxsize=64)  # `mkdocs serve` rebuilds mostly unchanged pages
def markup_names(page: str) -> frozenset[str]:
    """The class names (``.x``), ids (``#x``) and attribute names (``[x``) a page's markup uses."""
    names: set[str] = set()
    for _, attributes in _HTML_TAG.findall(page):
        for name, value in _HTML_ATTRIBUTE.findall(attributes):
            name = name.lower()
            names.add(f"[{name}")
            value = value.strip("\"'")
            if name == "class":
                names.update(f".{c}" for c in value.split())
            elif name == "id":
                names.add(f"#{value}")
    return frozenset(names)


def _css_blocks(css: str) -> list[tuple[str, str | list]]:
    """Parse CSS into ``(prelude, body)`` pairs; the body of ``@media``/``@supports`` is parsed too.

    A statement without a block (``@charset``) has an empty body; a rule's body
    is its declarations as text (``@keyframes``: its frames). Enough CSS for
    JupyterLab's stylesheet: strings are skipped, comments must be gone.
    """
    root: list = []
    groups = [root]  # the innermost open @media/@supports is last
    start = 0
    tokens = _CSS_TOKEN.finditer(css)
    for token in tokens:
        mark = token.group()
        if mark == ";":
            groups[-1].append((css[start:token.start()].strip(), ""))
        elif mark == "}":
            groups.pop()
        elif mark == "{":
            prelude = css[start:token.start()].strip()
            if prelude.startswith(("@media", "@supports")):
                groups[-1].append((prelude, []))
                groups.append(groups[-1][-1][1])
            else:
                depth, body_end = 1, len(css)
                for inner in tokens:
                    depth += {"{": 1, "}": -1}.get(inner.group(), 0)
                    if depth == 0:
                        body_end = inner.start()
                        break
                groups[-1].append((prelude, css[token.end():body_end]))
                start = body_end + 1
                continue
        else:
            continue  # a string
        start = token.end()
    return root


def _selector_applies(selector: str, names: set[str]) -> bool:
    bare = _PSEUDO_WITH_SELECTORS.sub("", selector)
    wanted = ({f".{c}" for c in _CLASS.findall(bare)} | {f"#{i}" for i in _ID.findall(bare)}
              | {f"[{a.lower()}" for a in _ATTRIBUTE.findall(bare)})
    return wanted <= names


def prune_css(css: str, names: Iterable[str]) -> str:
    """Keep the rules of ``css`` whose selectors can match markup using ``names`` (see :func:`markup_names`).

    A selector list keeps the selectors whose every class, id and attribute is
    used; rules left with none go, and so do custom properties (``--x: ...``)
    no kept rule reads, directly or through another property, and keyframes no
    kept rule names. The result is minified.
    """
    return _prune_css(css, frozenset(names))


@functools.lru_cache(maxsize=2)  # `mkdocs serve`: the same stylesheet and names on most rebuilds
def _prune_css(css: str, names: frozenset[str]) -> str:
    css = _CSS_COMMENT.sub("", css)
    kept: list[tuple[list[str], str, str | None]] = []  # (selectors, declarations, enclosing @media)
    keyframes: dict[str, str] = {}

    def collect(blocks, media: str | None) -> None:
        for prelude, body in blocks:
            if isinstance(body, list):
                collect(body, prelude)
            elif prelude.startswith("@") and "keyframes" in prelude:
                keyframes[prelude] = body
            elif prelude.startswith("@") or not prelude:
                continue  # @charset, @import, stray semicolons
            else:
                selectors = [s.strip() for s in _SELECTOR_COMMA.split(prelude) if _selector_applies(s.strip(), names)]
                if selectors:
                    kept.append((selectors, body, media))

    collect(_css_blocks(css), None)

    # Custom properties: keep a definition only if something kept reads it (to a fixed point).
    def declarations(body: str) -> list[str]:
        return [d.strip() for d in _DECLARATION_END.split(body) if d.strip()]

    read = set()
    for _, body, _ in kept:
        read.update(_VAR_USE.findall(" ".join(d for d in declarations(body) if not _VAR_DEFINITION.match(d))))
    definitions = {}
    for _, body, _ in kept:
        for declaration in declarations(body):
            name = _VAR_DEFINITION.match(declaration)
            if name:
                definitions.setdefault(name.group(1), []).append(declaration)
    frontier = set(read)
    while frontier:
        name = frontier.pop()
        for declaration in definitions.get(name, []):
            for used in _VAR_USE.findall(declaration.split(":", 1)[1]):
                if used not in read:
                    read.add(used)
                    frontier.add(used)

    out: list[str] = []
    media_open: str | None = None
    for selectors, body, media in kept:
        body = ";".join(d for d in declarations(body)
                        if not (_VAR_DEFINITION.match(d) and _VAR_DEFINITION.match(d).group(1) not in read))
        if not body:
            continue
        if media != media_open:
            if media_open:
                out.append("}")
            if media:
                out.append(media + "{")
            media_open = media
        out.append(",".join(selectors) + "{" + body + "}")
    if media_open:
        out.append("}")
    text = "\n".join(out)
    for prelude, body in keyframes.items():
        if prelude.split()[-1] in text:
            out.append(prelude + "{" + body.strip() + "}")
    return "\n".join(out) + "\n"


def add_assets(page: str, *, stylesheets: list[str], scripts: list[str]) -> str:
    """Link ``stylesheets`` at the end of the page's head and load ``scripts`` at the end of its body.

    For what only some pages need (the notebook stylesheet, KaTeX's): the head's
    other stylesheets come first, so the order of the cascade is kept.
    """
    links = "".join(f'<link rel="stylesheet" href="{html.escape(href)}">' for href in stylesheets)
    tags = "".join(f'<script src="{html.escape(src)}"></script>' for src in scripts)
    if links:
        page = page.replace("</head>", links + "</head>", 1)
    if tags:
        at = page.rfind("</body>")
        page = page[:at] + tags + page[at:] if at >= 0 else page + tags
    return page


_OLDER_FONT_FORMATS = re.compile(r',\s*url\([^)]*\)\s*format\("(?:woff|truetype)"\)')


def woff2_only(css: str) -> str:
    """Drop the WOFF and TrueType fallbacks of ``@font-face`` rules (KaTeX's), keeping WOFF2."""
    return _OLDER_FONT_FORMATS.sub("", css)
