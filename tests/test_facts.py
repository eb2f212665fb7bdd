"""Specification of the facts Markdown pages cite (hooks/facts.py), and of the contributors' page staying true.

A page cites ``{{ build:notebooks }}`` and the build puts in the number the code
gives; what the page states about budgets is held to the constants the tests
enforce.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from test_site import (
    EXPLORABLE_ALLOWANCE,
    KIB,
    MIB,
    PAGE_GZIP_BUDGET,
    PAGE_HTML_BUDGET,
    PAGE_WITH_MEDIA_BUDGET,
    VIDEO_BUDGET,
    html_path,
)

from hooks import facts

ROOT = Path(__file__).resolve().parent.parent
CONTRIBUTING = ROOT / "docs" / "contributing.md"
sys.path.insert(0, str(ROOT / "benchmarks"))
import page_weight  # noqa: E402


@pytest.fixture()
def project(tmp_path):
    (tmp_path / "docs" / "b").mkdir(parents=True)
    (tmp_path / "docs" / ".ipynb_checkpoints").mkdir()
    for name in ("a.ipynb", "b/c.ipynb", ".ipynb_checkpoints/a-checkpoint.ipynb"):
        (tmp_path / "docs" / name).write_text("{}" * 512)
    (tmp_path / "hooks").mkdir()
    (tmp_path / "hooks" / "notebook-seconds.json").write_text(json.dumps({"a": 1.25, "c": 2.5}))
    (tmp_path / "hooks" / "events.py").write_text("import os\nfrom mkdocs.plugins import event_priority\n")
    (tmp_path / "hooks" / "pure.py").write_text("import json  # mkdocs is not imported here\n")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "serve.py").write_text("def f():\n    from mkdocs import livereload\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_render.py").write_text("import markdown\n")
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "lock.txt").write_text("mkdocs==1.6.1\ntorch==2.13.0\n")
    (tmp_path / "pyproject.toml").write_text('docs = [\n    "mkdocs>=1.6,<1.7",\n    "nbclient>=0.10",\n]\n')
    return tmp_path


def test_each_fact_is_read_from_the_project(project):
    assert facts.fact("notebooks", project) == "2"  # not the checkpoint copy
    assert facts.fact("hint_seconds", project) == "4"  # 3.75 s
    assert facts.fact("pin:torch", project) == "2.13.0"
    assert facts.fact("range:mkdocs", project) == ">=1.6,<1.7"
    assert facts.fact("kib:docs/a.ipynb", project) == "1.0"
    assert facts.fact("builder_modules", project) == "`hooks/events.py`, `scripts/serve.py`, `tests/test_render.py`"


def test_a_citation_is_filled_and_an_escaped_one_is_shown_as_written(project):
    text = "We have {{ build:notebooks }} pages; write \\{{ build:notebooks }} to cite the count."
    assert facts.fill(text, project, where="p.md") == "We have 2 pages; write {{ build:notebooks }} to cite the count."


@pytest.mark.parametrize("name", ["nope", "pin:no-such-package", "kib:docs/missing.md"])
def test_a_citation_of_a_fact_the_build_does_not_know_fails_naming_the_page(project, name):
    with pytest.raises(facts.FactError, match=rf"p\.md: \{{\{{ build:{re.escape(name)} \}}\}}"):
        facts.fill(f"Text {{{{ build:{name} }}}}.", project, where="p.md")


def test_the_contributors_page_cites_what_the_code_knows_instead_of_typing_it():
    text = CONTRIBUTING.read_text()
    for citation in ("notebooks", "hint_seconds", "pin:torch", "pin:mkdocs", "pin:mkdocs-material",
                     "range:mkdocs", "builder_modules"):
        assert f"{{{{ build:{citation} }}}}" in text
    count = facts.fact("notebooks")
    assert f"{count} notebooks" not in text and f"Notebooks: {count} from" not in text  # typed, it would go stale


def test_the_contributors_page_states_the_budgets_the_tests_enforce():
    text = " ".join(CONTRIBUTING.read_text().split())
    for statement in (f"≤ {PAGE_HTML_BUDGET // KIB} KiB of HTML per page",
                      f"({EXPLORABLE_ALLOWANCE // KIB} KiB more where a page has an explorable figure)",
                      f"≤ {PAGE_GZIP_BUDGET // KIB} KiB gzip-compressed for notebook pages (without their inline "
                      "graphs and explorable data) and reference pages",
                      f"≤ {PAGE_WITH_MEDIA_BUDGET / MIB:g} MiB with media", f"≤ {VIDEO_BUDGET // KIB} KiB per video",
                      f"≤ {page_weight.OVERHEAD_BUDGET // KIB} KiB of shared overhead",
                      f"≤ {page_weight.OVERHEAD_GZIP_BUDGET // KIB} KiB gzip-compressed)",
                      f"≤ {page_weight.VISIT_BUDGET / MIB:g} MiB in all"):
        assert statement in text


@pytest.mark.site
def test_the_built_contributors_page_states_todays_figures(built_site):
    page = html_path(built_site, "contributing.md").read_text()
    assert f"Notebooks: {facts.fact('notebooks')} from the cache, 0 executed" in page
    assert f"mkdocs {facts.fact('pin:mkdocs')}" in page
    # every citation is filled; only those written escaped (\{{ build:... }}, to show the syntax) show as written
    assert page.count("{{ build:") == CONTRIBUTING.read_text().count("\\{{ build:") == 1


def test_the_lock_pins_every_package_pyproject_names_inside_its_range():
    # The Makefile installs the lock, then linreg with --no-deps: pip never checks pyproject's ranges, so this
    # test does (a lock bumped to MkDocs 2 fails here, not halfway through a build).
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines():
        if "==" in (line := line.split("#")[0].strip()):
            pin = Requirement(line)
            pins[canonicalize_name(pin.name)] = next(iter(pin.specifier)).version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    groups = {"dependencies": project["dependencies"], **project["optional-dependencies"]}
    ranged = [(group, Requirement(text)) for group, texts in groups.items() for text in texts
              if Requirement(text).specifier]  # setuptools, named without a range, is not in a pip freeze
    assert any(group == "docs" and wanted.name == "mkdocs" for group, wanted in ranged)
    outside = [f"{group}: {wanted} but the lock pins {pin or 'nothing'}" for group, wanted in ranged
               if (pin := pins.get(canonicalize_name(wanted.name))) is None or pin not in wanted.specifier]
    assert not outside, outside
