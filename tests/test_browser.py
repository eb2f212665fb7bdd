"""The built site in a real browser: the machine's Chromium or Chrome (tests/browsers.py) driven by Playwright.

For every page in both palettes: no console error, no failed request (and none
to another origin), every image decodes, every video plays, no raw TeX shows,
and axe-core finds no serious or critical accessibility violation. Plus the
palette toggle and search. A screenshot of each page and palette goes to
``test-artifacts/screenshots/`` for humans to look at.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from pathlib import Path

import browsers
import pytest
from test_site import NAV, html_path

pytestmark = [pytest.mark.browser, pytest.mark.site]

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PALETTES = {"light": "default", "dark": "slate"}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_url(built_site):
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    try:
        executable = browsers.find_browser()
    except browsers.BrowserNotFound as error:
        pytest.fail(str(error))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(executable), args=FLAGS)
        yield browser
        browser.close()


def _page_url(site_url: str, source: str, built_site: Path) -> str:
    relative = html_path(built_site, source).parent.relative_to(built_site).as_posix()
    return site_url + ("" if relative == "." else relative + "/")


@contextlib.contextmanager
def _open(browser, url: str, scheme: str):
    """Yield ``(page, problems)`` for ``url`` in ``scheme``; ``problems`` collects errors and stray requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    # Material remembers the palette in localStorage: pick it before the page loads.
    index = 0 if scheme == "default" else 1
    context.add_init_script(
        f"localStorage.setItem('{url.split('/')[2]}/.__palette', '');"
        f"localStorage.setItem('/.__palette', JSON.stringify({{index: {index}, color: {{scheme: '{scheme}'}}}}));"
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url} ({r.failure})"))
    page.on("request", lambda r: problems.append(f"request to another origin: {r.url}")
            if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    try:
        page.goto(url, wait_until="networkidle")
        yield page, problems
    finally:
        context.close()


# axe-core's run, given ``[within, coloursOnly]``: every rule it runs by default, or with ``coloursOnly`` those
# of them that read colours (tagged cat.color: colour contrast, links told apart by colour alone). The other
# rules see the same elements, attributes and layout in both palettes.
_AXE_RUN = """async ([within, coloursOnly]) => {
    const options = {resultTypes: ['violations']};
    if (coloursOnly) {
        const colours = new Set(axe.getRules(['cat.color']).map(rule => rule.ruleId));
        options.rules = Object.fromEntries(axe.getRules().filter(rule => !colours.has(rule.ruleId))
            .map(rule => [rule.ruleId, {enabled: false}]));
    }
    const results = await axe.run(within ? {include: [[within]]} : document, options);
    return {
        ran: [...results.passes, ...results.violations, ...results.incomplete].map(rule => rule.id),
        serious: results.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.id} (${v.impact}): ${v.help} x${v.nodes.length}`),
    };
}"""


def _axe(page, within: str | None = None, colours_only: bool = False) -> dict[str, list[str]]:
    """axe-core on ``page`` (or in the elements ``within`` selects): the rules that found elements to check
    (``ran``) and the serious and critical violations, one line each (``serious``)."""
    from axe_playwright_python.sync_playwright import Axe

    page.evaluate(Axe().axe_script)
    return page.evaluate(_AXE_RUN, [within, colours_only])


def _serious_accessibility_violations(page, within: str | None = None) -> list[str]:
    """axe-core's serious and critical violations on ``page`` (or in the elements ``within`` selects), one line each."""
    return _axe(page, within)["serious"]


def _set_palette(page, scheme: str) -> None:
    if page.evaluate("document.body.getAttribute('data-md-color-scheme')") != scheme:
        page.locator("form[data-md-component=palette] label:visible").first.click()
        page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') === '{scheme}'")


@pytest.mark.parametrize("palette", list(PALETTES))
@pytest.mark.parametrize("source", NAV)
def test_page_renders_cleanly_in_both_palettes(browser, site_url, built_site, source, palette):
    scheme = PALETTES[palette]
    with _open(browser, _page_url(site_url, source, built_site), scheme) as (page, problems):
        _set_palette(page, scheme)
        # every image decodes (lazy ones are scrolled into view first)
        page.evaluate("""async () => {
            for (const img of document.images) { img.loading = 'eager'; img.scrollIntoView(); }
            await Promise.all([...document.images].map(i => i.decode().catch(() => null)));
        }""")
        broken = page.evaluate("[...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
                               ".map(i => i.currentSrc || i.src)")
        assert not broken, f"images that did not decode: {broken}"
        # every video plays
        played = page.evaluate("""async () => Promise.all([...document.querySelectorAll('video')].map(async v => {
            v.muted = true;
            try { await v.play(); } catch (e) { return 'play() failed: ' + e; }
            await new Promise(r => setTimeout(r, 600));
            return v.currentTime > 0 && v.videoWidth > 0 ? 'ok' : 'stalled at ' + v.currentTime;
        }))""")
        assert all(state == "ok" for state in played), f"videos: {played}"
        # math was typeset when the site was built (test_page_weight.py checks every formula)
        if page.locator(".arithmatex, .jp-MarkdownOutput").count():
            raw = page.evaluate("(() => { const a = document.querySelector('article').cloneNode(true);"
                                " a.querySelectorAll('pre, code, .katex-mathml').forEach(c => c.remove());"
                                " return a.textContent; })()")
            assert "\\frac" not in raw and "$$" not in raw, "raw TeX left on the page"
        # accessibility: every rule in the light palette; in the dark one, the rules that read colours
        axe = _axe(page, colours_only=palette == "dark")
        assert "color-contrast" in axe["ran"], f"axe-core did not check colour contrast: {axe['ran']}"
        assert palette == "light" or "region" not in axe["ran"], "the dark run repeats rules that read no colour"
        assert not axe["serious"], "axe-core: " + "; ".join(axe["serious"])
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = source.replace("/", "_").rsplit(".", 1)[0]
        page.evaluate("window.scrollTo(0, 0)")
        # Back at the top, the header shows the site name again: wait for Material to switch it,
        # and animations="disabled" finishes the fade, so the screenshot shows one title, not two.
        page.wait_for_function("!document.querySelector('.md-header__title--active')", timeout=5000)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{palette}.png"), full_page=False, animations="disabled")
        # every printed output, solutions' included, shows its lines whole on a desktop (a long one wraps),
        # and so does every code cell (tests/test_tooling.py holds their lines to 80 characters), every code
        # block in a notebook's prose and every block of library code a page shows (test_site.py)
        hidden_ends = page.evaluate("""() => {
            for (const details of document.querySelectorAll('article details')) details.open = true;
            const wide = selector => [...document.querySelectorAll(selector)]
                .filter(box => box.scrollWidth > box.clientWidth + 1)
                .filter(box => !box.closest('details')?.querySelector('summary')?.textContent
                    .startsWith("PyTorch's own code"))  // shown as PyTorch wrote it
                .map(box => box.textContent.trim().slice(0, 60));
            const code = '.jp-CodeCell .jp-InputArea pre, .jp-MarkdownCell pre, details.linreg-source pre';
            return {outputs: wide('.jp-OutputArea'), code: wide(code)};
        }""")
        assert not hidden_ends["outputs"], f"outputs wider than the column at 1280 px: {hidden_ends['outputs']}"
        wide_code = hidden_ends["code"]
        assert not wide_code, f"{len(wide_code)} code cells wider than the column at 1280 px, e.g. {wide_code[:3]}"
        assert not problems, "\n".join(problems)


def test_palette_toggle_switches_between_light_and_dark(browser, site_url):
    with _open(browser, site_url, "default") as (page, problems):
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "default"
        _set_palette(page, "slate")
        _set_palette(page, "default")
        assert not problems, "\n".join(problems)


def test_a_code_cells_copy_button_copies_the_code_the_cell_shows(browser, site_url, built_site):
    url = _page_url(site_url, "tutorials/01-tensors.ipynb", built_site)
    with _open(browser, url, "default") as (page, problems):
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        editor = page.locator(".jp-CodeCell .jp-InputArea-editor").first
        button = editor.get_by_role("button", name="Copy to clipboard")
        button.click()
        page.wait_for_selector(".md-dialog--active:has-text('Copied to clipboard')")
        shown = editor.locator("pre").evaluate("pre => pre.textContent").removesuffix("\n")
        assert page.evaluate("navigator.clipboard.readText()") == shown
        assert "import torch" in shown
        assert not problems, "\n".join(problems)


def test_search_finds_autograd(browser, site_url):
    with _open(browser, site_url, "default") as (page, problems):
        page.locator("label.md-search__icon, .md-search__input").first.click()
        # typed key by key: Material's search reacts to keyboard events, not to fill()
        page.locator("input.md-search__input").press_sequentially("autograd", delay=30)
        page.wait_for_selector(".md-search-result__item", timeout=15000)
        results = page.locator(".md-search-result__item").all_inner_texts()
        assert any("autograd" in r.lower() for r in results), results
        assert not problems, "\n".join(problems)
