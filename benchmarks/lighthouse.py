"""Lighthouse's mobile audit of every page, beside a bare Material page built in the same run.

Lighthouse (from the npm registry, pinned in the Makefile, installed under
``.cache/vendor`` like KaTeX) runs its default mobile profile: simulated slow 4G
and a 4x slower CPU. Its simulated times scale with how long this machine took
for each task, so on a shared machine they move with the load; what stays
comparable is a page beside a reference measured in the same run. The reference
is a bare Material page (12 sections of prose and code, Material's defaults)
built here, now, with the same MkDocs and Material.

Pages are served the way GitHub Pages serves them: text (HTML, CSS, JavaScript,
JSON, SVG) gzip-compressed, everything else as it is. Each page is audited
``runs`` times, round by round (so a burst of load on the machine spreads over
pages instead of landing on one), and each number is the median of its runs.

Used by ``make bench`` (``benchmarks/run.py``);
``python benchmarks/lighthouse.py SITE_DIR [BEFORE_SITE_DIR]`` audits built sites
(``--pages 'tutorials/*' .`` picks pages by name, ``--runs N``).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fnmatch
import functools
import gzip
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import page_weight  # benchmarks/ is on the path: run as a script, from run.py, or by the tests

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / ".cache" / "vendor" / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking " \
               "--disable-component-update --disable-sync"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
BARE = "bare Material page (reference)"
# Goal (issue 24): every page at least this performance score, at most this total blocking time.
GOAL_PERFORMANCE, GOAL_TBT_MS = 95, 200


@dataclasses.dataclass
class Audit:
    """One page's Lighthouse numbers (a single run, or the medians of several)."""

    performance: float
    accessibility: float
    best_practices: float
    seo: float
    tbt_ms: float             # total blocking time
    dom_elements: int
    style_layout_ms: float    # simulated main-thread time in style and layout
    main_thread_ms: float     # all simulated main-thread work
    fcp_ms: float
    lcp_ms: float
    bytes: int                # what the audit's load transferred (compressed), lazy media below the fold aside

    @classmethod
    def from_report(cls, report: dict) -> Audit:
        audits, scores = report["audits"], report["categories"]
        breakdown = {item["group"]: item["duration"]
                     for item in audits["mainthread-work-breakdown"]["details"]["items"]}
        return cls(
            performance=round(100 * scores["performance"]["score"]),
            accessibility=round(100 * scores["accessibility"]["score"]),
            best_practices=round(100 * scores["best-practices"]["score"]),
            seo=round(100 * scores["seo"]["score"]),
            tbt_ms=round(audits["total-blocking-time"]["numericValue"]),
            dom_elements=int(audits["dom-size"]["numericValue"]),
            style_layout_ms=round(breakdown.get("styleLayout", 0.0)),
            main_thread_ms=round(audits["mainthread-work-breakdown"]["numericValue"]),
            fcp_ms=round(audits["first-contentful-paint"]["numericValue"]),
            lcp_ms=round(audits["largest-contentful-paint"]["numericValue"]),
            bytes=int(audits["total-byte-weight"]["numericValue"]))

    @classmethod
    def median(cls, runs: list[Audit]) -> Audit:
        return cls(**{field.name: statistics.median(getattr(run, field.name) for run in runs)
                      for field in dataclasses.fields(cls)})

    def meets_goal(self) -> bool:
        return (self.performance >= GOAL_PERFORMANCE and self.tbt_ms <= GOAL_TBT_MS
                and min(self.accessibility, self.best_practices, self.seo) == 100)


# ------------------------------------------------------------------ serving like GitHub Pages

_COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml")


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files as GitHub Pages sends them: text gzip-compressed, a ten-minute cache lifetime."""

    protocol_version = "HTTP/1.1"  # keep-alive, as a real server
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".js": "application/javascript",
                      ".mjs": "application/javascript", ".wasm": "application/wasm", ".woff2": "font/woff2"}

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the redirect to the slash
            path = path / "index.html"
        if not path.is_file():
            return super().send_head()  # 404
        body = path.read_bytes()
        kind = self.guess_type(str(path))
        compress = kind.startswith(_COMPRESSED_TYPES) and "gzip" in self.headers.get("Accept-Encoding", "")
        if compress:
            body = _gzipped(str(path), path.stat().st_mtime_ns)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("Vary", "Accept-Encoding")
        if compress:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        return _Body(body)

    def log_message(self, *args):
        pass


class _Body:
    """What ``send_head`` returns: ``copyfile`` reads it like a file."""

    def __init__(self, data: bytes):
        self.data = data

    def read(self, *_):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


@functools.lru_cache(maxsize=512)
def _gzipped(path: str, mtime_ns: int) -> bytes:
    return gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)


def serve_like_github_pages(site_dir: Path):
    """Serve ``site_dir`` on a free local port, gzip-compressing text (a context manager; yields the root URL)."""
    return page_weight.serve(site_dir, _GzipHandler)


# ------------------------------------------------------------------ the reference page

def build_bare_material_page(target: Path) -> Path:
    """Build a one-page Material site (12 sections of prose and a code block each) into ``target``/site.

    Material's defaults, but for two settings every page of this site has too: no
    Google Fonts request (the audit runs offline) and code highlighting.
    """
    sections = "\n".join(textwrap.dedent(f"""
        ## Section {n}

        A paragraph of prose about step {n} of fitting a line: the model predicts, the loss
        measures how far the predictions are from the targets, and the gradient says which
        way to move each parameter. The step size decides how far each update goes.

        ```python
        for epoch in range({n * 10}):
            prediction = a + b * x
            loss = ((prediction - y) ** 2).mean()
            loss.backward()
        ```
        """) for n in range(1, 13))
    docs = target / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text(f"# A bare Material page\n\nThe reference for the audit.\n{sections}")
    (target / "mkdocs.yml").write_text(textwrap.dedent("""
        site_name: bare
        site_url: http://127.0.0.1/
        theme:
          name: material
          font: false
        markdown_extensions:
          - pymdownx.highlight
          - pymdownx.superfences
        """))
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet"], cwd=target, check=True,
                   env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    return target / "site"


# ------------------------------------------------------------------ the audit

def lighthouse_version() -> str:
    package = LIGHTHOUSE.parent.parent / "package.json"
    return json.loads(package.read_text())["version"] if package.exists() else "missing"


def audit(url: str) -> Audit:
    """One Lighthouse run of ``url`` (mobile profile, simulated throttling)."""
    if not LIGHTHOUSE.exists():
        raise SystemExit(f"{LIGHTHOUSE} is missing: `make setup` installs Lighthouse from the npm registry")
    if shutil.which("node") is None:
        raise SystemExit("Node.js is needed to run Lighthouse")
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        out = Path(tmp) / "report.json"
        result = subprocess.run(
            ["node", str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
             f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"],
            env={**os.environ, "CHROME_PATH": CHROMIUM, "TMPDIR": tmp}, capture_output=True, text=True)
        if result.returncode or not out.exists():
            raise RuntimeError(f"Lighthouse failed on {url}:\n{result.stderr[-2000:]}")
        report = json.loads(out.read_text())
    if report.get("runtimeError"):
        raise RuntimeError(f"Lighthouse failed on {url}: {report['runtimeError']}")
    return Audit.from_report(report)


def page_names(site_dir: Path) -> list[str]:
    """Every page of a built site, by folder (``.`` is the home page; 404 and assets aside)."""
    names = []
    for html in sorted(site_dir.rglob("index.html")):
        relative = html.parent.relative_to(site_dir)
        if relative.parts[:1] != ("assets",):
            names.append(relative.as_posix())
    return names


def audit_sites(sites: dict[str, Path], pages: list[str] | None = None, runs: int = 3,
                progress=print) -> dict[str, dict[str, Audit]]:
    """Audit every page of each built site in ``sites`` (label -> folder) and a bare Material page.

    ``pages`` are ``fnmatch`` patterns of page names (``tutorials/*``, ``.``): all
    pages when None. Returns label -> page -> the medians of ``runs`` audits; the bare
    page is under the label ``BARE``, page ``.``.
    """
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bare-material-")))
        roots = {BARE: stack.enter_context(serve_like_github_pages(build_bare_material_page(tmp)))}
        targets = [(BARE, ".")]
        for label, site in sites.items():
            roots[label] = stack.enter_context(serve_like_github_pages(site))
            targets += [(label, name) for name in page_names(site)
                        if pages is None or any(fnmatch.fnmatch(name, pattern) for pattern in pages)]
        found: dict[tuple[str, str], list[Audit]] = {target: [] for target in targets}
        for run in range(runs):
            for label, name in targets:
                url = roots[label] + ("" if name == "." else name + "/")
                found[label, name].append(audit(url))
                progress(f"  run {run + 1}/{runs} {label}: {name}  "
                         f"performance {found[label, name][-1].performance:.0f}, "
                         f"TBT {found[label, name][-1].tbt_ms:.0f} ms")
    results: dict[str, dict[str, Audit]] = {}
    for (label, name), audits in found.items():
        results.setdefault(label, {})[name] = Audit.median(audits)
    return results


def report(results: dict[str, dict[str, Audit]], runs: int) -> None:
    """A table per site, the bare reference first; pages that miss the goal are flagged."""
    bare = results[BARE]["."]
    print(f"Lighthouse {lighthouse_version()}, mobile (simulated slow 4G, 4x CPU), median of {runs} runs; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"goal: performance >= {GOAL_PERFORMANCE}, TBT <= {GOAL_TBT_MS} ms, "
          "accessibility / best practices / SEO 100")
    header = (f"  {'page':40s} {'perf':>5s} {'TBT ms':>7s} {'style+layout ms':>16s} {'DOM':>6s} "
              f"{'KiB':>6s} {'LCP ms':>7s} {'a11y/bp/seo':>12s}")

    def row(name: str, a: Audit, reference: bool = False) -> str:
        flag = "" if reference or a.meets_goal() else "  MISSES GOAL"
        return (f"  {name:40s} {a.performance:5.0f} {a.tbt_ms:7.0f} {a.style_layout_ms:16.0f} "
                f"{a.dom_elements:6.0f} {a.bytes / 1024:6.0f} {a.lcp_ms:7.0f} "
                f"{a.accessibility:4.0f}/{a.best_practices:.0f}/{a.seo:.0f}{flag}")

    for label, pages in results.items():
        if label == BARE:
            continue
        print(f"{label}:")
        print(header)
        print(row(BARE, bare, reference=True))
        for name, a in pages.items():
            print(row(name, a))
        missed = [name for name, a in pages.items() if not a.meets_goal()]
        print(f"  {len(pages) - len(missed)} of {len(pages)} pages meet the goal"
              + (f"; missing: {', '.join(missed)}" if missed else ""))


def as_json(results: dict[str, dict[str, Audit]]) -> dict:
    return {label: {name: dataclasses.asdict(a) for name, a in pages.items()} for label, pages in results.items()}


def from_json(data: dict) -> dict[str, dict[str, Audit]]:
    return {label: {name: Audit(**a) for name, a in pages.items()} for label, pages in data.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a built site (e.g. site/)")
    parser.add_argument("before", type=Path, nargs="?", help="another built site, audited in the same run")
    parser.add_argument("--pages", nargs="+", help="page names or patterns (tutorials/*, reference/surfaces, .)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    sites = {"before": args.before.resolve()} if args.before else {}
    sites["after" if args.before else "site"] = args.site.resolve()
    results = audit_sites(sites, args.pages, args.runs, progress=lambda line: print(line, file=sys.stderr))
    report(results, args.runs)
    if args.json:
        args.json.write_text(json.dumps(as_json(results), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
