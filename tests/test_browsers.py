"""Specification of browser discovery for the browser tests (tests/browsers.py), on fake machines."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import browsers
import pytest


def _executable(path: Path, text: str = "#!/bin/sh\nexec real-browser \"$@\"\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def _find(environ=None, path_dirs=(), app_dirs=(), playwright=None) -> Path:
    return browsers.find_browser(
        environ={} if environ is None else environ,
        search_path=os.pathsep.join(str(d) for d in path_dirs),
        app_dirs=list(app_dirs),
        playwright_chromium=lambda: playwright,
    )


def test_the_environment_variable_wins(tmp_path):
    chosen = _executable(tmp_path / "mine" / "my-chrome")
    on_path = _executable(tmp_path / "bin" / "chromium")
    assert _find({"LINREG_BROWSER": str(chosen)}, [on_path.parent]) == chosen


def test_an_environment_variable_naming_nothing_runnable_is_an_error_not_ignored(tmp_path):
    with pytest.raises(browsers.BrowserNotFound, match=r"LINREG_BROWSER names .*nowhere"):
        _find({"LINREG_BROWSER": str(tmp_path / "nowhere")}, [_executable(tmp_path / "bin" / "chromium").parent])


def test_a_chromium_on_path_is_found(tmp_path):
    chromium = _executable(tmp_path / "bin" / "chromium")
    assert _find(path_dirs=[tmp_path / "empty", chromium.parent]) == chromium


def test_google_chrome_on_path_is_found_as_on_githubs_ubuntu_runners(tmp_path):
    chrome = _executable(tmp_path / "usr" / "bin" / "google-chrome")
    assert _find(path_dirs=[chrome.parent]) == chrome


def test_debians_chromium_launcher_script_is_a_browser_not_a_stub():
    debian = Path("/usr/bin/chromium")
    if not debian.exists():
        pytest.skip("no /usr/bin/chromium on this machine")
    assert not browsers.is_snap_stub(debian)


def test_a_link_into_snap_is_skipped_for_the_next_browser(tmp_path):
    snap = _executable(tmp_path / "usr" / "bin" / "snap", "\x7fELF snapd")  # /snap/bin/chromium -> /usr/bin/snap
    stub_dir = tmp_path / "snap" / "bin"
    stub_dir.mkdir(parents=True)
    (stub_dir / "chromium").symlink_to(snap)
    chrome = _executable(tmp_path / "opt" / "google-chrome")
    assert browsers.is_snap_stub(stub_dir / "chromium")
    assert _find(path_dirs=[stub_dir, chrome.parent]) == chrome


def test_ubuntus_chromium_browser_script_that_wants_the_snap_is_skipped(tmp_path):
    stub = _executable(tmp_path / "bin" / "chromium-browser",
                       "#!/bin/sh\nif [ -x /snap/bin/chromium ]; then exec /snap/bin/chromium \"$@\"; fi\n"
                       "echo 'Command requires the chromium snap to be installed.'\n")
    with pytest.raises(browsers.BrowserNotFound, match=r"chromium-browser \(Ubuntu's snap launcher: skipped\)"):
        _find(path_dirs=[stub.parent])


def test_the_macos_application_bundles_are_found(tmp_path):
    chrome = _executable(tmp_path / "Applications" / "Google Chrome.app" / "Contents" / "MacOS" / "Google Chrome")
    assert _find(app_dirs=[tmp_path / "Applications"]) == chrome


def test_playwrights_own_chromium_is_the_last_resort(tmp_path):
    bundled = _executable(tmp_path / "ms-playwright" / "chromium-1200" / "chrome-linux" / "chrome")
    assert _find(playwright=bundled) == bundled


def test_no_browser_fails_listing_everything_tried(tmp_path):
    with pytest.raises(browsers.BrowserNotFound) as error:
        _find(path_dirs=[tmp_path / "bin"], app_dirs=[tmp_path / "Applications"],
              playwright=tmp_path / "ms-playwright" / "chrome")
    message = str(error.value)
    for tried in ("$LINREG_BROWSER", "chromium, chromium-browser, google-chrome", "Google Chrome",
                  "Playwright's Chromium", "playwright install chromium"):
        assert tried in message


def test_this_machine_has_a_browser_for_the_browser_tests():
    found = browsers.find_browser()
    assert os.access(found, os.X_OK) and not browsers.is_snap_stub(found)
    if shutil.which("chromium") == "/usr/bin/chromium":  # Debian here: apt's Chromium stays the one
        assert found == Path("/usr/bin/chromium")
