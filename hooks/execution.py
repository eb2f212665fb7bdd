"""Execute tutorial notebooks for the site: a content-addressed cache, filled in parallel.

Why not mkdocs-jupyter's own ``execute: true``? Its cache is keyed on the
notebook file's bytes only. A change to ``linreg`` would leave stale outputs on
the site, and fixing a typo in a Markdown cell would re-run the whole notebook.
Here the key that decides re-execution covers exactly what can change an
output, in two steps:

1. the **code key**: the notebook's code cells (not its Markdown cells), the
   pinned dependency set (``requirements/lock.txt``), the Python version, and
   how notebooks are executed (``kernel.py`` and the import recorder; not this
   file: its caching and planning change no output);
2. the **entry key**: the code key + the files of the ``linreg`` modules that the
   notebook imported the last time it ran with that code key. A kernel records
   them as it runs (``kernel_site/sitecustomize.py``, in the kernel and in every
   process the page starts), and the cache keeps the list beside the entry
   (``<notebook>-<code key>.imports.json``).

So an edit to ``linreg.tuning`` re-executes the pages that imported it and no
other; a code-cell edit re-executes its page, which records its imports afresh.
A code key with no recorded imports yet is a miss.

A cache hit costs a few file checks. Misses execute in parallel, one kernel per
core, each kernel limited to its share of the CPU threads, with a temporary
folder of its own that is removed after it (what a page leaves there goes with
it). After execution, the outputs are merged into the *current* source notebook
(so Markdown edits show up without re-execution) and handed to mkdocs-jupyter,
which only renders. Every file is written atomically (temporary file + rename),
so an interrupted build can never leave a half-written entry behind for a later
build to serve, and a notebook is executed under a lock on its entry: two builds
at once in one checkout (``make serve`` beside ``make test``) execute it once,
the second one waits and reads the first one's entry. An entry that cannot be
read anyway (a truncated copy, restored by a partial CI cache) is a miss: the
build says which file it dropped and executes the notebook again.

Execution can also be split over machines (``scripts/execute.py``,
``make execute SHARD=k/N``) into the same entries; a build that then finds
every entry executes nothing.

A cell that writes to stderr (a warning, a deprecation) fails the build unless
it carries the tag :data:`ALLOW_STDERR_TAG`: a deprecation on a page means it
teaches an old API. A notebook whose cell failed because a process it started
died of a signal in native code is executed once more (:data:`NATIVE_CRASH`).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import copy
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

# How a notebook executes (its file is part of every key). Called through this module's name
# (execution.execute_notebook), so that tests can make execution refuse.
from .kernel import KERNEL_NAME, KERNEL_SITE, NotebookExecutionError, execute_notebook, versions

log = logging.getLogger("mkdocs.hooks.execution")

# Seconds each notebook took in the last `make bench` (one kernel at a time). Only
# the order of execution depends on it: on a machine with no executed notebooks
# yet, the longest start first instead of the alphabetically last ones ending alone.
SECONDS_HINTS = Path(__file__).with_name("notebook-seconds.json")
# A code cell with this tag may write to stderr (a page that means to show a warning).
ALLOW_STDERR_TAG = "allow-stderr"
# Lines of a stray stderr output quoted in the build error.
STDERR_LINES_SHOWN = 6
# The package whose modules the notebooks import; an entry's key covers the ones it imported.
PACKAGE = "linreg"
# The layout of entries and records of imports: change it when they change (old entries then miss).
ENTRY_FORMAT = 2


@dataclass(frozen=True)
class Outcome:
    """What happened to one notebook: served from cache or executed (and how long it took),
    and the Python and torch versions its outputs were produced with (the page's stamp)."""

    source: Path
    rendered: Path
    executed: bool
    seconds: float
    versions: dict[str, str]
    extracted: Any = None  # what the build's extract step returned for it (the media files' names)


@dataclass
class Plan:
    """One notebook of a build: its source, its parsed cells, its keys, and whether the cache has its entry.

    ``key`` is ``None`` while no imports are recorded for ``code_key`` (the
    notebook never ran with this code): the notebook must execute to find it.
    ``entry`` is the executed notebook once read or executed (read only when needed).
    """

    source: Path
    notebook: nbformat.NotebookNode
    code_key: str
    key: str | None = None
    cached: bool = False
    entry: nbformat.NotebookNode | None = None
    source_digest: str = ""


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def environment_fingerprint(project_root: Path) -> str:
    """Hash of what, besides a notebook's code and its ``linreg`` modules, can change its outputs.

    The pins, the Python version and how a notebook is executed (``hooks/kernel.py``
    and the import recorder; not this file, whose caching and planning change no
    output: :data:`ENTRY_FORMAT` stands for the layout of what it stores). The
    ``linreg`` modules come in through :meth:`PackageSnapshot.digest`.
    """
    digest = hashlib.sha256()
    lock = project_root / "requirements" / "lock.txt"
    digest.update(lock.read_bytes() if lock.exists() else b"no lock")
    digest.update(sys.version.encode())
    digest.update(Path(__file__).with_name("kernel.py").read_bytes())
    digest.update((KERNEL_SITE / "sitecustomize.py").read_bytes())
    digest.update(f"entry format {ENTRY_FORMAT}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class PackageSnapshot:
    """The files of the ``linreg`` package at one moment: each path (from the project root) and its hash.

    >>> snapshot = PackageSnapshot({"linreg/__init__.py": "1", "linreg/data.py": "2", "linreg/plots.py": "3"})
    >>> snapshot.digest(["linreg", "linreg.data"]) == snapshot.digest(["linreg.data", "linreg"])
    True
    >>> changed = PackageSnapshot({**snapshot.files, "linreg/plots.py": "4"})
    >>> changed.digest(["linreg", "linreg.data"]) == snapshot.digest(["linreg", "linreg.data"])
    True
    """

    files: dict[str, str]

    @classmethod
    def take(cls, project_root: Path) -> PackageSnapshot:
        files = {}
        for path in sorted((project_root / PACKAGE).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files[path.relative_to(project_root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
        return cls(files)

    def digest(self, modules: list[str]) -> str:
        """Hash of the files of ``modules`` (dotted names) as they are in this snapshot.

        A module is its ``.py`` file or its package's ``__init__.py``, either
        of which may be absent (a module that was tried and not found counts
        as absent, so creating it changes the digest). Files of the package
        that are no module (data) count for every notebook.
        """
        paths = {path for path in self.files if not path.endswith(".py")}
        for module in modules:
            stem = module.replace(".", "/")
            paths |= {f"{stem}.py", f"{stem}/__init__.py"}
        lines = [f"{path} {self.files.get(path, 'absent')}" for path in sorted(paths)]
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()

    def everything(self) -> str:
        """Hash of every file of the package (for caches that do not record imports)."""
        return hashlib.sha256("\n".join(f"{p} {h}" for p, h in sorted(self.files.items())).encode()).hexdigest()


def package_fingerprint(project_root: Path) -> str:
    """:func:`environment_fingerprint` and every file of ``linreg``: a change to any module changes it."""
    return hashlib.sha256((environment_fingerprint(project_root)
                           + PackageSnapshot.take(project_root).everything()).encode()).hexdigest()


def code_key(code: list[str], fingerprint: str) -> str:
    """The cache key of executed code, notebooks' and Markdown pages' alike: the code + the environment."""
    payload = json.dumps({"code": code, "kernel": KERNEL_NAME, "env": fingerprint})
    return hashlib.sha256(payload.encode()).hexdigest()


def execution_key(notebook: nbformat.NotebookNode, fingerprint: str) -> str:
    """The code key of one notebook: its code cells + the environment fingerprint.

    Markdown cells, cell ids, tags and outputs are deliberately left out.
    """
    return code_key([cell.source for cell in notebook.cells if cell.cell_type == "code"], fingerprint)


def entry_key(code_key: str, modules_digest: str) -> str:
    """The key an executed notebook is stored under: its code key + the files of the modules it imported."""
    return hashlib.sha256(f"{code_key} {modules_digest}".encode()).hexdigest()


def coalesce_streams(outputs: list) -> list:
    """Consecutive outputs of one stream (stdout, stderr) as one output.

    A kernel sends what a cell prints in chunks whose borders depend on timing
    (a loaded machine flushes mid-line), and each chunk becomes an output of its
    own: two builds would render the same text as different HTML.
    """
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and previous is not None
                and previous.get("output_type") == "stream" and previous.get("name") == output.get("name")):
            joined = copy.deepcopy(previous)
            joined["text"] = "".join(previous["text"]) + "".join(output["text"])
            merged[-1] = joined
        else:
            merged.append(output)
    return merged


def merge_outputs(source: nbformat.NotebookNode, executed: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The current source notebook with the outputs of its executed twin in its code cells (streams coalesced)."""
    merged = copy.deepcopy(source)
    ran = [cell for cell in executed.cells if cell.cell_type == "code"]
    mine = [cell for cell in merged.cells if cell.cell_type == "code"]
    if len(ran) != len(mine):  # impossible when the keys match; guard against a corrupt entry
        raise NotebookExecutionError("cached notebook does not match the source's code cells")
    for target, result in zip(mine, ran, strict=True):
        target.outputs, target.execution_count = coalesce_streams(result.outputs), result.execution_count
    merged.metadata["linreg"] = executed.metadata.get("linreg", {})
    return merged


RECORD_TAG = "record"  # a cell that only records values for the prose; left off the page


def fill_glue(notebook: nbformat.NotebookNode, *, where: str) -> nbformat.NotebookNode:
    """Put the values the cells recorded (``linreg.glue``) into the Markdown cells that cite them.

    The glue outputs themselves are dropped (they are data, not something to
    show) and kept instead in ``metadata.linreg.glue``, where the page's tests
    read them. Cells tagged ``record`` (glue calls only, checked by
    ``tests/test_record_cells.py``) are dropped too: the prose shows their
    numbers. A citation of a value no cell recorded fails the build.
    """
    from linreg import glue  # here, not at the top: importing linreg imports NumPy, a tenth of a second a build

    values = glue.collect(notebook)
    filled = copy.deepcopy(notebook)
    for number, cell in enumerate(filled.cells, start=1):
        if cell.cell_type == "markdown":
            try:
                cell.source = glue.fill(cell.source, values, where=f"{where}, cell {number}")
            except glue.GlueError as error:
                raise NotebookExecutionError(str(error)) from None
        elif cell.cell_type == "code":
            cell.outputs = [out for out in cell.outputs if not glue.is_glue_output(out)]
    # Here, not by mkdocs-jupyter's remove_cell_tags: its nbconvert preprocessor honours only the first tag.
    filled.cells = [cell for cell in filled.cells if RECORD_TAG not in cell.metadata.get("tags", [])]
    filled.metadata.setdefault("linreg", {})["glue"] = values
    return filled


class NotebookReadError(ValueError):
    """A file that should be a notebook and cannot be read as one; the message says why, on one line."""


CONFLICT_MARKER = re.compile(r"^(<{7}|>{7})( |$)", re.MULTILINE)


def parse_notebook(text: str) -> nbformat.NotebookNode:
    """The notebook ``text`` holds (nbformat 4), or :class:`NotebookReadError` saying in one line what is wrong.

    What a bad merge or an interrupted save leaves is named as such: conflict
    markers, a file that ends early.

    >>> try:
    ...     parse_notebook('{"cells": [')
    ... except NotebookReadError as error:
    ...     print(error)
    ends before the notebook does (a truncated file?): its JSON stops open at line 1
    """
    marker = CONFLICT_MARKER.search(text)
    if marker:
        line = text.count("\n", 0, marker.start()) + 1
        raise NotebookReadError(f"has merge conflict markers (line {line}): resolve the conflict, then build again")
    try:
        content = json.loads(text)
    except ValueError as error:
        if _ends_open(text):
            lines = text.count("\n") + 1
            raise NotebookReadError(f"ends before the notebook does (a truncated file?): its JSON stops open at "
                                    f"line {lines}") from None
        where = f"line {getattr(error, 'lineno', '?')}, column {getattr(error, 'colno', '?')}"
        raise NotebookReadError(f"is not valid JSON: {getattr(error, 'msg', error)} at {where}") from None
    try:
        if not isinstance(content, dict) or "cells" not in content and "worksheets" not in content:
            raise ValueError("no cells")
        major, minor = nbformat.reader.get_version(content)
        notebook = nbformat.convert(nbformat.versions[major].to_notebook_json(content, minor=minor), 4)
    except Exception as error:  # a JSON file of another kind, an unknown nbformat version
        raise NotebookReadError(f"is JSON but not a Jupyter notebook ({type(error).__name__}: {error})") from None
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        message = " ".join(str(error.message).split())[:200]
        raise NotebookReadError(f"is not a valid notebook: {message}") from None
    return notebook


def _ends_open(text: str) -> bool:
    """Whether JSON ``text`` ends inside a string or with a bracket still open: what a cut-short file looks like.

    >>> _ends_open('{"cells": [{"source": "pri'), _ends_open('{"cells": []}}')
    (True, False)
    """
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
    return in_string or depth > 0


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path``, or :class:`NotebookReadError` naming the file and what is wrong."""
    try:
        return parse_notebook(path.read_text(encoding="utf-8"))
    except NotebookReadError as error:
        raise NotebookReadError(f"{path}: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise NotebookReadError(f"{path}: cannot be read ({error})") from None


def entry_problem(notebook: nbformat.NotebookNode, key: str | None = None) -> str | None:
    """Why ``notebook`` is not an entry of this cache stored under ``key`` (when given), or None."""
    meta = notebook.metadata.get("linreg", {})
    if not (isinstance(meta.get("key"), str) and isinstance(meta.get("code_key"), str)
            and isinstance(meta.get("imports"), list)):
        return "no keys and imports in its metadata: not an entry of this cache"
    if key is not None and meta["key"] != key:
        return "its key does not match its name"
    return None


class NotebookCache:
    """Executed notebooks stored by key under ``root``.

    Per notebook, in ``root/executed/``: the entry (the executed notebook,
    ``<stem>-<entry key>.ipynb``) and the imports its last execution recorded
    (``<stem>-<code key>.imports.json``, with how long it took). Both are
    named by the first 20 hex digits of their key; a notebook has one of each.
    """

    def __init__(self, root: Path):
        self.root = root

    def entry(self, source: Path, key: str) -> Path:
        return self.root / "executed" / f"{source.stem}-{key[:20]}.ipynb"

    def imports(self, source: Path, code_key: str) -> Path:
        return self.root / "executed" / f"{source.stem}-{code_key[:20]}.imports.json"

    def rendered(self, source: Path, docs_dir: Path) -> Path:
        return self.root / "rendered" / source.relative_to(docs_dir)

    def _own_files(self, source: Path, suffix: str) -> list[Path]:
        """This notebook's files with ``suffix`` (not those of a notebook whose name starts with the same stem)."""
        pattern = re.compile(rf"{re.escape(source.stem)}-[0-9a-f]{{20}}{re.escape(suffix)}")
        return [path for path in (self.root / "executed").glob(f"{source.stem}-*{suffix}")
                if pattern.fullmatch(path.name)]

    def _drop(self, path: Path, reason: str) -> None:
        log.info("Execution cache: dropped %s (%s); its notebook executes again", path, reason)
        path.unlink(missing_ok=True)

    def recorded_imports(self, source: Path, code_key: str) -> dict | None:
        """What the last execution of ``source`` with ``code_key`` recorded: ``{"modules": [...], "seconds": s}``.

        None when nothing is recorded; an unreadable record is dropped (a miss).
        """
        path = self.imports(source, code_key)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            self._drop(path, f"unreadable: {error}")
            return None
        if not (isinstance(record, dict) and isinstance(record.get("modules"), list)
                and all(isinstance(m, str) for m in record["modules"])):
            self._drop(path, "not a record of imports")
            return None
        return record

    def last_seconds(self, source: Path) -> float:
        """How long this notebook took the last time it ran (for scheduling the longest first)."""
        times = []
        for path in self._own_files(source, ".imports.json"):
            try:
                times.append(float(json.loads(path.read_text()).get("seconds", 0.0)))
            except (OSError, ValueError, AttributeError, TypeError):  # evicted meanwhile, or unreadable
                continue
        return max(times, default=0.0)

    def read(self, source: Path, key: str) -> nbformat.NotebookNode | None:
        """The stored entry, or None when there is none or it cannot be used (then it is dropped, with a log line).

        Entries are whole files (renamed into place), but a copy can still be
        cut short: a partial CI cache restore, a half-copied gather.
        """
        path = self.entry(source, key)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            self._drop(path, f"unreadable: {error}")
            return None
        try:
            notebook = parse_notebook(text)
        except NotebookReadError as error:
            self._drop(path, str(error))
            return None
        problem = entry_problem(notebook, key)
        if problem:
            self._drop(path, problem)
            return None
        return notebook

    def store(self, source: Path, notebook: nbformat.NotebookNode) -> None:
        """Store an executed notebook under the keys in its metadata, and evict the notebook's older entries.

        ``notebook.metadata.linreg`` holds ``key`` (the entry key), ``code_key``
        and ``imports``; the record of imports is written after the entry, so a
        build that finds the record finds the entry.
        """
        meta = notebook.metadata["linreg"]
        key, code = meta["key"], meta["code_key"]
        atomic_write_text(self.entry(source, key), nbformat.writes(notebook))
        record = {"modules": list(meta["imports"]), "seconds": meta.get("seconds", 0.0)}
        atomic_write_text(self.imports(source, code), json.dumps(record, indent=1) + "\n")
        for stale in self._own_files(source, ".ipynb"):
            if stale != self.entry(source, key):
                stale.unlink(missing_ok=True)
        for stale in self._own_files(source, ".imports.json"):
            if stale != self.imports(source, code):
                stale.unlink(missing_ok=True)

    @contextlib.contextmanager
    def scratch(self, source: Path) -> Iterator[Path]:
        """An empty folder for one execution's temporary files (the kernel's ``TMPDIR``), removed afterwards.

        A folder of its own in the temporary folder, with a short path, not in the
        cache: multiprocessing puts its sockets in ``TMPDIR`` (page 6's DataLoader
        workers hand tensors over through one) and a socket's path may not exceed
        108 bytes, which a cache deep in a checkout or in a test's folder would.
        """
        folder = Path(tempfile.mkdtemp(prefix="linreg-"))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    @contextlib.contextmanager
    def locked(self, source: Path) -> Iterator[None]:
        """Hold the lock on ``source``'s entries: one build at a time executes or stores that notebook.

        An ``flock`` on a lock file beside the entries; the operating system
        releases it when its holder exits, even by a crash, so no stale lock
        blocks a later build. The lock files stay (removing one while another build waits on
        it would let a third build take a second lock).
        """
        path = self.root / "executed" / f"{source.stem}.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.info("%s: another build is executing it; waiting for its entry", source.name)
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def own_processes(notebook: nbformat.NotebookNode) -> int:
    """How many processes a notebook runs at once, as its metadata declares (``linreg.processes``, default 1)."""
    return int(notebook.metadata.get("linreg", {}).get("processes", 1))


def read_hints(hints_file: Path = SECONDS_HINTS) -> dict[str, float]:
    """The committed seconds per notebook stem (`make bench`); empty when unreadable."""
    try:
        return {str(k): float(v) for k, v in json.loads(hints_file.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def expected_seconds(source: Path, cache: NotebookCache, hints: Mapping[str, float]) -> float:
    """How long ``source`` should take: its last time here, else its committed hint, else 0 (unknown)."""
    return cache.last_seconds(source) or float(hints.get(source.stem, 0.0))


def longest_first(plans: list[Plan], cache: NotebookCache, hints_file: Path = SECONDS_HINTS) -> list[Plan]:
    """Order cache misses so that the build ends soon after the last notebook starts.

    Longest first, so that no long notebook ends up running alone at the end. A
    notebook's expected time is the time it took the last time it ran here, else
    its time in ``hints_file`` (written by `make bench`), else 0. Notebooks that
    run several processes of their own (the DDP page: ``"linreg": {"processes": 2}``
    in its metadata) go last: beside another kernel their ranks wait on each
    other for the cores (18 s alone, 26 s beside another notebook on 2 cores),
    at the end they share the machine with the last short notebook only.
    """
    hints = read_hints(hints_file)
    return sorted(plans, key=lambda plan: (own_processes(plan.notebook) > 1,
                                           -expected_seconds(plan.source, cache, hints)))


def stderr_problems(notebook: nbformat.NotebookNode, *, where: str) -> list[str]:
    """One message per code cell that wrote to stderr without the ``allow-stderr`` tag.

    Warnings and deprecations reach stderr in a kernel; on a page they mean
    old API or a sloppy example, so the build refuses them unless the cell is
    tagged as meaning to show one.
    """
    problems = []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code" or ALLOW_STDERR_TAG in cell.metadata.get("tags", []):
            continue
        text = "".join(out.get("text", "") for out in cell.get("outputs", [])
                       if out.get("output_type") == "stream" and out.get("name") == "stderr")
        if text:
            shown = "\n".join("    " + line for line in text.strip().splitlines()[:STDERR_LINES_SHOWN])
            problems.append(f"{where}: cell {number} wrote to stderr (fix the cause, or tag the cell "
                            f"{ALLOW_STDERR_TAG!r} if the page means to show it):\n{shown}")
    return problems


def _shown(path: Path) -> str:
    """``path`` as a person who runs the build from the project names it (relative to the working directory)."""
    return os.path.relpath(path) if path.is_absolute() and path.is_relative_to(Path.cwd()) else str(path)


def find_entry(plan: Plan, cache: NotebookCache, snapshot: PackageSnapshot) -> Plan:
    """``plan`` with its entry key, and whether the cache has the entry, for the package as ``snapshot`` has it."""
    record = cache.recorded_imports(plan.source, plan.code_key)
    plan.entry = None
    if record is None:
        plan.key, plan.cached = None, False
        return plan
    plan.key = entry_key(plan.code_key, snapshot.digest(record["modules"]))
    plan.cached = cache.entry(plan.source, plan.key).exists()
    return plan


def plan_notebooks(sources: list[Path], cache: NotebookCache, fingerprint: str,
                   snapshot: PackageSnapshot | None = None) -> list[Plan]:
    """Read each notebook, compute its keys and whether the cache has its entry.

    ``snapshot`` is the ``linreg`` package the entries must match (default: no
    entry is looked up: for callers that only want code keys).
    Raises :class:`NotebookReadError` naming the first notebook that cannot be read.
    """
    plans = []
    for source in sources:
        try:
            text = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise NotebookReadError(f"{_shown(source)}: cannot be read ({error})") from None
        try:
            notebook = parse_notebook(text)
        except NotebookReadError as error:
            raise NotebookReadError(f"{_shown(source)}: {error}") from None
        plan = Plan(source, notebook, execution_key(notebook, fingerprint),
                    source_digest=hashlib.sha256(text.encode()).hexdigest())
        plans.append(find_entry(plan, cache, snapshot) if snapshot is not None else plan)
    return plans


# A process a page starts can die of a signal in its native code, where no Python error describes it:
# gloo has aborted a DDP rank of page 11 ("terminate called without an active exception", SIGABRT) in
# a few fresh-clone test runs on a loaded machine, never twice in a row. The cell's error names the
# signal (page 11's cells and run_ddp report how each process ended).
NATIVE_CRASH = re.compile(r"\bSIG(?:ABRT|SEGV|BUS)\b")


def execute_once_more_after_a_native_crash(source: Path, notebook: nbformat.NotebookNode,
                                           **options: Any) -> tuple[nbformat.NotebookNode, list[str]]:
    """:func:`~hooks.kernel.execute_notebook`, run a second time when the first run failed on a native crash.

    A failure whose message names a crashing signal (:data:`NATIVE_CRASH`) is logged and
    the notebook executed again, once; a crash that comes back, and every other failure
    (a Python error, a write to stderr), fails as it is.
    """
    try:
        return execute_notebook(source, notebook, **options)
    except NotebookExecutionError as error:
        crash = NATIVE_CRASH.search(str(error))
        if crash is None:
            raise
        # info, not a warning: a strict build fails on warnings, and the second run decides
        log.info("%s: a process it started died of %s in native code; executing the notebook once more",
                 source.name, crash.group())
    return execute_notebook(source, notebook, **options)


def execute_missing(plans: list[Plan], cache: NotebookCache, *, project_root: Path,
                    workers: int | None = None) -> dict[Path, float]:
    """Execute the notebooks of ``plans`` that have no entry; return the seconds each one took.

    Longest first, ``workers`` kernels at a time (default one per core). Each
    notebook runs under its entry's lock and only if the entry is still missing
    once the lock is held: a notebook another build executed meanwhile is read,
    not run again. Each plan comes back with its entry key and entry. Raises
    :class:`NotebookExecutionError` naming every notebook that failed.
    """
    misses = longest_first([p for p in plans if not p.cached], cache)
    if not misses:
        return {}
    workers = max(1, min(workers or os.cpu_count() or 1, len(misses)))
    threads = max(1, (os.cpu_count() or 1) // workers)
    meta = versions()
    seconds: dict[Path, float] = {}
    failures: list[str] = []
    log.info("Executing %d notebook(s) with %d kernel(s) in parallel (%d thread(s) each)",
             len(misses), workers, threads)
    started = time.perf_counter()

    def run(plan: Plan) -> float | None:
        with cache.locked(plan.source):
            # The package as the kernel will find it: taken before it starts, so that an edit made
            # while it runs changes the key of the next build, which then executes it again.
            snapshot = PackageSnapshot.take(project_root)
            if find_entry(plan, cache, snapshot).cached:
                return None  # another build stored it while this one waited for the lock
            t0 = time.perf_counter()
            with cache.scratch(plan.source) as scratch:
                executed, imports = execute_once_more_after_a_native_crash(
                    plan.source, plan.notebook, threads=threads, project_root=project_root, scratch=scratch)
            elapsed = time.perf_counter() - t0
            plan.key = entry_key(plan.code_key, snapshot.digest(imports))
            executed.metadata["linreg"] = {**plan.notebook.metadata.get("linreg", {}), **meta,
                                           "seconds": round(elapsed, 2), "code_key": plan.code_key,
                                           "key": plan.key, "imports": imports}
            cache.store(plan.source, executed)
            plan.entry, plan.cached = executed, True
            return elapsed

    # Threads are enough: each kernel is its own process, the threads only wait on it.
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(run, plan): plan.source for plan in misses}
        for done, future in enumerate(concurrent.futures.as_completed(futures), start=1):
            source = futures[future]
            try:
                elapsed = future.result()
            except Exception as error:  # collect every failure, report them together
                failures.append(str(error))
                log.error("[%d/%d] %s failed", done, len(misses), source.name)
                continue
            if elapsed is None:
                log.info("[%d/%d] %s: executed by another build meanwhile", done, len(misses), source.name)
                continue
            seconds[source] = elapsed
            log.info("[%d/%d] executed %s in %.1f s", done, len(misses), source.name, elapsed)
    log.info("Executed %d notebook(s) in %.1f s wall time (%.1f s of kernel time)",
             len(seconds), time.perf_counter() - started, sum(seconds.values()))
    if failures:
        raise NotebookExecutionError("\n\n".join(failures))
    return seconds


def prepare_notebooks(sources: list[Path], *, docs_dir: Path, project_root: Path, cache_root: Path,
                      fingerprint: str | None = None, workers: int | None = None,
                      extract: Callable[[Path, nbformat.NotebookNode], Any] | None = None,
                      extract_key: Callable[[Path], str] = lambda source: "") -> list[Outcome]:
    """Make sure every notebook in ``sources`` has an executed, rendered twin; return what happened.

    ``fingerprint`` is :func:`environment_fingerprint` of ``project_root``, when
    the caller has it already. ``extract(source, notebook)`` may rewrite each
    executed notebook before its rendered twin is written (the build takes the
    media out: ``media.py``) and returns what the caller needs of it again (JSON:
    the media files' names), in :attr:`Outcome.extracted`; ``extract_key(source)``
    names everything its result depends on besides the notebook. Cache misses
    run in parallel (:func:`execute_missing`); progress is logged as each
    notebook finishes.

    A rendered twin is made again only when what it is made of changed (the
    entry, the source notebook, this file, ``extract_key``): a record beside it
    (``<notebook>.ipynb.json``) says what it was made of, and an unchanged build
    reads neither the entry nor the twin.

    Raises :class:`NotebookReadError` for a notebook that cannot be read, and
    :class:`NotebookExecutionError` naming every notebook that failed and every
    cell that wrote to stderr untagged.
    """
    cache = NotebookCache(cache_root)
    plans = plan_notebooks(sources, cache, fingerprint or environment_fingerprint(project_root),
                           PackageSnapshot.take(project_root))
    seconds = execute_missing(plans, cache, project_root=project_root, workers=workers)
    log.info("Notebooks: %d from the cache, %d executed", len(plans) - len(seconds), len(seconds))

    outcomes, problems = [], []
    for plan in plans:
        rendered = cache.rendered(plan.source, docs_dir)
        record = rendered.with_name(rendered.name + ".json")
        made_of = _made_of(plan, cache, extract_key(plan.source))
        known = _read_record(record)
        if (made_of is not None and known.get("made_of") == made_of and rendered.exists()
                and plan.source not in seconds):
            outcomes.append(Outcome(plan.source, rendered, False, 0.0, known["stamp"], known["extracted"]))
            continue
        if plan.entry is None:
            plan.entry = cache.read(plan.source, plan.key)
        if plan.entry is None:  # unreadable (dropped), or evicted by a concurrent build of another version
            plan.cached = False
            seconds.update(execute_missing([plan], cache, project_root=project_root, workers=1))
            made_of = _made_of(plan, cache, extract_key(plan.source))
        merged = merge_outputs(plan.notebook, plan.entry)
        # Checked on every build that renders it, cached or not: tags are not part of the key.
        mine = stderr_problems(merged, where=plan.source.name)
        problems += mine
        merged = fill_glue(merged, where=plan.source.name)
        extracted = extract(plan.source, merged) if extract is not None else None
        text = nbformat.writes(merged)
        # Rewrite only on change: mkdocs-jupyter caches its HTML by these bytes.
        if not rendered.exists() or rendered.read_text(encoding="utf-8") != text:
            atomic_write_text(rendered, text)
        meta = merged.metadata["linreg"]
        stamp = {k: meta[k] for k in ("python", "torch") if k in meta}
        if not mine and made_of is not None:
            atomic_write_text(record, json.dumps({"made_of": made_of, "stamp": stamp, "extracted": extracted}))
        outcomes.append(Outcome(plan.source, rendered, plan.source in seconds, seconds.get(plan.source, 0.0), stamp,
                                extracted))
    if problems:
        raise NotebookExecutionError("\n\n".join(problems))
    return outcomes


_THIS_FILE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def _made_of(plan: Plan, cache: NotebookCache, extract_key: str) -> str | None:
    """Hash of what a notebook's rendered twin is made of; None when its entry is missing."""
    try:
        stat = cache.entry(plan.source, plan.key).stat() if plan.key else None
    except FileNotFoundError:
        stat = None
    if stat is None:
        return None
    # The entry's size and time: a copy cut short (a partial restore) is read, and dropped, again.
    parts = [plan.key, stat.st_size, stat.st_mtime_ns, plan.source_digest, _THIS_FILE, extract_key]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _read_record(path: Path) -> dict:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) and {"made_of", "stamp", "extracted"} <= record.keys() else {}
