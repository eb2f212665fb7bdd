"""Specification of what `make build` says about a page it cannot read: one line naming the file and the problem.

What a bad merge or an interrupted save leaves (a notebook cut short, conflict
markers, a cell of an unknown type) fails the build with the file named and
what is wrong with it, not a traceback from deep inside a JSON parser. Each case
builds a copy of the project with one page damaged; the build stops before it
executes or renders anything.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from projects import copy_of_the_project

pytestmark = pytest.mark.slow

NOTEBOOK = Path("docs") / "tutorials" / "03-autograd.ipynb"
MARKDOWN = Path("docs") / "index.md"


def _truncated(text: str) -> str:
    return text[: len(text) // 2]


def _conflicted(text: str) -> str:
    middle = text.index("\n", len(text) // 2) + 1
    return text[:middle] + "<<<<<<< HEAD\n" + text[middle:] + "=======\n>>>>>>> other-branch\n"


def _unknown_cell_type(text: str) -> str:
    return text.replace('"cell_type": "code"', '"cell_type": "spreadsheet"', 1)


CASES = {
    "a notebook cut short": (NOTEBOOK, _truncated, "ends before the notebook does (a truncated file?)"),
    "conflict markers in a notebook": (NOTEBOOK, _conflicted, "has merge conflict markers (line"),
    "a cell of an unknown type": (NOTEBOOK, _unknown_cell_type, "is not a valid notebook"),
    "conflict markers in a Markdown page": (MARKDOWN, _conflicted, "has merge conflict markers ('<<<<<<<'"),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("damaged")
    env = copy_of_the_project(root / "project", cache=root / "cache")
    return root / "project", env


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_unreadable_page_fails_the_build_in_one_line_naming_it(project, case, tmp_path):
    root, env = project
    path, damage, problem = CASES[case]
    original = (root / path).read_text()
    (root / path).write_text(damage(original))
    try:
        result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                                 str(tmp_path / "site")], cwd=root, env=env, capture_output=True, text=True)
    finally:
        (root / path).write_text(original)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    (line,) = [line for line in output.splitlines() if path.as_posix() in line]
    assert problem in line
