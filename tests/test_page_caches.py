"""Specification of the stores of reused page work (hooks/store.py, reference_cache.py, search_cache.py).

A build looks values up by key and writes back exactly the ones it used; a
store that cannot be read is empty. The reference cache finds the mkdocstrings
blocks of a page as mkdocstrings does; a page's search entries are keyed on
everything the indexer reads. ``tests/test_reuse.py`` builds the site with them.
"""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

from mkdocs.structure.toc import get_toc

from hooks import reference_cache, search_cache
from hooks.store import KeyedStore

LOG = logging.getLogger("test-store")


def test_a_store_keeps_the_values_a_build_used_and_drops_the_others(tmp_path):
    path = tmp_path / "store.json"
    first = KeyedStore(path, LOG)
    first.put("page a", [1])
    first.put("page b", [2])
    first.save()
    second = KeyedStore(path, LOG)
    assert second.get("page a") == [1] and second.get("page c") is None
    assert (second.hits, second.misses) == (1, 1)
    second.save()
    assert json.loads(path.read_text()) == {"page a": [1]}  # page b was not used: gone


def test_a_store_that_cannot_be_read_is_empty_and_says_so(tmp_path, caplog):
    path = tmp_path / "store.json"
    path.write_text('{"page a": [1')  # cut short
    with caplog.at_level(logging.INFO, logger="test-store"):
        store = KeyedStore(path, LOG)
    assert store.get("page a") is None
    assert f"{path} cannot be read" in caplog.text


def test_a_value_that_is_not_valid_is_a_miss(tmp_path):
    store = KeyedStore(tmp_path / "store.json", LOG)
    store.put("page", {"fragments": [1, 2]})
    store.save()
    store = KeyedStore(tmp_path / "store.json", LOG)
    assert store.get("page", valid=lambda value: len(value["fragments"]) == 3) is None


def test_mkdocstrings_blocks_are_found_with_their_options_but_not_inside_fenced_code():
    page = ("# Reference\n\n```\n::: shown.as.code\n```\n\n::: linreg.data\n\n    options:\n      heading_level: 2\n\n"
            "Prose.\n\n::: linreg.glue\n")
    blocks = [page[start:end] for start, end in reference_cache.autodoc_blocks(page)]
    assert blocks == ["::: linreg.data\n\n    options:\n      heading_level: 2\n", "::: linreg.glue\n"]


def _page(content="<h1 id='t'>T</h1><p>Text.</p>", title="T", toc=None):
    tokens = toc if toc is not None else [{"level": 1, "id": "t", "name": "T", "children": []}]
    return SimpleNamespace(url="t/", title=title, meta={}, toc=get_toc(tokens), content=content)


def test_a_pages_search_entries_are_keyed_on_what_the_indexer_reads():
    key = search_cache.page_key(_page(), "env")
    assert search_cache.page_key(_page(), "env") == key
    assert search_cache.page_key(_page(content="<h1 id='t'>T</h1><p>Other.</p>"), "env") != key
    assert search_cache.page_key(_page(title="Other"), "env") != key
    assert search_cache.page_key(_page(toc=[]), "env") != key
    assert search_cache.page_key(_page(), "other env") != key
