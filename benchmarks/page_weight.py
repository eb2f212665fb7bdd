"""What a reader's browser downloads for each page of the built site, and how fast the page paints.

Each page is opened in a fresh headless Chromium context (an empty cache: a first
visit), scrolled to the end so lazy images load, and every response is counted:

* **own**: the page's HTML and its media (``assets/media/``: figures, videos);
* **overhead**: everything else (CSS, JavaScript, fonts, search data), shared by pages;
* **gzip**: the same bytes as a server compressing text would send them
  (``gzip -6`` of each file, or the file itself when that is no smaller:
  PNG, MP4 and WOFF2 are compressed already).

LCP (largest contentful paint) and CLS (cumulative layout shift) come from the
browser's own PerformanceObserver entries. Used by ``make bench``
(``benchmarks/run.py``) and by the budget tests (``tests/test_page_weight.py``);
``python benchmarks/page_weight.py SITE_DIR`` measures an already built site.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gzip
import http.server
import re
import statistics
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

KIB, MIB = 1024, 1024 * 1024
OVERHEAD_BUDGET = 800 * KIB        # shared overhead, uncompressed, on every page
OVERHEAD_GZIP_BUDGET = 250 * KIB   # the same, gzip-compressed
VISIT_BUDGET = 1.25 * MIB          # a whole first visit scrolled to the end, uncompressed

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}

# Installed before any page script: records LCP and CLS as the browser reports them.
_OBSERVERS = """
window.__weight = {lcp: 0, cls: 0};
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) window.__weight.lcp = entry.startTime;
}).observe({type: "largest-contentful-paint", buffered: true});
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__weight.cls += entry.value;
}).observe({type: "layout-shift", buffered: true});
"""

_SCROLL_TO_END = """async () => {
  const pause = ms => new Promise(resolve => setTimeout(resolve, ms));
  for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight / 2) {
    scrollTo(0, y);
    await pause(30);
  }
  scrollTo(0, document.documentElement.scrollHeight);
  await pause(100);
}"""


@dataclasses.dataclass
class PageWeight:
    url: str
    own: int = 0               # the HTML and the page's media
    overhead: int = 0          # CSS, JS, fonts, search data
    overhead_gzip: int = 0
    visit: int = 0             # own + overhead
    lcp_ms: float = 0.0        # before any scrolling
    cls: float = 0.0           # over the whole visit, scrolling included
    requests: dict[str, int] = dataclasses.field(default_factory=dict)  # path -> bytes received

    def over_budget(self) -> list[str]:
        """What this page spends beyond the budgets, in words (empty when within them)."""
        checks = [("shared overhead", self.overhead, OVERHEAD_BUDGET),
                  ("shared overhead, gzip", self.overhead_gzip, OVERHEAD_GZIP_BUDGET),
                  ("whole visit", self.visit, VISIT_BUDGET)]
        return [f"{name}: {size / KIB:.0f} KiB > {budget / KIB:.0f} KiB"
                for name, size, budget in checks if size > budget]


def _gzip_size(data: bytes) -> int:
    return min(len(data), len(gzip.compress(data, compresslevel=6, mtime=0)))


def _is_own(path: str, page_path: str) -> bool:
    return path == page_path or path == page_path + "index.html" or "/assets/media/" in path


def measure(browser, url: str, site_dir: Path, viewport: dict | None = None) -> PageWeight:
    """Open ``url`` as a first visit (empty cache), scroll to its end, and count what came in."""
    context = browser.new_context(viewport=viewport or DESKTOP)
    try:
        page = context.new_page()
        page.add_init_script(_OBSERVERS)
        cdp = context.new_cdp_session(page)
        urls: dict[str, str] = {}
        received: dict[str, int] = {}
        finished: set[str] = set()
        cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on("Network.dataReceived",
               lambda e: received.__setitem__(e["requestId"], received.get(e["requestId"], 0) + e["dataLength"]))
        cdp.on("Network.loadingFinished", lambda e: finished.add(e["requestId"]))
        cdp.send("Network.enable")
        page.goto(url, wait_until="networkidle")
        with contextlib.suppress(Exception):  # a page whose paint yields no candidate keeps 0
            page.wait_for_function("window.__weight.lcp > 0", timeout=2000)
        lcp = page.evaluate("window.__weight.lcp")
        page.evaluate(_SCROLL_TO_END)
        page.wait_for_load_state("networkidle")
        cls = page.evaluate("window.__weight.cls")
    finally:
        context.close()

    result = PageWeight(url=url, lcp_ms=round(lcp, 1), cls=round(cls, 4))
    page_path = urlparse(url).path
    for request_id, address in urls.items():
        if not address.startswith("http"):
            continue  # data: URIs are inside a file already counted
        path = urlparse(address).path
        size = received.get(request_id, 0)
        file = site_dir / unquote(path).lstrip("/")
        if file.is_dir():
            file = file / "index.html"
        compressed = _gzip_size(file.read_bytes()) if request_id in finished and file.is_file() else size
        result.requests[path] = result.requests.get(path, 0) + size
        if _is_own(path, page_path):
            result.own += size
        else:
            result.overhead += size
            result.overhead_gzip += compressed
    result.visit = result.own + result.overhead
    return result


_VIDEO_PLAYER = re.compile(r'<video\b[^>]*class="linreg-(light|dark)"[^>]*>.*?</video>', re.S)
_PICTURE = re.compile(r'<picture><source [^>]*srcset="([^"]+)"[^>]*><img [^>]*src="([^"]+)"[^>]*></picture>')


def media_bytes(html_file: Path) -> int:
    """Bytes of the media files a built page references, for the palette and screen whose set is heaviest.

    Figures come in a light (``#only-light``) and a dark (``#only-dark``) file, each a
    ``<picture>`` that serves its narrow rendering (``<source srcset>``) to narrow screens
    and its wide one (``<img src>``) to the others; a video comes as a light and a dark
    player (class ``linreg-light`` / ``linreg-dark``). A reader's browser fetches one
    palette's set at one width, so only the heaviest of the four sets counts.
    """
    html = html_file.read_text(encoding="utf-8")
    refs: set[tuple[str, str, str]] = set()  # (url, palette: "only-light"/"only-dark"/"", width: "wide"/"narrow"/"")
    for picture in _PICTURE.finditer(html):
        palette = urldefrag(picture[2])[1]
        refs |= {(picture[1], palette, "narrow"), (picture[2], palette, "wide")}
    html = _PICTURE.sub("", html)
    refs |= {(ref, "", "") for ref in re.findall(r'(?:src|poster)="([^"]+)"', _VIDEO_PLAYER.sub("", html))}
    for player in _VIDEO_PLAYER.finditer(html):
        refs |= {(ref, f"only-{player[1]}", "") for ref in re.findall(r'(?:src|poster)="([^"]+)"', player[0])}
    sizes = {(palette, width): 0 for palette in ("light", "dark") for width in ("wide", "narrow")}
    for ref, player_palette, only_width in refs:
        if "assets/media/" not in ref:
            continue
        path, fragment = urldefrag(ref)
        fragment = fragment or player_palette
        size = (html_file.parent / unquote(path)).resolve().stat().st_size
        for palette, width in sizes:
            if fragment != f"only-{'dark' if palette == 'light' else 'light'}" and only_width in ("", width):
                sizes[palette, width] += size
    return max(sizes.values())


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(site_dir: Path, handler_class: type[http.server.SimpleHTTPRequestHandler] = _QuietHandler):
    """Serve ``site_dir`` on a free local port, each request answered by ``handler_class``; yields the root URL."""
    handler = functools.partial(handler_class, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def page_urls(site_dir: Path, root: str) -> dict[str, str]:
    """Every page of the site (``index.html`` files, 404 and assets aside): name -> URL."""
    pages = {}
    for html in sorted(site_dir.rglob("index.html")):
        if "assets" in html.parts:
            continue
        relative = html.parent.relative_to(site_dir).as_posix()
        pages[relative if relative != "." else "."] = root + ("" if relative == "." else relative + "/")
    return pages


def measure_site(site_dir: Path, visits: int = 3) -> dict[str, PageWeight]:
    """Measure every page of a built site, served locally, as ``visits`` first visits each.

    Bytes come from the first visit (every visit fetches the same); LCP is the median
    of the visits, because one paint on a shared machine can lag by 200 ms; CLS the
    largest, because any shift is a fault.
    """
    from playwright.sync_api import sync_playwright

    results = {}
    with serve(site_dir) as root, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            for name, url in page_urls(site_dir, root).items():
                runs = [measure(browser, url, site_dir) for _ in range(visits)]
                results[name] = dataclasses.replace(
                    runs[0], lcp_ms=statistics.median(run.lcp_ms for run in runs), cls=max(run.cls for run in runs))
        finally:
            browser.close()
    return results


def report(weights: dict[str, PageWeight]) -> None:
    print(f"first visit per page (KiB; budgets: overhead <= {OVERHEAD_BUDGET / KIB:.0f}, "
          f"gzip <= {OVERHEAD_GZIP_BUDGET / KIB:.0f}, visit <= {VISIT_BUDGET / KIB:.0f}):")
    print("  (LCP: median of 3 first visits; CLS: the largest of them)")
    print(f"  {'page':40s} {'overhead':>9s} {'gzip':>7s} {'own':>7s} {'visit':>7s} {'LCP ms':>7s} {'CLS':>6s}")
    for name, w in weights.items():
        flag = "  OVER BUDGET" if w.over_budget() else ""
        print(f"  {name:40s} {w.overhead / KIB:9.1f} {w.overhead_gzip / KIB:7.1f} {w.own / KIB:7.1f} "
              f"{w.visit / KIB:7.1f} {w.lcp_ms:7.0f} {w.cls:6.3f}{flag}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python benchmarks/page_weight.py SITE_DIR  (a built site, e.g. site/)")
    results = measure_site(Path(sys.argv[1]).resolve())
    report(results)
    heaviest = max(results.values(), key=lambda w: w.visit)
    print(f"heaviest visit, {heaviest.url}:")
    for path, size in sorted(heaviest.requests.items(), key=lambda item: -item[1])[:12]:
        print(f"  {size / KIB:8.1f} KiB  {path}")
