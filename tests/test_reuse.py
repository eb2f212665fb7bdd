"""Specification of what a build reuses: the same site as a build that computes everything.

Besides executed notebooks, a build reuses the reference pages mkdocstrings
rendered (``hooks/reference_cache.py``), each page's search entries
(``hooks/search_cache.py``) and sidebars (``hooks/sidebar_cache.py``), each notebook's
body and each page's finished HTML (``hooks/rewrite_cache.py``), each notebook's
rendered twin and its media, and the compiled templates: each keyed on what it
depends on. The tests build a copy of the project twice with one cache: first with
nothing to reuse but the executed notebooks (a clean build), then reusing
everything; every file of the two sites, the search index included, must be the
same. Then a docstring of ``linreg`` changes, and its reference page must show it;
a notebook's title changes, and every page's navigation must show it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from projects import copy_of_the_project

pytestmark = [pytest.mark.site, pytest.mark.slow]

# The module linreg.tables is imported by page 1 only: editing it re-executes that page and no other.
EDITED = Path("linreg") / "tables.py"


def _build(project: Path, env: dict, site: Path) -> str:
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                            cwd=project, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-6000:]
    return result.stderr


def _files(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def builds(built_site, tmp_path_factory):
    """A copy of the project built clean, then again reusing: ``(project, env, clean site, reusing site, logs)``."""
    del built_site  # it makes sure the project's cache holds every executed notebook
    root = tmp_path_factory.mktemp("reuse")
    project = root / "project"
    env = copy_of_the_project(project, cache=root / "cache")
    clean_log = _build(project, env, root / "clean")
    reusing_log = _build(project, env, root / "reusing")
    return project, env, root / "clean", root / "reusing", (clean_log, reusing_log)


DOCS = Path(__file__).resolve().parent.parent / "docs"
NOTEBOOKS = len(list((DOCS / "tutorials").glob("*.ipynb")))
REFERENCE_PAGES = sum(1 for page in (DOCS / "reference").glob("*.md") if "\n::: " in "\n" + page.read_text())
PAGES = len([page for page in DOCS.rglob("*") if page.suffix in (".md", ".ipynb")])


def test_the_clean_build_executes_no_notebook_and_renders_every_reference_page(builds):
    *_, (clean_log, _) = builds
    assert f"Notebooks: {NOTEBOOKS} from the cache, 0 executed" in clean_log
    assert f"Reference pages: 0 reused, {REFERENCE_PAGES} rendered" in clean_log


def test_the_second_build_reuses_every_reference_page_search_entry_and_finished_page(builds):
    *_, (_, reusing_log) = builds
    assert f"Reference pages: {REFERENCE_PAGES} reused, 0 rendered" in reusing_log
    assert f"Search entries: {PAGES} pages reused, 0 indexed" in reusing_log
    assert f"Finished pages: {PAGES} reused, 0 rewritten" in reusing_log
    assert f"Notebook bodies: {NOTEBOOKS} reused, 0 rewritten" in reusing_log
    assert f"Sidebars: {PAGES} pages reused, 0 rendered" in reusing_log


def test_the_clean_build_rewrites_every_page_after_the_theme(builds):
    *_, (clean_log, _) = builds
    assert f"Finished pages: 0 reused, {PAGES} rewritten" in clean_log
    assert f"Notebook bodies: 0 reused, {NOTEBOOKS} rewritten" in clean_log
    assert f"Sidebars: 0 pages reused, {PAGES} rendered" in clean_log


def test_a_build_that_reuses_gives_the_same_site_as_a_clean_build(builds):
    _, _, clean, reusing, _ = builds
    clean_files, reusing_files = _files(clean), _files(reusing)
    assert sorted(clean_files) == sorted(reusing_files)
    assert "search/search_index.json" in clean_files and "objects.inv" in clean_files
    different = [name for name in clean_files if clean_files[name] != reusing_files[name]]
    assert different == []


def test_a_docstring_edit_shows_on_its_reference_page(builds, tmp_path):
    project, env, _, reusing, _ = builds
    source = (project / EDITED).read_text()
    marker = "Tables shown on a page, written as Markdown by a cell (edited by a test)."
    first_line = source.split('"""', 2)[1].splitlines()[0]
    (project / EDITED).write_text(source.replace(first_line, marker, 1))
    try:
        log = _build(project, env, tmp_path / "site")
    finally:
        (project / EDITED).write_text(source)
    page = (tmp_path / "site" / "reference" / "tables" / "index.html").read_text()
    assert marker in page
    assert marker not in (reusing / "reference" / "tables" / "index.html").read_text()
    assert f"Reference pages: 0 reused, {REFERENCE_PAGES} rendered" in log  # keyed on every file of linreg
    assert "[1/1] executed 01-tensors.ipynb" in log  # the one page that imports linreg.tables


def test_a_notebook_title_edit_shows_in_every_page_s_navigation(builds, tmp_path):
    project, env, _, reusing, _ = builds
    notebook = project / "docs" / "tutorials" / "01-tensors.ipynb"
    source = notebook.read_text()
    assert source.count('"# 1. Tensors') == 1
    notebook.write_text(source.replace('"# 1. Tensors', '"# 1. Tensors, retitled by a test'))
    try:
        log = _build(project, env, tmp_path / "site")
    finally:
        notebook.write_text(source)
    pages = sorted((tmp_path / "site").rglob("index.html"))
    assert len(pages) == PAGES and all("Tensors, retitled by a test" in page.read_text() for page in pages)
    assert "Tensors, retitled by a test" not in (reusing / "index.html").read_text()
    assert f"Sidebars: 0 pages reused, {PAGES} rendered" in log  # every page's navigation changed
