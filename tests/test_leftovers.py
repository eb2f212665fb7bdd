"""Specification: a build and a test run leave no file outside the project and its caches.

Page 11's failure demo makes torch's spawn leave a ``pytorch-errorfile-*.pickle``
in the temporary folder of the process that started the ranks (a build's kernel,
or a test), and nothing removes it. The build gives each kernel a temporary
folder of its own under ``.cache/site/tmp`` and removes it afterwards
(``tests/test_execution_cache.py`` checks a kernel's); a test run puts its
temporary files under ``.cache/tmp`` and removes them when it ends
(``tests/conftest.py``).
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


def test_this_test_run_keeps_its_temporary_files_in_the_projects_cache(tmp_path):
    assert Path(tempfile.gettempdir()).is_relative_to(TEMPORARY)
    assert Path(os.environ["TMPDIR"]).is_relative_to(TEMPORARY)  # what the processes it starts inherit
    assert tmp_path.is_relative_to(TEMPORARY)


@pytest.mark.slow
def test_a_test_run_leaves_nothing_in_the_systems_temporary_folder(tmp_path):
    system = tmp_path / "system-tmp"  # the temporary folder the run is started with
    system.mkdir()
    (tmp_path / "test_inner.py").write_text(INNER_TEST)
    before = set(TEMPORARY.glob("run-*"))
    env = {**os.environ, "TMPDIR": str(system), "PYTHONPATH": str(ROOT / "tests")}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "conftest", "-p", "no:cacheprovider",
                             str(tmp_path / "test_inner.py")], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(system.iterdir()) == []
    assert set(TEMPORARY.glob("run-*")) <= before  # the run's own folder went when it ended


@pytest.mark.site
def test_the_site_build_left_nothing_in_its_temporary_folder(built_site):
    assert (built_site / ".build-leftovers.txt").read_text() == ""
