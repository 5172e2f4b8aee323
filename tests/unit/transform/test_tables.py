"""transform.tables.render_table: the one text-table renderer (CLI and evaluation reports)."""

from __future__ import annotations

from decimal import Decimal

from transform.tables import format_cell, render_table


def test_numbers_are_right_aligned_and_text_left() -> None:
    lines = render_table(["name", "n", "share"], [["a", 1_234, "12.5%"], ["bbb", 5, "7%"]]).splitlines()
    assert lines[0] == "name      n  share"
    assert lines[2:] == ["a     1,234  12.5%", "bbb       5     7%"]


def test_a_column_with_any_text_is_left_aligned() -> None:
    lines = render_table(["id"], [["10"], ["x7"]]).splitlines()
    assert lines[2:] == ["10", "x7"]


def test_long_cells_are_cut_unless_max_width_is_off() -> None:
    text = "word " * 30
    assert render_table(["t"], [[text]], max_width=10).splitlines()[2] == "word word…"
    assert render_table(["t"], [[text]], max_width=None).splitlines()[2] == text.strip()


def test_rows_are_padded_and_cut_to_the_columns() -> None:
    lines = render_table(["a", "b"], [["x"], ["y", "z", "extra"]]).splitlines()
    assert lines[2:] == ["x", "y  z"]


def test_cell_formats() -> None:
    assert format_cell(None) == ""
    assert format_cell(0.123456) == "0.1235"
    assert format_cell(0.5, decimals=3) == "0.500"
    assert format_cell(1_234_567.8) == "1,234,568"
    assert format_cell(Decimal("2.50")) == "2.50"
    assert format_cell(True) == "True"
