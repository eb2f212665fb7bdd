"""Execute the tutorial notebooks outside a site build, split over machines if need be.

    execute.py shard K/N [--export DIR]   execute the K-th of N shards into the execution cache
    execute.py plan N                      print the N shards and their expected seconds
    execute.py gather DIR                  put the entries that shards exported to DIR into the cache
    execute.py key                         print one key for the executions of the whole site

``make execute SHARD=k/N`` runs the first; ``make gather ENTRIES=DIR`` the third.
Shards are dealt by :func:`assign_shards` (longest first, balanced by
each notebook's last run time × its processes) over the notebooks whose
entries are missing, so every machine that starts from the same cache computes
the same shards. The entries land in ``.cache/site/executed/`` (or
``$LINREG_CACHE_DIR``), under the same keys and locks as a build's own, so a
build that finds every entry executes nothing. ``--export`` also copies them
(with a manifest of what ran) to a folder a CI job uploads.

``key`` hashes the code key of every notebook (its code cells, the pins, Python,
``hooks/execution.py``) and every file of ``linreg/``: CI names its execution
cache by it, so a push that changes only prose finds the cache it needs. It is
coarser than a build's keys (which cover only the modules each notebook
imported): it names a cache, and a cache only stores entries.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # linreg (for a key without an install) and the hooks package

from hooks import execution  # noqa: E402

log = logging.getLogger("mkdocs.hooks.execution")
DOCS = ROOT / "docs"


def shard_weights(plans: list[execution.Plan], cache: execution.NotebookCache,
                  hints_file: Path = execution.SECONDS_HINTS) -> dict[str, float]:
    """Core-seconds each notebook is expected to cost, by source name: seconds × its processes.

    A notebook nothing is known about counts as the mean of the known ones
    (rather than 0, which would pile every new notebook onto one shard).
    """
    hints = execution.read_hints(hints_file)
    seconds = {plan.source.name: execution.expected_seconds(plan.source, cache, hints) for plan in plans}
    known = [s for s in seconds.values() if s > 0]
    fallback = sum(known) / len(known) if known else 1.0
    return {plan.source.name: (seconds[plan.source.name] or fallback) * execution.own_processes(plan.notebook)
            for plan in plans}


def assign_shards(weights: Mapping[str, float], count: int) -> list[list[str]]:
    """Deal notebooks to ``count`` shards, the heaviest first, each onto the lightest shard so far.

    The longest-processing-time-first greedy: its slowest shard is at most 4/3
    of the best possible. Ties break by name and by shard number, so every
    machine that computes the shards from the same weights gets the same ones.

    >>> assign_shards({"a": 5, "b": 4, "c": 3, "d": 3}, 2)
    [['a', 'd'], ['b', 'c']]
    """
    if count < 1:
        raise ValueError(f"count must be a positive number of shards, got {count}")
    shards: list[list[str]] = [[] for _ in range(count)]
    loads = [0.0] * count
    for name in sorted(weights, key=lambda n: (-weights[n], n)):
        lightest = min(range(count), key=lambda i: (loads[i], i))
        shards[lightest].append(name)
        loads[lightest] += weights[name]
    return shards


def parse_shard(text: str) -> tuple[int, int]:
    """``"k/N"`` → ``(k, N)``, the k-th of N shards, counted from 1.

    >>> parse_shard("2/3")
    (2, 3)
    """
    index, sep, count = text.partition("/")
    if not (sep and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise ValueError(f"SHARD must look like k/N with 1 <= k <= N (e.g. 1/2), got {text!r}")
    return int(index), int(count)


def cache_root() -> Path:
    """The execution cache the site build uses (hooks/events.py: ``$LINREG_CACHE_DIR`` or ``.cache/site``)."""
    return Path(os.environ.get("LINREG_CACHE_DIR", ROOT / ".cache" / "site"))


def notebook_sources(docs: Path = DOCS) -> list[Path]:
    """Every notebook MkDocs builds: the ``.ipynb`` files under ``docs``, skipping hidden folders."""
    return sorted(p for p in docs.rglob("*.ipynb")
                  if not any(part.startswith(".") for part in p.relative_to(docs).parts))


def site_key(plans: list[execution.Plan], docs: Path = DOCS, project_root: Path = ROOT) -> str:
    """One hash of every notebook's code key and every file of ``linreg``: when it is unchanged, no notebook
    needs to run again (the converse does not hold: an edit to one module changes it)."""
    lines = sorted(f"{plan.source.relative_to(docs).as_posix()} {plan.code_key}" for plan in plans)
    lines.append(execution.PackageSnapshot.take(project_root).everything())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def shard_plans(plans: list[execution.Plan], cache: execution.NotebookCache, index: int,
                count: int) -> list[execution.Plan]:
    """The missing notebooks of shard ``index`` of ``count`` (counted from 1)."""
    misses = [plan for plan in plans if not plan.cached]
    names = assign_shards(shard_weights(misses, cache), count)[index - 1]
    return [plan for plan in misses if plan.source.name in names]


def run_shard(index: int, count: int, *, sources: list[Path], cache_dir: Path, project_root: Path = ROOT,
              export: Path | None = None, workers: int | None = None) -> dict[str, float]:
    """Execute shard ``index``/``count`` of ``sources`` into ``cache_dir``; return seconds per notebook executed."""
    cache = execution.NotebookCache(cache_dir)
    plans = execution.plan_notebooks(sources, cache, execution.environment_fingerprint(project_root),
                                     execution.PackageSnapshot.take(project_root))
    mine = shard_plans(plans, cache, index, count)
    log.info("Shard %d/%d: %d of %d notebook(s) missing from the cache, %d in this shard: %s", index, count,
             sum(not p.cached for p in plans), len(plans), len(mine), ", ".join(p.source.name for p in mine) or "-")
    started = time.perf_counter()
    seconds = execution.execute_missing(mine, cache, project_root=project_root, workers=workers)
    problems = [problem for plan in mine if plan.source in seconds
                for problem in execution.stderr_problems(plan.entry, where=plan.source.name)]
    if problems:  # the build would refuse them: fail here, before the gather job
        raise execution.NotebookExecutionError("\n\n".join(problems))
    executed = {plan.source.name: round(seconds[plan.source], 2) for plan in mine if plan.source in seconds}
    if export is not None:
        export.mkdir(parents=True, exist_ok=True)
        for plan in mine:
            if plan.source in seconds:
                shutil.copy2(cache.entry(plan.source, plan.key), export / cache.entry(plan.source, plan.key).name)
        manifest = {"shard": f"{index}/{count}", "executed": executed,
                    "wall_seconds": round(time.perf_counter() - started, 2)}
        (export / f"shard-{index}-of-{count}.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return executed


def gather(folder: Path, cache_dir: Path) -> list[str]:
    """Move the entries shards exported to ``folder`` (searched recursively) into the cache; return their names.

    Each entry is checked before it is put in place: one that cannot be read
    (cut short by a failed upload or copy), is not a notebook, or whose
    recorded key does not match its file name (the name is what a build looks
    entries up by) is left out with a line saying which and why; the build
    executes that notebook instead.
    """
    cache = execution.NotebookCache(cache_dir)
    names = []
    for path in sorted(folder.rglob("*.ipynb")):
        try:
            notebook = execution.read_notebook(path)
        except execution.NotebookReadError as error:
            log.warning("Left out %s", error)
            continue
        stem = path.name.rsplit("-", 1)[0]
        source = Path(f"{stem}.ipynb")
        problem = execution.entry_problem(notebook)
        if problem is None and cache.entry(source, notebook.metadata["linreg"]["key"]).name != path.name:
            problem = "its key does not match its name"
        if problem:
            log.warning("Left out %s: %s", path, problem)
            continue
        with cache.locked(source):
            cache.store(source, notebook)
        names.append(path.name)
    manifests = [json.loads(p.read_text()) for p in sorted(folder.rglob("shard-*-of-*.json"))]
    executed = sorted(name for m in manifests for name in m.get("executed", {}))
    log.info("Gathered %d entr%s from %d shard(s); notebooks the shards executed: %d%s", len(names),
             "y" if len(names) == 1 else "ies", len(manifests), len(executed),
             f" ({', '.join(executed)})" if executed else "")
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    shard = commands.add_parser("shard", help="execute the K-th of N shards into the execution cache")
    shard.add_argument("shard", metavar="K/N")
    shard.add_argument("--export", type=Path, help="also copy the executed entries (and a manifest) here")
    plan = commands.add_parser("plan", help="print the shards and their expected seconds")
    plan.add_argument("count", type=int)
    collect = commands.add_parser("gather", help="put exported entries into the execution cache")
    collect.add_argument("folder", type=Path)
    commands.add_parser("key", help="print one key for the executions of the whole site")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    log.setLevel(logging.INFO)  # the hook's progress, not nbclient's per-notebook chatter

    try:
        return _run(args, parser)
    except execution.NotebookReadError as error:
        print(f"A tutorial notebook cannot be read: {error}", file=sys.stderr)
        return 1
    except execution.NotebookExecutionError as error:
        print(f"A tutorial notebook failed to execute:\n{error}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.command == "key":
        cache = execution.NotebookCache(cache_root())
        plans = execution.plan_notebooks(notebook_sources(), cache, execution.environment_fingerprint(ROOT))
        print(site_key(plans))
        return 0
    if args.command == "gather":
        gather(args.folder, cache_root())
        return 0
    if args.command == "plan":
        cache = execution.NotebookCache(cache_root())
        plans = execution.plan_notebooks(notebook_sources(), cache, execution.environment_fingerprint(ROOT),
                                         execution.PackageSnapshot.take(ROOT))
        misses = [p for p in plans if not p.cached]
        weights = shard_weights(misses, cache)
        for number, names in enumerate(assign_shards(weights, args.count), start=1):
            total = sum(weights[n] for n in names)
            print(f"shard {number}/{args.count}: {total:6.1f} s  {' '.join(names) or '(nothing to execute)'}")
        return 0
    try:
        index, count = parse_shard(args.shard)
    except ValueError as error:
        parser.error(str(error))
    workers = int(os.environ["LINREG_WORKERS"]) if os.environ.get("LINREG_WORKERS") else None
    run_shard(index, count, sources=notebook_sources(), cache_dir=cache_root(), export=args.export, workers=workers)
    return 0

if __name__ == "__main__":
    sys.exit(main())
