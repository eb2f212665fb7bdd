"""Specification of the project's tooling: set-up commands, serve, workflows, notebook sources."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
NOTEBOOKS = sorted((ROOT / "docs" / "tutorials").glob("*.ipynb"))
ACTION_PINS = {
    "actions/checkout": "3d3c42e5aac5ba805825da76410c181273ba90b1",
    "actions/setup-python": "5fda3b95a4ea91299a34e894583c3862153e4b97",
    "actions/configure-pages": "983d7736d9b0ae728b81ab479565c72886d7745b",
    "actions/upload-pages-artifact": "fc324d3547104276b827a68afc52ff2a11cc49c9",
    "actions/deploy-pages": "cd2ce8fcbc39b97be8ca5fce6e763baed58fa128",
}


# ------------------------------------------------------------------ README and make

def test_readme_shows_the_two_set_up_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make serve" in readme and "make test" in readme


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_torch_is_pinned_exactly_to_the_cpu_wheel_version():
    lock = (ROOT / "requirements" / "lock.txt").read_text().splitlines()
    assert "torch==2.13.0" in lock
    assert all("==" in line for line in lock if line and not line.startswith("#")), "every dependency pinned"


# ------------------------------------------------------------------ serve

def test_serve_refuses_a_busy_port_with_a_clear_message(capsys, monkeypatch):
    import serve

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.setenv("PORT", str(port))
        assert serve.port_is_free("127.0.0.1", port) is False
        assert serve.main() == 1
    err = capsys.readouterr().err
    assert f"Port {port} on 127.0.0.1 is already in use" in err and f"PORT={port + 1}" in err
    assert "Traceback" not in err


def test_make_serve_watches_the_library_too():
    config = (ROOT / "mkdocs.yml").read_text()
    assert re.search(r"^watch:\n  - linreg\n", config, re.M)


# ------------------------------------------------------------------ workflows

def _workflow(name: str) -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())


def test_zizmor_finds_nothing_in_the_workflows():
    zizmor = Path(sys.executable).parent / "zizmor"  # a binary shipped by the zizmor wheel
    result = subprocess.run([str(zizmor), "--offline", str(ROOT / ".github" / "workflows")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["pages.yml", "ci.yml"])
def test_every_action_is_pinned_by_full_sha_with_a_version_comment(name):
    text = (ROOT / ".github" / "workflows" / name).read_text()
    uses = re.findall(r"uses: ([\w-]+/[\w-]+)@(\S+) # (v[\d.]+)", text)
    assert uses and len(uses) == text.count("uses:")
    for action, sha, _ in uses:
        assert ACTION_PINS[action] == sha, f"{action} is not pinned to the known SHA"


def test_pages_workflow_has_least_privilege_and_runs_make_build():
    flow = _workflow("pages.yml")
    assert flow["permissions"] == {}
    assert flow["concurrency"]["group"]
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    steps = " ".join(str(step) for step in build["steps"])
    assert "make build" in steps and "graphviz" in steps and "'persist-credentials': False" in steps


def test_ci_workflow_runs_make_test_on_pull_requests():
    flow = _workflow("ci.yml")
    assert "pull_request" in flow[True]  # YAML reads the key `on` as True
    assert flow["permissions"] == {}
    assert "make test" in str(flow["jobs"]["test"]["steps"])


# ------------------------------------------------------------------ notebook sources

def test_there_are_tutorial_notebooks():
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: strip outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_follow_the_page_conventions(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    h1 = [c for c in nb.cells if c.cell_type == "markdown" and re.search(r"^# ", c.source, re.M)]
    assert len(h1) == 1, "exactly one H1: the page title"
    colab = nb.cells[1]
    assert "colab-setup" in colab.metadata.get("tags", []) and "google.colab" in colab.source
    assert any("use_house_style()" in c.source for c in nb.cells if c.cell_type == "code")
    assert any(re.search(r"^## Exercises", c.source, re.M) for c in nb.cells if c.cell_type == "markdown")
    assert any("solution" in c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_never_embed_every_frame_with_to_jshtml(path):
    text = path.read_text()
    assert "to_jshtml" not in text and "to_html5_video" not in text and "plt.show()" not in text


def test_ruff_finds_nothing():
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run([str(ruff), "check", "linreg", "hooks", "tests", "scripts", "benchmarks"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
