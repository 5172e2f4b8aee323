"""Currency conversion to USD with dated monthly reference rates.

Two tables, tried in order for each currency:

1. the **ECB euro reference rates** loaded into the warehouse (``ref.fx_rates``, by the ``fx`` source or
   ``jobtrends fx update``), as monthly averages of the daily cross rates via EUR (units per USD =
   units per EUR / USD per EUR, day by day); the pipeline activates it with :func:`set_reference_table`
   before normalising;
2. the **bundled** table ``data/fx_rates.csv`` (provenance in ``data/fx_rates.README.md``), the offline
   fallback, also for currencies the ECB does not publish (CLP, TWD) or no longer publishes.

A posting's pay is converted with the rate of the posting's month; where that month is missing the
newest *earlier* month is used (never a later one, so a backfill never sees the future). A currency the
ECB stopped publishing (RUB, HRK...) is not carried past its last month from the ECB table: the bundled
table, or nothing, answers then. Every answer says which table gave it (``fx_source``:
``ecb:<newest rate date of the table>``, ``bundled:<version>``, or ``identity`` for USD).

The ECB file is fetched and parsed by the ``fx`` source (:mod:`ingest.sources.fx`); the warehouse I/O
lives in :mod:`jobtrends.warehouse`.
"""

from __future__ import annotations

import bisect
import csv
import functools
import math
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "RATES_PATH",
    "Rate",
    "RateTable",
    "bundled_table",
    "ecb_table",
    "load_rates",
    "lookup",
    "rate",
    "reference_table",
    "set_reference_table",
    "to_usd",
]

RATES_PATH = Path(__file__).with_name("data") / "fx_rates.csv"
#: The ECB's published daily history of every euro reference rate (a zip holding ``eurofxref-hist.csv``).


@dataclass(frozen=True, slots=True)
class Rate:
    """Units of a currency per 1 USD, the month of the rate used, and the table that gave it."""

    units_per_usd: float
    month: str
    source: str


@dataclass(frozen=True)
class RateTable:
    """Per currency: sorted months and the matching units-per-USD values; ``label`` names the table."""

    months: dict[str, list[str]]
    values: dict[str, list[float]]
    label: str = "bundled"
    extend_all: bool = True
    """False for a table whose currencies may have stopped: a currency is carried past its own last
    month only when it is still published in the table's newest month."""
    newest_month: str = field(default="")

    def lookup(self, currency: str, month: str) -> tuple[float, str] | None:
        """``(units_per_usd, rate_month)`` for ``month`` or the nearest earlier month; else None."""
        months = self.months.get(currency)
        if not months:
            return None
        i = bisect.bisect_right(months, month) - 1
        if i < 0:
            return None
        if not self.extend_all and i == len(months) - 1 and month > months[i]:
            newest = self.newest_month or max(m[-1] for m in self.months.values())
            if months[i] < newest:
                return None  # discontinued: not carried forward
        return self.values[currency][i], months[i]


def _version(lines: list[str]) -> str:
    for line in lines:
        if line.lower().startswith("# version:"):
            return (line.split(":", 1)[1].split() or ["unversioned"])[0]
    return "unversioned"


def load_rates(path: Path | str = RATES_PATH) -> RateTable:
    """Read a ``month,currency,units_per_usd[,status]`` CSV (``#`` lines are comments; a
    ``# version: X`` comment names the table ``bundled:X``)."""
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    rows: dict[str, list[tuple[str, float]]] = {}
    reader = csv.DictReader(line for line in lines if not line.startswith("#"))
    for row in reader:
        value = float(row["units_per_usd"])
        if value > 0:
            rows.setdefault(row["currency"].strip().upper(), []).append((row["month"].strip(), value))
    return _table(rows, f"bundled:{_version(lines)}", extend_all=False)


def _table(rows: dict[str, list[tuple[str, float]]], label: str, *, extend_all: bool) -> RateTable:
    months: dict[str, list[str]] = {}
    values: dict[str, list[float]] = {}
    for cur, items in rows.items():
        items.sort()
        months[cur] = [m for m, _ in items]
        values[cur] = [v for _, v in items]
    newest = max((m[-1] for m in months.values() if m), default="")
    return RateTable(months, values, label, extend_all, newest)


def ecb_table(rows: list[tuple[str, str, float]], newest_date: str) -> RateTable:
    """A table from ``(month, currency, units_per_usd)`` monthly averages of ECB rates; its label
    ``ecb:<newest_date>`` identifies the version of the ECB history it was computed from."""
    grouped: dict[str, list[tuple[str, float]]] = {}
    for month, currency, value in rows:
        if value and value > 0 and math.isfinite(value):
            grouped.setdefault(currency.upper(), []).append((month, float(value)))
    return _table(grouped, f"ecb:{newest_date}", extend_all=False)


@functools.cache
def bundled_table() -> RateTable:
    return load_rates()


_REFERENCE: RateTable | None = None


def set_reference_table(table: RateTable | None) -> None:
    """Make ``table`` (the ECB rates from the warehouse) the first table :func:`lookup` tries; None
    leaves only the bundled table. Set before forking normaliser workers (they inherit it)."""
    global _REFERENCE
    _REFERENCE = table


def reference_table() -> RateTable | None:
    return _REFERENCE


def _month(value: object) -> str | None:
    """``YYYY-MM`` from a month string, a date(time) or an ISO timestamp; None when unusable."""
    if value is None:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    text = text.strip()
    if len(text) >= 7 and text[:4].isdigit() and text[4] == "-" and text[5:7].isdigit():
        return text[:7]
    return None


def lookup(currency: str | None, month: object) -> Rate | None:
    """The rate converting ``currency`` to USD for ``month``: the reference (ECB) table first, then the
    bundled one; None for an unknown currency or a month before both tables start."""
    m = _month(month)
    if not currency or m is None:
        return None
    cur = str(currency).strip().upper()
    if cur == "USD":
        return Rate(1.0, m, "identity")
    for table in (_REFERENCE, bundled_table()):
        if table is None:
            continue
        found = table.lookup(cur, m)
        if found is not None:
            return Rate(found[0], found[1], table.label)
    return None


def rate(currency: str | None, month: object) -> tuple[float, str] | None:
    """Units of ``currency`` per USD for ``month`` (nearest earlier month), with the month used."""
    found = lookup(currency, month)
    return (found.units_per_usd, found.month) if found else None


def to_usd(amount: float | None, currency: str | None, month: object) -> tuple[float | None, str | None]:
    """Convert ``amount`` to USD with the reference rate of ``month`` (``YYYY-MM``).

    Returns ``(usd_amount, rate_month)``; ``(None, None)`` for an unknown currency, a month before the
    tables start, or no amount.
    """
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return None, None
    found = rate(currency, month)
    if found is None:
        return None, None
    units, used = found
    return float(amount) / units, used
