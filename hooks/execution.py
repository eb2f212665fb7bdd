"""Execute tutorial notebooks for the site: a content-addressed cache, filled in parallel.

Why not mkdocs-jupyter's own ``execute: true``? Its cache is keyed on the
notebook file's bytes only. A change to ``linreg`` would leave stale outputs on
the site, and fixing a typo in a Markdown cell would re-run the whole notebook.
Here the key that decides re-execution covers exactly what can change an
output:

* the notebook's **code cells** (not its Markdown cells),
* every source file of the ``linreg`` package,
* the pinned dependency set (``requirements/lock.txt``), the Python version,
* this file (how notebooks are executed).

A cache hit costs a JSON read. Misses execute in parallel, one kernel per core,
each kernel limited to its share of the CPU threads. After execution, the
outputs are merged into the *current* source notebook (so Markdown edits show
up without re-execution) and handed to mkdocs-jupyter, which only renders.
Every file is written atomically (temporary file + rename), so an interrupted
build can never leave a half-written entry behind for a later build to serve,
and a notebook is executed under a lock on its entry: two builds at once in one
checkout (``make serve`` beside ``make test``) execute it once, the second one
waits and reads the first one's entry.

Execution can also be split over machines (``scripts/execute.py``,
``make execute SHARD=k/N``) into the same entries; a build that then finds
every entry executes nothing.

A cell that writes to stderr (a warning, a deprecation) fails the build unless
it carries the tag :data:`ALLOW_STDERR_TAG`: a deprecation on a page means it
teaches an old API.
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
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import nbformat

from linreg import glue

log = logging.getLogger("mkdocs.hooks.execution")

KERNEL_NAME = "python3"
CELL_TIMEOUT_S = 600
# Seconds each notebook took in the last `make bench` (one kernel at a time). Only
# the order of execution depends on it: on a machine with no executed notebooks
# yet, the longest start first instead of the alphabetically last ones ending alone.
SECONDS_HINTS = Path(__file__).with_name("notebook-seconds.json")
# A code cell with this tag may write to stderr (a page that means to show a warning).
ALLOW_STDERR_TAG = "allow-stderr"
# Lines of a stray stderr output quoted in the build error.
STDERR_LINES_SHOWN = 6


@dataclass(frozen=True)
class Outcome:
    """What happened to one notebook: served from cache or executed (and how long it took),
    and the Python and torch versions its outputs were produced with (the page's stamp)."""

    source: Path
    rendered: Path
    executed: bool
    seconds: float
    versions: dict[str, str]


@dataclass
class Plan:
    """One notebook of a build: its source, its parsed cells, its key, and whether its entry was there."""

    source: Path
    notebook: nbformat.NotebookNode
    key: str
    cached: bool


class NotebookExecutionError(RuntimeError):
    """A cell of a tutorial notebook raised (or wrote to stderr): the build must fail and say where."""


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


def environment_fingerprint(project_root: Path) -> str:
    """Hash of everything outside a notebook that can change its outputs."""
    digest = hashlib.sha256()
    package = project_root / "linreg"
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(project_root).as_posix().encode())
        digest.update(b"\0" + source.read_bytes() + b"\0")
    lock = project_root / "requirements" / "lock.txt"
    digest.update(lock.read_bytes() if lock.exists() else b"no lock")
    digest.update(sys.version.encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def code_key(code: list[str], fingerprint: str) -> str:
    """The cache key of executed code, notebooks' and Markdown pages' alike: the code + the environment."""
    payload = json.dumps({"code": code, "kernel": KERNEL_NAME, "env": fingerprint})
    return hashlib.sha256(payload.encode()).hexdigest()


def execution_key(notebook: nbformat.NotebookNode, fingerprint: str) -> str:
    """The cache key of one notebook: its code cells + the environment fingerprint.

    Markdown cells, cell ids, tags and outputs are deliberately left out.
    """
    return code_key([cell.source for cell in notebook.cells if cell.cell_type == "code"], fingerprint)


def _strip_outputs(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    clean = copy.deepcopy(notebook)
    for cell in clean.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return clean


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


def fill_glue(notebook: nbformat.NotebookNode, *, where: str) -> nbformat.NotebookNode:
    """Put the values the cells recorded (``linreg.glue``) into the Markdown cells that cite them.

    The glue outputs themselves are dropped (they are data, not something to
    show) and kept instead in ``metadata.linreg.glue``, where the page's tests
    read them. A citation of a value no cell recorded fails the build.
    """
    values = glue.collect(notebook)
    filled = copy.deepcopy(notebook)
    for number, cell in enumerate(filled.cells, start=1):
        if cell.cell_type == "markdown":
            cell.source = glue.fill(cell.source, values, where=f"{where}, cell {number}")
        elif cell.cell_type == "code":
            cell.outputs = [out for out in cell.outputs if not glue.is_glue_output(out)]
    filled.metadata.setdefault("linreg", {})["glue"] = values
    return filled


def kernel_environment(threads: int) -> dict[str, str]:
    """Environment of a build kernel: a fair share of threads, a build flag, fixed hashing."""
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[name] = str(threads)
    env["LINREG_BUILD"] = "1"  # linreg hides progress bars in built pages
    env["PYTHONHASHSEED"] = "0"  # same set/dict iteration order in every build
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    return env


def versions() -> dict[str, str]:
    """Versions the kernels run with (they use this interpreter and its packages)."""
    try:
        torch_version = metadata.version("torch")
    except metadata.PackageNotFoundError:  # pragma: no cover
        torch_version = "not installed"
    return {"python": platform.python_version(), "torch": torch_version}


def execute_notebook(path: Path, notebook: nbformat.NotebookNode, *, threads: int) -> nbformat.NotebookNode:
    """Run every cell of ``notebook`` in a fresh kernel, in the notebook's folder; raise on the first error."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    work = _strip_outputs(notebook)
    client = NotebookClient(
        work,
        timeout=CELL_TIMEOUT_S,
        kernel_name=KERNEL_NAME,
        allow_errors=False,
        # the kernel's own start-up chatter (e.g. "running over TCP") is not build news
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        client.execute(env=kernel_environment(threads))
    except CellExecutionError as error:
        index = next(
            (i for i, cell in enumerate(work.cells)
             if any(out.get("output_type") == "error" for out in cell.get("outputs", []))),
            None,
        )
        where = f"cell {index + 1}" if index is not None else "a cell"
        raise NotebookExecutionError(f"{path.name}: {where} failed:\n{error}") from None
    return work


class NotebookCache:
    """Executed notebooks stored by key under ``root`` (one JSON notebook per entry)."""

    def __init__(self, root: Path):
        self.root = root

    def entry(self, source: Path, key: str) -> Path:
        return self.root / "executed" / f"{source.stem}-{key[:20]}.ipynb"

    def rendered(self, source: Path, docs_dir: Path) -> Path:
        return self.root / "rendered" / source.relative_to(docs_dir)

    def last_seconds(self, source: Path) -> float:
        """How long this notebook took the last time it ran (for scheduling the longest first)."""
        times = []
        for path in (self.root / "executed").glob(f"{source.stem}-*.ipynb"):
            try:
                times.append(json.loads(path.read_text()).get("metadata", {}).get("linreg", {}).get("seconds", 0.0))
            except FileNotFoundError:  # evicted by a concurrent build since the glob
                continue
        return max(times, default=0.0)

    def read(self, source: Path, key: str) -> nbformat.NotebookNode | None:
        """The stored entry, or None when there is none (entries are whole files: renamed into place)."""
        try:
            return nbformat.read(self.entry(source, key), as_version=4)
        except FileNotFoundError:
            return None

    def store(self, source: Path, key: str, notebook: nbformat.NotebookNode) -> None:
        atomic_write_text(self.entry(source, key), nbformat.writes(notebook))
        for stale in (self.root / "executed").glob(f"{source.stem}-*.ipynb"):
            if stale != self.entry(source, key):
                stale.unlink(missing_ok=True)

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


def plan_notebooks(sources: list[Path], cache: NotebookCache, fingerprint: str) -> list[Plan]:
    """Read each notebook, compute its key and whether its entry is in ``cache`` already."""
    plans = []
    for source in sources:
        notebook = nbformat.read(source, as_version=4)
        key = execution_key(notebook, fingerprint)
        plans.append(Plan(source, notebook, key, cache.entry(source, key).exists()))
    return plans


def execute_missing(plans: list[Plan], cache: NotebookCache, *, workers: int | None = None) -> dict[Path, float]:
    """Execute the notebooks of ``plans`` whose entries are missing; return the seconds each one took.

    Longest first, ``workers`` kernels at a time (default one per core). Each
    notebook runs under its entry's lock and only if the entry is still missing
    once the lock is held: a notebook another build executed meanwhile is read,
    not run again. Raises :class:`NotebookExecutionError` naming every notebook
    that failed.
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
            if cache.entry(plan.source, plan.key).exists():
                return None  # another build stored it while this one waited for the lock
            t0 = time.perf_counter()
            executed = execute_notebook(plan.source, plan.notebook, threads=threads)
            elapsed = time.perf_counter() - t0
            executed.metadata["linreg"] = {**plan.notebook.metadata.get("linreg", {}), **meta,
                                           "seconds": round(elapsed, 2), "key": plan.key}
            cache.store(plan.source, plan.key, executed)
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
                      extract: Callable[[Path, nbformat.NotebookNode], None] | None = None) -> list[Outcome]:
    """Make sure every notebook in ``sources`` has an executed, rendered twin; return what happened.

    ``fingerprint`` is :func:`environment_fingerprint` of ``project_root``, when
    the caller has it already. ``extract(source, notebook)`` may rewrite each
    executed notebook before its rendered twin is written (the build takes the
    media out: ``media.py``). Cache misses run in parallel
    (:func:`execute_missing`); progress is logged as each notebook finishes.
    Raises :class:`NotebookExecutionError` naming every notebook that failed,
    and every cell that wrote to stderr untagged.
    """
    cache = NotebookCache(cache_root)
    plans = plan_notebooks(sources, cache, fingerprint or environment_fingerprint(project_root))
    seconds = execute_missing(plans, cache, workers=workers)
    log.info("Notebooks: %d from the cache, %d executed", len(plans) - len(seconds), len(seconds))

    outcomes, problems = [], []
    for plan in plans:
        executed = cache.read(plan.source, plan.key)
        if executed is None:  # evicted by a concurrent build of another version of this notebook
            seconds.update(execute_missing([Plan(plan.source, plan.notebook, plan.key, False)], cache, workers=1))
            executed = cache.read(plan.source, plan.key)
        rendered = cache.rendered(plan.source, docs_dir)
        merged = merge_outputs(plan.notebook, executed)
        # Checked on every build, not only after execution: tags are not part of the key.
        problems += stderr_problems(merged, where=plan.source.name)
        try:
            merged = fill_glue(merged, where=plan.source.name)
        except glue.GlueError as error:
            raise NotebookExecutionError(str(error)) from None
        if extract is not None:
            extract(plan.source, merged)
        text = nbformat.writes(merged)
        # Rewrite only on change: mkdocs-jupyter caches its HTML by these bytes.
        if not rendered.exists() or rendered.read_text(encoding="utf-8") != text:
            atomic_write_text(rendered, text)
        meta = merged.metadata["linreg"]
        stamp = {k: meta[k] for k in ("python", "torch") if k in meta}
        outcomes.append(Outcome(plan.source, rendered, plan.source in seconds, seconds.get(plan.source, 0.0), stamp))
    if problems:
        raise NotebookExecutionError("\n\n".join(problems))
    return outcomes
