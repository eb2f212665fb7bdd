"""Specification of a deployment's links: they point where the run says the site and its source live.

mkdocs.yml takes the site URL, the repository and its branch from the environment
(the Pages workflow passes its run's), with linreg/linreg's as the defaults. A copy
of the project built as a fork would build it must link to the fork everywhere:
sitemap, canonical links, the header's repository link, "Open in Colab", the
pages' own links to source files and the downloadable notebooks' install command.
"""

from __future__ import annotations

import gzip
import subprocess
import sys

import pytest
from projects import copy_of_the_project

pytestmark = [pytest.mark.site, pytest.mark.slow]

FORK = {"SITE_URL": "https://alice.example.org/pages-of-a-fork/", "REPO_URL": "https://github.com/alice/fork",
        "REPO_NAME": "alice/fork", "EDIT_URI": "edit/trunk/docs/", "SOURCE_BRANCH": "trunk"}
DEFAULTS = ("linreg.github.io", "github.com/linreg/linreg", "colab.research.google.com/github/linreg/")


@pytest.fixture(scope="module")
def fork_site(built_site, tmp_path_factory):
    """The project built as a fork's Pages workflow would build it: ``{path in the site: text}``."""
    del built_site  # it makes sure the project's cache holds every executed notebook
    root = tmp_path_factory.mktemp("fork")
    env = {**copy_of_the_project(root / "project", cache=root / "cache"), **FORK}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(root / "site")],
                            cwd=root / "project", env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-6000:]
    texts = {}
    for path in (root / "site").rglob("*"):
        if path.suffix in (".html", ".xml", ".json", ".ipynb", ".js", ".txt"):
            texts[path.relative_to(root / "site").as_posix()] = path.read_text(encoding="utf-8")
        elif path.suffix == ".gz":
            texts[path.relative_to(root / "site").as_posix()] = gzip.decompress(path.read_bytes()).decode()
    return texts


def test_nothing_the_fork_publishes_points_at_the_default_site_or_repository(fork_site):
    found = {name: default for name, text in fork_site.items() for default in DEFAULTS if default in text}
    assert found == {}


def test_the_sitemap_and_canonical_links_use_the_forks_site_url(fork_site):
    assert "<loc>https://alice.example.org/pages-of-a-fork/tutorials/01-tensors/</loc>" in fork_site["sitemap.xml"]
    assert "https://alice.example.org/pages-of-a-fork/" in fork_site["sitemap.xml.gz"]
    assert '<link rel="canonical" href="https://alice.example.org/pages-of-a-fork/tutorials/01-tensors/">' \
        in fork_site["tutorials/01-tensors/index.html"]


def test_repository_and_colab_links_point_at_the_fork_and_its_branch(fork_site):
    page = fork_site["tutorials/01-tensors/index.html"]
    assert 'href="https://github.com/alice/fork"' in page  # the header's source link
    assert "https://colab.research.google.com/github/alice/fork/blob/trunk/docs/tutorials/01-tensors.ipynb" in page


def test_the_pages_own_links_and_install_commands_name_the_fork(fork_site):
    home = fork_site["index.html"]  # the landing's clone and pip commands
    assert "https://github.com/alice/fork" in home and "github.com/linreg/linreg" not in home
    assert "git+https://github.com/alice/fork" in fork_site["tutorials/01-tensors/01-tensors.ipynb"]
