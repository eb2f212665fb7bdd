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
    "index.md": {
        "linreg.scratch.closed_form",
    },
    "01-tensors.ipynb": {
        "linreg.tensors.dtype_markdown",
        "linreg.tensors.memory_order_figure",
        "linreg.tensors.pick_device",
        "linreg.tensors.shares_memory",
        "linreg.tensors.subpackage_markdown",
    },
    "02-gradient-descent.ipynb": {
        "linreg.scratch.closed_form",
        "linreg.scratch.initial_parameters",
        "linreg.surfaces.animate_descent",
        "linreg.surfaces.contour_figure",
        "linreg.surfaces.learning_rate_figure",
        "linreg.surfaces.loss_surface",
        "linreg.surfaces.surface_3d_figure",
    },
    "03-autograd.ipynb": {
        "linreg.autograd_descent.gradient_descent",
        "linreg.autograd_descent.initial_parameters",
        "linreg.scratch.mse_gradients",
    },
    "04-losses-and-optimizers.ipynb": {
        "linreg.scratch.closed_form",
        "linreg.scratch.initial_parameters",
        "linreg.surfaces.contour_figure",
        "linreg.surfaces.grid_around",
        "linreg.surfaces.loss_surface",
        "linreg.surfaces.optimizer_path",
        "linreg.surfaces.optimizer_paths",
    },
    "05-models.ipynb": {
        "linreg.scratch.closed_form",
    },
    "06-datasets.ipynb": {
        "linreg.datasets.AugmentedLineDataset",
        "linreg.datasets.make_loader",
        "linreg.datasets.seeded_split",
        "linreg.training.evaluate",
    },
    "07-training-loop.ipynb": {
        "linreg.checkpoints.CheckpointError",
        "linreg.checkpoints.load_checkpoint",
        "linreg.checkpoints.save_checkpoint",
        "linreg.datasets.line_b_loaders",
        "linreg.training.fit",
    },
    "08-schedulers.ipynb": {
        "linreg.datasets.line_b_loaders",
        "linreg.training.evaluate",
        "linreg.training.fit",
    },
    "09-neural-networks.ipynb": {
        "linreg.data.polynomial_features",
        "linreg.training.fit",
    },
    "10-autoencoders.ipynb": {
        "linreg.digits.load_digit_images",
        "linreg.digits.mnist",
        "linreg.digits.read_idx_images",
        "linreg.digits.sklearn_digits",
        "linreg.models.compression_ratio",
        "linreg.training.fit",
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
