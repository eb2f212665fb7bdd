"""Specification of `make quick` (scripts/quick.py): which pages' claims the edit-test loop checks.

A page is checked when its notebook or claims test changed since git's HEAD, or
when a linreg module it imported did (the imports each execution recorded).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import quick  # noqa: E402

ALL = ["01", "02", "11", "12"]
IMPORTS = {"01": {"linreg", "linreg.tables"}, "02": {"linreg", "linreg.scratch"},
           "11": {"linreg", "linreg.distributed"}, "12": {"linreg", "linreg.tuning"}}


def test_a_changed_notebook_or_claims_test_selects_its_page():
    assert quick.pages_to_check(["docs/tutorials/02-gradient-descent.ipynb", "tests/test_page_11.py"],
                                IMPORTS, ALL) == ["02", "11"]


def test_a_changed_module_selects_the_pages_that_imported_it_and_no_other():
    assert quick.pages_to_check(["linreg/tuning.py"], IMPORTS, ALL) == ["12"]
    assert quick.pages_to_check(["linreg/__init__.py"], IMPORTS, ALL) == ALL


def test_without_recorded_imports_or_for_a_data_file_every_page_is_checked():
    assert quick.pages_to_check(["linreg/tuning.py"], {}, ALL) == ALL
    assert quick.pages_to_check(["linreg/table.csv"], IMPORTS, ALL) == ALL


def test_changes_to_other_files_select_no_page():
    assert quick.pages_to_check(["README.md", "hooks/render.py", "tests/test_site.py"], IMPORTS, ALL) == []


def test_the_recorded_imports_are_read_per_page(tmp_path):
    (tmp_path / "executed").mkdir()
    for name, modules in (("12-hyperparameter-search-0123456789abcdef0123", ["linreg.tuning"]),
                          ("02-gradient-descent-0123456789abcdef0123", ["linreg.scratch"])):
        (tmp_path / "executed" / f"{name}.imports.json").write_text(json.dumps({"modules": modules}))
    (tmp_path / "executed" / "05-models-0123456789abcdef0123.imports.json").write_text("{cut short")
    assert quick.recorded_imports(tmp_path) == {"02": {"linreg.scratch"}, "12": {"linreg.tuning"}}


def test_changed_files_are_the_edited_added_and_renamed_paths(tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    for name in ("kept.md", "edited.md", "moved.md"):
        (tmp_path / name).write_text(name)
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "start")
    (tmp_path / "edited.md").write_text("changed")
    (tmp_path / "new.md").write_text("new")
    git("mv", "moved.md", "renamed.md")
    assert quick.changed_files(tmp_path) == ["edited.md", "moved.md", "new.md", "renamed.md"]
