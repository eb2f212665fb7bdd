"""Reuse a page's sidebars, the site navigation and its table of contents, while what they show is unchanged.

For every page Material renders the whole site navigation (48 entries, the
reference's 34 included) and the page's table of contents: about a fifth of a
warm rebuild, for HTML that changes only when a page's title or place, this
page's table of contents, the configuration or the theme changes. The theme's
``site_nav`` block, which holds both sidebars, is wrapped in
``overrides/main.html``::

    {% block site_nav %}{{ linreg_sidebars(page, nav, super) }}{% endblock %}

and this keys its HTML on exactly what it shows:

* the page: its URL (which entry is active; links are relative to it), its
  metadata (``hide``) and its table of contents;
* the navigation: every entry's kind, title, URL and metadata, in order;
* the theme and the build: ``overrides/`` and this file, the pins (Material's
  version among them), mkdocs.yml and the values it takes from the environment.

A clean build and a reusing one write the same files (``tests/test_reuse.py``),
and a page title edited in one notebook shows in every page's navigation.

Example:

    sidebars = SidebarCache(KeyedStore(root / "sidebars.json", log), fingerprint + config_digest)
    env.globals["linreg_sidebars"] = sidebars      # on_env
    sidebars.store.save()                          # end of a successful build
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from markupsafe import Markup

from .search_cache import toc_outline
from .store import KeyedStore

_OVERRIDES = Path(__file__).resolve().parent.parent / "overrides"


def _code_digest() -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in sorted(_OVERRIDES.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(_OVERRIDES).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def nav_outline(items) -> list:
    """The navigation as nested lists: each entry's kind, title, URL, metadata and children."""
    outline = []
    for item in items:
        if item.is_section:
            outline.append(["section", item.title, nav_outline(item.children)])
        elif item.is_page:
            outline.append(["page", item.title, item.url, item.meta])
        else:
            outline.append(["link", item.title, item.url])
    return outline


class SidebarCache:
    """Per build: each page's sidebars from the store, or rendered by the theme and stored."""

    def __init__(self, store: KeyedStore, fingerprint: str):
        self.store = store
        self.fingerprint = fingerprint + _code_digest()
        self._nav: tuple[object, str] | None = None  # (the nav, its outline as JSON): one per build

    def key(self, page, nav) -> str:
        """Hash of everything the sidebars of ``page`` show."""
        if self._nav is None or self._nav[0] is not nav:
            self._nav = (nav, json.dumps(nav_outline(nav.items), sort_keys=True, default=str))
        head = [page.url, page.meta, toc_outline(page.toc.items), self.fingerprint]
        return hashlib.sha256((json.dumps(head, sort_keys=True, default=str) + self._nav[1]).encode()).hexdigest()

    def __call__(self, page, nav, render: Callable[[], str]) -> Markup:
        if getattr(page, "url", None) is None or not nav:  # a page of the theme's own (404.html): not kept
            return Markup(render())
        key = self.key(page, nav)
        html = self.store.get(key, valid=lambda value: isinstance(value, str))
        if html is None:
            html = str(render())
            self.store.put(key, html)
        return Markup(html)
