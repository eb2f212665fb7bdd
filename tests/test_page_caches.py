"""Specification of the stores of reused page work (hooks/store.py, reference_cache.py, search_cache.py,
sidebar_cache.py, rewrite_cache.py).

A build looks values up by key and writes back exactly the ones it used; a
store that cannot be read is empty. The reference cache finds the mkdocstrings
blocks of a page as mkdocstrings does; a page's search entries are keyed on
everything the indexer reads, its sidebars on everything they show, a rewrite's
result on its input and its code. ``tests/test_reuse.py`` builds the site with them.
"""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

from mkdocs.structure.toc import get_toc

from hooks import reference_cache, rewrite_cache, search_cache, sidebar_cache
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


def _nav(*titles):
    """A navigation of one section holding a page per title, as MkDocs' Navigation looks to the sidebars."""
    pages = [SimpleNamespace(is_section=False, is_page=True, title=title, url=f"{i}/", meta={})
             for i, title in enumerate(titles)]
    return SimpleNamespace(items=[SimpleNamespace(is_section=True, is_page=False, title="Tutorials", children=pages)])


def test_a_pages_sidebars_are_keyed_on_the_page_s_place_and_table_of_contents_and_every_nav_title(tmp_path):
    cache = sidebar_cache.SidebarCache(KeyedStore(tmp_path / "sidebars.json", LOG), "env")
    nav = _nav("1. Tensors", "2. Gradient descent")
    key = cache.key(_page(), nav)
    assert cache.key(_page(), _nav("1. Tensors", "2. Gradient descent")) == key
    assert cache.key(_page(content="<p>Other.</p>"), nav) == key  # the body is not in a sidebar
    assert cache.key(_page(toc=[]), nav) != key
    assert cache.key(SimpleNamespace(**{**vars(_page()), "url": ""}), nav) != key  # the home page's URL
    assert cache.key(SimpleNamespace(**{**vars(_page()), "meta": {"hide": ["toc"]}}), nav) != key
    assert cache.key(_page(), _nav("1. Tensors", "2. Gradient descent by hand")) != key  # another page's title
    other_env = sidebar_cache.SidebarCache(KeyedStore(tmp_path / "other.json", LOG), "other env")
    assert other_env.key(_page(), nav) != key


def test_sidebars_are_rendered_once_then_reused_and_a_theme_page_is_rendered_every_time(tmp_path):
    nav, rendered = _nav("1. Tensors"), []

    def render():
        rendered.append(1)
        return "<nav>1. Tensors</nav>"

    def build():
        store = KeyedStore(tmp_path / "sidebars.json", LOG)
        html = sidebar_cache.SidebarCache(store, "env")(_page(), nav, render)
        store.save()
        return html, (store.hits, store.misses)

    assert build() == ("<nav>1. Tensors</nav>", (0, 1))
    assert build() == ("<nav>1. Tensors</nav>", (1, 0))  # the next build reuses it
    assert len(rendered) == 1
    home = SimpleNamespace(**{**vars(_page()), "url": ""})
    store = KeyedStore(tmp_path / "sidebars.json", LOG)
    sidebar_cache.SidebarCache(store, "env")(home, nav, render)
    assert (store.hits, store.misses) == (0, 1)  # the home page's sidebars are kept too
    store = KeyedStore(tmp_path / "sidebars.json", LOG)
    assert sidebar_cache.SidebarCache(store, "env")(None, nav, render) == "<nav>1. Tensors</nav>"  # 404.html
    assert len(rendered) == 3 and (store.hits, store.misses) == (0, 0)  # rendered, not stored


def test_a_rewrite_is_reused_for_the_same_html_and_code_only(tmp_path):
    calls = []

    def rewrite(html):
        calls.append(html)
        return html.upper()

    def build(code, *pages):
        store = KeyedStore(tmp_path / "post.json", LOG)
        cache = rewrite_cache.RewriteCache(store, code)
        results = [cache.finish(page, rewrite) for page in pages]
        store.save()
        return results

    assert build(b"code v1", "<p>a</p>", "<p>b</p>") == ["<P>A</P>", "<P>B</P>"]
    assert build(b"code v1", "<p>a</p>", "<p>b</p>") == ["<P>A</P>", "<P>B</P>"]
    assert calls == ["<p>a</p>", "<p>b</p>"]  # the second build rewrote nothing
    assert build(b"code v2", "<p>a</p>") == ["<P>A</P>"]
    assert calls == ["<p>a</p>", "<p>b</p>", "<p>a</p>"]  # the code changed: rewritten again
