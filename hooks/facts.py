"""Facts about the project that Markdown pages state, taken from the code when the site is built.

A page writes ``{{ build:notebooks }}`` where it means "how many tutorial
notebooks there are", and the build puts the number in its place, as
``linreg.glue`` does for the numbers a notebook computes: a figure typed into a
page goes stale when the code changes (the contributors' page said 11 notebooks
long after the twelfth came). A citation of a fact that does not exist fails
the build.

Facts, each computed from the project's files on every build (cheap):

* ``notebooks`` — the tutorial notebooks under ``docs/``;
* ``hint_seconds`` — the sum of ``hooks/notebook-seconds.json`` (kernel seconds);
* ``pin:NAME`` — the version ``requirements/lock.txt`` pins for package NAME;
* ``range:NAME`` — the range ``pyproject.toml`` allows for NAME (e.g. ``>=1.6,<1.7``);
* ``kib:PATH`` — the size of a file of the project, in KiB (one decimal);
* ``builder_modules`` — the project's Python files that import MkDocs or one of
  its plugins, as a list of code spans.

Example (what a page writes, and which fact it cites):

    >>> CITATION.findall("The site has {{ build:notebooks }} notebooks, torch {{ build:pin:torch }}.")
    ['notebooks', 'pin:torch']
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A citation; one written with a backslash before it (\{{ build:notebooks }}) is shown as written.
CITATION = re.compile(r"(?<!\\)\{\{\s*build:([\w.:/-]+)\s*\}\}")
ESCAPED = re.compile(r"\\(\{\{\s*build:[\w.:/-]+\s*\}\})")
# What ties a file to the builder: MkDocs, its theme, its plugins, the Markdown they extend.
BUILDER_IMPORT = re.compile(r"^\s*(?:from|import)\s+(mkdocs|material|mkdocstrings|mkdocs_jupyter|markdown_exec|"
                            r"mkdocs_autorefs|markdown|pymdownx)\b", re.MULTILINE)


class FactError(ValueError):
    """A page cites a fact the build does not know."""


def _pin(root: Path, name: str) -> str:
    for line in (root / "requirements" / "lock.txt").read_text().splitlines():
        package, _, version = line.partition("==")
        if package.strip().lower() == name.lower() and version:
            return version.split(";")[0].strip()
    raise FactError(f"requirements/lock.txt pins no {name}")


def _range(root: Path, name: str) -> str:
    found = re.search(rf'"{re.escape(name)}(?P<range>[<>=!~][^";\[]*)', (root / "pyproject.toml").read_text())
    if not found:
        raise FactError(f"pyproject.toml gives no range for {name}")
    return found["range"]


def _builder_modules(root: Path) -> str:
    files = sorted(path.relative_to(root).as_posix() for folder in ("hooks", "scripts", "benchmarks", "tests")
                   for path in (root / folder).rglob("*.py") if BUILDER_IMPORT.search(path.read_text()))
    return ", ".join(f"`{name}`" for name in files)


def _notebooks(root: Path) -> str:
    docs = root / "docs"  # as MkDocs sees them: hidden folders (.ipynb_checkpoints) are not pages
    return str(sum(1 for path in docs.rglob("*.ipynb")
                   if not any(part.startswith(".") for part in path.relative_to(docs).parts)))


def _hint_seconds(root: Path) -> str:
    return f"{sum(json.loads((root / 'hooks' / 'notebook-seconds.json').read_text()).values()):.0f}"


FACTS: dict[str, Callable[[Path, str], str]] = {
    "notebooks": lambda root, _: _notebooks(root),
    "hint_seconds": lambda root, _: _hint_seconds(root),
    "pin": _pin,
    "range": _range,
    "kib": lambda root, path: f"{(root / path).stat().st_size / 1024:.1f}",
    "builder_modules": lambda root, _: _builder_modules(root),
}


def fact(name: str, root: Path = ROOT) -> str:
    """The value of fact ``name`` (``kind`` or ``kind:argument``) for the project at ``root``."""
    kind, _, argument = name.partition(":")
    if kind not in FACTS:
        raise FactError(f"no fact called {kind!r} (known: {', '.join(sorted(FACTS))})")
    return FACTS[kind](root, argument)


def fill(markdown: str, root: Path = ROOT, *, where: str) -> str:
    """``markdown`` with every ``{{ build:NAME }}`` replaced by the fact's value; FactError names the page."""
    def value(match: re.Match) -> str:
        try:
            return fact(match[1], root)
        except (FactError, OSError) as error:
            raise FactError(f"{where}: {{{{ build:{match[1]} }}}}: {error}") from None

    return ESCAPED.sub(r"\1", CITATION.sub(value, markdown))
