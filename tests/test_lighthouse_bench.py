"""`make bench`'s Lighthouse audit (benchmarks/lighthouse.py): how pages are served and scored.

The audit itself takes minutes and its times depend on the machine's load, so it runs in
`make bench`, not here; these tests hold what it relies on.
"""

from __future__ import annotations

import gzip
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import lighthouse  # noqa: E402


def _get(url: str) -> tuple[dict, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        return dict(response.headers), response.read()


def test_pages_are_served_as_github_pages_serves_them_text_gzipped_images_as_they_are(tmp_path):
    html = b"<!doctype html><title>t</title>" + b"<p>prose</p>" * 200
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_bytes(html)
    (tmp_path / "figure.png").write_bytes(png)
    with lighthouse.serve_like_github_pages(tmp_path) as root:
        headers, body = _get(root + "page/")
        assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == html
        assert int(headers["Content-Length"]) == len(body) < len(html)
        headers, body = _get(root + "figure.png")
        assert "Content-Encoding" not in headers and body == png


def _report(performance: float, tbt: float) -> dict:
    audits = {"total-blocking-time": tbt, "dom-size": 900, "first-contentful-paint": 1500,
              "largest-contentful-paint": 1800, "total-byte-weight": 90_000, "mainthread-work-breakdown": 800}
    scores = {name: {"score": 1.0} for name in lighthouse.CATEGORIES} | {"performance": {"score": performance}}
    return {"categories": scores,
            "audits": {name: {"numericValue": value} for name, value in audits.items()}
            | {"mainthread-work-breakdown": {"numericValue": 800, "details": {"items": [
                {"group": "styleLayout", "duration": 300.0}, {"group": "other", "duration": 500.0}]}}}}


def test_a_page_is_scored_by_the_median_of_its_runs_and_meets_the_goal_only_on_every_count():
    runs = [lighthouse.Audit.from_report(_report(p, t)) for p, t in [(0.99, 60), (0.91, 450), (0.97, 120)]]
    median = lighthouse.Audit.median(runs)
    assert (median.performance, median.tbt_ms, median.style_layout_ms) == (97, 120, 300)
    assert median.meets_goal()
    assert not lighthouse.Audit.from_report(_report(0.99, 250)).meets_goal()  # blocking too long
    assert not lighthouse.Audit.from_report(_report(0.94, 100)).meets_goal()  # score too low


def test_the_bare_reference_is_one_material_page_of_twelve_sections(tmp_path):
    site = lighthouse.build_bare_material_page(tmp_path)
    html = (site / "index.html").read_text()
    assert html.count("<h2 id=") == 12 and 'class="highlight"' in html
