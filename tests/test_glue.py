"""linreg.glue: values recorded in code cells, cited in prose, checked by page tests."""

import numpy as np
import pytest

from linreg import glue


def _notebook(*records, markdown="x"):
    outputs = [{"output_type": "display_data", "data": {glue.MIME_TYPE: r}, "metadata": {}} for r in records]
    return {"cells": [{"cell_type": "markdown", "source": markdown},
                      {"cell_type": "code", "source": "", "outputs": outputs}]}


def test_collect_reads_every_recorded_value_by_name():
    nb = _notebook({"name": "a", "text": "1.00", "value": 1.0}, {"name": "b", "text": "2", "value": 2})
    assert glue.collect(nb) == {"a": {"text": "1.00", "value": 1.0}, "b": {"text": "2", "value": 2}}


def test_fill_replaces_citations_with_the_recorded_text():
    values = {"ratio": {"text": "42", "value": 41.7}}
    assert glue.fill("about {{ glue:ratio }}x and {{glue:ratio}}", values) == "about 42x and 42"


def test_fill_leaves_other_braces_alone():
    assert glue.fill(r"$\frac{{a}}{b}$ {{ name }}", {}) == r"$\frac{{a}}{b}$ {{ name }}"


def test_a_citation_without_a_recorded_value_names_the_page_and_the_value():
    with pytest.raises(glue.GlueError, match=r"02.ipynb, cell 3 cites \{\{ glue:missing \}\}"):
        glue.fill("{{ glue:missing }}", {}, where="02.ipynb, cell 3")


@pytest.mark.parametrize("name", ["2fast", "a-b", "", None])
def test_a_name_must_be_an_identifier(name):
    with pytest.raises(glue.GlueError, match="identifier"):
        glue.glue(name, 1)


def test_a_format_that_does_not_fit_the_value_is_refused():
    with pytest.raises(glue.GlueError, match="cannot format"):
        glue.glue("x", "text", "{:.2f}")


def test_non_finite_numbers_are_refused():
    with pytest.raises(glue.GlueError, match="non-finite"):
        glue.glue("x", float("nan"))


def test_numpy_values_are_recorded_as_plain_numbers():
    assert glue._plain(np.float32(0.5)) == 0.5
    assert glue._plain(np.array([1, 2])) == [1, 2]


def test_glue_displays_the_record_inside_ipython(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.get_ipython", lambda: object())
    monkeypatch.setattr("IPython.display.display", lambda obj, raw: shown.append(obj))
    glue.glue("mse", np.float64(0.008123), "{:.4f}")
    assert shown == [{glue.MIME_TYPE: {"name": "mse", "text": "0.0081", "value": 0.008123}}]
