"""The dashboard's rows: every ``sql/dashboard/*.sql`` query (settings and claims: ``sql/report/``) run
on a read-only connection, into :class:`DashboardData`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

QUERIES: tuple[str, ...] = (
    "settings",
    "claims",
    "title_growth",
    "distinct_titles",
    "skills",
    "salary",
    "wage_premium",
    "sources",
    "loaded",
    "volumes",
    "quarantine",
    "validation",
)
#: Queries the report already has: the dashboard reads the same files (``sql/report/``).
REPORT_QUERIES = frozenset({"settings", "claims"})


@dataclass(frozen=True)
class DashboardData:
    """The rows of every ``sql/dashboard/<name>.sql`` query (settings and claims: ``sql/report/``), plus the query texts."""

    tables: Mapping[str, list[dict[str, Any]]]
    sql: Mapping[str, str] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)

    def rows(self, name: str) -> list[dict[str, Any]]:
        return list(self.tables.get(name, []))

    @property
    def settings(self) -> dict[str, Any]:
        rows = self.rows("settings")
        return rows[0] if rows else {}

    @property
    def is_sample(self) -> bool:
        return bool(self.settings.get("contains_synthetic_sample"))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def load_data(con: Any, sql_dir: Path) -> DashboardData:
    """Run the dashboard queries on a (read-only) connection; a query that fails is reported, not fatal."""
    tables: dict[str, list[dict[str, Any]]] = {}
    texts: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name in QUERIES:
        folder = "report" if name in REPORT_QUERIES else "dashboard"
        text = (Path(sql_dir) / folder / f"{name}.sql").read_text()
        texts[name] = text
        try:
            cur = con.execute(text)
            cols = [d[0] for d in cur.description]
            tables[name] = [{c: _plain(v) for c, v in zip(cols, r, strict=True)} for r in cur.fetchall()]
        except Exception as exc:  # a missing ops table must not hide the charts
            tables[name] = []
            errors[name] = str(exc).splitlines()[0][:300]
    return DashboardData(tables=tables, sql=texts, errors=errors)
