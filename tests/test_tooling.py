"""Specification of the project's tooling: set-up commands, serve, workflows, notebook sources."""

from __future__ import annotations

import json
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
    "actions/cache": "27d5ce7f107fe9357f9df03efb73ab90386fccae",  # v5.0.5
    "actions/cache/restore": "27d5ce7f107fe9357f9df03efb73ab90386fccae",  # v5.0.5
    "actions/upload-artifact": "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",  # v7.0.0
    "actions/download-artifact": "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c",  # v8.0.1
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


def test_serve_looks_for_saved_files_every_tenth_of_a_second(monkeypatch, tmp_path):
    from mkdocs import livereload

    import serve

    monkeypatch.setattr(livereload.LiveReloadServer, "__init__", livereload.LiveReloadServer.__init__)
    serve.poll_faster()
    server = livereload.LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    assert server.observer.timeout == serve.POLL_S == 0.1  # mkdocs' own: 0.5 s


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
    uses = re.findall(r"uses: ([\w-]+/[\w/-]+)@(\S+) # (v[\d.]+)", text)
    assert uses and len(uses) == text.count("uses:")
    for action, sha, _ in uses:
        assert ACTION_PINS[action] == sha, f"{action} is not pinned to the known SHA"


def _steps(job: dict) -> str:
    return " ".join(str(step) for step in job["steps"])


def _uses(job: dict, action: str) -> list[dict]:
    return [step for step in job["steps"] if step.get("uses", "").split("@")[0] == action]


def test_pages_workflow_has_least_privilege():
    flow = _workflow("pages.yml")
    assert flow["permissions"] == {}
    assert flow["concurrency"]["group"]
    for name, job in flow["jobs"].items():
        if name != "deploy":
            assert job["permissions"] == {"contents": "read"}, name
            assert "'persist-credentials': False" in _steps(job), name
    deploy = flow["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"


def test_pages_workflow_executes_one_shard_per_matrix_job_with_make_execute():
    flow = _workflow("pages.yml")
    execute = flow["jobs"]["execute"]
    shards = execute["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(flow["env"]["SHARDS"]) + 1))
    assert 'make execute SHARD="${SHARD}/${SHARDS}" EXPORT=shard-entries' in _steps(execute)
    (upload,) = _uses(execute, "actions/upload-artifact")
    assert upload["with"]["path"] == "shard-entries/"  # not a dot-folder: upload-artifact skips those


def test_pages_workflow_gathers_the_shards_entries_then_runs_make_build():
    build = _workflow("pages.yml")["jobs"]["build"]
    steps = [step.get("run") or step.get("uses", "").split("@")[0] for step in build["steps"]]
    assert steps.index("actions/download-artifact") < steps.index("make gather ENTRIES=shard-entries") \
        < steps.index("make build") < steps.index("actions/upload-pages-artifact")
    (download,) = _uses(build, "actions/download-artifact")
    assert download["with"] == {"pattern": "entries-*", "path": "shard-entries", "merge-multiple": True}


def test_the_pages_build_takes_the_site_url_repository_and_branch_from_the_run():
    steps = _workflow("pages.yml")["jobs"]["build"]["steps"]
    (configure,) = [step for step in steps if step.get("uses", "").startswith("actions/configure-pages@")]
    (build,) = [step for step in steps if step.get("run") == "make build"]
    assert steps.index(configure) < steps.index(build)
    assert build["env"]["SITE_URL"] == "${{ steps." + configure["id"] + ".outputs.base_url }}/"
    assert build["env"]["REPO_URL"] == "${{ github.server_url }}/${{ github.repository }}"
    assert build["env"]["REPO_NAME"] == "${{ github.repository }}"
    assert build["env"]["SOURCE_BRANCH"] == "${{ github.event.repository.default_branch }}"
    assert build["env"]["EDIT_URI"] == "edit/${{ github.event.repository.default_branch }}/docs/"


@pytest.mark.parametrize(("variable", "default"), [
    ("SITE_URL", "https://linreg.github.io/linreg/"), ("REPO_URL", "https://github.com/linreg/linreg"),
    ("REPO_NAME", "linreg/linreg"), ("EDIT_URI", "edit/main/docs/"), ("SOURCE_BRANCH", "main")])
def test_mkdocs_takes_where_the_site_lives_from_the_environment_with_todays_defaults(variable, default):
    assert f'!ENV [{variable}, "{default}"]' in (ROOT / "mkdocs.yml").read_text()


def test_pages_workflow_skips_the_shards_when_the_cache_for_the_key_is_stored():
    jobs = _workflow("pages.yml")["jobs"]
    (lookup,) = _uses(jobs["plan"], "actions/cache/restore")
    assert lookup["with"]["lookup-only"] is True
    assert jobs["execute"]["if"] == "needs.plan.outputs.cached != 'true'"
    assert "needs.execute.result == 'skipped'" in jobs["build"]["if"]  # the build still runs
    # and so does the deploy: a job with a bare `needs` is skipped when any job up its chain was
    assert jobs["deploy"]["if"] == "${{ !cancelled() && needs.build.result == 'success' }}"


@pytest.mark.parametrize("name", ["pages.yml", "ci.yml"])
def test_every_cache_step_is_keyed_on_the_hooks_execution_key_with_the_same_paths(name):
    flow = _workflow(name)
    caches = [step for job in flow["jobs"].values() for step in job["steps"]
              if step.get("uses", "").startswith("actions/cache")]
    assert caches
    assert len({step["with"]["path"] for step in caches}) == 1  # the cache's version covers its paths
    assert all(step["with"]["key"].endswith(".outputs.key }}") for step in caches)
    assert "scripts/execute.py key" in str(flow)
    assert all(step["with"].get("restore-keys", "site-exec-${{ runner.os }}-") == "site-exec-${{ runner.os }}-"
               for step in caches)
    assert "site-exec-${RUNNER_OS}-" in str(flow)  # the key's prefix is the restore-keys prefix


def test_ci_workflow_runs_make_test_on_pull_requests():
    flow = _workflow("ci.yml")
    assert "pull_request" in flow[True]  # YAML reads the key `on` as True
    assert flow["permissions"] == {}
    assert "make test" in str(flow["jobs"]["test"]["steps"])


def test_ci_workflow_uploads_the_built_site_for_reviewers():
    job = _workflow("ci.yml")["jobs"]["test"]
    steps = [step.get("run") or step.get("uses", "").split("@")[0] for step in job["steps"]]
    assert steps.index("make build") < steps.index("actions/upload-artifact")
    (upload,) = _uses(job, "actions/upload-artifact")
    assert upload["with"]["path"] == "site/"
    assert upload["with"]["name"].startswith("site-pr-")


@pytest.mark.parametrize("name", ["pages.yml", "ci.yml"])
def test_workflows_leave_torch_and_the_browser_to_make(name):
    text = (ROOT / ".github" / "workflows" / name).read_text()
    assert "PIP_EXTRA_INDEX_URL" not in text  # scripts/torch_index.py decides, for CI and people alike
    assert "chromium" not in text  # Ubuntu's apt chromium is a snap stub; tests/browsers.py finds one


# ------------------------------------------------------------------ torch's CPU build


def test_make_installs_torch_from_the_cpu_index_the_probe_prints():
    makefile = (ROOT / "Makefile").read_text()
    assert "index=$$($(PY) scripts/torch_index.py)" in makefile
    assert '--no-deps --index-url "$$index"' in makefile


def test_the_cpu_index_is_used_on_linux_only_and_only_when_it_answers():
    import torch_index

    always = lambda url: True  # noqa: E731
    assert torch_index.torch_index("linux", {}, probe=always) == torch_index.CPU_INDEX
    assert torch_index.torch_index("linux", {}, probe=lambda url: False) is None
    assert torch_index.torch_index("darwin", {}, probe=always) is None
    assert torch_index.torch_index("win32", {}, probe=always) is None


def test_the_torch_index_can_be_replaced_or_switched_off():
    import torch_index

    asked = []
    mirror = torch_index.torch_index("linux", {"LINREG_TORCH_INDEX": "https://mirror.example/cpu/"},
                                     probe=lambda url: asked.append(url) or True)
    assert mirror == "https://mirror.example/cpu" and asked == ["https://mirror.example/cpu/torch/"]
    assert torch_index.torch_index("linux", {"LINREG_TORCH_INDEX": ""}, probe=lambda url: True) is None


@pytest.fixture()
def http_server():
    import http.server
    import threading

    class Index(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self):
            self.send_response(200 if self.path == "/whl/cpu/torch/" else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Index)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_the_probe_says_yes_to_an_index_that_serves_torch(http_server):
    import torch_index

    assert torch_index.reachable(f"{http_server}/whl/cpu/torch/", timeout=5)
    assert not torch_index.reachable(f"{http_server}/elsewhere/torch/", timeout=5)  # 404


def test_the_probe_says_no_to_a_closed_port():
    import torch_index

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    assert not torch_index.reachable(f"http://127.0.0.1:{port}/torch/", timeout=5)


def test_the_probe_gives_up_on_a_host_that_never_answers_at_its_timeout():
    import threading

    import torch_index

    with socket.socket() as silent:  # accepts connections, never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        finished = threading.Event()
        answer = []
        threading.Thread(target=lambda: (answer.append(torch_index.reachable(
            f"http://127.0.0.1:{silent.getsockname()[1]}/torch/", timeout=0.5)), finished.set()),
            daemon=True).start()
        # not a speed limit: a probe without its own deadline would wait here forever
        assert finished.wait(60), "the probe did not give up"
    assert answer == [False]


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
    # every cell carries its own id, as nbformat 4.5 asks (nbformat.read would invent missing ones, with a warning)
    ids = [cell.get("id") for cell in json.loads(Path(path).read_text())["cells"]]
    assert None not in ids and len(set(ids)) == len(ids), "every cell has an id of its own"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    # a "# comment" inside a fenced code block is code, not a heading
    h1 = [c for c in nb.cells if c.cell_type == "markdown"
          and re.search(r"^# ", re.sub(r"^```.*?^```", "", c.source, flags=re.M | re.S), re.M)]
    assert len(h1) == 1, "exactly one H1: the page title"
    colab = nb.cells[1]
    assert "colab-setup" in colab.metadata.get("tags", []) and "google.colab" in colab.source
    assert any("use_house_style()" in c.source for c in nb.cells if c.cell_type == "code")
    assert any(re.search(r"^## Exercises", c.source, re.M) for c in nb.cells if c.cell_type == "markdown")
    assert any("solution" in c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "code")


# 82 characters of the code font fit a code cell at 1280 px, and up to 1440 px, where the column stops growing
# (test_browser.py checks that none scrolls sideways); 80 leaves a little room.
CODE_COLUMNS = 80
LEFT_OFF_THE_PAGE = {"colab-setup", "record"}  # cells the build drops (hooks/execution.py, mkdocs.yml)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_code_line_a_page_shows_fits_the_code_column(path):
    nb = nbformat.read(path, as_version=4)
    long = [f"cell {index} ({len(line)}): {line.strip()[:50]}" for index, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and not LEFT_OFF_THE_PAGE & set(cell.metadata.get("tags", []))
            for line in cell.source.splitlines() if len(line) > CODE_COLUMNS]
    assert not long, f"{path.name}: {len(long)} code lines longer than {CODE_COLUMNS} characters: {long[:5]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_never_embed_every_frame_with_to_jshtml(path):
    text = path.read_text()
    assert "to_jshtml" not in text and "to_html5_video" not in text and "plt.show()" not in text


def test_ruff_finds_nothing():
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run([str(ruff), "check", "linreg", "hooks", "tests", "scripts", "benchmarks"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
