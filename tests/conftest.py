"""Shared fixtures: the project's paths, and the site built once per test session."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the build (the hooks package) is tested directly

# A test run leaves no file outside the project and its caches. What tests and the processes
# they start put in the temporary folder (torch's spawn leaves a pytorch-errorfile-*.pickle per
# failing rank, Chromium a profile) goes to a folder of this process's own, removed when the run
# ends; pytest's own tmp_path folders go to .cache/tmp/pytest-of-<user>, where pytest keeps the
# last three runs as it would in /tmp. The run's folder is in the system's temporary folder, not
# in the project: multiprocessing puts sockets in TMPDIR, and a socket's path may not exceed 108
# bytes, which a folder deep in a checkout (with a kernel's folder inside it) would.
TEMPORARY = ROOT / ".cache" / "tmp"
RUN_TEMPORARY = Path(tempfile.mkdtemp(prefix="linreg-run-"))
# The folder of the whole run: the first process's own (pytest-xdist's workers are started by
# it and inherit the variable), where the site is built once for every worker (`built_site`).
SHARED_TEMPORARY = Path(os.environ.setdefault("LINREG_TEST_RUN_DIR", str(RUN_TEMPORARY)))
os.environ["TMPDIR"] = str(RUN_TEMPORARY)
os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", str(TEMPORARY))
TEMPORARY.mkdir(parents=True, exist_ok=True)
tempfile.tempdir = None  # read TMPDIR again


def pytest_unconfigure(config):
    shutil.rmtree(RUN_TEMPORARY, ignore_errors=True)


# The longest test, a second cold execution of every notebook (minutes), goes first: under
# pytest-xdist (`make test` runs `--dist worksteal`) it then runs beside the rest of the suite
# instead of starting late and running alone at the end.
FIRST = ("tests/test_determinism.py::",)


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: not item.nodeid.startswith(FIRST))  # stable: the rest keep their order


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def recipe_d():
    """Recipe D (pages 2 and 4): the line whose loss surface the surface and optimizer tests walk."""
    from linreg import data

    return data.surface_line_data()


@pytest.fixture(scope="session")
def small_surface(recipe_d):
    """Recipe D's MSE on a coarse 17 × 21 grid of (bias, weight): enough to draw contours, quick to compute."""
    import numpy as np

    from linreg import surfaces

    return surfaces.loss_surface(*recipe_d, np.linspace(-20, 5, 21), np.linspace(-15, 5, 17))


@pytest.fixture(scope="session")
def built_site() -> Path:
    """Build the whole site once (strict) for the whole test run and return its folder.

    Executed notebooks come from the project's cache (.cache/site), so after a
    `make build` this takes seconds; on a fresh clone it executes every page.
    Under pytest-xdist the first worker to need the site builds it, in the run's
    own temporary folder, and the others wait for it and read the same files:
    one build per run, not one per worker. Tests only read it.
    """
    site = SHARED_TEMPORARY / "site"
    done = site / ".build-log.txt"  # written last: a site without it is not finished
    with open(SHARED_TEMPORARY / "site-build.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            _build_site(site, done)
    return site


def _build_site(site: Path, done: Path) -> None:
    # The build's temporary folder, empty: whatever it holds afterwards, the build left behind
    # (test_leftovers.py reads .build-leftovers.txt). Short, for the sockets of the kernels' processes.
    temporary = Path(tempfile.mkdtemp(prefix="build-"))
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NBCONVERT_DISABLE_CONFIG_EXPORTERS": "1",
           "TMPDIR": str(temporary)}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{result.stdout[-4000:]}\n{result.stderr[-8000:]}")
    (site / ".build-leftovers.txt").write_text("".join(f"{path}\n" for path in sorted(temporary.rglob("*"))))
    shutil.rmtree(temporary, ignore_errors=True)
    done.write_text(result.stderr)


NUMBER = r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?"


class ExecutedPage:
    """A tutorial page as the build executed it: what its claims tests read.

    ``glue`` holds the values its cells recorded with ``linreg.glue`` (the
    numbers its prose cites), ``markdown`` its prose with those values filled
    in, ``text`` everything its code cells printed, ``alts`` the alt texts of
    its figures and videos.
    """

    def __init__(self, path: Path):
        import nbformat

        self.path = path
        self.notebook = nbformat.read(path, as_version=4)
        self.glue = {name: record["value"]
                     for name, record in self.notebook.metadata.get("linreg", {}).get("glue", {}).items()}
        self.glue_text = {name: record["text"]
                          for name, record in self.notebook.metadata.get("linreg", {}).get("glue", {}).items()}
        cells = self.notebook.cells
        self.markdown = "\n\n".join(c.source for c in cells if c.cell_type == "markdown")
        self.code = "\n\n".join(c.source for c in cells if c.cell_type == "code")
        self.text = "\n".join(self._texts())
        self.alts = list(self._alts())

    def _outputs(self):
        for cell in self.notebook.cells:
            if cell.cell_type == "code":
                yield from cell.outputs

    def _texts(self):
        for out in self._outputs():
            if out.output_type == "stream":
                yield out.text
            elif "text/plain" in out.get("data", {}):
                yield out.data["text/plain"]

    def _alts(self):
        for out in self._outputs():
            alt = out.get("metadata", {}).get("linreg", {}).get("alt")
            if alt:  # a figure: the build keeps its alt text in the output's metadata (hooks/media.py)
                yield alt
                continue
            html = out.get("data", {}).get("text/html", "")
            for marker in ('alt="', 'aria-label="'):
                start = html.find(marker)
                if start >= 0:
                    yield html[start + len(marker): html.find('"', start + len(marker))]

    def printed(self, line: str) -> bool:
        """Whether a code cell printed ``line`` (spaces normalised)."""
        return " ".join(line.split()) in " ".join(self.text.split())

    def alt_containing(self, phrase: str) -> str:
        """The one alt text on the page that contains ``phrase``."""
        (alt,) = [alt for alt in self.alts if phrase in alt]
        return alt

    def numbers(self, pattern: str, text: str | None = None) -> list[float]:
        """The numbers ``pattern``'s groups capture in ``text`` (default: the printed text); ``{n}`` is a number.

        Example: ``page.numbers(r"final MSE {n}")`` -> ``[0.0081]``.
        """
        found = re.search(pattern.replace("{n}", f"({NUMBER})"), self.text if text is None else text, flags=re.M)
        assert found, f"no match for {pattern!r}"
        return [float(group) for group in found.groups()]

    def says(self, phrase: str) -> bool:
        """Whether the page's prose (with cited values filled in) contains ``phrase``, spaces normalised."""
        squash = " ".join
        return squash(phrase.split()) in squash(self.markdown.split())


@pytest.fixture(scope="session")
def executed_page(built_site):
    """``executed_page("04-losses-and-optimizers")``: the page as the build executed and rendered it."""
    cache = Path(os.environ.get("LINREG_CACHE_DIR", ROOT / ".cache" / "site"))
    pages: dict[str, ExecutedPage] = {}

    def load(stem: str) -> ExecutedPage:
        if stem not in pages:
            path = cache / "rendered" / "tutorials" / f"{stem}.ipynb"
            if not path.exists():
                pytest.fail(f"no executed copy of {stem}.ipynb at {path}: is it in mkdocs.yml's nav?")
            pages[stem] = ExecutedPage(path)
        return pages[stem]

    return load
