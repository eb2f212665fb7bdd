"""Two cold builds give the same pages: every text output, figure and video is reproducible.

Executes every tutorial notebook a second time into a fresh cache and compares
the outputs with the build's own (``built_site`` fills the project cache first).
Cells tagged ``timing`` measure wall-clock time and are the only ones exempt.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from hooks import execution, media

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.site, pytest.mark.slow]


def _outputs(notebook: nbformat.NotebookNode) -> list[tuple[int, str]]:
    kept = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or "timing" in cell.metadata.get("tags", []):
            continue
        # The kernel splits a stream into chunks at timing-dependent points: compare
        # each stream's joined text, and every rich output (figures, videos) as is.
        streams: dict[str, str] = {}
        for output in cell.outputs:
            if output.output_type == "stream":
                streams[output.name] = streams.get(output.name, "") + output.text
            else:
                data = output.get("data") or output.get("traceback")
                kept.append((index, json.dumps(data, sort_keys=True)))
        kept += [(index, f"{name}: {text}") for name, text in sorted(streams.items())]
    return kept


@pytest.fixture(scope="module")
def second_build(built_site, tmp_path_factory):
    docs = ROOT / "docs"
    sources = sorted((docs / "tutorials").glob("*.ipynb"))
    # media out to files as the build takes them (names are hashes of the bytes: equal names, equal files)
    def extract(_, notebook) -> list[str]:
        return sorted(media.extract(notebook, f"../../{media.MEDIA_DIR}/".__add__))

    outcomes = execution.prepare_notebooks(sources, docs_dir=docs, project_root=ROOT,
                                           cache_root=tmp_path_factory.mktemp("second-cache"), extract=extract)
    assert all(o.executed for o in outcomes), "the second build must start cold"
    return {o.source.name: o.rendered for o in outcomes}


def test_two_cold_builds_give_identical_outputs(second_build):
    cache = ROOT / ".cache" / "site" / "rendered" / "tutorials"
    differences = []
    for name, rendered in second_build.items():
        first = _outputs(nbformat.read(cache / name, as_version=4))
        second = _outputs(nbformat.read(rendered, as_version=4))
        if first != second:
            cells = sorted({i for (i, a), (_, b) in zip(first, second, strict=False) if a != b})
            differences.append(f"{name}: cells {cells or '(output count differs)'}")
    assert not differences, "outputs differ between two builds:\n" + "\n".join(differences)
