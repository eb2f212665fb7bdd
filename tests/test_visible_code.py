"""The code a page teaches is visible on it: a specification over every page's code cells.

The rule and the one table of machinery live in ``tests/visible_code.py``
(``python tests/visible_code.py`` prints what each page uses and how it is covered).
"""

from __future__ import annotations

import importlib

import pytest
import visible_code

# Pages being rewritten this round, and what each still uses unseen. Each entry must
# still be true (a stale one fails): the list only shrinks, and it ends empty.
PENDING: dict[str, set[str]] = {
    "11-scaling-out.ipynb": {
        "linreg.distributed.choose_backend",
        "linreg.distributed.epoch_shards",
        "linreg.distributed.max_param_difference",
        "linreg.distributed.run_ddp",
        "linreg.distributed.run_single_process",
    },
    "12-hyperparameter-search.ipynb": {
        "linreg.tuning.Range",
        "linreg.tuning.best_so_far_figure",
        "linreg.tuning.best_trial",
        "linreg.tuning.grid_points",
        "linreg.tuning.line_b_splits",
        "linreg.tuning.random_points",
        "linreg.tuning.trials_figure",
    },
}


@pytest.fixture(scope="module")
def hidden() -> dict[str, set[str]]:
    return {page: set(names) for page, names in visible_code.hidden_uses().items()}


def test_every_linreg_name_a_page_uses_is_shown_there_or_earlier_or_is_machinery(hidden):
    unexpected = {page: names - PENDING.get(page, set()) for page, names in hidden.items()}
    unexpected = {page: sorted(names) for page, names in unexpected.items() if names}
    assert not unexpected, (
        "these pages use linreg code they never show (show it in a cell or with show_source, "
        f"or, if it is machinery, add it to MACHINERY in tests/visible_code.py with a reason): {unexpected}")


def test_the_pending_list_names_only_what_is_still_hidden(hidden):
    stale = {page: sorted(names - hidden.get(page, set())) for page, names in PENDING.items()}
    stale = {page: names for page, names in stale.items() if names}
    assert not stale, f"now shown or no longer used: remove from PENDING in tests/test_visible_code.py: {stale}"


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
