"""Reuse what a rewrite of a page's HTML gave while the HTML and the code that rewrites it are unchanged.

Two rewrites run over every page of every build, and each depends only on the
HTML it is given and on its own code:

* a notebook page's body, as mkdocs-jupyter rendered it: only the notebook
  kept, copy widgets slimmed, solutions folded, outputs kept out of search, math
  typeset (``hooks/render.py``, ``hooks/formulas.py`` and KaTeX's version);
* every page's finished HTML, after the theme: accessibility fixes, bare names
  in highlighted code, folded source built on opening, no indentation between
  tags (``hooks/render.py``).

Together about a fifth of a warm rebuild, mostly regular expressions over pages
that did not change. Each cache keys its results on exactly that (the HTML,
the code it names, and this file) and hands back the stored result instead of
rewriting again. A clean build and a reusing one write the same files (a test
compares them).

Example:

    cache = RewriteCache(KeyedStore(root / "post.json", log), Path("hooks/render.py").read_bytes())
    html = cache.finish(output, rewrite)   # rewrite(output) on a miss
    cache.store.save()                     # end of a successful build
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from .store import KeyedStore

_THIS_FILE = Path(__file__).read_bytes()


class RewriteCache:
    """Results of one rewrite by the hash of its input HTML and of the code that rewrites it."""

    def __init__(self, store: KeyedStore, *code: bytes):
        self.store = store
        self._code = hashlib.sha256(b"\0".join([_THIS_FILE, *code])).hexdigest()

    def finish(self, html: str, rewrite: Callable[[str], str]) -> str:
        key = hashlib.sha256(self._code.encode() + html.encode()).hexdigest()
        result = self.store.get(key, valid=lambda value: isinstance(value, str))
        if result is None:
            result = rewrite(html)
            self.store.put(key, result)
        return result
