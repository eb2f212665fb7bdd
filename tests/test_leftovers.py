"""Specification: a build and a test run leave no file outside the project and its caches.

Page 11's failure demo makes torch's spawn leave a ``pytorch-errorfile-*.pickle``
in the temporary folder of the process that started the ranks (a build's kernel,
or a test), and nothing removes it. The build gives each kernel a temporary
folder of its own and removes it afterwards (``tests/test_execution_cache.py``
checks a kernel's); a test run gives itself a temporary folder and removes it
when it ends, and pytest's own folders live in ``.cache/tmp`` (``tests/conftest.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPORARY = ROOT / ".cache" / "tmp"

INNER_TEST = '''
import subprocess, sys, tempfile


def test_that_leaves_temporary_files_behind():
    # what torch's spawn does for each rank: a file in the temporary folder that nothing removes
    tempfile.NamedTemporaryFile(prefix="pytorch-errorfile-", suffix=".pickle", delete=False).close()
    subprocess.run([sys.executable, "-c", "import tempfile; tempfile.mkstemp()"], check=True)
'''


def test_this_test_run_has_a_temporary_folder_of_its_own_and_pytest_keeps_its_folders_in_the_cache(tmp_path):
    assert Path(tempfile.gettempdir()).name.startswith("linreg-run-")
    assert os.environ["TMPDIR"] == tempfile.gettempdir()  # what the processes it starts inherit
    assert tmp_path.is_relative_to(TEMPORARY)


@pytest.mark.slow
def test_a_test_run_leaves_nothing_in_the_systems_temporary_folder(tmp_path):
    system = tmp_path / "system-tmp"  # the temporary folder the run is started with
    system.mkdir()
    (tmp_path / "test_inner.py").write_text(INNER_TEST)
    env = {**os.environ, "TMPDIR": str(system), "PYTHONPATH": str(ROOT / "tests")}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "conftest", "-p", "no:cacheprovider",
                             str(tmp_path / "test_inner.py")], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(system.iterdir()) == []  # the run's own folder, and what the test left in it, went when it ended


@pytest.mark.site
def test_the_site_build_left_nothing_in_its_temporary_folder(built_site):
    assert (built_site / ".build-leftovers.txt").read_text() == ""
