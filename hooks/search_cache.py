"""Reuse a page's search entries while the page is unchanged.

Material's search plugin parses every page's HTML on every build to cut it into
the sections of the search index: close to half of a warm rebuild, for pages
that did not change. A page's entries depend only on what the indexer reads:
its final HTML (``page.content``), its URL, title, table of contents and
metadata, and the versions of Material and Python (the pins:
``execution.environment_fingerprint``) and this file. The cache keys the entries
on exactly that, and puts the stored ones into the index instead of parsing the
page again. The index that comes out is the one a build without the cache
writes (a test compares them).

This wraps ``SearchIndex.add_entry_from_context`` of Material's search plugin,
the one method that parses a page: part of what ties the build to Material 9
(see the contributors' page).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .store import KeyedStore

_THIS_FILE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def toc_outline(items) -> list:
    """A table of contents as nested lists of ``[id, title, level, children]``."""
    return [[item.id, item.title, item.level, toc_outline(item.children)] for item in items]


def page_key(page, fingerprint: str) -> str:
    """Hash of everything Material's indexer reads from ``page``, and the environment."""
    digest = hashlib.sha256()
    head = [page.url, page.title, page.meta, toc_outline(page.toc.items), fingerprint, _THIS_FILE]
    digest.update(json.dumps(head, sort_keys=True, default=str).encode())
    digest.update(page.content.encode())
    return digest.hexdigest()


class SearchEntryCache:
    """Per build: serve each page's search entries from the store, or index the page and store them."""

    def __init__(self, store: KeyedStore, fingerprint: str):
        self.store = store
        self.fingerprint = fingerprint

    def install(self, search_plugin: Any) -> None:
        """Wrap the indexer of Material's search plugin (its ``search_index``, made by its ``on_config``)."""
        index = search_plugin.search_index
        index_page = index.add_entry_from_context

        def add_entry_from_context(page) -> None:
            key = page_key(page, self.fingerprint)
            stored = self.store.get(key)
            if stored is not None:
                index.entries.extend(dict(entry) for entry in stored)
                return
            before = len(index.entries)
            index_page(page)
            self.store.put(key, index.entries[before:])

        index.add_entry_from_context = add_entry_from_context

    def save(self) -> None:
        self.store.save()
