"""Reuse a page's finished HTML while the HTML the theme made for it is unchanged.

After the theme renders a page, ``on_post_page`` rewrites its HTML (accessibility
fixes, bare names in highlighted code, folded source built on opening, no
indentation between tags: ``hooks/render.py``): about a fifth of a warm rebuild,
mostly regular expressions over pages that did not change. The result depends only
on the theme's HTML and on the code that rewrites it, so this keys it on exactly
that (the HTML, ``render.py`` and this file) and hands back the stored page instead
of rewriting it again. A clean build and a reusing one write the same files (a test
compares them).

Example:

    cache = PostPageCache(KeyedStore(root / "post.json", log))
    html = cache.finish(output, rewrite)   # rewrite(output) on a miss
    cache.store.save()                     # end of a successful build
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from . import render
from .store import KeyedStore

_CODE = hashlib.sha256(Path(__file__).read_bytes() + Path(render.__file__).read_bytes()).hexdigest()


class PostPageCache:
    """Finished pages by the hash of the theme's HTML and of the code that finishes them."""

    def __init__(self, store: KeyedStore):
        self.store = store

    def finish(self, output: str, rewrite: Callable[[str], str]) -> str:
        key = hashlib.sha256(_CODE.encode() + output.encode()).hexdigest()
        finished = self.store.get(key, valid=lambda value: isinstance(value, str))
        if finished is None:
            finished = rewrite(output)
            self.store.put(key, finished)
        return finished
