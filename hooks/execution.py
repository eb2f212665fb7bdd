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
build can never leave a half-written entry behind for a later build to serve.
"""

from __future__ import annotations

import concurrent.futures
import copy
import hashlib
import json
import logging
import os
import platform
import sys
import tempfile
import time
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


@dataclass(frozen=True)
class Outcome:
    """What happened to one notebook: served from cache or executed (and how long it took)."""

    source: Path
    rendered: Path
    executed: bool
    seconds: float


class NotebookExecutionError(RuntimeError):
    """A cell of a tutorial notebook raised: the build must fail and say where."""


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


def execution_key(notebook: nbformat.NotebookNode, fingerprint: str) -> str:
    """The cache key of one notebook: its code cells + the environment fingerprint.

    Markdown cells, cell ids, tags and outputs are deliberately left out.
    """
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    payload = json.dumps({"code": code, "kernel": KERNEL_NAME, "env": fingerprint})
    return hashlib.sha256(payload.encode()).hexdigest()


def _strip_outputs(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    clean = copy.deepcopy(notebook)
    for cell in clean.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return clean


def merge_outputs(source: nbformat.NotebookNode, executed: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The current source notebook with the outputs of its executed twin in its code cells."""
    merged = copy.deepcopy(source)
    ran = [cell for cell in executed.cells if cell.cell_type == "code"]
    mine = [cell for cell in merged.cells if cell.cell_type == "code"]
    if len(ran) != len(mine):  # impossible when the keys match; guard against a corrupt entry
        raise NotebookExecutionError("cached notebook does not match the source's code cells")
    for target, result in zip(mine, ran, strict=True):
        target.outputs, target.execution_count = result.outputs, result.execution_count
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
        times = [json.loads(p.read_text()).get("metadata", {}).get("linreg", {}).get("seconds", 0.0)
                 for p in (self.root / "executed").glob(f"{source.stem}-*.ipynb")]
        return max(times, default=0.0)

    def store(self, source: Path, key: str, notebook: nbformat.NotebookNode) -> None:
        atomic_write_text(self.entry(source, key), nbformat.writes(notebook))
        for stale in (self.root / "executed").glob(f"{source.stem}-*.ipynb"):
            if stale != self.entry(source, key):
                stale.unlink(missing_ok=True)


def own_processes(notebook: nbformat.NotebookNode) -> int:
    """How many processes a notebook runs at once, as its metadata declares (``linreg.processes``, default 1)."""
    return int(notebook.metadata.get("linreg", {}).get("processes", 1))


def longest_first(plans: list, cache: NotebookCache, hints_file: Path = SECONDS_HINTS) -> list:
    """Order cache misses so that the build ends soon after the last notebook starts.

    Longest first, so that no long notebook ends up running alone at the end. A
    notebook's expected time is the time it took the last time it ran here, else
    its time in ``hints_file`` (written by `make bench`), else 0. Notebooks that
    run several processes of their own (the DDP page: ``"linreg": {"processes": 2}``
    in its metadata) go last: beside another kernel their ranks wait on each
    other for the cores (18 s alone, 26 s beside another notebook on 2 cores),
    at the end they share the machine with the last short notebook only.
    """
    try:
        hints = json.loads(hints_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        hints = {}

    def expected(plan) -> float:
        source = plan[0]
        return cache.last_seconds(source) or float(hints.get(source.stem, 0.0))

    return sorted(plans, key=lambda plan: (own_processes(plan[1]) > 1, -expected(plan)))


def prepare_notebooks(sources: list[Path], *, docs_dir: Path, project_root: Path, cache_root: Path,
                      fingerprint: str | None = None, workers: int | None = None) -> list[Outcome]:
    """Make sure every notebook in ``sources`` has an executed, rendered twin; return what happened.

    ``fingerprint`` is :func:`environment_fingerprint` of ``project_root``, when
    the caller has it already. Cache misses run in parallel (``workers``
    kernels, default one per core);
    progress is logged as each notebook finishes. Raises
    :class:`NotebookExecutionError` naming every notebook that failed.
    """
    cache = NotebookCache(cache_root)
    fingerprint = fingerprint or environment_fingerprint(project_root)
    meta = versions()
    plans = []
    for source in sources:
        notebook = nbformat.read(source, as_version=4)
        key = execution_key(notebook, fingerprint)
        plans.append((source, notebook, key, cache.entry(source, key).exists()))

    misses = longest_first([p for p in plans if not p[3]], cache)
    workers = max(1, min(workers or os.cpu_count() or 1, len(misses) or 1))
    threads = max(1, (os.cpu_count() or 1) // workers)
    seconds: dict[Path, float] = {}
    failures: list[str] = []
    if misses:
        log.info("Executing %d notebook(s) with %d kernel(s) in parallel (%d thread(s) each)",
                 len(misses), workers, threads)
        started = time.perf_counter()

        def run(plan):
            source, notebook, key, _ = plan
            t0 = time.perf_counter()
            executed = execute_notebook(source, notebook, threads=threads)
            elapsed = time.perf_counter() - t0
            executed.metadata["linreg"] = {**notebook.metadata.get("linreg", {}), **meta,
                                           "seconds": round(elapsed, 2), "key": key}
            cache.store(source, key, executed)
            return source, elapsed

        # Threads are enough: each kernel is its own process, the threads only wait on it.
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(run, plan): plan[0] for plan in misses}
            for done, future in enumerate(concurrent.futures.as_completed(futures), start=1):
                source = futures[future]
                try:
                    _, elapsed = future.result()
                except Exception as error:  # collect every failure, report them together
                    failures.append(str(error))
                    log.error("[%d/%d] %s failed", done, len(misses), source.name)
                    continue
                seconds[source] = elapsed
                log.info("[%d/%d] executed %s in %.1f s", done, len(misses), source.name, elapsed)
        log.info("Executed %d notebook(s) in %.1f s wall time (%.1f s of kernel time)",
                 len(misses) - len(failures), time.perf_counter() - started, sum(seconds.values()))
    if failures:
        raise NotebookExecutionError("\n\n".join(failures))

    outcomes = []
    for source, notebook, key, hit in plans:
        executed = nbformat.read(cache.entry(source, key), as_version=4)
        rendered = cache.rendered(source, docs_dir)
        try:
            text = nbformat.writes(fill_glue(merge_outputs(notebook, executed), where=source.name))
        except glue.GlueError as error:
            raise NotebookExecutionError(str(error)) from None
        # Rewrite only on change: mkdocs-jupyter caches its HTML by these bytes.
        if not rendered.exists() or rendered.read_text(encoding="utf-8") != text:
            atomic_write_text(rendered, text)
        outcomes.append(Outcome(source, rendered, not hit, seconds.get(source, 0.0)))
    return outcomes
