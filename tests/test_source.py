"""linreg.source: a page shows the library code it teaches, read from the code that ran."""

import inspect

import pytest

from linreg import scratch, source


def test_the_block_holds_the_function_source_exactly():
    block = source.show_source(scratch.mse)
    assert block.text == inspect.getsource(scratch.mse)


def test_docstring_cross_references_show_as_their_text_and_the_code_is_untouched():
    from linreg import training

    block = source.show_source(training)
    assert "][linreg." not in block.text
    assert "`fit()`" in block.text
    code = [line for line in inspect.getsource(training).splitlines() if "][linreg." not in line]
    assert all(line in block.text.splitlines() for line in code)


def test_readable_keeps_indexing_that_is_not_a_cross_reference():
    assert source.readable("x[i][j] and [a][b]") == "x[i][j] and [a][b]"


def test_the_html_is_a_folded_highlighted_details_block_with_the_default_title():
    bundle = source.show_source(scratch.mse)._repr_mimebundle_()
    html = bundle["text/html"]
    assert html.startswith('<details class="linreg-source"><summary>How linreg does it: scratch.mse</summary>')
    assert '<div class="highlight">' in html and "<code>" in html
    assert bundle["text/plain"].startswith("# How linreg does it: scratch.mse\ndef mse(")


def test_open_unfolds_the_block_and_title_replaces_the_summary():
    html = source.show_source(scratch.mse, title="The loss", open=True)._repr_mimebundle_()["text/html"]
    assert html.startswith('<details class="linreg-source" open><summary>The loss</summary>')


def test_an_object_without_python_source_is_refused_with_its_name():
    with pytest.raises(TypeError, match="obj must be a Python function"):
        source.show_source(len)
