"""The code a page teaches is visible on it: a specification over every page's code cells.

The rule and the one table of machinery live in ``tests/visible_code.py``
(``python tests/visible_code.py`` prints what each page uses and how it is covered).
"""

from __future__ import annotations

import importlib

import pytest
import visible_code


@pytest.fixture(scope="module")
def hidden() -> dict[str, set[str]]:
    return {page: set(names) for page, names in visible_code.hidden_uses().items()}


def test_every_linreg_name_a_page_uses_is_shown_there_or_earlier_or_is_machinery(hidden):
    unexpected = {page: sorted(names) for page, names in hidden.items() if names}
    assert not unexpected, (
        "these pages use linreg code they never show (show it in a cell or with show_source, "
        f"or, if it is machinery, add it to MACHINERY in tests/visible_code.py with a reason): {unexpected}")


@pytest.mark.parametrize("name", sorted(visible_code.MACHINERY))
def test_each_machinery_entry_names_a_real_linreg_object_and_gives_a_reason(name):
    try:
        importlib.import_module(name)
    except ImportError:
        module, attr = name.rsplit(".", 1)
        assert hasattr(importlib.import_module(module), attr), f"{name} does not exist"
    reason = visible_code.MACHINERY[name]
    assert ":" in reason and len(reason.split(":", 1)[1].split()) >= 4, f"{name}: give a kind and a one-line reason"


def test_the_machinery_table_stays_short():
    assert len(visible_code.MACHINERY) <= 25


def test_a_page_that_writes_a_function_or_shows_one_counts_it_as_shown():
    page = visible_code.page_code("x.ipynb", [
        "from linreg import scratch, training\nfrom linreg.source import show_source",
        "show_source(training.fit)\nhistory = training.fit(1, 2)",
        "def closed_form(x, y):\n    return 0\nscratch.closed_form(1, 2)",
    ])
    assert "linreg.training.fit" in page.shown
    assert "closed_form" in page.written
    assert {"linreg.training.fit", "linreg.scratch.closed_form"} <= set(page.used)


def test_a_name_imported_from_a_module_and_used_bare_counts_as_used():
    page = visible_code.page_code("x.ipynb", ["from linreg.training import evaluate", "evaluate(1, 2, 3)"])
    assert "linreg.training.evaluate" in page.used
