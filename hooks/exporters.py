"""The nbconvert exporters mkdocs-jupyter renders a notebook with, made cheaper to run again.

In ``mkdocs serve`` an edit to a notebook's prose renders that notebook again
(mkdocs-jupyter caches its HTML by the notebook's bytes). Three parts of that
render are work thrown away:

* each render makes new exporters, and each new exporter compiles nbconvert's
  Jinja templates again: :class:`CompiledTemplatesKept` keeps their compiled code
  on disk (keyed on each template's source, as ``on_env`` does for the theme's);
* nbconvert validates the notebook against its schema again after each of its
  dozen preprocessors, although they only pass it on or trim it: the exporters
  here validate once, after the last (nbconvert's own ``optimistic_validation``);
* nbconvert's ``HTMLExporter`` parses the whole page with BeautifulSoup and
  writes it out again, only to give every cell's input and output ``tabindex="0"``
  and an image without alternative text a placeholder one: about half of the
  render. :class:`LeanHTMLExporter` makes the same two edits to the tags
  themselves and leaves the rest of the markup as the templates wrote it.

Example (``events.on_config`` does this once per build)::

    install(CACHE_ROOT / "templates" / "nbconvert")
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import mkdocs_jupyter.nbconvert2
import nbconvert.exporters.html
from nbconvert.exporters import HTMLExporter, MarkdownExporter, TemplateExporter
from traitlets import Bool

_bytecode_cache: jinja2.BytecodeCache | None = None


class CompiledTemplatesKept(TemplateExporter):
    """An exporter that keeps compiled templates in the shared bytecode cache, and validates the notebook once."""

    optimistic_validation = Bool(True, help="Validate once, after the last preprocessor.").tag(config=True)

    def _create_environment(self):
        environment = super()._create_environment()
        environment.bytecode_cache = _bytecode_cache
        return environment


# nbconvert's selectors, ".jp-Notebook div.jp-Cell-inputWrapper" and "... div.jp-OutputArea-output",
# as patterns over the opening tags: the templates write class before any other attribute.
_FOCUSABLE = re.compile(r'<div class="(?:[^"]*\s)?(?:jp-Cell-inputWrapper|jp-OutputArea-output)(?:\s[^"]*)?"[^>]*')
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt=)[^>]*?(?=/?>)")
NO_ALT = "No description has been provided for this image"  # nbconvert's placeholder


def focusable_cells(html: str) -> str:
    """``html`` with ``tabindex="0"`` on every cell input and output of the notebook, as nbconvert adds it.

    >>> focusable_cells('<main class="jp-Notebook"><div class="jp-Cell-inputWrapper">x</div></main>')
    '<main class="jp-Notebook"><div class="jp-Cell-inputWrapper" tabindex="0">x</div></main>'
    """
    notebook = html.find('class="jp-Notebook')
    if notebook < 0:
        return html

    def focusable(match: re.Match) -> str:
        tag = match.group()
        return tag if "tabindex=" in tag else f'{tag} tabindex="0"'

    return html[:notebook] + _FOCUSABLE.sub(focusable, html[notebook:])


class LeanHTMLExporter(CompiledTemplatesKept, HTMLExporter):
    """nbconvert's HTML exporter without its BeautifulSoup pass: the same edits, made by pattern.

    ``HTMLExporter.from_notebook_node`` registers its filters, renders, then
    parses and re-serialises the page; this renders the same way and edits the
    opening tags it would have edited (see :func:`focusable_cells`).
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        html, resources = _render_without_soup(self, nb, resources, **kw)
        html, missing = _IMG_WITHOUT_ALT.subn(lambda m: f'{m.group()} alt="{NO_ALT}"', html)
        if missing:
            self.log.warning("Alternative text is missing on %s image(s).", missing)
        return focusable_cells(html), resources


class _NoSoup:
    """Stands in for BeautifulSoup inside ``HTMLExporter.from_notebook_node``: selects nothing, gives the HTML back."""

    def __init__(self, html: str, features: str | None = None):
        self.html = html

    def select(self, selector: str) -> list:
        return []

    def __str__(self) -> str:
        return self.html


def _render_without_soup(exporter: HTMLExporter, nb, resources, **kw):
    # HTMLExporter.from_notebook_node sets up its filters and renders: run it with the parse
    # replaced by _NoSoup, so that what it registers stays nbconvert's own.
    module = nbconvert.exporters.html
    soup, module.BeautifulSoup = module.BeautifulSoup, _NoSoup
    try:
        return HTMLExporter.from_notebook_node(exporter, nb, resources, **kw)
    finally:
        module.BeautifulSoup = soup


class LeanMarkdownExporter(CompiledTemplatesKept, MarkdownExporter):
    """nbconvert's Markdown exporter (mkdocs-jupyter's table of contents), its templates compiled once."""


def install(bytecode_dir: Path) -> None:
    """Make mkdocs-jupyter render with the exporters above, their compiled templates kept in ``bytecode_dir``."""
    global _bytecode_cache
    bytecode_dir.mkdir(parents=True, exist_ok=True)
    _bytecode_cache = jinja2.FileSystemBytecodeCache(str(bytecode_dir))
    mkdocs_jupyter.nbconvert2.HTMLExporter = LeanHTMLExporter
    mkdocs_jupyter.nbconvert2.MarkdownExporter = LeanMarkdownExporter
