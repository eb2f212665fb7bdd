"""Find the Chromium-family browser this machine has, for the browser tests.

In order: the browser named by ``$LINREG_BROWSER``; a Chromium or Chrome on
PATH (Debian's ``chromium``, GitHub's Ubuntu runners' ``google-chrome`` or
``chromium``), skipping Ubuntu's snap stubs (``/snap/bin/chromium`` and the
``chromium-browser`` script that only says "install the snap", neither of which
runs on a CI runner); the usual macOS application bundles; Playwright's own
Chromium (downloaded by ``playwright install chromium``). When there is none,
:class:`BrowserNotFound` says everything that was tried.

Run as a script, it prints the browser found (exit 0) or what was tried (exit 1);
``--install`` first runs ``playwright install chromium`` when nothing is found.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

ENV_VAR = "LINREG_BROWSER"
PATH_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
MACOS_APPS = (
    "Google Chrome.app/Contents/MacOS/Google Chrome",
    "Chromium.app/Contents/MacOS/Chromium",
)
MACOS_APP_DIRS = (Path("/Applications"), Path.home() / "Applications")
# `playwright install chromium` downloads ~150 MB; give up after this long.
INSTALL_TIMEOUT_S = 600


class BrowserNotFound(RuntimeError):
    """No usable Chromium or Chrome: the message lists every place looked at."""


def is_snap_stub(path: Path) -> bool:
    """Whether ``path`` is Ubuntu's snap launcher for Chromium rather than a browser that runs here.

    ``/snap/bin/chromium`` (directly or through a symlink) needs snapd, which
    CI runners and containers lack; Ubuntu's ``chromium-browser`` package is a
    shell script that runs that snap or asks for it to be installed.
    """
    resolved = Path(os.path.realpath(path))
    if resolved.parts[:2] == ("/", "snap") or resolved.name == "snap":
        return True
    try:
        with open(resolved, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return head.startswith(b"#!") and b"/snap/" in head


def _usable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _playwright_chromium() -> Path | None:
    """Where Playwright keeps its own Chromium (whether or not it was downloaded), or None without Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as p:
        return Path(p.chromium.executable_path)


def find_browser(
    environ: Mapping[str, str] | None = None,
    search_path: str | None = None,
    names: Sequence[str] = PATH_NAMES,
    app_dirs: Sequence[Path] = MACOS_APP_DIRS,
    playwright_chromium: Callable[[], Path | None] = _playwright_chromium,
) -> Path:
    """The browser to drive, by the rules of this module; raise :class:`BrowserNotFound` listing what was tried.

    The arguments exist for tests (a fake environment, PATH, app folders, Playwright).
    """
    environ = os.environ if environ is None else environ
    search_path = environ.get("PATH", os.defpath) if search_path is None else search_path
    tried: list[str] = []

    named = environ.get(ENV_VAR)
    if named:
        path = Path(named).expanduser()
        if _usable(path):
            return path
        raise BrowserNotFound(f"${ENV_VAR} names {named}, which is not an executable file")
    tried.append(f"${ENV_VAR} (not set)")

    for name in names:
        found = shutil.which(name, path=search_path)
        if found is None:
            continue
        if is_snap_stub(Path(found)):
            tried.append(f"{found} (Ubuntu's snap launcher: skipped)")
            continue
        return Path(found)
    tried.append(f"{', '.join(names)} on PATH")

    for folder in app_dirs:
        for app in MACOS_APPS:
            if _usable(folder / app):
                return folder / app
    tried.append(" and ".join(f"{folder}/{{{', '.join(a.split('.app')[0] for a in MACOS_APPS)}}}.app"
                              for folder in app_dirs))

    bundled = playwright_chromium()
    if bundled is not None and _usable(bundled):
        return bundled
    tried.append(f"Playwright's Chromium ({bundled or 'Playwright is not installed'})")

    raise BrowserNotFound(
        "No Chromium or Chrome found. Tried: " + "; ".join(tried) + ".\n"
        f"Install one (Debian: apt-get install chromium; macOS: Google Chrome), set {ENV_VAR} "
        "to a Chromium-family browser, or download Playwright's: .venv/bin/python -m playwright install chromium"
    )


def install_playwright_chromium() -> bool:
    """Run ``playwright install chromium``; whether it succeeded (False where its CDN is unreachable)."""
    try:
        result = subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"],
                                timeout=INSTALL_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def main(argv: Sequence[str]) -> int:
    try:
        print(find_browser())
        return 0
    except BrowserNotFound as error:
        if "--install" not in argv:
            print(error, file=sys.stderr)
            return 1
    print("No browser found; downloading Playwright's Chromium", file=sys.stderr)
    if install_playwright_chromium():
        try:
            print(find_browser())
            return 0
        except BrowserNotFound as error:
            print(error, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
