"""`make quick`: the edit-test loop — the unit tests that start no kernel, then the claims of the pages you changed.

    quick.py                  unit tests, then the claims tests of the changed pages
    quick.py --pages 02 11    the claims tests of pages 2 and 11 (``make quick PAGES="02 11"``)
    quick.py --list           print the claims tests it would run, and stop

A page changed when its notebook (or the home page's ``docs/index.md``) or its
claims test differs from git's HEAD, or when a ``linreg`` module it imported
does: the build records each notebook's imports beside its cache entry
(``.cache/site/executed/*.imports.json``), so an edit to ``linreg/tuning.py``
selects page 12 and no other. A changed file of ``linreg`` that is no module,
or a changed module while no imports are recorded yet, selects every page.
The claims tests read the executed pages: a page whose code changed executes
again first (the build does it, through its cache).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE_TESTS = sorted((ROOT / "tests").glob("test_page_*.py"))


def changed_files(root: Path = ROOT) -> list[str]:
    """Paths (from the project root) that differ from git's HEAD: edited, staged, added or untracked."""
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "-z"], cwd=root,
                            capture_output=True, text=True, check=True).stdout
    entries, paths = iter(status.split("\0")), set()
    for entry in entries:
        if len(entry) > 3:
            paths.add(entry[3:])
            if entry[0] in "RC":  # a rename or copy: the next entry is the path it came from
                paths.add(next(entries, ""))
    return sorted(paths - {""})


def recorded_imports(cache: Path) -> dict[str, set[str]]:
    """The linreg modules each page's last execution imported, by page number (``"02"``)."""
    pages: dict[str, set[str]] = {}
    for record in sorted((cache / "executed").glob("*.imports.json")):
        try:
            modules = json.loads(record.read_text())["modules"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        pages.setdefault(record.name[:2], set()).update(modules)
    return pages


def pages_to_check(changed: list[str], imports: dict[str, set[str]], all_pages: list[str]) -> list[str]:
    """The page numbers whose claims the changes can affect.

    >>> pages_to_check(["linreg/tuning.py", "README.md"], {"11": {"linreg"}, "12": {"linreg.tuning"}}, ["11", "12"])
    ['12']
    >>> pages_to_check(["docs/tutorials/02-gradient-descent.ipynb", "docs/index.md"], {}, ["02", "03"])
    ['00', '02']
    """
    pages: set[str] = set()
    for path in changed:
        if match := re.fullmatch(r"docs/tutorials/(\d\d)-[^/]+\.ipynb|tests/test_page_(\d\d)\w*\.py", path):
            pages.add(match[1] or match[2])
        elif path in ("docs/index.md", "tests/test_page_00_home.py"):
            pages.add("00")
        elif path.startswith("linreg/"):
            module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
            if not path.endswith(".py") or not imports:
                pages.update(all_pages)
            else:
                pages.update(page for page, modules in imports.items() if module in modules)
    return sorted(page for page in pages if page in all_pages or page == "00")


def page_tests(pages: list[str]) -> list[str]:
    return [str(path.relative_to(ROOT)) for path in PAGE_TESTS if path.name[len("test_page_"):][:2] in pages]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", nargs="*", help="page numbers (02 11) instead of the changed pages")
    parser.add_argument("--list", action="store_true", help="print the claims tests it would run, and stop")
    args = parser.parse_args(argv)
    all_pages = sorted({path.name[len("test_page_"):][:2] for path in PAGE_TESTS})
    if args.pages:
        pages = sorted(page.zfill(2) for page in args.pages)
    else:
        cache = Path(os.environ.get("LINREG_CACHE_DIR", ROOT / ".cache" / "site"))
        pages = pages_to_check(changed_files(), recorded_imports(cache), all_pages)
    tests = page_tests(pages)
    print(f"Claims tests of the changed pages: {' '.join(tests) or 'none'}", flush=True)
    if args.list:
        return 0
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    python = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    unit = subprocess.run([*python, "-n", "2", "-m", "not site and not slow"], cwd=ROOT, env=env)
    if unit.returncode or not tests:
        return unit.returncode
    return subprocess.run([*python, *tests], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
