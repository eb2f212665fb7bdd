"""Specification of the cache of Markdown pages' executed code (hooks/markdown_cache.py).

Each test renders pages with real Python-Markdown + markdown-exec, the way
MkDocs does, and counts how often the code really runs (each block appends a
line to a file).
"""

from __future__ import annotations

import json
import logging
import sys
import types

import pytest
from markdown import Markdown
from markdown_exec import formatter, validator
from mkdocs.utils import CountHandler

from hooks import markdown_cache
from hooks.execution import PackageSnapshot

FINGERPRINT = "linreg v1"


def _page(runs, body="print('<b>42</b>')", prose="Some prose.", options='exec="on" html="1"'):
    code = f"open({str(runs)!r}, 'a').write('ran\\n')\n{body}"
    return f"# Title\n\n{prose}\n\n```python {options}\n{code}\n```\n\nAfter.\n"


def _render(cache, markdown, page_id="index.md", output=lambda fragment: fragment):
    """What the hook does around MkDocs' Markdown conversion of one page."""
    md = Markdown(extensions=["admonition", "pymdownx.superfences"], extension_configs={"pymdownx.superfences": {
        "custom_fences": [{"name": "python", "class": "python", "validator": validator, "format": formatter}]}})
    warnings = CountHandler(level=logging.WARNING)  # what the hook counts with
    logging.getLogger().addHandler(warnings)
    try:
        html = md.convert(cache.before_markdown(page_id, markdown))
    finally:
        logging.getLogger().removeHandler(warnings)
    html = cache.after_markdown(page_id, html, warnings=sum(warnings.counts.values()), output=output)
    cache.store()
    return html


def _runs(path):
    return len(path.read_text().splitlines()) if path.exists() else 0


@pytest.fixture()
def runs(tmp_path):
    return tmp_path / "runs.txt"


def _cache(tmp_path, fingerprint=FINGERPRINT):
    return markdown_cache.MarkdownExecCache(tmp_path / "cache", fingerprint)


def test_first_render_executes_and_a_rebuild_serves_identical_html_without_executing(tmp_path, runs):
    first = _render(_cache(tmp_path), _page(runs))
    second_cache = _cache(tmp_path)
    second = _render(second_cache, _page(runs))
    assert "<b>42</b>" in first
    assert second == first
    assert _runs(runs) == 1
    assert (second_cache.hits, second_cache.misses) == (1, 0)
    assert markdown_cache.MARKER not in first


def test_what_a_block_printed_is_rewritten_on_its_way_in_and_stored_as_printed(tmp_path, runs):
    def shout(fragment):
        return fragment.replace("42", "FORTY-TWO")

    first = _render(_cache(tmp_path), _page(runs), output=shout)
    second = _render(_cache(tmp_path), _page(runs), output=shout)
    plain = _render(_cache(tmp_path), _page(runs))  # a hit: the stored fragment is what the block printed
    assert "<b>FORTY-TWO</b>" in first and second == first
    assert "<b>42</b>" in plain and _runs(runs) == 1


def test_blocks_nested_in_an_admonition_are_cached_too(tmp_path, runs):
    page = "!!! note\n\n" + "".join(f"    {line}\n" if line else "\n" for line in _page(runs).splitlines())
    first = _render(_cache(tmp_path), page)
    assert _render(_cache(tmp_path), page) == first
    assert '<div class="admonition note">' in first and "<b>42</b>" in first
    assert _runs(runs) == 1


def test_a_prose_edit_does_not_execute_but_shows_the_new_prose(tmp_path, runs):
    _render(_cache(tmp_path), _page(runs))
    html = _render(_cache(tmp_path), _page(runs, prose="Edited prose."))
    assert "Edited prose." in html and "<b>42</b>" in html
    assert _runs(runs) == 1


def test_a_code_edit_executes_again(tmp_path, runs):
    _render(_cache(tmp_path), _page(runs))
    html = _render(_cache(tmp_path), _page(runs, body="print('<i>43</i>')"))
    assert "<i>43</i>" in html
    assert _runs(runs) == 2


def test_a_linreg_or_pin_change_executes_again(tmp_path, runs):
    _render(_cache(tmp_path), _page(runs))
    _render(_cache(tmp_path, fingerprint="linreg v2"), _page(runs))
    assert _runs(runs) == 2


def test_a_failing_block_is_never_stored(tmp_path, runs):
    page = _page(runs, body="raise RuntimeError('boom')")
    _render(_cache(tmp_path), page)
    _render(_cache(tmp_path), page)
    assert _runs(runs) == 2  # executed (and failed) both times: the traceback was not cached
    assert not list((tmp_path / "cache").glob("*.json"))


def test_blocks_that_print_headings_are_not_cached(tmp_path, runs):
    # The table of contents is built from the Markdown: a cached heading would be missing from it.
    page = _page(runs, body="print('## From code')", options='exec="on"')
    _render(_cache(tmp_path), page)
    assert "From code" in _render(_cache(tmp_path), page)
    assert _runs(runs) == 2


def test_pages_using_sessions_are_left_to_markdown_exec(tmp_path, runs):
    page = _page(runs, options='exec="on" html="1" session="s"')
    _render(_cache(tmp_path), page)
    _render(_cache(tmp_path), page)
    assert _runs(runs) == 2


def test_pages_without_executed_code_are_untouched(tmp_path):
    cache = _cache(tmp_path)
    text = "# Plain\n\n```python\nprint('shown, not run')\n```\n\n```python exec=\"off\"\nx = 1\n```\n"
    assert cache.before_markdown("plain.md", text) == text
    assert (cache.hits, cache.misses) == (0, 0)


def test_a_corrupt_entry_is_a_miss_not_a_crash(tmp_path, runs):
    _render(_cache(tmp_path), _page(runs))
    for entry in (tmp_path / "cache").glob("*.json"):
        entry.write_text("{not json")
    assert "<b>42</b>" in _render(_cache(tmp_path), _page(runs))
    assert _runs(runs) == 2


def test_executed_blocks_follow_markdown_exec_truthiness():
    text = "".join(f'```python exec="{value}"\nx\n```\n\n' for value in ("on", "1", "yes", "off", "0", "false"))
    assert len(markdown_cache.executed_blocks(text)) == 3


# ------------------------------------------------------------------ the linreg modules the blocks imported

FILES = {"linreg/__init__.py": "1", "linreg/glue.py": "2", "linreg/never_loaded_here.py": "3"}


def _with_package(tmp_path, **changed):
    files = {**FILES, **{f"linreg/{name}.py": digest for name, digest in changed.items()}}
    return markdown_cache.MarkdownExecCache(tmp_path / "cache", FINGERPRINT, PackageSnapshot(files))


def test_the_linreg_modules_the_blocks_imported_are_stored_with_their_output(tmp_path, runs):
    _render(_with_package(tmp_path), _page(runs, body="import linreg.glue\nprint('<b>42</b>')"))
    (stored,) = [json.loads(path.read_text()) for path in (tmp_path / "cache").glob("*.json")]
    assert {"linreg", "linreg.glue"} <= set(stored["imports"])
    assert "linreg.never_loaded_here" not in stored["imports"]


def test_a_change_to_a_module_the_blocks_imported_executes_them_again(tmp_path, runs):
    page = _page(runs, body="import linreg.glue\nprint('<b>42</b>')")
    _render(_with_package(tmp_path), page)
    _render(_with_package(tmp_path), page)
    assert _runs(runs) == 1
    _render(_with_package(tmp_path, glue="edited"), page)
    assert _runs(runs) == 2


def test_a_change_to_a_module_the_blocks_never_imported_executes_nothing(tmp_path, runs):
    page = _page(runs, body="import linreg.glue\nprint('<b>42</b>')")
    _render(_with_package(tmp_path), page)
    _render(_with_package(tmp_path, never_loaded_here="edited", another_new_module="new"), page)
    assert _runs(runs) == 1


def test_creating_a_module_the_blocks_tried_to_import_executes_them_again(tmp_path, runs):
    page = _page(runs, body="try:\n    import linreg.not_written_yet\nexcept ImportError:\n    print('<b>no</b>')")
    _render(_with_package(tmp_path), page)
    _render(_with_package(tmp_path), page)
    _render(_with_package(tmp_path, not_written_yet="new"), page)
    assert _runs(runs) == 2


@pytest.fixture()
def linreg_modules_restored():
    """The process's linreg modules as they were: a test that makes the cache drop them puts them back."""
    saved = {name: module for name, module in sys.modules.items() if name.split(".")[0] == "linreg"}
    yield
    for name in [name for name in sys.modules if name.split(".")[0] == "linreg"]:
        del sys.modules[name]
    sys.modules.update(saved)
    markdown_cache._loaded.clear()


def test_blocks_run_fresh_modules_once_a_file_they_came_from_changed(tmp_path, runs, linreg_modules_restored):
    # as in `mkdocs serve`: a module loaded by an earlier run, then edited on disk
    probe = tmp_path / "probe.py"
    probe.write_text("VALUE = 1\n")
    sys.modules["linreg.probe"] = module = types.ModuleType("linreg.probe")
    module.__file__ = str(probe)
    _render(_with_package(tmp_path), _page(runs, body="print('<b>1</b>')"))
    _render(_with_package(tmp_path), _page(runs, body="print('<b>2</b>')"))
    assert sys.modules.get("linreg.probe") is module  # its file is unchanged: kept
    probe.write_text("VALUE = 2\n")
    _render(_with_package(tmp_path), _page(runs, body="print('<b>3</b>')"))
    assert "linreg.probe" not in sys.modules  # dropped before the blocks ran: they import it afresh
