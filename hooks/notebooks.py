"""MkDocs hook: execute tutorial notebooks through our cache and serve lean, self-contained pages.

Events, in build order:

* ``on_pre_build`` / ``on_env`` — keep compiled Jinja templates (mkdocstrings',
  the theme's) on disk, so a rebuild does not compile them again;
* ``on_files`` — execute cache misses (see ``execution.py``) and point
  mkdocs-jupyter (``execute: false``) at the executed copies;
* ``on_page_markdown`` — serve Markdown pages' executed blocks from their own
  cache when nothing they depend on changed (see ``markdown_cache.py``);
* ``on_page_content`` — typeset each page's math (see ``formulas.py``) and
  rewrite each notebook page (see ``postprocess.py``);
* ``on_post_page`` — link the notebook stylesheet and copy buttons from notebook
  pages only, KaTeX's stylesheet from pages with math only, and note which
  class names notebook pages use;
* ``on_post_build`` — write the notebook stylesheet (only the rules those names
  can match), the media files, the downloadable notebooks and KaTeX's
  stylesheet and fonts into the site, and store the Markdown pages' fresh outputs.

It runs on every build, including each ``mkdocs serve`` reload (mkdocs.yml
``watch``es ``linreg/`` and ``hooks/``), so a library change re-executes.
Generated files live in ``.cache/`` and ``site/``, never in ``docs/``: serve
would rebuild forever on its own writes.
"""

from __future__ import annotations

import logging
import os
import posixpath
from pathlib import Path

import jinja2
from mkdocs.exceptions import PluginError
from mkdocs.utils import CountHandler, get_relative_url

import execution
import formulas
import markdown_cache
import postprocess

log = logging.getLogger("mkdocs.hooks.notebooks")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CACHE_ROOT = Path(os.environ.get("LINREG_CACHE_DIR", PROJECT_ROOT / ".cache" / "site"))
KATEX = PROJECT_ROOT / ".cache" / "vendor" / "node_modules" / "katex"
KATEX_CSS = "assets/vendor/katex/katex.min.css"
NOTEBOOK_CSS = "assets/generated/notebook.css"
CLIPBOARD_JS = "assets/generated/clipboard.js"
MEDIA_DIR = "assets/media"


class _BuildState:
    """What one build collects from its pages and writes at the end (reset per build)."""

    def __init__(self) -> None:
        self.css = ""
        self.clipboard_js = ""
        self.media: dict[str, bytes] = {}
        self.sources: dict[str, Path] = {}  # site path of a downloadable notebook -> source
        # linreg sources + pins + Python: decides re-execution of notebooks and Markdown pages alike
        self.fingerprint = execution.environment_fingerprint(PROJECT_ROOT)
        self.exec_cache = markdown_cache.MarkdownExecCache(CACHE_ROOT / "markdown", self.fingerprint)
        # warnings logged while a Markdown page renders (a failing executed block logs one)
        self.page_warnings = CountHandler(level=logging.WARNING)
        self.katex: formulas.Katex | None = None  # started by the first page with math
        self.math_pages: set[str] = set()
        self.notebook_names: set[str] = set()  # class, id and attribute names notebook pages use

    def typeset(self, tex: str, display: bool) -> str:
        if self.katex is None:
            try:
                self.katex = formulas.Katex(KATEX, CACHE_ROOT / "katex")
            except FileNotFoundError as error:
                raise PluginError(f"{error} (run `make build` or `make serve`).") from None
        try:
            return self.katex(tex, display)
        except formulas.FormulaError as error:
            raise PluginError(str(error)) from None


_state: _BuildState | None = None


def on_pre_build(config, **_):
    global _state
    _state = _BuildState()
    if "mkdocstrings" in config.plugins:  # its pages render before on_env
        handler = config.plugins["mkdocstrings"].handlers.get_handler("python")
        handler.env.bytecode_cache = _bytecode_cache("mkdocstrings-python")


def on_files(files, config, **_):
    docs_dir = Path(config["docs_dir"])
    notebooks = [f for f in files.documentation_pages() if f.src_uri.endswith(".ipynb")]
    try:
        outcomes = execution.prepare_notebooks(
            [Path(f.abs_src_path) for f in notebooks],
            docs_dir=docs_dir,
            project_root=PROJECT_ROOT,
            cache_root=CACHE_ROOT,
            fingerprint=_state.fingerprint,
            workers=int(os.environ["LINREG_WORKERS"]) if os.environ.get("LINREG_WORKERS") else None,
        )
    except execution.NotebookExecutionError as error:
        raise PluginError(f"A tutorial notebook failed to execute:\n{error}") from None
    rendered = {o.source: o.rendered for o in outcomes}
    for nb_file in notebooks:
        source = Path(nb_file.abs_src_path)
        nb_file.abs_src_path = str(rendered[source])  # mkdocs-jupyter renders the executed copy
        _state.sources[nb_file.src_uri] = source
    return files


def _executed_versions(rendered: Path) -> dict[str, str]:
    import json

    meta = json.loads(rendered.read_text(encoding="utf-8")).get("metadata", {}).get("linreg", {})
    return {k: meta[k] for k in ("python", "torch") if k in meta}


def _bytecode_cache(name: str) -> jinja2.BytecodeCache:
    """Compiled Jinja templates kept on disk, one folder per environment (their options differ).

    MkDocs and mkdocstrings make fresh Jinja environments on every build (every
    `mkdocs serve` reload) and would compile ~80 templates again (~0.5 s).
    Jinja checks each entry against its template's source before using it.
    """
    folder = CACHE_ROOT / "jinja" / name
    folder.mkdir(parents=True, exist_ok=True)
    return jinja2.FileSystemBytecodeCache(str(folder))


def on_env(env, config, **_):
    env.bytecode_cache = _bytecode_cache("theme")
    return env


def on_page_markdown(markdown, page, **_):
    if page.file.src_uri.endswith(".ipynb"):
        return markdown
    _state.page_warnings.counts.clear()
    logging.getLogger("mkdocs").addHandler(_state.page_warnings)
    return _state.exec_cache.before_markdown(page.file.src_uri, markdown)


def on_page_content(html, page, config, files, **_):
    def url_for(name: str) -> str:
        return get_relative_url(f"{MEDIA_DIR}/{name}", page.url)

    if not page.file.src_uri.endswith(".ipynb"):
        logging.getLogger("mkdocs").removeHandler(_state.page_warnings)
        warnings = sum(_state.page_warnings.counts.values())
        html = _state.exec_cache.after_markdown(page.file.src_uri, html, warnings=warnings)
        html, math = formulas.typeset_arithmatex(html, _state.typeset)
        if math:
            _state.math_pages.add(page.file.src_uri)
        # Markdown pages can print figures too (markdown-exec): same media treatment.
        html, media = postprocess.extract_media(html, url_for)
        _state.media.update(media)
        return html
    body, css, clipboard = postprocess.split_notebook_html(html)
    _state.css = _state.css or postprocess.drop_notebook_token_colours(css)
    _state.clipboard_js = _state.clipboard_js or clipboard
    body, media = postprocess.extract_media(body, url_for)
    _state.media.update(media)
    body, math = formulas.typeset_dollars(body, _state.typeset)
    if math:
        _state.math_pages.add(page.file.src_uri)
    body = postprocess.collapse_solutions(postprocess.slim_markup(body))
    body = postprocess.exclude_outputs_from_search(body)

    _fix_toc(page.toc, postprocess.rendered_headings(body))

    def page_url(relative: str) -> str | None:
        target = files.get_file_from_path(posixpath.normpath(posixpath.join(posixpath.dirname(page.file.src_uri),
                                                                              relative)))
        return None if target is None else get_relative_url(target.url, page.url)

    body = postprocess.rewrite_notebook_links(body, page_url)
    name = Path(page.file.src_uri).name
    header = postprocess.notebook_header(
        download_url=name,  # copied next to the page's index.html in on_post_build
        colab_url=postprocess.colab_url(config.get("repo_url"), "main", f"docs/{page.file.src_uri}"),
        versions=_executed_versions(Path(page.file.abs_src_path)),
    )
    heading_end = body.find("</h1>")
    if heading_end >= 0:
        heading_end += len("</h1>")
        return body[:heading_end] + header + body[heading_end:]
    return header + body


def _fix_toc(toc, headings: list[tuple[str, str]]) -> None:
    """Give the table of contents the ids and titles of the headings as rendered."""
    def walk(items):
        for item in items:
            yield item
            yield from walk(item.children)

    items = list(walk(toc))
    if len(items) != len(headings):
        return  # not the same headings: leave mkdocs-jupyter's TOC as it is
    for item, (anchor, title) in zip(items, headings, strict=True):
        item.id, item.title = anchor, title


def on_post_page(output, page, config, **_):
    def link(path: str) -> str:
        return get_relative_url(path, page.url)

    stylesheets, scripts = [], []
    if page.file.src_uri.endswith(".ipynb"):
        stylesheets.append(link(NOTEBOOK_CSS))
        scripts.append(link(CLIPBOARD_JS))
    if page.file.src_uri in _state.math_pages:
        stylesheets.append(link(KATEX_CSS))
    output = postprocess.add_assets(output, stylesheets=stylesheets, scripts=scripts)
    output = postprocess.compact_whitespace(postprocess.accessibility_fixes(output))
    if page.file.src_uri.endswith(".ipynb"):
        _state.notebook_names |= postprocess.markup_names(output)
    return output


def on_post_build(config, **_):
    site = Path(config["site_dir"])
    _write(site / NOTEBOOK_CSS, postprocess.prune_css(_state.css, _state.notebook_names).encode())
    _write(site / CLIPBOARD_JS, _state.clipboard_js.encode())
    for name, data in _state.media.items():
        _write(site / MEDIA_DIR / name, data)
    use_urls = config["use_directory_urls"]
    for src_uri, source in _state.sources.items():
        page_dir = site / (src_uri[: -len(".ipynb")] if use_urls else Path(src_uri).parent)
        _write(page_dir / Path(src_uri).name, source.read_bytes())
    if _state.katex is not None:
        _state.katex.store()
    _copy_katex(site / KATEX_CSS)
    cache = _state.exec_cache
    cache.store()
    if cache.hits or cache.misses:
        log.info("Markdown pages' executed code: %d from cache, %d executed", cache.hits, cache.misses)


def _write(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return  # unchanged: keep the mtime, so serve's browser cache stays valid
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _copy_katex(stylesheet: Path) -> None:
    """Serve KaTeX's stylesheet and WOFF2 fonts from the site itself (installed from npm by `make`).

    Every browser that runs Material reads WOFF2, so the stylesheet's WOFF and
    TTF fallbacks are dropped (and those files are not copied).
    """
    dist = KATEX / "dist"
    if not dist.exists():
        raise PluginError(f"KaTeX is missing from {KATEX}: it is installed from the npm registry by "
                          "`make build`/`make serve`; run one of those.")
    css = (dist / "katex.min.css").read_text(encoding="utf-8")
    _write(stylesheet, postprocess.woff2_only(css).encode())
    for font in sorted((dist / "fonts").glob("*.woff2")):
        _write(stylesheet.parent / "fonts" / font.name, font.read_bytes())
