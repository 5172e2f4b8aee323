"""Text (``rich`` tables), CSV and JSON rendering of query results and summaries."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


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
    rows: Sequence[Sequence[Any]],
    *,
    max_width: int | None = 60,
    align: str | None = None,
    width: int | None = None,
) -> str:
    """An aligned text table (rich); numbers right-aligned, cells longer than ``max_width`` cut with an
    ellipsis. ``align`` (one ``l``/``r`` per column) overrides the automatic alignment."""
    cells = [[_cell(v) for v in row] for row in rows]
    if max_width:
        cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    if align is None:
        align = "".join(
            "r"
            if rows and all(isinstance(r[i], int | float | Decimal) or r[i] is None for r in rows)
            else "l"
            for i in range(len(columns))
        )
    table = make_table(columns, align=align)
    for row in cells:
        table.add_row(*row)
    return to_text(table, width)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def render(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str = "table") -> str:
    if fmt == "json":
        return json.dumps(
            [dict(zip(columns, row, strict=True)) for row in rows],
            default=_json_default,
            ensure_ascii=False,
            indent=1,
        )
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[("" if v is None else v) for v in row] for row in rows])
        return buf.getvalue().rstrip("\n")
    return render_table(columns, rows)
