"""Cache the outputs of code that Markdown pages execute at build time (markdown-exec).

markdown-exec runs every ```` ```python exec="on" ```` block on every build.
The landing page's figure alone costs ~0.6 s per rebuild in `mkdocs serve`,
and ~4 s in a fresh `mkdocs build` (it imports torch and matplotlib). Its key
follows the notebooks' rules, in two steps: the text of the page's executed
blocks (not its prose) + the environment fingerprint (the pins, Python, how
notebooks execute) + this file (how outputs are captured); then the files of the
``linreg`` modules the blocks imported the last time they ran, stored with the
output and checked against the package as it is.

The blocks run inside the build process, so their imports are recorded there:
a finder on ``sys.meta_path`` notes each ``linreg`` module imported (or tried)
while markdown-exec runs, and every ``linreg`` module the process holds by then
counts too (one imported earlier is not imported again, yet the blocks use it).
Before blocks run, a process whose ``linreg`` modules came from files that have
changed since it last ran blocks (``mkdocs serve`` after an edit) drops them, so
the blocks run the code the key hashes.

Why a second store beside the notebooks' executed copies, rather than one: a
notebook's entry is a notebook executed by a kernel out of process, these are
HTML fragments that markdown-exec renders inside the MkDocs process; the two
share the key, the fingerprint and the atomic writes, not the format.

On a hit, each block is swapped for a placeholder before Markdown runs and the
stored HTML is put back afterwards; nothing executes. On a miss, markdown-exec
runs as usual, its output is captured between two HTML comments, and stored
only if the page rendered without a warning (a failing block logs one: its
traceback must never be served from the cache). Not cached: pages whose blocks
produce headings (the table of contents is built from the Markdown) or use
markdown-exec sessions (a session's state can cross pages).

Example (what the hook does for each Markdown page):

    cache = MarkdownExecCache(root, fingerprint, PackageSnapshot.take(project_root))
    markdown = cache.before_markdown(page_id, markdown)
    html = convert(markdown)          # markdown-exec runs on a miss only
    html = cache.after_markdown(page_id, html, warnings=0, output=take_media_out)
    cache.store()                     # end of a successful build
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .execution import PACKAGE, PackageSnapshot, atomic_write_text, code_key

# A fenced block: its indentation, fence, info string, body and matching closing fence.
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
EXEC_OPTION = re.compile(r"""\bexec=["']?(?P<value>[^"'\s}]+)""")
SESSION_OPTION = re.compile(r"\bsession=")
HEADING = re.compile(r"<h[1-6][\s>]")
MARKER = "linreg-exec-output"
_THIS_FILE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()  # how outputs are captured is part of the key


def executed_blocks(markdown: str) -> list[re.Match]:
    """The fenced blocks of ``markdown`` that markdown-exec will run (``exec`` is on).

    >>> [m["body"] for m in executed_blocks('```python exec="on"\\nprint(1)\\n```\\n```python\\nx\\n```\\n')]
    ['print(1)\\n']
    """
    blocks = []
    for match in FENCE.finditer(markdown):
        option = EXEC_OPTION.search(match["info"])
        # markdown-exec's rule: any value but 0/no/off/false turns execution on.
        if option and option["value"].lower() not in {"0", "no", "off", "false"}:
            blocks.append(match)
    return blocks


def page_key(blocks: list[re.Match], fingerprint: str) -> str:
    """The first half of the cache key of a page's executed blocks: their text + the environment + this file."""
    return code_key([block[0].strip() for block in blocks], fingerprint + _THIS_FILE)


def _placeholder(key: str, index: int) -> str:
    return f"{MARKER}-{key[:16]}-{index}"


def _is_linreg(name: str) -> bool:
    return name == PACKAGE or name.startswith(PACKAGE + ".")


class _ImportRecorder:
    """A finder that finds nothing: it notes the ``linreg`` modules asked for (as the kernels' recorder does)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def find_spec(self, fullname, path=None, target=None):
        if _is_linreg(fullname):
            self.names.add(fullname)
        return None


# The file of each linreg module this process held after it last ran blocks, and that file's hash then.
_loaded: dict[str, str] = {}


def _loaded_files() -> list[str]:
    return [module.__file__ for name, module in list(sys.modules.items())
            if _is_linreg(name) and getattr(module, "__file__", None)]


def _hash(path: str) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _drop_stale_modules() -> None:
    """Forget the ``linreg`` modules this process loaded, when a file they came from changed since."""
    if any(_hash(path) != digest for path, digest in _loaded.items()):
        for name in [name for name in sys.modules if _is_linreg(name)]:
            del sys.modules[name]
        _loaded.clear()


def _remember_loaded_modules() -> None:
    _loaded.update({path: _hash(path) for path in _loaded_files()})


@dataclass
class _Pending:
    key: str
    hit: list[str] | None  # the stored fragments on a hit; None on a miss
    count: int
    recorder: _ImportRecorder | None = None


@dataclass
class MarkdownExecCache:
    """Per build: swap executed blocks for stored HTML, or capture what markdown-exec printed.

    ``snapshot`` is the ``linreg`` package as this build sees it; without one
    (tests of other parts), imports are not recorded and only the key counts.
    """

    root: Path
    fingerprint: str
    snapshot: PackageSnapshot | None = None
    hits: int = 0
    misses: int = 0
    _pending: dict[str, _Pending] = field(default_factory=dict)
    _to_store: dict[str, dict] = field(default_factory=dict)

    def _path(self, key: str) -> Path:
        return self.root / f"{key}.json"

    def _digest(self, imports: list[str]) -> str:
        return self.snapshot.digest(imports) if self.snapshot is not None else ""

    def _stored(self, key: str, count: int) -> list[str] | None:
        """The fragments stored for ``key``, when the modules they imported are unchanged."""
        try:
            stored = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not (isinstance(stored, dict) and isinstance(stored.get("fragments"), list)
                and len(stored["fragments"]) == count and isinstance(stored.get("imports"), list)):
            return None
        return stored["fragments"] if stored.get("digest") == self._digest(stored["imports"]) else None

    def before_markdown(self, page_id: str, markdown: str) -> str:
        """Replace the page's executed blocks by placeholders (hit) or wrap them in markers (miss)."""
        blocks = executed_blocks(markdown)
        if not blocks or any(SESSION_OPTION.search(block["info"]) for block in blocks):
            return markdown
        key = page_key(blocks, self.fingerprint)
        stored = self._stored(key, len(blocks))
        pending = self._pending[page_id] = _Pending(key, stored, len(blocks))
        if stored is None:  # markdown-exec will run the blocks: record what they import
            _drop_stale_modules()
            pending.recorder = _ImportRecorder()
            sys.meta_path.insert(0, pending.recorder)
        pieces, end = [], 0
        for index, block in enumerate(blocks):
            indent = block["indent"]
            pieces.append(markdown[end:block.start()])
            if stored is not None:
                pieces.append(f"{indent}{_placeholder(key, index)}")
            else:  # blank lines keep the comments raw HTML blocks of their own
                pieces.append(f"{indent}<!-- {MARKER} {index} -->\n\n{block[0]}\n\n{indent}<!-- /{MARKER} {index} -->")
            end = block.end()
        pieces.append(markdown[end:])
        return "".join(pieces)

    def after_markdown(self, page_id: str, html: str, *, warnings: int,
                       output: Callable[[str], str] = lambda fragment: fragment) -> str:
        """Put stored HTML back (hit), or capture the fresh output for storing (miss).

        ``output(fragment)`` rewrites what each block printed on its way into the page
        (the build takes its media out); the cache keeps what the block printed.
        """
        pending = self._pending.pop(page_id, None)
        if pending is None:
            return html
        if pending.recorder is not None:
            sys.meta_path.remove(pending.recorder)
            _remember_loaded_modules()
        if pending.hit is not None:
            self.hits += 1
            for index, fragment in enumerate(pending.hit):
                shown = f"\n{output(fragment)}\n"
                html = re.sub(rf"\s*<p>\s*{re.escape(_placeholder(pending.key, index))}\s*</p>\s*",
                              lambda _, shown=shown: shown, html, count=1)
            return html
        self.misses += 1
        fragments = []
        for index in range(pending.count):
            match = re.search(rf"\s*<!-- {MARKER} {index} -->(.*?)<!-- /{MARKER} {index} -->\s*", html, re.DOTALL)
            if match is None:
                return html  # markers lost (e.g. inside a block that drops comments): nothing to cache
            fragments.append(match[1].strip())
            html = html.replace(match[0], f"\n{output(fragments[-1])}\n", 1)
        if warnings == 0 and not any(HEADING.search(fragment) for fragment in fragments):
            # what the blocks imported, and every linreg module they could use without importing it
            imports = sorted(pending.recorder.names | {name for name in sys.modules if _is_linreg(name)})
            self._to_store[pending.key] = {"imports": imports, "digest": self._digest(imports),
                                           "fragments": fragments}
        return html

    def store(self) -> None:
        """Write what this build captured (call once the build has succeeded)."""
        for key, stored in self._to_store.items():
            atomic_write_text(self._path(key), json.dumps(stored))
        self._to_store.clear()
