"""Specification of linreg.tables: Markdown tables for pages."""

import pytest

from linreg.tables import markdown_table


def test_markdown_table_escapes_pipes():
    assert markdown_table(["a"], [("x|y",)]).splitlines()[-1] == "| x\\|y |"


def test_markdown_table_refuses_a_row_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"rows\[0\] has 1 cells but there are 2 headers"):
        markdown_table(["a", "b"], [(1,)])


def test_markdown_table_needs_headers():
    with pytest.raises(ValueError, match="headers"):
        markdown_table([], [])
