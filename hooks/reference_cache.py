"""Reuse the API reference pages (mkdocstrings ``:::`` blocks) while what they are made of is unchanged.

On every build mkdocstrings loads ``linreg`` with griffe and renders each
``::: linreg.x`` block through its templates: about a third of a warm rebuild,
for pages that change only when ``linreg``, the build's configuration or the
pinned versions do. This cache keys each page's rendered blocks on exactly
that: the page's Markdown and path, every file of ``linreg``, the pins and
Python (``execution.environment_fingerprint``), ``mkdocs.yml``, the list of
pages (a docstring's relative link resolves against it) and this file.

A rendered block is more than its HTML: the headings of the objects it documents
go into the page's table of contents and anchor ids, and mkdocstrings registers
each object with autorefs (cross-references from every other page) and in its
inventory (``objects.inv``). On a miss the hook records all of these while
mkdocstrings renders; on a hit it swaps each block for a placeholder before
Markdown runs, puts the stored HTML back afterwards and replays the rest, so
the page and everything that links to it come out as a miss would make them. A
page that rendered with a warning is not stored: a strict build must meet the
warning again.

This leans on mkdocstrings' and mkdocs-autorefs' plugin objects (the
``register_anchor`` method, the inventory's ``register``): part of what ties the
build to MkDocs 1.x (see the contributors' page).

Example (what the hook does for each page):

    markdown = cache.before_markdown(page, markdown)
    html = convert(markdown)            # mkdocstrings renders on a miss only
    html = cache.after_markdown(page, html, warnings=0)
    cache.save()                        # end of a successful build
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.structure.toc import get_toc

from .store import KeyedStore

# mkdocstrings' own pattern for the first line of a block (mkdocstrings/_internal/extension.py)
AUTODOC = re.compile(r"^(#{1,6} *|)::: ?(.+?) *$")
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
MARKER = "linreg-api"
_THIS_FILE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def autodoc_blocks(markdown: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` character spans of the mkdocstrings blocks of ``markdown``, options included.

    A block is its ``:::`` line, the indented lines right under it, and the
    indented ``options:``/``handler:`` lines after blank lines that
    mkdocstrings also reads as its own. Lines inside fenced code are not blocks.

    >>> text = "# T\\n\\n::: linreg.data\\n    options:\\n      show_root_heading: true\\n\\nProse.\\n"
    >>> [text[start:end] for start, end in autodoc_blocks(text)]
    ['::: linreg.data\\n    options:\\n      show_root_heading: true\\n']
    """
    lines = markdown.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    spans, fence, i = [], None, 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if fence is None and opening:
            fence = opening[1]
        elif fence is not None:
            if lines[i].strip().startswith(fence) and lines[i].strip().strip(fence[0]) == "":
                fence = None
        elif AUTODOC.match(lines[i].rstrip("\n")):
            end = i + 1
            while end < len(lines) and lines[end].strip() and lines[end][0] in " \t":
                end += 1
            blank = end
            while blank < len(lines) and not lines[blank].strip():
                blank += 1
            if blank > end and blank < len(lines) and lines[blank].startswith(("    handler:", "    options:")):
                end = blank + 1
                while end < len(lines) and lines[end].strip() and lines[end][0] in " \t":
                    end += 1
            spans.append((offsets[i], offsets[end]))
            i = end
            continue
        i += 1
    return spans


def _toc_tokens(items) -> list[dict]:
    return [{"level": item.level, "id": item.id, "name": item.title, "children": _toc_tokens(item.children)}
            for item in items]


def _placeholder(key: str, index: int) -> str:
    return f"{MARKER}-{key[:16]}-{index}"


@dataclass
class _Pending:
    key: str
    stored: dict | None  # the page's recorded rendering on a hit; None on a miss
    count: int
    anchors: list = field(default_factory=list)
    inventory: list = field(default_factory=list)


class ReferenceCache:
    """Per build: reuse or record the rendering of the pages that have mkdocstrings blocks."""

    def __init__(self, store: KeyedStore, fingerprint: str, *, autorefs: Any, handlers: Any):
        self.store = store
        self.fingerprint = fingerprint
        self.autorefs = autorefs  # mkdocs-autorefs' plugin: maps identifiers to URLs
        self.handlers = handlers  # mkdocstrings' handlers: the inventory, the handler that renders
        self._pending: dict[str, _Pending] = {}

    def key(self, page_id: str, markdown: str) -> str:
        return hashlib.sha256(json.dumps([page_id, markdown, self.fingerprint, _THIS_FILE]).encode()).hexdigest()

    def before_markdown(self, page, markdown: str) -> str:
        """Blocks become placeholders (hit), or are framed by markers while their registrations are recorded (miss)."""
        spans = autodoc_blocks(markdown)
        if not spans:
            return markdown
        key = self.key(page.file.src_uri, markdown)
        stored = self.store.get(key, valid=lambda value: len(value.get("fragments", ())) == len(spans))
        pending = self._pending[page.file.src_uri] = _Pending(key, stored, len(spans))
        if stored is None:
            self._record(page, pending)
        pieces, end = [], 0
        for index, (start, stop) in enumerate(spans):
            pieces.append(markdown[end:start])
            if stored is not None:
                pieces.append(f"\n{_placeholder(key, index)}\n\n")
            else:  # blank lines keep the comments raw HTML blocks of their own
                pieces.append(f"\n<!-- {MARKER} {index} -->\n\n{markdown[start:stop]}\n<!-- /{MARKER} {index} -->\n\n")
            end = stop
        pieces.append(markdown[end:])
        return "".join(pieces)

    def _record(self, page, pending: _Pending) -> None:
        """Note what mkdocstrings registers while it renders ``page`` (and let it register)."""
        register_anchor, register_item = self.autorefs.register_anchor, self.handlers.inventory.register

        def anchor(on_page, identifier, anchor=None, *, title=None, primary=True):
            if on_page is page:
                pending.anchors.append([identifier, anchor, title, primary])
            return register_anchor(on_page, identifier, anchor, title=title, primary=primary)

        def item(name, domain, role, uri, priority=1, dispname=None):
            pending.inventory.append([name, domain, role, uri, priority, dispname])
            return register_item(name, domain, role, uri, priority, dispname)

        self.autorefs.register_anchor = anchor
        self.handlers.inventory.register = item

    def _stop_recording(self) -> None:
        self.autorefs.__dict__.pop("register_anchor", None)
        self.handlers.inventory.__dict__.pop("register", None)

    def after_markdown(self, page, html: str, *, warnings: int) -> str:
        """Put the stored HTML back and replay the page's registrations (hit), or store what was recorded (miss)."""
        pending = self._pending.pop(page.file.src_uri, None)
        if pending is None:
            return html
        if pending.stored is not None:
            stored = pending.stored
            for index, fragment in enumerate(stored["fragments"]):
                shown = f"\n{fragment}\n"
                html = re.sub(rf"\s*<p>{re.escape(_placeholder(pending.key, index))}</p>\s*",
                              lambda _, shown=shown: shown, html, count=1)
            page.toc = get_toc(stored["toc"])
            page.present_anchor_ids = (page.present_anchor_ids or set()) | set(stored["anchor_ids"])
            for identifier, anchor, title, primary in stored["anchors"]:
                self.autorefs.register_anchor(page, identifier, anchor, title=title, primary=primary)
            for item in stored["inventory"]:
                self.handlers.inventory.register(*item)
            self.handlers.get_handler("python")  # seen: mkdocstrings writes its stylesheet and objects.inv
            return html
        self._stop_recording()
        fragments = []
        for index in range(pending.count):
            match = re.search(rf"\s*<!-- {MARKER} {index} -->(.*?)<!-- /{MARKER} {index} -->\s*", html, re.DOTALL)
            if match is None:
                return html  # markers lost: nothing to store
            fragments.append(match[1].strip())
            html = html.replace(match[0], f"\n{fragments[-1]}\n", 1)
        if warnings == 0:
            self.store.put(pending.key, {
                "fragments": fragments, "toc": _toc_tokens(page.toc.items),
                "anchor_ids": sorted(page.present_anchor_ids or ()),
                "anchors": pending.anchors, "inventory": pending.inventory})
        return html

    def save(self) -> None:
        self._stop_recording()
        self.store.save()
