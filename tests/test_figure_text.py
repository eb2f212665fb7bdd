"""Figures a phone can read (issue 24): on a 390 px screen, in both palettes, the smallest text of
every figure, video, explorable and graph is at least 9 CSS px tall; a first visit fetches only the
renderings it shows, the narrow ones on a phone and the wide ones on a desktop.

How text is measured: every PNG the site serves (figures, video posters) records the height of its
smallest text in its own pixels (``linreg.display.SMALLEST_TEXT_KEY``, written by the kernel from
matplotlib's font sizes when it draws the figure). On the page it shows at that height times the
displayed width over the PNG's width. SVG text (explorables, graphs) is measured in the browser:
its font size times the scale the SVG is drawn at.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from PIL import Image
from test_browser import PALETTES, _page_url, browser, site_url
from test_site import NAV, page_html

from linreg.display import SMALLEST_TEXT_KEY

pytestmark = [pytest.mark.browser, pytest.mark.site]
SHARED_FIXTURES = (browser, site_url)  # the browser tests' Chromium and local server, used here too

MIN_TEXT_PX = 9.0
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@contextlib.contextmanager
def open_page(browser, url: str, scheme: str, viewport: dict, fetched: list[str] | None = None):
    """A first visit of ``url`` at ``viewport`` in the palette ``scheme`` (``default`` or ``slate``).

    The palette comes from the system preference, as on a reader's first visit; the file name of
    every request goes to ``fetched``.
    """
    context = browser.new_context(viewport=viewport, color_scheme="dark" if scheme == "slate" else "light",
                                  device_scale_factor=2)
    try:
        page = context.new_page()
        if fetched is not None:
            page.on("request", lambda request: fetched.append(Path(urlparse(request.url).path).name))
        page.goto(url, wait_until="networkidle")
        yield page
    finally:
        context.close()


# What the article shows, solutions opened: each figure image and video with the file it shows and its
# displayed width; each SVG with its smallest text as drawn (font size times the SVG's scale). An
# explorable shows its static figure until the reader nears it, then its live SVG plots: both are
# measured, the second after scrolling each explorable into view (explorables.js sets it up then).
SHOWN_MEDIA = """async () => {
  for (const details of document.querySelectorAll("article details")) details.open = true;
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const images = [...document.querySelectorAll("article .linreg-figure img")].filter(shown);
  for (const img of images) img.loading = "eager";
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  const media = images.filter(shown).map(img => ({kind: "figure", label: img.alt, src: img.currentSrc,
                                    width: img.getBoundingClientRect().width}));
  for (const video of document.querySelectorAll("article video")) {
    if (!shown(video)) continue;
    const poster = video.getAttribute("poster") || video.dataset.poster;
    media.push({kind: "video", label: video.getAttribute("aria-label"), src: new URL(poster, location.href).href,
                width: video.getBoundingClientRect().width});
  }
  const smallestText = svg => {
    const sizes = [...svg.querySelectorAll("text")].filter(t => t.textContent.trim()).map(t => {
      const m = t.getScreenCTM();
      return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    });
    return sizes.length ? Math.min(...sizes) : null;
  };
  for (const svg of document.querySelectorAll("article .linreg-graph svg")) {
    if (shown(svg)) media.push({kind: "graph", label: svg.getAttribute("aria-label") || "", size: smallestText(svg)});
  }
  for (const figure of document.querySelectorAll("article figure.linreg-explorable")) {
    figure.scrollIntoView({block: "center"});
    const live = figure.querySelector(".linreg-explorable__live");
    for (let waited = 0; live.hidden && waited < 5000; waited += 50) await new Promise(done => setTimeout(done, 50));
    if (live.hidden) {
      media.push({kind: "explorable", label: figure.id + " (never set up)", size: null});
      continue;
    }
    for (const svg of live.querySelectorAll("svg")) {  // a key's swatches (aria-hidden, no words) hold no text
      if (!shown(svg) || svg.getAttribute("aria-hidden") === "true") continue;
      media.push({kind: "explorable", label: figure.id + " " + (svg.getAttribute("aria-label") || ""),
                  size: smallestText(svg)});
    }
  }
  return media;
}"""


def _file(site: Path, src: str) -> Path:
    return site / unquote(urlparse(src).path).lstrip("/")


def text_sizes_shown(page, site: Path) -> list[dict]:
    """Each medium the page shows: ``{"kind", "label", "size"}``, ``size`` its smallest text in CSS px.

    ``size`` is None for a PNG that records no text (a picture without words).
    """
    media = page.evaluate(SHOWN_MEDIA)
    for medium in media:
        if "src" in medium:
            image = Image.open(_file(site, medium["src"]))
            recorded = image.text.get(SMALLEST_TEXT_KEY)
            medium["file"] = Path(urlparse(medium["src"]).path).name
            medium["size"] = None if recorded is None else float(recorded) * medium["width"] / image.width
    return media


def _media_in(site: Path, source: str) -> bool:
    return bool(re.search(r'<(div|figure) class="linreg-(figure|video|explorable|graph)"', page_html(site, source)))


@pytest.mark.parametrize("palette", list(PALETTES))
@pytest.mark.parametrize("source", NAV)
def test_every_figure_reads_on_a_390_px_phone(browser, site_url, built_site, source, palette):
    if not _media_in(built_site, source):
        pytest.skip("no figure on this page")
    with open_page(browser, _page_url(site_url, source, built_site), PALETTES[palette], PHONE) as page:
        media = text_sizes_shown(page, built_site)
    assert media, f"{source}: no figure shown at 390 px"
    unmeasured = [f"{m['kind']} {m['label'][:60]!r}" for m in media if m["size"] is None and m["kind"] != "figure"]
    assert not unmeasured, f"{source}, {palette}: no text measured in " + "; ".join(unmeasured)
    explorables = page_html(built_site, source).count('<figure class="linreg-explorable"')
    live = {m["label"].split()[0] for m in media if m["kind"] == "explorable"}
    assert len(live) == explorables, f"{source}: {explorables} explorables, {len(live)} measured live"
    small = [f"{m['kind']} {m.get('file', '')} ({m['label'][:50]!r}): {m['size']:.1f} px"
             for m in media if m["size"] is not None and m["size"] < MIN_TEXT_PX]
    assert not small, f"{source}, {palette}: text under {MIN_TEXT_PX} px at 390 px:\n" + "\n".join(small)


def _renderings(html: str) -> tuple[set[str], set[str]]:
    """The file names of a page's wide renderings (``<img src>``) and narrow ones (``<source srcset>``)."""
    pictures = re.findall(r"<picture>(.*?)</picture>", html, flags=re.S)  # attributes in any order (an explorable's
    wide = {Path(re.search(r'<img [^>]*\bsrc="([^"#]+)', p)[1]).name for p in pictures}  # markup is re-serialised)
    narrow = {Path(re.search(r'<source [^>]*\bsrcset="([^"]+)"', p)[1]).name for p in pictures}
    return wide, narrow


@pytest.mark.parametrize(("viewport", "fetches"), [(PHONE, "narrow"), (DESKTOP, "wide")], ids=["phone", "desktop"])
@pytest.mark.parametrize("palette", list(PALETTES))
def test_a_first_visit_fetches_only_the_renderings_its_screen_and_palette_show(
        browser, site_url, built_site, viewport, fetches, palette):
    source = max(NAV, key=lambda s: page_html(built_site, s).count("<picture>"))
    wide, narrow = _renderings(page_html(built_site, source))
    assert wide and narrow, f"{source}: no figure with a narrow rendering"
    fetched: list[str] = []
    with open_page(browser, _page_url(site_url, source, built_site), PALETTES[palette], viewport, fetched) as page:
        assert page.evaluate("document.body.dataset.mdColorScheme") == PALETTES[palette]
        page.evaluate("""async () => {
            for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight / 2) {
                scrollTo(0, y); await new Promise(done => setTimeout(done, 40));
            }
        }""")
        page.wait_for_load_state("networkidle")
        shown = {Path(urlparse(src).path).name for src in page.evaluate(
            "[...document.querySelectorAll('article .linreg-figure img')].map(i => i.currentSrc).filter(Boolean)")}
    pngs = {name for name in fetched if name.endswith(".png")}
    other = narrow if fetches == "wide" else wide
    assert pngs & (wide | narrow), f"{source}: no figure fetched at {viewport['width']} px"
    assert not pngs & other, f"{source} at {viewport['width']} px, {palette}: fetched {len(pngs & other)} renderings " \
                             f"it does not show, e.g. {sorted(pngs & other)[:3]}"
    assert shown <= (narrow if fetches == "narrow" else wide)
