"""One JSON file of values by key, for the build's caches of work that depends only on its key.

A build reads the file once, looks values up by key, adds the ones it had to
compute, and at its end writes back exactly the values it used: a value no
build asks for any more (a page that changed) leaves the file with the next
build, so the file never grows past one site's worth. The file is rewritten
atomically and only when that changes it; a file that cannot be read is an empty
store (every lookup misses) and the build says so.

Within one process (``mkdocs serve`` rebuilding), the parsed file is kept and
read again only when it changed on disk.

Example:

    store = KeyedStore(root / "search.json", log)
    entries = store.get(key)       # None on a miss
    store.put(key, computed)       # on a miss
    store.save()                   # end of a successful build
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .execution import atomic_write_text

# path -> (mtime_ns, size, parsed values): what this process read last
_READ: dict[Path, tuple[int, int, dict[str, Any]]] = {}


class KeyedStore:
    """Values by key in one JSON file (see the module's docstring)."""

    def __init__(self, path: Path, log: logging.Logger):
        self.path = path
        self.log = log
        self.hits = 0
        self.misses = 0
        self._stored = self._read()
        self._used: dict[str, Any] = {}
        self._added = False

    def _read(self) -> dict[str, Any]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        known = _READ.get(self.path)
        if known is not None and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        try:
            values = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(values, dict):
                raise ValueError("not an object of values by key")
        except (OSError, ValueError) as error:
            self.log.info("%s cannot be read (%s): computing its values again", self.path, error)
            return {}
        _READ[self.path] = (stat.st_mtime_ns, stat.st_size, values)
        return values

    def get(self, key: str, valid: Callable[[Any], bool] = lambda value: True) -> Any | None:
        """The value stored for ``key`` (a hit), or None (a miss) when there is none or it is not ``valid``."""
        value = self._stored.get(key)
        if value is None or not valid(value):
            self.misses += 1
            return None
        self.hits += 1
        self._used[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        self._used[key] = value
        self._added = True

    def save(self) -> None:
        """Write the values this build used, when they differ from the file's."""
        if not self._added and self._used.keys() == self._stored.keys():
            return
        atomic_write_text(self.path, json.dumps(self._used, separators=(",", ":")))
        stat = self.path.stat()
        _READ[self.path] = (stat.st_mtime_ns, stat.st_size, self._used)
