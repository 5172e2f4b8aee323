"""The project's one text-table renderer (``rich``): the CLI's query results and summaries, and the
evaluation reports of the ``eval_*`` modules.

>>> print(render_table(["x", "n"], [["a", 1], ["bb", 22]]))
x    n
──────
a    1
bb  22
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

__all__ = ["format_cell", "make_table", "render_table", "to_text"]


def format_cell(value: Any, decimals: int | None = None) -> str:
    """A value as table text: ``None`` empty, integers with thousands separators, floats with
    ``decimals`` decimals (default: 4 significant digits, whole numbers from 1,000 up)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if decimals is not None:
            return f"{value:.{decimals}f}"
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _is_number(value: Any) -> bool:
    """A number, or text that reads as one (``"0.5"``, ``"12.5%"``): right-aligned."""
    if isinstance(value, int | float | Decimal):
        return True
    try:
        float(str(value).rstrip("%"))
    except ValueError:
        return False
    return True


def to_text(renderable: Any, width: int | None = None) -> str:
    """A rich renderable as plain text (no colour codes); ``width`` wraps it, else lines are as long as needed."""
    buf = io.StringIO()
    console = Console(
        file=buf, width=width or 100_000, color_system=None, force_terminal=False, legacy_windows=False
    )
    console.print(renderable)
    return "\n".join(line.rstrip() for line in buf.getvalue().rstrip("\n").splitlines())


def make_table(headers: Sequence[str], *, align: str | None = None, title: str | None = None) -> Table:
    """An empty rich table in the project's style: a rule under the header, no borders.

    ``align``: one ``l``/``r`` per column (default: all left)."""
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        title=title,
        title_justify="left",
        header_style="bold",
        padding=(0, 1, 0, 0),  # with the box's blank column separator: two spaces between columns
    )
    for i, header in enumerate(headers):
        right = align is not None and i < len(align) and align[i] == "r"
        table.add_column(str(header), justify="right" if right else "left", overflow="fold")
    return table


def render_table(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    max_width: int | None = 60,
    align: str | None = None,
    width: int | None = None,
    decimals: int | None = None,
) -> str:
    """An aligned text table: a column whose filled cells are all numbers is right-aligned, the others
    left (``align``, one ``l``/``r`` per column, overrides that). Cells longer than ``max_width`` are cut
    with an ellipsis; ``decimals`` fixes the decimals of floats (:func:`format_cell`); rows are padded or
    cut to the columns."""
    ncol = len(columns)
    values = [list(row)[:ncol] + [None] * (ncol - len(row)) for row in rows]
    cells = [[format_cell(v, decimals) for v in row] for row in values]
    if max_width:
        cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    if align is None:
        filled = [[v for v in column if v is not None and v != ""] for column in zip(*values, strict=True)]
        align = "".join("r" if col and all(_is_number(v) for v in col) else "l" for col in filled)
    table = make_table(columns, align=align)
    for row in cells:
        table.add_row(*row)
    return to_text(table, width)
