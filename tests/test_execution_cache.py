"""Specification of notebook execution for the site (hooks/execution.py).

The promises of the build: a change to a ``linreg`` module re-executes the
notebooks that imported it (in the kernel or in a process the page started) and
no other; a change to the pins re-executes every notebook; a Markdown-cell edit
re-executes nothing; a code-cell edit re-executes that notebook only. And the
guards: a cell that writes to stderr untagged fails the build; two builds at once
execute a notebook once; an unreadable notebook fails in one line naming it; an
unreadable cache entry is a miss; a kernel leaves no file in the system's
temporary folder. The tests marked ``slow`` run real kernels on tiny notebooks:
one project is executed once for the module and each test that changes it works
on a copy of it, its cache included, so a test starts only the kernels its change
needs.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from projects import tiny_project

from hooks import execution

NOTEBOOKS = {
    # imports linreg.core in the kernel (the tiny project's: the real linreg has no core)
    "a": "from linreg import core\nprint('a says', 6 * 7 * core.VALUE)",
    # imports no linreg module; leaves a file in its temporary folder, as torch's failure demo does
    "b": "import os, tempfile\n"
         "tempfile.NamedTemporaryFile(prefix='pytorch-errorfile-', suffix='.pickle', delete=False).close()\n"
         "print(os.environ['LINREG_BUILD'], os.environ['OMP_NUM_THREADS'], tempfile.gettempdir())",
    # linreg.worker is imported by a process the notebook starts, never by the kernel
    "c": "import subprocess, sys\nsubprocess.run([sys.executable, '-c', 'import linreg.worker'], check=True)",
    # tries a module that does not exist yet
    "d": "try:\n    import linreg.future\nexcept ImportError:\n    print('no future yet')",
}


def _new_project(root: Path) -> Path:
    return tiny_project(root, NOTEBOOKS)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """A project built once for the module (two kernels): ``(root, outcomes, what the build left in TMPDIR)``."""
    root = _new_project(tmp_path_factory.mktemp("executed-project"))
    temporary = Path(tempfile.gettempdir())
    before = set(temporary.iterdir())
    outcomes = _prepare(root)
    return root, outcomes, set(temporary.iterdir()) - before


@pytest.fixture()
def project(executed, tmp_path):
    """A copy of the executed project, cache included, for one test to change."""
    shutil.copytree(executed[0], tmp_path / "p")
    return tmp_path / "p"


def _sources(project: Path) -> list[Path]:
    return sorted((project / "docs").glob("*.ipynb"))


def _prepare(project: Path):
    docs = project / "docs"
    outcomes = execution.prepare_notebooks(_sources(project), docs_dir=docs, project_root=project,
                                           cache_root=project / ".cache", workers=2)
    return {o.source.name: o for o in outcomes}


def _executed(outcomes) -> set[str]:
    return {name for name, outcome in outcomes.items() if outcome.executed}


def _would_execute(project: Path) -> set[str]:
    """The notebooks a build of ``project`` would execute (their entries are missing), without running one."""
    plans = execution.plan_notebooks(_sources(project), execution.NotebookCache(project / ".cache"),
                                     execution.environment_fingerprint(project),
                                     execution.PackageSnapshot.take(project))
    return {plan.source.name for plan in plans if not plan.cached}


def _rendered_text(outcome) -> str:
    return nbformat.read(outcome.rendered, as_version=4).cells[1].outputs[0]["text"]


def _set_code(path: Path, code: str = None, markdown: str = None) -> None:
    nb = nbformat.read(path, as_version=4)
    if code is not None:
        nb.cells[1].source = code
    if markdown is not None:
        nb.cells[0].source = markdown
    nbformat.write(nb, path)


def _recorded_imports(project: Path, stem: str) -> list[str]:
    (record,) = (project / ".cache" / "executed").glob(f"{stem}-*.imports.json")
    return json.loads(record.read_text())["modules"]


@pytest.mark.slow
def test_first_build_executes_every_notebook_and_renders_outputs(executed):
    _, outcomes, _ = executed
    assert _executed(outcomes) == {"a.ipynb", "b.ipynb", "c.ipynb", "d.ipynb"}
    assert _rendered_text(outcomes["a.ipynb"]) == "a says 42\n"  # the project's own linreg.core
    assert nbformat.read(outcomes["a.ipynb"].rendered, as_version=4).metadata["linreg"]["torch"]  # for the stamp


@pytest.mark.slow
def test_kernels_run_with_the_build_flag_and_a_share_of_threads(executed):
    _, outcomes, _ = executed
    flag, threads, _ = _rendered_text(outcomes["b.ipynb"]).split()
    assert (flag, threads) == ("1", str(max(1, (os.cpu_count() or 1) // 2)))


@pytest.mark.slow
def test_a_kernels_temporary_folder_is_its_own_and_goes_with_its_execution(executed):
    _, outcomes, left = executed
    *_, tmp = _rendered_text(outcomes["b.ipynb"]).split()
    assert Path(tmp).parent == Path(tempfile.gettempdir()) and Path(tmp).name.startswith("linreg-")
    assert not Path(tmp).exists()  # the errorfile-like file went with the folder
    assert left == set()  # nothing else was left behind either
    assert len(str(Path(tmp) / "pymp-12345678" / "listener-12345678")) < 108  # multiprocessing's sockets fit


@pytest.mark.slow
def test_each_entry_records_the_linreg_modules_its_notebook_imported(executed):
    root, _, _ = executed
    assert _recorded_imports(root, "a") == ["linreg", "linreg.core"]
    assert _recorded_imports(root, "b") == []
    assert _recorded_imports(root, "c") == ["linreg", "linreg.worker"]  # imported by a child process only
    assert _recorded_imports(root, "d") == ["linreg", "linreg.future"]  # tried, not found


@pytest.mark.slow
def test_unchanged_rebuild_executes_nothing(project):
    assert _executed(_prepare(project)) == set()


@pytest.mark.slow
def test_an_unchanged_rebuild_reads_no_entry_and_renders_nothing_again(project, monkeypatch):
    monkeypatch.setattr(execution, "merge_outputs", lambda *args: pytest.fail("a notebook was rendered again"))
    monkeypatch.setattr(execution.NotebookCache, "read", lambda *args: pytest.fail("an entry was read"))
    outcomes = _prepare(project)
    assert _executed(outcomes) == set()
    assert _rendered_text(outcomes["a.ipynb"]) == "a says 42\n"


@pytest.mark.slow
def test_what_the_extract_step_returned_is_kept_until_its_key_changes(project):
    calls = []

    def extract(source, notebook):
        calls.append(source.name)
        return [f"{source.stem}.png"]  # what the build's media step returns: the names of the files it wrote

    def build(key: str) -> dict:
        outcomes = execution.prepare_notebooks(_sources(project), docs_dir=project / "docs", project_root=project,
                                               cache_root=project / ".cache", extract=extract,
                                               extract_key=lambda source: key)
        return {outcome.source.name: outcome.extracted for outcome in outcomes}

    first = build("media v1")
    assert first["a.ipynb"] == ["a.png"] and len(calls) == 4
    calls.clear()
    assert build("media v1") == first and calls == []
    assert build("media v2") == first and len(calls) == 4


@pytest.mark.slow
def test_a_change_to_a_module_re_executes_the_notebooks_that_imported_it_only(project):
    (project / "linreg" / "core.py").write_text("VALUE = 2\n")
    assert _would_execute(project) == {"a.ipynb"}


@pytest.mark.slow
def test_a_module_imported_by_a_process_the_notebook_started_counts(project):
    (project / "linreg" / "worker.py").write_text("print('worker changed')\n")
    assert _would_execute(project) == {"c.ipynb"}


@pytest.mark.slow
def test_a_new_module_that_a_notebook_tried_to_import_re_executes_it(project):
    (project / "linreg" / "future.py").write_text("")
    assert _would_execute(project) == {"d.ipynb"}


@pytest.mark.slow
def test_a_change_to_the_package_init_re_executes_every_notebook_that_imported_linreg(project):
    (project / "linreg" / "__init__.py").write_text("# changed\n")
    assert _would_execute(project) == {"a.ipynb", "c.ipynb", "d.ipynb"}


@pytest.mark.slow
def test_a_change_to_a_module_no_notebook_imported_re_executes_nothing(project):
    (project / "linreg" / "unused.py").write_text("VALUE = 3\n")
    (project / "linreg" / "extra.py").write_text("")
    assert _would_execute(project) == set()


@pytest.mark.slow
def test_a_data_file_in_the_package_counts_for_every_notebook(project):
    (project / "linreg" / "table.csv").write_text("x,y\n")
    assert _would_execute(project) == {"a.ipynb", "b.ipynb", "c.ipynb", "d.ipynb"}


@pytest.mark.slow
def test_a_change_to_the_pins_re_executes_every_notebook(project):
    (project / "requirements" / "lock.txt").write_text("torch==2.13.1\n")
    assert _would_execute(project) == {"a.ipynb", "b.ipynb", "c.ipynb", "d.ipynb"}


@pytest.mark.slow
def test_a_markdown_edit_re_executes_nothing_but_shows_the_new_text(project):
    _set_code(project / "docs" / "a.ipynb", markdown="# A, with a typo fixed")
    outcomes = _prepare(project)
    assert _executed(outcomes) == set()
    rendered = nbformat.read(outcomes["a.ipynb"].rendered, as_version=4)
    assert rendered.cells[0].source == "# A, with a typo fixed"
    assert rendered.cells[1].outputs[0]["text"] == "a says 42\n"


@pytest.mark.slow
def test_a_code_edit_re_executes_that_notebook_only_and_evicts_its_old_entry(project):
    _set_code(project / "docs" / "b.ipynb", code="print('b changed')")
    outcomes = _prepare(project)
    assert _executed(outcomes) == {"b.ipynb"}
    assert _rendered_text(outcomes["b.ipynb"]) == "b changed\n"
    assert len(list((project / ".cache" / "executed").glob("b-*.ipynb"))) == 1
    assert len(list((project / ".cache" / "executed").glob("b-*.imports.json"))) == 1


@pytest.mark.slow
def test_a_code_edit_records_the_notebooks_imports_afresh(project):
    _set_code(project / "docs" / "a.ipynb", code="from linreg import unused\nprint('a now uses unused')")
    assert _executed(_prepare(project)) == {"a.ipynb"}
    assert _recorded_imports(project, "a") == ["linreg", "linreg.unused"]
    (project / "linreg" / "core.py").write_text("VALUE = 2\n")
    assert _would_execute(project) == set()  # a no longer imports core
    (project / "linreg" / "unused.py").write_text("VALUE = 3\n")
    assert _would_execute(project) == {"a.ipynb"}


@pytest.mark.slow
def test_a_failing_cell_fails_with_the_notebook_and_cell_named(project):
    _set_code(project / "docs" / "b.ipynb", code="raise ValueError('broken on purpose')")
    with pytest.raises(execution.NotebookExecutionError, match=r"b\.ipynb: cell 2 failed(.|\n)*broken on purpose"):
        _prepare(project)
    assert len(list((project / ".cache" / "executed").glob("b-*.ipynb"))) == 1  # only the old entry: none for it


# A cell that ends a process with SIGABRT, as gloo ends a DDP rank, and says so; with a marker file, only once.
_ABORT = """import pathlib, subprocess, sys
marker = pathlib.Path("{marker}")
if {always} or not marker.exists():
    marker.touch()
    ended = subprocess.run([sys.executable, "-c", "import os; os.abort()"]).returncode
    raise RuntimeError(f"rank 1 ended by signal SIGABRT (exit code {{ended}})")
print("trained")"""


def _count_executions(monkeypatch) -> list[str]:
    runs = []
    real = execution.execute_notebook

    def counted(source, notebook, **options):
        runs.append(source.name)
        return real(source, notebook, **options)

    monkeypatch.setattr(execution, "execute_notebook", counted)
    return runs


@pytest.mark.slow
def test_a_native_crash_is_executed_once_more_and_the_log_says_why(project, monkeypatch, caplog):
    _set_code(project / "docs" / "b.ipynb", code=_ABORT.format(marker=project / "crashed", always=False))
    runs = _count_executions(monkeypatch)
    with caplog.at_level("INFO", logger="mkdocs.hooks.execution"):
        outcomes = _prepare(project)
    assert runs == ["b.ipynb", "b.ipynb"]
    assert _rendered_text(outcomes["b.ipynb"]) == "trained\n"
    assert "b.ipynb: a process it started died of SIGABRT in native code; executing the notebook once more" \
        in caplog.text


@pytest.mark.slow
def test_a_native_crash_that_comes_back_fails_the_build(project, monkeypatch):
    _set_code(project / "docs" / "b.ipynb", code=_ABORT.format(marker=project / "crashed", always=True))
    runs = _count_executions(monkeypatch)
    with pytest.raises(execution.NotebookExecutionError, match=r"b\.ipynb: cell 2 failed(.|\n)*SIGABRT"):
        _prepare(project)
    assert runs == ["b.ipynb", "b.ipynb"]


@pytest.mark.slow
def test_a_python_error_is_not_executed_again(project, monkeypatch):
    _set_code(project / "docs" / "b.ipynb", code="raise ValueError('SIGABRTS are not this')")
    runs = _count_executions(monkeypatch)
    with pytest.raises(execution.NotebookExecutionError, match="SIGABRTS are not this"):
        _prepare(project)
    assert runs == ["b.ipynb"]


# ------------------------------------------------------------------ bad input: unreadable pages and entries

GOOD = nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")]))
UNREADABLE = {
    "truncated": (GOOD[: len(GOOD) // 2], "ends before the notebook does (a truncated file?)"),
    "conflict": (GOOD.replace('"cells": [', '"cells": [\n<<<<<<< HEAD\n', 1) + "\n>>>>>>> theirs\n",
                 "has merge conflict markers (line 3)"),
    "invalid json": (GOOD.replace('"cells": [', '"cells": [,', 1), "is not valid JSON"),
    "not a notebook": ('{"name": "a package.json?"}', "is JSON but not a Jupyter notebook"),
    "invalid notebook": (GOOD.replace('"cell_type": "code"', '"cell_type": "spreadsheet"'),
                         "is not a valid notebook"),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_an_unreadable_notebook_fails_in_one_line_naming_the_file_and_the_problem(tmp_path, case):
    text, problem = UNREADABLE[case]
    source = tmp_path / "docs" / "broken.ipynb"
    source.parent.mkdir()
    source.write_text(text)
    with pytest.raises(execution.NotebookReadError) as error:
        execution.plan_notebooks([source], execution.NotebookCache(tmp_path / ".cache"), "env")
    message = str(error.value)
    assert message.startswith(f"{os.path.relpath(source)}: {problem}")
    assert "\n" not in message


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncated", "not a notebook", "wrong key"])
def test_an_unreadable_cache_entry_is_a_miss_named_in_the_log(project, caplog, damage):
    (entry,) = (project / ".cache" / "executed").glob("a-*.ipynb")
    text = entry.read_text()
    entry.write_text({"truncated": text[: len(text) // 3], "not a notebook": "[]",
                      "wrong key": text.replace(json.loads(text)["metadata"]["linreg"]["key"], "0" * 64)}[damage])
    with caplog.at_level(logging.INFO, logger="mkdocs.hooks.execution"):
        outcomes = _prepare(project)
    assert _executed(outcomes) == {"a.ipynb"}
    assert _rendered_text(outcomes["a.ipynb"]) == "a says 42\n"
    assert f"dropped {entry}" in caplog.text


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["{", '{"modules": "linreg.core"}'])
def test_an_unreadable_record_of_imports_is_a_miss_named_in_the_log(project, caplog, damage):
    (record,) = (project / ".cache" / "executed").glob("a-*.imports.json")
    record.write_text(damage)
    with caplog.at_level(logging.INFO, logger="mkdocs.hooks.execution"):
        assert _would_execute(project) == {"a.ipynb"}
    assert f"dropped {record}" in caplog.text


def test_execution_key_ignores_markdown_and_outputs_but_not_code():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("text"), nbformat.v4.new_code_cell("x = 1")]
    key = execution.execution_key(nb, "env")
    nb.cells[0].source = "other text"
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="1")]
    assert execution.execution_key(nb, "env") == key
    assert execution.execution_key(nb, "other env") != key
    nb.cells[1].source = "x = 2"
    assert execution.execution_key(nb, "env") != key


def test_atomic_write_leaves_the_old_file_and_no_debris_when_interrupted(tmp_path, monkeypatch):
    target = tmp_path / "entry.ipynb"
    target.write_text("old")

    def crash(*args):
        raise KeyboardInterrupt  # e.g. Ctrl-C during `mkdocs serve`

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        execution.atomic_write_text(target, "new and complete")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["entry.ipynb"]


def test_merge_outputs_refuses_a_mismatched_entry():
    source = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    executed = nbformat.v4.new_notebook(cells=[])
    with pytest.raises(execution.NotebookExecutionError, match="does not match"):
        execution.merge_outputs(source, executed)


@pytest.mark.slow
def test_cache_entries_are_valid_notebooks(executed):
    project, _, _ = executed
    for entry in (project / ".cache" / "executed").glob("*.ipynb"):
        nbformat.validate(nbformat.reads(entry.read_text(), as_version=4))
        assert json.loads(entry.read_text())["metadata"]["linreg"]["seconds"] > 0  # a kernel start takes time


def test_misses_run_longest_first_by_last_time_else_by_the_committed_hints(tmp_path):
    project = _new_project(tmp_path / "p")
    docs = project / "docs"
    plans = [execution.Plan(docs / name, nbformat.read(docs / name, as_version=4), "key")
             for name in ("a.ipynb", "b.ipynb", "c.ipynb")]
    hints = tmp_path / "hints.json"
    hints.write_text(json.dumps({"a": 1.0, "b": 9.0, "c": 5.0}))
    cache = execution.NotebookCache(project / ".cache")
    order = lambda: [p.source.stem for p in execution.longest_first(plans, cache, hints)]  # noqa: E731
    assert order() == ["b", "c", "a"]  # nothing ran here yet: the hints decide
    for stem, seconds in (("a", 30.0), ("b", 0.5)):  # a and b ran here now: their own times take over
        entry = nbformat.v4.new_notebook(metadata={"linreg": {"seconds": seconds, "key": "0" * 64,
                                                               "code_key": "1" * 64, "imports": []}})
        cache.store(docs / f"{stem}.ipynb", entry)
    assert order() == ["a", "c", "b"]  # a: 30 s measured; c: 5 s hinted; b: well under a second measured
    hints.write_text("not json")
    assert sorted(order()) == ["a", "b", "c"]  # unreadable hints: still every notebook, no crash


def test_notebooks_that_run_their_own_processes_start_last(tmp_path):
    docs = _new_project(tmp_path / "p") / "docs"
    plans = [execution.Plan(docs / name, nbformat.read(docs / name, as_version=4), "key")
             for name in ("a.ipynb", "b.ipynb")]
    plans[0].notebook.metadata["linreg"] = {"processes": 2}  # like the DDP page
    hints = tmp_path / "hints.json"
    hints.write_text(json.dumps({"a": 20.0, "b": 1.0}))
    ordered = execution.longest_first(plans, execution.NotebookCache(tmp_path / ".cache"), hints)
    assert [p.source.stem for p in ordered] == ["b", "a"]
    assert execution.own_processes(plans[0].notebook) == 2 and execution.own_processes(plans[1].notebook) == 1


def test_the_ddp_page_declares_its_two_processes():
    root = Path(__file__).resolve().parent.parent
    nb = nbformat.read(root / "docs" / "tutorials" / "11-scaling-out.ipynb", as_version=4)
    assert execution.own_processes(nb) == 2


# ------------------------------------------------------------------ stderr policy

STDERR_CELLS = [
    "print('fine')",
    "import warnings\nwarnings.warn('old API', DeprecationWarning)",
    "import sys\nprint('shown on purpose', file=sys.stderr)",
]


@pytest.fixture(scope="module")
def warned(tmp_path_factory):
    """One tiny page executed once for the module: cell 3 warns untagged, cell 4 writes stderr tagged."""
    root = tmp_path_factory.mktemp("stderr-project")
    (root / "linreg").mkdir()
    (root / "linreg" / "core.py").write_text("VALUE = 1\n")
    (root / "requirements").mkdir()
    (root / "requirements" / "lock.txt").write_text("torch==2.13.0\n")
    (root / "docs").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Warned")] + [nbformat.v4.new_code_cell(c) for c in STDERR_CELLS]
    nb.cells[3].metadata["tags"] = [execution.ALLOW_STDERR_TAG]
    nbformat.write(nb, root / "docs" / "warned.ipynb")
    with pytest.raises(execution.NotebookExecutionError) as error:
        _prepare_one(root)
    return root, str(error.value)


def _prepare_one(root: Path):
    docs = root / "docs"
    (outcome,) = execution.prepare_notebooks([docs / "warned.ipynb"], docs_dir=docs, project_root=root,
                                             cache_root=root / ".cache", workers=1)
    return outcome


def _retag(root: Path, tags: dict[int, list[str]]) -> None:
    nb = nbformat.read(root / "docs" / "warned.ipynb", as_version=4)
    for index, cell_tags in tags.items():
        nb.cells[index].metadata["tags"] = cell_tags
    nbformat.write(nb, root / "docs" / "warned.ipynb")


@pytest.fixture()
def no_kernels(monkeypatch):
    """Fail any attempt to execute a notebook: what follows must come from the cache."""
    def refuse(*args, **kwargs):
        raise AssertionError("a notebook was executed")

    monkeypatch.setattr(execution, "execute_notebook", refuse)


@pytest.mark.slow
def test_a_cell_writing_to_stderr_fails_the_build_naming_page_and_cell(warned):
    _, message = warned
    assert "warned.ipynb: cell 3 wrote to stderr" in message
    assert "DeprecationWarning: old API" in message
    assert "allow-stderr" in message  # says how to keep a warning on purpose


@pytest.mark.slow
def test_a_cell_tagged_allow_stderr_may_write_to_stderr(warned):
    _, message = warned
    assert "cell 4" not in message and "shown on purpose" not in message


@pytest.mark.slow
def test_tagging_the_warning_cell_passes_without_re_executing(warned, no_kernels):
    root, _ = warned
    _retag(root, {2: [execution.ALLOW_STDERR_TAG]})
    try:
        outcome = _prepare_one(root)
    finally:
        _retag(root, {2: []})
    assert not outcome.executed


@pytest.mark.slow
def test_removing_the_tag_fails_even_when_the_entry_is_cached(warned, no_kernels):
    root, _ = warned
    _retag(root, {2: [execution.ALLOW_STDERR_TAG], 3: []})
    try:
        with pytest.raises(execution.NotebookExecutionError, match="cell 4 wrote to stderr"):
            _prepare_one(root)
    finally:
        _retag(root, {3: [execution.ALLOW_STDERR_TAG]})


# ------------------------------------------------------------------ two builds at once

SLOW_CELL = """\
import pathlib, time, uuid
with open({runs!r}, "a") as runs:
    runs.write("run\\n")
deadline = time.time() + 300
while not pathlib.Path({release!r}).exists() and time.time() < deadline:
    time.sleep(0.05)
print(uuid.uuid4())  # differs on every execution: equal outputs mean one execution
"""

BUILD = """\
import json, logging, sys
sys.path.insert(0, {root!r})
logging.basicConfig(level=logging.INFO, format="%(message)s")
from pathlib import Path
import nbformat
from hooks import execution
docs = Path({docs!r})
(outcome,) = execution.prepare_notebooks([docs / "slow.ipynb"], docs_dir=docs, project_root=docs.parent,
                                         cache_root=docs.parent / ".cache", workers=1)
entry = nbformat.read(outcome.rendered, as_version=4)
print(json.dumps({{"executed": outcome.executed, "outputs": entry.cells[0].outputs}}))
"""


@pytest.mark.slow
def test_two_builds_at_once_execute_a_notebook_once_and_both_serve_its_outputs(project, tmp_path):
    runs, release = tmp_path / "runs.txt", tmp_path / "release"
    docs = project / "docs"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SLOW_CELL.format(runs=str(runs),
                                                                                    release=str(release)))])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, docs / "slow.ipynb")
    script = BUILD.format(root=str(Path(execution.__file__).parent.parent), docs=str(docs))
    logs = [tmp_path / "build-1.log", tmp_path / "build-2.log"]
    builds = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=log.open("w"),
                               text=True) for log in logs]
    try:
        # Hold the first execution until the other build is waiting on the lock: a real overlap.
        deadline = time.time() + 300
        while not (runs.exists() and any("waiting for its entry" in log.read_text() for log in logs)):
            if runs.exists() and runs.read_text().count("run") > 1:
                break  # both are executing it: let them finish, the assertions below say so
            assert time.time() < deadline, "the builds never overlapped: " + " | ".join(p.read_text() for p in logs)
            assert all(b.poll() is None for b in builds), "a build ended early: " + logs[0].read_text()
            time.sleep(0.1)
        release.touch()
        results = [json.loads(b.communicate(timeout=300)[0].splitlines()[-1]) for b in builds]
    finally:
        for build in builds:
            if build.poll() is None:
                build.kill()
    assert runs.read_text() == "run\n", "executed more than once"
    assert sorted(r["executed"] for r in results) == [False, True]
    assert results[0]["outputs"] == results[1]["outputs"]


def test_a_stream_printed_in_chunks_renders_as_one_output():
    source = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(...)")])
    executed = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(...)")])
    executed.cells[0].outputs = [  # as a loaded machine delivers one print: in two chunks, around a figure
        nbformat.v4.new_output("stream", name="stdout", text="torch.tensor:"),
        nbformat.v4.new_output("stream", name="stdout", text=" tensor([0.])\n"),
        nbformat.v4.new_output("stream", name="stderr", text="careful\n"),
        nbformat.v4.new_output("display_data", data={"text/plain": "<Figure>"}),
        nbformat.v4.new_output("stream", name="stdout", text="after\n"),
    ]
    outputs = execution.merge_outputs(source, executed).cells[0].outputs
    assert [(o.output_type, o.get("name"), o.get("text")) for o in outputs] == [
        ("stream", "stdout", "torch.tensor: tensor([0.])\n"),
        ("stream", "stderr", "careful\n"),
        ("display_data", None, None),
        ("stream", "stdout", "after\n"),
    ]
