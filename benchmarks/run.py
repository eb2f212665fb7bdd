"""`make bench`: how fast the site builds and how heavy its pages are, measured on this machine.

Works on a throw-away copy of the repository (tracked files only) with its own
execution cache, so the developer's cache is untouched. Prints a report and
writes it as JSON to ``bench-results/bench.json``. Steps:

1. serial cold build (one kernel at a time) — per-notebook times and their sum;
2. parallel cold build (one kernel per core) — the wall time to compare;
3. warm rebuild (nothing changed), as a command (median of 3) and in one process as
   `mkdocs serve` does (median of 3), then Markdown-cell edits in that process
   (median of 3); then `make serve` itself: a Markdown-cell edit saved, and the
   time until the server serves the new text (polled, median of 3);
4. rebuild after an edit to one `linreg` module (``linreg/tuning.py``: the pages
   that imported it re-execute);
5. rebuild after a Markdown-cell edit (nothing re-executes), then after a code-cell
   edit (that one notebook re-executes: its run and the rest are reported apart);
6. page, media and search-index sizes; 7. what a first visit of each page downloads
   in headless Chromium (shared overhead, gzip, whole visit; LCP, CLS: see
   ``page_weight.py``); 8. `fit` vs a hand-written loop; 9. Lighthouse's mobile audit of
   every page beside a bare Material page built in the same run (``lighthouse.py``).

The writing loop's figures (issue 22) are printed first, each with its goal.

``BENCH_QUICK=1`` skips the serial cold build (1), the first visits (7), the fit
overhead (8) and Lighthouse (9): the build times and sizes only, for a loaded machine.
``BENCH_LIGHTHOUSE=0`` skips Lighthouse alone (about 10 minutes a site; ``lighthouse.py``
runs it by itself).

``BENCH_BASELINE=<git ref>`` also measures that commit's tree in the same run (steps
2-7, on its own copy and cache) and prints each number beside the working tree's,
with their ratio: before/after comparisons taken minutes apart on one machine, not
on different days under different loads. Each tree runs with the environment its
own Makefile sets. The load average before and after each tree is recorded:
compare ratios, not seconds, on a busy machine.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import lighthouse  # noqa: E402
import page_weight  # noqa: E402

KIB = 1024
QUICK = os.environ.get("BENCH_QUICK") == "1"
LIGHTHOUSE = not QUICK and os.environ.get("BENCH_LIGHTHOUSE") != "0"


def _copy_repo(target: Path, ref: str | None = None) -> None:
    """The working tree's tracked and untracked files into ``target``, or commit ``ref``'s tree."""
    if ref is not None:
        target.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    else:
        files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, check=True,
                               capture_output=True, text=True).stdout.split()
        for name in files:
            source = ROOT / name
            if source.is_file():
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)
    vendor = ROOT / ".cache" / "vendor"
    shutil.copytree(vendor, target / ".cache" / "vendor")
    if ref is not None:  # a baseline may serve other npm packages (510addd: MathJax): its own Makefile installs them
        missing = [path for path in re.findall(r"^\w+ := (\.cache/vendor/\S+)$", (target / "Makefile").read_text(),
                                                flags=re.M) if not (target / path).exists()]
        if missing:
            subprocess.run(["make", "-C", str(target), *missing], check=True)


def _environment(repo: Path, cache: Path) -> dict[str, str]:
    """The build's environment: its own cache, and ``repo``'s ``linreg`` ahead of the editable install
    (the kernels inherit it), so a baseline's pages run the baseline's library. A variable ``make``
    exports for builds counts only where ``repo``'s own Makefile sets it."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "LINREG_CACHE_DIR": str(cache), "PYTHONPATH": str(repo)}
    makefile = (repo / "Makefile").read_text()
    for name in ("NBCONVERT_DISABLE_CONFIG_EXPORTERS",):
        if f"export {name}" in makefile:
            env[name] = "1"
        else:
            env.pop(name, None)
    return env


def _load() -> float:
    """The 1-minute load average (the machine is shared: it says how much the seconds mean)."""
    return round(os.getloadavg()[0], 2)


def _build(repo: Path, cache: Path, **env) -> float:
    """Seconds one strict `mkdocs build` of ``repo`` takes with the execution cache ``cache`` (printed too)."""
    environment = {**_environment(repo, cache), **env}
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"], cwd=repo,
                            env=environment, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode:
        raise SystemExit(f"build failed:\n{result.stderr[-3000:]}")
    print(f"  build: {elapsed:.1f} s", flush=True)
    return elapsed


def _notebook_seconds(cache: Path) -> dict[str, float]:
    seconds = {}
    for entry in sorted((cache / "executed").glob("*.ipynb")):
        meta = json.loads(entry.read_text())["metadata"]["linreg"]
        seconds[entry.name.rsplit("-", 1)[0]] = meta["seconds"]
    return seconds


def _edit_markdown(notebook: Path, sentence: str) -> None:
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[0].source += f"\n\n{sentence}"
    nbformat.write(nb, notebook)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except OSError:
        return None


def _saved_to_served_seconds(repo: Path, cache: Path, notebook: Path, edits: int = 3) -> list[float]:
    """`make serve` on ``repo``: seconds from saving a Markdown-cell edit to the server sending the new text."""
    port = _free_port()
    page = f"http://127.0.0.1:{port}/{notebook.parent.name}/{notebook.stem}/"
    server = subprocess.Popen([sys.executable, "scripts/serve.py"], cwd=repo, env={**_environment(repo, cache),
                              "PORT": str(port)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while _get(page) is None:  # the first build
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("make serve did not start")
            time.sleep(0.2)
        time.sleep(2)  # let the server settle (it watches files from now on)
        times = []
        for number in range(edits):
            sentence = f"A sentence saved at edit {number} ({time.time_ns()})."
            _edit_markdown(notebook, sentence)
            saved = time.perf_counter()
            while sentence not in (_get(page) or ""):
                if time.perf_counter() - saved > 120:
                    raise SystemExit("make serve never served the edit")
                time.sleep(0.02)
            times.append(time.perf_counter() - saved)
            time.sleep(1)
        return times
    finally:
        server.send_signal(signal.SIGINT)  # mkdocs removes its temporary site on the way out
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


# Runs inside one Python process, as `mkdocs serve` does: a first build pays the
# imports, then unchanged rebuilds (median of 3) and a rebuild after a Markdown-cell edit.
_SERVE_LIKE = """
import json, statistics, sys, time
import nbformat
from mkdocs.commands.build import build
from mkdocs.config import load_config

def timed():
    start = time.perf_counter()
    build(load_config("mkdocs.yml"))
    return time.perf_counter() - start

timed()
unchanged = statistics.median(timed() for _ in range(3))
notebook = sys.argv[1]
edits = []
for number in range(3):
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[0].source += f"\\n\\nAnother edited sentence, number {number}."
    nbformat.write(nb, notebook)
    edits.append(timed())
print(json.dumps({"unchanged": unchanged, "markdown_edit": statistics.median(edits)}))
"""


def _in_process_rebuild_seconds(repo: Path, cache: Path, notebook: Path) -> dict[str, float]:
    result = subprocess.run([sys.executable, "-c", _SERVE_LIKE, str(notebook)], cwd=repo, capture_output=True,
                            text=True, env=_environment(repo, cache))
    if result.returncode:
        raise SystemExit(f"in-process rebuilds failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _sizes(site: Path) -> dict:
    pages = {}
    for html in sorted(site.rglob("index.html")):
        if "assets" in html.parts:
            continue
        pages[str(html.parent.relative_to(site)) or "."] = {
            "html_kib": round(html.stat().st_size / KIB, 1),
            "media_kib": round(page_weight.media_bytes(html) / KIB, 1)}
    videos = {p.name: round(p.stat().st_size / KIB, 1) for p in sorted((site / "assets" / "media").glob("*.mp4"))}
    index = site / "search" / "search_index.json"
    return {"pages": pages, "videos_kib": videos, "search_index_kib": round(index.stat().st_size / KIB, 1)}


def _update_scheduling_hints(seconds: dict[str, float]) -> None:
    """Keep hooks/notebook-seconds.json (the cold build's longest-first order) in step with this run.

    Rewritten only when a notebook came or went or its time moved by more than a
    quarter, so that timing noise does not dirty the tree.
    """
    hints = ROOT / "hooks" / "notebook-seconds.json"
    old = json.loads(hints.read_text()) if hints.exists() else {}
    drifted = set(old) != set(seconds) or any(abs(seconds[n] - old[n]) > 0.25 * old[n] for n in seconds)
    if drifted:
        hints.write_text(json.dumps(dict(sorted(seconds.items())), indent=2) + "\n")
        print(f"updated {hints.relative_to(ROOT)} (notebook times changed): commit it", flush=True)


def _measure_builds(repo: Path, cache: Path, results: dict) -> None:
    """Steps 2-7 on ``repo`` with the execution cache ``cache``; the numbers go into ``results``."""
    results["load_before"] = _load()
    print("2/7 parallel cold build...", flush=True)
    results["cold_build_s"] = _build(repo, cache)
    results["parallel_kernel_seconds"] = _notebook_seconds(cache)
    print("3/7 warm rebuilds, as a command, in one process, and in `make serve`...", flush=True)
    results["warm_rebuild_s"] = statistics.median(_build(repo, cache) for _ in range(3))
    notebook = sorted((repo / "docs" / "tutorials").glob("*.ipynb"))[0]
    in_process = _in_process_rebuild_seconds(repo, cache, notebook)
    results["warm_rebuild_in_process_s"] = in_process["unchanged"]
    results["markdown_edit_in_process_s"] = in_process["markdown_edit"]
    served = _saved_to_served_seconds(repo, cache, notebook)
    results["saved_to_served_s"], results["saved_to_served_each_s"] = statistics.median(served), served

    print("4/7 rebuild after an edit to one linreg module (linreg/tuning.py)...", flush=True)
    with (repo / "linreg" / "tuning.py").open("a") as handle:
        handle.write("\n# an edit: the pages that imported linreg.tuning re-execute\n")
    before = _notebook_seconds(cache)
    results["rebuild_after_linreg_change_s"] = _build(repo, cache)
    results["notebooks_after_linreg_change"] = sorted(
        name for name, seconds in _notebook_seconds(cache).items() if before.get(name) != seconds)

    print("5/7 rebuild after a Markdown-cell edit, then a code-cell edit...", flush=True)
    _edit_markdown(notebook, "An edited sentence.")
    results["rebuild_after_markdown_edit_s"] = _build(repo, cache)
    nb = nbformat.read(notebook, as_version=4)
    code = next(cell for cell in nb.cells if cell.cell_type == "code" and "colab-setup" not in
                cell.metadata.get("tags", []))
    code.source += "\n# an edited comment: this notebook re-executes"
    nbformat.write(nb, notebook)
    results["rebuild_after_code_edit_s"] = _build(repo, cache)
    results["code_edit_notebook_s"] = _notebook_seconds(cache)[notebook.stem]

    print("6/7 sizes...", flush=True)
    site = repo / "site"
    results["sizes"] = _sizes(site)
    if not QUICK:
        print("7/7 first visits in headless Chromium...", flush=True)
        weights = page_weight.measure_site(site)
        results["first_visit"] = {name: {k: v for k, v in dataclasses.asdict(w).items() if k != "requests"}
                                  for name, w in weights.items()}
    results["load_after"] = _load()


def main() -> int:
    results: dict = {"cpu_count": os.cpu_count()}
    baseline_ref = os.environ.get("BENCH_BASELINE")
    with tempfile.TemporaryDirectory(prefix="linreg-bench-") as tmp:
        if baseline_ref:
            print(f"== baseline: {baseline_ref}", flush=True)
            baseline: dict = {"ref": baseline_ref}
            _copy_repo(Path(tmp) / "baseline", baseline_ref)
            _measure_builds(Path(tmp) / "baseline", Path(tmp) / "baseline-cache", baseline)
            results["baseline"] = baseline
            print("== working tree", flush=True)
        repo = Path(tmp) / "repo"
        _copy_repo(repo)
        if not QUICK:
            print("1/7 serial cold build (one kernel at a time)...", flush=True)
            serial_cache = Path(tmp) / "serial-cache"
            results["serial_cold_build_s"] = _build(repo, serial_cache, LINREG_WORKERS="1")
            results["notebook_seconds"] = _notebook_seconds(serial_cache)
            results["serial_sum_s"] = round(sum(results["notebook_seconds"].values()), 1)
        _measure_builds(repo, Path(tmp) / "cache", results)
        if LIGHTHOUSE:  # in one run with the baseline's site, so that both meet the same load
            print("Lighthouse, every page (3 runs each) beside a bare Material page...", flush=True)
            sites = {"working tree": repo / "site"}
            if baseline_ref:
                sites = {baseline_ref: Path(tmp) / "baseline" / "site", **sites}
            results["lighthouse"] = lighthouse.as_json(lighthouse.audit_sites(sites))
    if not QUICK:
        import bench_fit

        results["fit"] = bench_fit.run()
        _update_scheduling_hints(results["notebook_seconds"])
        results["cold_over_serial_sum"] = round(results["cold_build_s"] / results["serial_sum_s"], 3)
        if "baseline" in results:  # measured against the same serial sum: the ratio of the two builds' walls
            results["baseline"]["cold_over_serial_sum"] = round(results["baseline"]["cold_build_s"]
                                                                 / results["serial_sum_s"], 3)

    report(results)
    if "baseline" in results:
        report_comparison(results["baseline"], results)
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, indent=2))
    return 0


# The writing loop's figures (issue 22): label, key in the results, goal
WRITING_LOOP = [
    ("warm rebuild, `mkdocs build`", "warm_rebuild_s", "<= 2.0 s"),
    ("warm rebuild inside `mkdocs serve`", "warm_rebuild_in_process_s", "<= 1.0 s"),
    ("Markdown-cell edit, rebuilt inside `mkdocs serve`", "markdown_edit_in_process_s", "<= 1.0 s"),
    ("the same edit, saved to served (polled, median of 3)", "saved_to_served_s", "<= 1.5 s"),
    ("code-cell edit, `mkdocs build`", "rebuild_after_code_edit_s", "that notebook's run + <= 2 s"),
    ("cold build, parallel (2 kernels)", "cold_build_s", "<= 0.6 x the serial sum"),
]


def report(r: dict) -> None:
    print(f"\n== linreg benchmark (this machine: {r['cpu_count']} cores; "
          f"load average {r.get('load_before', '?')} before, {r.get('load_after', '?')} after) ==")
    print("the writing loop:")
    for label, key, goal in WRITING_LOOP:
        detail = ""
        if key == "rebuild_after_code_edit_s":
            run = r["code_edit_notebook_s"]
            detail = f" = the notebook's run {run:.1f} s + {r[key] - run:.1f} s"
        elif key == "cold_build_s" and "serial_sum_s" in r:
            detail = f" = {r['cold_over_serial_sum']:.2f} x the {r['serial_sum_s']:.1f} s serial sum"
        print(f"  {label:54s} {r[key]:6.2f} s{detail}  (goal {goal})")
    if "serial_sum_s" in r:
        print("per-notebook execution, one kernel at a time:")
        for name, seconds in r["notebook_seconds"].items():
            print(f"  {name:32s} {seconds:6.1f} s")
        print(f"serial sum of notebook times       {r['serial_sum_s']:6.1f} s")
        print(f"cold build, serial (whole build)   {r['serial_cold_build_s']:6.1f} s")
    print(f"rebuild after a linreg module edit {r['rebuild_after_linreg_change_s']:6.1f} s  "
          f"(re-executed: {', '.join(r['notebooks_after_linreg_change']) or 'none'})")
    print(f"Markdown-cell edit, `mkdocs build` {r['rebuild_after_markdown_edit_s']:6.1f} s")
    print("pages (HTML KiB + media KiB):")
    for page, size in r["sizes"]["pages"].items():
        print(f"  {page:40s} {size['html_kib']:7.1f} + {size['media_kib']:7.1f}")
    print("videos (KiB):", ", ".join(f"{v:.0f}" for v in r["sizes"]["videos_kib"].values()))
    print(f"search index                       {r['sizes']['search_index_kib']:6.1f} KiB  (fetched on a search)")
    if "first_visit" in r:
        page_weight.report({name: page_weight.PageWeight(**w) for name, w in r["first_visit"].items()})
    if "fit" in r:
        print(f"fit vs hand-written loop           {r['fit'].get('ratio', float('nan')):6.3f}x  (target <= 1.1x)")
    if "lighthouse" in r:
        lighthouse.report(lighthouse.from_json(r["lighthouse"]), runs=3)


_COMPARED = [(label, key) for label, key, _ in WRITING_LOOP] + [
    ("rebuild after a linreg module edit", "rebuild_after_linreg_change_s"),
    ("Markdown-cell edit, `mkdocs build`", "rebuild_after_markdown_edit_s")]


def report_comparison(before: dict, after: dict) -> None:
    """Each number of the baseline beside the working tree's, with after/before."""
    print(f"\n== {before['ref']} (before) vs the working tree (after), measured in this run ==")
    print(f"  load average: before's run {before.get('load_before', '?')} -> {before.get('load_after', '?')}, "
          f"after's run {after.get('load_before', '?')} -> {after.get('load_after', '?')}")
    print(f"  {'':54s} {'before':>9s} {'after':>9s} {'after/before':>13s}")
    for label, key in _COMPARED:
        if key in before and key in after:
            print(f"  {label:54s} {before[key]:8.2f}s {after[key]:8.2f}s {after[key] / before[key]:12.2f}x")
    if "code_edit_notebook_s" in before and "code_edit_notebook_s" in after:
        over = [r["rebuild_after_code_edit_s"] - r["code_edit_notebook_s"] for r in (before, after)]
        label = "code-cell edit, beyond the notebook's run"
        print(f"  {label:54s} {over[0]:8.2f}s {over[1]:8.2f}s {over[1] / over[0]:12.2f}x")
    print("  pages, HTML + media (KiB):")
    for page, size in after["sizes"]["pages"].items():
        old = before["sizes"]["pages"].get(page)
        new = size["html_kib"] + size["media_kib"]
        was = f"{old['html_kib'] + old['media_kib']:9.1f}" if old else f"{'(new)':>9s}"
        print(f"  {page:40s} {was} {new:9.1f}")
    if "first_visit" in before and "first_visit" in after:
        print("  first visits (KiB overhead / gzip / whole visit; LCP ms), before -> after:")
        for page, w in after["first_visit"].items():
            b = before["first_visit"].get(page)
            if b is None:
                continue
            print(f"  {page:40s} {b['overhead'] / KIB:6.0f} -> {w['overhead'] / KIB:4.0f} "
                  f"{b['overhead_gzip'] / KIB:6.0f} -> {w['overhead_gzip'] / KIB:4.0f} "
                  f"{b['visit'] / KIB:6.0f} -> {w['visit'] / KIB:5.0f} {b['lcp_ms']:6.0f} -> {w['lcp_ms']:4.0f}")


if __name__ == "__main__":
    sys.exit(main())
