"""MkDocs entry point of the site build (mkdocs.yml ``hooks:``): wires the ``hooks`` package to MkDocs' events.

The flow, one module per step (see ``hooks/__init__.py``):

* ``on_pre_build`` — put the reuse caches in place: reference pages
  (``reference_cache``) and search entries (``search_cache``), each keyed on
  what it depends on;
* ``on_files`` — **execute** the notebooks through the cache (``execution``),
  **extract media** from the executed copies (``media``), point mkdocs-jupyter
  (``execute: false``) at them, which **renders** them;
* ``on_page_markdown`` / ``on_page_content`` — Markdown pages' executed blocks
  come from the same cache (``markdown_cache``), their media out the same way;
  reference pages' mkdocstrings blocks from theirs (``reference_cache``);
  **touch-ups** of every page (``render``), its math typeset (``formulas``);
* ``on_env`` — register the media, the downloadable notebooks, KaTeX's and
  Pyodide's files with MkDocs as generated files: MkDocs writes them into the site;
* ``on_post_page`` — last touches to the whole page (accessibility, lighter code markup,
  folded source built when opened, whitespace).

Which stylesheets and scripts a page loads (notebook, math, explorables) is the
page template's business: ``overrides/main.html``.

It runs on every build, including each ``mkdocs serve`` reload (mkdocs.yml
``watch``es ``linreg/`` and ``hooks/``), so a library change re-executes.
Generated files live in ``.cache/`` and ``site/``, never in ``docs/``: serve
would rebuild forever on its own writes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import posixpath
import sys
from pathlib import Path

import jinja2
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.utils import CountHandler, get_relative_url

# MkDocs loads this file by path, with only hooks/ on sys.path: the package needs the project root.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The code of the media step and of the exporters that render the twin, in the key of every
# rendered twin (hooks/execution.py hashes itself).
_MEDIA_STEP = hashlib.sha256(b"".join(Path(__file__).with_name(name).read_bytes()
                                      for name in ("media.py", "events.py", "exporters.py"))).hexdigest()
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from hooks import (  # noqa: E402
    execution,
    exporters,
    facts,
    formulas,
    markdown_cache,
    media,
    reference_cache,
    render,
    rewrite_cache,
    search_cache,
    sidebar_cache,
)
from hooks.store import KeyedStore  # noqa: E402

log = logging.getLogger("mkdocs.hooks")

CACHE_ROOT = Path(os.environ.get("LINREG_CACHE_DIR", PROJECT_ROOT / ".cache" / "site"))
KATEX = PROJECT_ROOT / ".cache" / "vendor" / "node_modules" / "katex"
KATEX_CSS = "assets/vendor/katex/katex.min.css"  # overrides/main.html links it where a page has math
MEDIA_CACHE = CACHE_ROOT / "media"  # notebooks' images and videos, by content-addressed name
PYODIDE = PROJECT_ROOT / ".cache" / "vendor" / "node_modules" / "pyodide"
PYODIDE_DIR = "assets/vendor/pyodide"
# Pyodide's core runtime, for page 2's "Run it in your browser" block: the loader, the
# interpreter (JS glue + WebAssembly), the standard library and the lock file loadPyodide
# reads. No packages: the block needs none. A reader's browser fetches it on Run only.
PYODIDE_FILES = ("pyodide.js", "pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                 "pyodide-lock.json")


class _Build:
    """What one build collects from its pages (reset per build)."""

    def __init__(self, config) -> None:
        self.media: dict[str, bytes] = {}  # Markdown pages' media: content-addressed name -> bytes
        self.media_files: set[str] = set()  # notebooks' media: content-addressed names of files in MEDIA_CACHE
        self.sources: dict[str, Path] = {}  # notebook page src_uri -> its committed source (the download is made of it)
        self.cited: dict[str, dict] = {}  # notebook page src_uri -> the values its run recorded for the prose
        self.versions: dict[str, dict[str, str]] = {}  # notebook page src_uri -> what executed it (the stamp)
        self.fingerprint = execution.environment_fingerprint(PROJECT_ROOT)
        self.package = package = execution.package_fingerprint(PROJECT_ROOT)  # the environment + all of linreg
        self.exec_cache = markdown_cache.MarkdownExecCache(CACHE_ROOT / "markdown", self.fingerprint,
                                                           execution.PackageSnapshot.take(PROJECT_ROOT))
        self.page_warnings = CountHandler(level=logging.WARNING)  # a failing executed block logs one
        self.katex: formulas.Katex | None = None  # started by the first page with math
        # Work that depends on linreg and the configuration only (reference pages), or on a page's
        # final HTML only (its search entries): reused while that is unchanged.
        self.reference = reference_cache.ReferenceCache(
            KeyedStore(CACHE_ROOT / "pages" / "reference.json", log),
            package + _config_digest(config),
            autorefs=config.plugins["autorefs"], handlers=config.plugins["mkdocstrings"].handlers)
        self.search = search_cache.SearchEntryCache(KeyedStore(CACHE_ROOT / "pages" / "search.json", log),
                                                    self.fingerprint)
        self.search.install(config.plugins["material/search"])
        # Each page's sidebars (navigation, table of contents), reused while what they show is unchanged.
        self.sidebars = sidebar_cache.SidebarCache(KeyedStore(CACHE_ROOT / "pages" / "sidebars.json", log),
                                                   self.fingerprint + _config_digest(config))
        # Two rewrites, each reused while its input HTML and its code are unchanged: a notebook's body as
        # mkdocs-jupyter rendered it (render.py, formulas.py, KaTeX), and each page after the theme (render.py).
        katex = KATEX / "package.json"
        self.notebook_body = rewrite_cache.RewriteCache(
            KeyedStore(CACHE_ROOT / "pages" / "notebooks.json", log), *(
                path.read_bytes() for path in (Path(render.__file__), Path(formulas.__file__), katex)
                if path.exists()))
        self.post_page = rewrite_cache.RewriteCache(KeyedStore(CACHE_ROOT / "pages" / "post.json", log),
                                                    Path(render.__file__).read_bytes())

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


_build: _Build


def _config_digest(config) -> str:
    """Hash of the build's configuration: mkdocs.yml and the values it takes from the environment."""
    text = Path(config.config_file_path).read_bytes().decode() if config.config_file_path else ""
    values = [text, config.site_url, config.repo_url, config.edit_uri, config.use_directory_urls]
    return hashlib.sha256(json.dumps(values, default=str).encode()).hexdigest()


def _directory(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _this_repository(text: str, config) -> str:
    """``text`` with links to the home repository's files pointed at the repository this build is for.

    The pages name their source where they link to it (page 11 links to a
    module on GitHub, each notebook's Colab cell installs linreg from there):
    mkdocs.yml's ``extra.home_repository``, branch ``main``. A build for a fork
    (``REPO_URL``, ``SOURCE_BRANCH``) rewrites those to the fork's.
    """
    home, repo = config.extra["home_repository"].rstrip("/"), (config.repo_url or "").rstrip("/")
    branch = config.extra["source_branch"]
    if (repo, branch) == (home, "main") or not repo:
        return text
    return text.replace(f"{home}/blob/main/", f"{repo}/blob/{branch}/").replace(home, repo)


def _media_url(page_url: str):
    return lambda name: get_relative_url(f"{media.MEDIA_DIR}/{name}", page_url)


# The theme's files, listed once per process: MkDocs lists and filters Material's ~14,500 (icons
# included) on every build, a fifth of a rebuild in `mkdocs serve`; the theme does not change meanwhile.
_theme_files: dict[tuple, list[str]] = {}


def on_config(config, **_):
    exporters.install(_directory(CACHE_ROOT / "templates" / "nbconvert"))
    get_env = config.theme.get_env

    def get_env_listing_once():
        env = get_env()
        list_templates = env.list_templates
        theme = (tuple(config.theme.dirs), tuple(config.theme.static_templates))

        def listed(extensions=None, filter_func=None):
            key = (theme, extensions, getattr(filter_func, "__qualname__", None))
            if key not in _theme_files:
                _theme_files[key] = list_templates(extensions, filter_func)
            return _theme_files[key]

        env.list_templates = listed
        return env

    config.theme.get_env = get_env_listing_once
    return config


def on_pre_build(config, **_):
    global _build
    _build = _Build(config)


def on_files(files, config, **_):
    notebooks = {Path(f.abs_src_path): f for f in files.documentation_pages() if f.src_uri.endswith(".ipynb")}
    # A docstring's relative link resolves against the site's pages: they are part of the reference's key.
    _build.reference.fingerprint += hashlib.sha256(" ".join(sorted(f.src_uri for f in files)).encode()).hexdigest()

    def extract_media(source: Path, notebook) -> list[str]:
        """Take the notebook's media out into files of the cache, stamp the renderer; the media's names."""
        files = media.extract(notebook, _media_url(notebooks[source].url))
        # mkdocs-jupyter caches its HTML by the twin's bytes: the twin names the exporters' code,
        # so an edit to hooks/exporters.py renders the notebooks again.
        notebook.metadata.setdefault("linreg", {})["rendered_by"] = _MEDIA_STEP[:16]
        for name, data in files.items():
            if not (MEDIA_CACHE / name).exists():
                execution.atomic_write_bytes(MEDIA_CACHE / name, data)
        return sorted(files)

    def extract_key(source: Path) -> str:
        # The media step: its code (hooks/media.py and this file, which calls it), the exporters' (their
        # stamp), linreg (the figure markup), and the page's URL (media links are relative). An edit to
        # any of those hooks makes the twin again.
        return f"{_build.package} {_MEDIA_STEP} {notebooks[source].url}"

    try:
        outcomes = execution.prepare_notebooks(
            list(notebooks), docs_dir=Path(config["docs_dir"]), project_root=PROJECT_ROOT, cache_root=CACHE_ROOT,
            fingerprint=_build.fingerprint, extract=extract_media, extract_key=extract_key,
            workers=int(os.environ["LINREG_WORKERS"]) if os.environ.get("LINREG_WORKERS") else None)
    except execution.NotebookReadError as error:
        raise PluginError(f"A tutorial notebook cannot be read: {error}") from None
    except execution.NotebookExecutionError as error:
        raise PluginError(f"A tutorial notebook failed to execute:\n{error}") from None
    for outcome in outcomes:
        page = notebooks[outcome.source]
        page.abs_src_path = str(outcome.rendered)  # mkdocs-jupyter renders the executed copy
        _build.sources[page.src_uri] = outcome.source
        # The download's prose cites the same run as the page (render.downloadable_notebook).
        _build.cited[page.src_uri] = json.loads(outcome.rendered.read_text(encoding="utf-8"))["metadata"].get(
            "linreg", {}).get("glue", {})
        _build.versions[page.src_uri] = outcome.versions
        missing = [name for name in outcome.extracted if not (MEDIA_CACHE / name).exists()]
        if missing:
            raise PluginError(f"{outcome.source.name}: media files missing from {MEDIA_CACHE} ({', '.join(missing)});"
                              " `make clean`, then build again")
        _build.media_files.update(outcome.extracted)
    return files


def on_page_markdown(markdown, page, config, **_):
    if page.file.src_uri.endswith(".ipynb"):
        return markdown
    where = posixpath.join(posixpath.basename(config["docs_dir"]), page.file.src_uri)
    marker = execution.CONFLICT_MARKER.search(markdown_cache.FENCE.sub("", markdown))
    if marker:  # what a bad merge leaves: the build would publish it as text
        raise PluginError(f"{where}: has merge conflict markers ({marker[0].strip()!r} at the start of a line): "
                          "resolve the conflict, then build again")
    try:
        markdown = facts.fill(markdown, PROJECT_ROOT, where=where)  # {{ build:notebooks }} and the like
    except facts.FactError as error:
        raise PluginError(str(error)) from None
    _build.page_warnings.counts.clear()
    logging.getLogger("mkdocs").addHandler(_build.page_warnings)
    markdown = _build.reference.before_markdown(page, markdown)
    return _build.exec_cache.before_markdown(page.file.src_uri, markdown)


def on_page_content(html, page, config, files, **_):
    if not page.file.src_uri.endswith(".ipynb"):
        logging.getLogger("mkdocs").removeHandler(_build.page_warnings)
        warnings = sum(_build.page_warnings.counts.values())
        html = _build.reference.after_markdown(page, html, warnings=warnings)
        url_for = _media_url(page.url)
        html = _build.exec_cache.after_markdown(
            page.file.src_uri, html, warnings=warnings,
            # what the executed blocks printed, as a notebook's HTML output is: media out to files
            output=lambda fragment: media.replace_data_uris(fragment, url_for, _build.media))
        return _this_repository(formulas.typeset_arithmatex(html, _build.typeset)[0], config)
    body = _build.notebook_body.finish(html, _notebook_body)
    render.fix_toc(page.toc, render.rendered_headings(body))

    def page_url(relative: str) -> str | None:
        target = files.get_file_from_path(posixpath.normpath(posixpath.join(posixpath.dirname(page.file.src_uri),
                                                                              relative)))
        return None if target is None else get_relative_url(target.url, page.url)

    body = render.rewrite_notebook_links(body, page_url)
    header = render.notebook_header(
        download_url=Path(page.file.src_uri).name,  # registered next to the page's index.html in on_env
        colab_url=render.colab_url(config.get("repo_url"), config.extra["source_branch"], f"docs/{page.file.src_uri}"),
        versions=_build.versions[page.file.src_uri])
    return _this_repository(render.insert_after_title(body, header), config)


def _notebook_body(html: str) -> str:
    """The notebook of mkdocs-jupyter's page: its markup trimmed, solutions folded, math typeset."""
    body, _ = formulas.typeset_dollars(render.notebook_body(html), _build.typeset)
    return render.exclude_outputs_from_search(render.collapse_solutions(render.slim_markup(body)))


def on_env(env, config, files, **_):
    """Every page is rendered: register what the pages need as generated files (MkDocs copies them)."""
    # MkDocs makes a new template environment per build, which compiles Material's ~45 templates again:
    # keep their compiled code (keyed on each template's source) between builds and processes.
    env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(_directory(CACHE_ROOT / "templates")))
    env.globals["linreg_sidebars"] = _build.sidebars  # overrides/main.html's site_nav block

    def add(src_uri: str, **backing) -> None:
        files.append(File.generated(config, src_uri, **backing))

    for name in sorted(_build.media_files):  # the notebooks' media, kept as files in the cache
        add(f"{media.MEDIA_DIR}/{name}", abs_src_path=str(MEDIA_CACHE / name))
    for name, data in sorted(_build.media.items()):  # what Markdown pages' executed blocks printed
        if name not in _build.media_files:
            add(f"{media.MEDIA_DIR}/{name}", content=data)
    for src_uri, source in _build.sources.items():
        page_dir = src_uri[: -len(".ipynb")] if config["use_directory_urls"] else posixpath.dirname(src_uri)
        text = source.read_text(encoding="utf-8")
        # The prose's citations filled from this build's run; the Colab cell installs linreg from its repository.
        published = _this_repository(
            render.downloadable_notebook(text, _build.cited[src_uri], _build.versions[src_uri]), config)
        if published == text:
            add(posixpath.join(page_dir, source.name), abs_src_path=str(source))
        else:
            add(posixpath.join(page_dir, source.name), content=published)
    dist = KATEX / "dist"
    missing = [path for path in [dist, *(PYODIDE / name for name in PYODIDE_FILES)] if not path.exists()]
    if missing:
        raise PluginError(f"{', '.join(map(str, missing))} missing: KaTeX and Pyodide are installed from the npm "
                          "registry by `make setup` (and `make build`/`make serve`); run one of those.")
    add(KATEX_CSS, content=formulas.woff2_only((dist / "katex.min.css").read_text(encoding="utf-8")))
    for font in sorted((dist / "fonts").glob("*.woff2")):
        add(posixpath.join(posixpath.dirname(KATEX_CSS), "fonts", font.name), abs_src_path=str(font))
    for name in PYODIDE_FILES:
        add(f"{PYODIDE_DIR}/{name}", abs_src_path=str(PYODIDE / name))
    return env


def _finish_page(output: str) -> str:
    page = render.defer_folded_source(render.unwrap_plain_tokens(render.accessibility_fixes(output)))
    return render.compact_whitespace(page)


def on_post_page(output, **_):
    return _build.post_page.finish(output, _finish_page)


def on_post_build(config, **_):
    if _build.katex is not None:
        _build.katex.store()
    reference, search, post = _build.reference.store, _build.search.store, _build.post_page.store
    sidebars, bodies = _build.sidebars.store, _build.notebook_body.store
    log.info("Reference pages: %d reused, %d rendered", reference.hits, reference.misses)
    log.info("Notebook bodies: %d reused, %d rewritten", bodies.hits, bodies.misses)
    log.info("Search entries: %d pages reused, %d indexed", search.hits, search.misses)
    log.info("Sidebars: %d pages reused, %d rendered", sidebars.hits, sidebars.misses)
    log.info("Finished pages: %d reused, %d rewritten", post.hits, post.misses)
    _build.reference.save()
    _build.search.save()
    for store in (bodies, sidebars, post):
        store.save()
    cache = _build.exec_cache
    cache.store()
    if cache.hits or cache.misses:
        log.info("Markdown pages' executed code: %d from cache, %d executed", cache.hits, cache.misses)
