"""Specification of sharded execution (``make execute SHARD=k/N``, scripts/execute.py).

Shards are dealt longest first onto the lightest shard, by expected core-seconds;
entries executed by separate shards (separate machines: separate caches),
gathered into one cache, leave a build nothing to execute.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from projects import tiny_project

from hooks import execution

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import execute  # noqa: E402

# ------------------------------------------------------------------ dealing notebooks to shards


def test_every_notebook_lands_in_exactly_one_shard():
    weights = {f"{n:02d}.ipynb": float(n % 5 + 1) for n in range(11)}
    shards = execute.assign_shards(weights, 3)
    assert sorted(name for shard in shards for name in shard) == sorted(weights)


def test_the_heaviest_notebooks_go_first_onto_the_lightest_shard():
    shards = execute.assign_shards({"a": 5, "b": 4, "c": 3, "d": 3, "e": 1}, 2)
    assert shards == [["a", "d"], ["b", "c", "e"]]  # loads 8 and 8


def test_shards_are_the_same_on_every_machine_whatever_the_order_of_the_notebooks():
    weights = {"a": 2.0, "b": 2.0, "c": 2.0, "d": 1.0}
    reordered = dict(reversed(list(weights.items())))
    assert execute.assign_shards(weights, 2) == execute.assign_shards(reordered, 2)


def test_more_shards_than_notebooks_leaves_some_shards_empty():
    assert execute.assign_shards({"a": 1.0}, 3) == [["a"], [], []]


def test_a_multi_process_notebook_counts_for_its_processes(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    plans = []
    for name, processes in (("ddp", 2), ("solo", 1)):
        nb = nbformat.v4.new_notebook()
        nb.metadata["linreg"] = {"processes": processes}
        plans.append(execution.Plan(docs / f"{name}.ipynb", nb, "key"))
    hints = tmp_path / "hints.json"
    hints.write_text(json.dumps({"ddp": 10.0, "solo": 15.0}))
    weights = execute.shard_weights(plans, execution.NotebookCache(tmp_path / "cache"), hints)
    assert weights == {"ddp.ipynb": 20.0, "solo.ipynb": 15.0}


def test_a_notebook_with_no_recorded_time_counts_as_the_mean_of_the_others(tmp_path):
    docs = tmp_path / "docs"
    plans = [execution.Plan(docs / f"{n}.ipynb", nbformat.v4.new_notebook(), "key") for n in "abc"]
    hints = tmp_path / "hints.json"
    hints.write_text(json.dumps({"a": 10.0, "b": 20.0}))
    weights = execute.shard_weights(plans, execution.NotebookCache(tmp_path / "cache"), hints)
    assert weights["c.ipynb"] == 15.0


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0", "-1/2", ""])
def test_a_malformed_shard_is_refused_with_the_expected_form(text):
    with pytest.raises(ValueError, match=r"SHARD must look like k/N"):
        execute.parse_shard(text)


def test_a_shard_is_read_as_k_of_n():
    assert execute.parse_shard("2/3") == (2, 3)


def test_the_committed_notebooks_split_into_two_shards_of_similar_expected_time():
    sources = execute.notebook_sources()
    plans = [execution.Plan(s, nbformat.read(s, as_version=4), "key") for s in sources]
    weights = execute.shard_weights(plans, execution.NotebookCache(ROOT / ".no-cache-here"))
    loads = [sum(weights[n] for n in shard) for shard in execute.assign_shards(weights, 2)]
    assert max(loads) <= 4 / 3 * sum(weights.values()) / 2  # the LPT bound against a perfect split


# ------------------------------------------------------------------ shards, gathered, built


def _tiny_project(root: Path) -> Path:
    return tiny_project(root, {"one": "print(1 + 1)", "two": "print('two')"})


@pytest.fixture(scope="module")
def sharded(tmp_path_factory):
    """Two shards executed as on two machines (each its own cache), their exports gathered into a third cache."""
    root = _tiny_project(tmp_path_factory.mktemp("sharded"))
    sources = execute.notebook_sources(root / "docs")
    exports = root / "shard-entries"
    executed = [execute.run_shard(k, 2, sources=sources, cache_dir=root / f"machine-{k}", project_root=root,
                                  export=exports, workers=1) for k in (1, 2)]
    gathered = execute.gather(exports, root / ".cache")
    return root, sources, executed, gathered


def test_two_shards_execute_each_notebook_once_between_them(sharded):
    _, _, executed, _ = sharded
    assert len(executed[0]) == len(executed[1]) == 1
    assert set(executed[0]) | set(executed[1]) == {"one.ipynb", "two.ipynb"}


def test_a_shard_exports_its_entries_and_a_manifest_of_what_ran(sharded):
    root, _, executed, gathered = sharded
    manifest = json.loads((root / "shard-entries" / "shard-2-of-2.json").read_text())
    assert manifest["shard"] == "2/2" and manifest["executed"] == executed[1]
    assert len(gathered) == 2


def test_a_build_after_the_gather_executes_nothing(sharded, monkeypatch, caplog):
    root, sources, _, _ = sharded

    def refuse(*args, **kwargs):
        raise AssertionError("a notebook was executed")

    monkeypatch.setattr(execution, "execute_notebook", refuse)
    with caplog.at_level(logging.INFO, logger="mkdocs.hooks.execution"):
        outcomes = execution.prepare_notebooks(sources, docs_dir=root / "docs", project_root=root,
                                               cache_root=root / ".cache")
    assert not any(o.executed for o in outcomes)
    assert "Notebooks: 2 from the cache, 0 executed" in caplog.text
    rendered = nbformat.read(next(o.rendered for o in outcomes if o.source.name == "one.ipynb"), as_version=4)
    assert rendered.cells[1].outputs[0]["text"] == "2\n"


def test_a_shard_whose_notebooks_are_cached_executes_nothing(sharded, monkeypatch):
    root, sources, _, _ = sharded
    monkeypatch.setattr(execution, "execute_notebook", lambda *a, **k: pytest.fail("a notebook was executed"))
    assert execute.run_shard(1, 2, sources=sources, cache_dir=root / ".cache", project_root=root) == {}


@pytest.mark.parametrize("damage", ["wrong key", "truncated", "not a notebook", "no keys"])
def test_gather_leaves_out_an_entry_it_cannot_use_and_says_which(sharded, tmp_path, caplog, damage):
    root, _, _, _ = sharded
    entry = next((root / "shard-entries").glob("one-*.ipynb"))
    text = entry.read_text()
    bare = nbformat.writes(nbformat.v4.new_notebook())  # a notebook, but no cache entry: no keys recorded
    name = "one-0000000000000000000a.ipynb" if damage == "wrong key" else entry.name
    exported = tmp_path / "exported" / name
    exported.parent.mkdir()
    exported.write_text({"wrong key": text, "truncated": text[: len(text) // 2], "not a notebook": "{}",
                         "no keys": bare}[damage])
    with caplog.at_level(logging.INFO, logger="mkdocs.hooks.execution"):
        assert execute.gather(exported.parent, tmp_path / "cache") == []
    assert f"Left out {exported}" in caplog.text
    assert not list((tmp_path / "cache").rglob("*.ipynb"))  # nothing put in place: the build executes it


# ------------------------------------------------------------------ the key CI names its cache by


def test_the_site_key_ignores_prose_but_not_code(tmp_path):
    root = _tiny_project(tmp_path)
    docs = root / "docs"
    cache = execution.NotebookCache(root / ".cache")

    def key() -> str:
        fingerprint = execution.environment_fingerprint(root)
        return execute.site_key(execution.plan_notebooks(execute.notebook_sources(docs), cache, fingerprint), docs)

    before = key()
    nb = nbformat.read(docs / "one.ipynb", as_version=4)
    nb.cells[0].source = "# one, reworded"
    nbformat.write(nb, docs / "one.ipynb")
    assert key() == before
    nb.cells[1].source = "print(3)"
    nbformat.write(nb, docs / "one.ipynb")
    assert key() != before


def test_the_key_command_prints_one_hash_without_importing_torch_or_mkdocs():
    # CI's first job computes the key with only numpy and nbformat installed.
    probe = ("import runpy, sys; sys.argv = ['execute.py', 'key']\n"
             "try:\n    runpy.run_path(sys.argv_path, run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "print(sorted(m for m in ('torch', 'mkdocs', 'matplotlib') if m in sys.modules))")
    probe = probe.replace("sys.argv_path", repr(str(ROOT / "scripts" / "execute.py")))
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    key, heavy = result.stdout.splitlines()
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert heavy == "[]"


def test_make_execute_takes_a_shard():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^execute: .*\n\t.*scripts/execute\.py shard \$\(SHARD\)", makefile, re.M)
    assert re.search(r"^gather: .*\n\t.*scripts/execute\.py gather \$\(ENTRIES\)", makefile, re.M)
