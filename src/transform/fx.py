"""Currency conversion to USD with a dated table of monthly reference rates.

The table (``data/fx_rates.csv``; provenance in ``data/fx_rates.README.md``) holds units of a currency per
1 USD for each month. A posting's pay is converted with the rate of the posting's month; where that month
is missing the nearest *earlier* month is used (never a later one, so a backfill never sees the future).
"""

from __future__ import annotations

import bisect
import csv
import functools
import math
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RATES_PATH", "RateTable", "load_rates", "rate", "to_usd"]

RATES_PATH = Path(__file__).with_name("data") / "fx_rates.csv"


@dataclass(frozen=True)
class RateTable:
    """Per currency: sorted months and the matching units-per-USD values."""

    months: dict[str, list[str]]
    values: dict[str, list[float]]

    def lookup(self, currency: str, month: str) -> tuple[float, str] | None:
        """``(units_per_usd, rate_month)`` for ``month`` or the nearest earlier month; else None."""
        months = self.months.get(currency)
        if not months:
            return None
        i = bisect.bisect_right(months, month) - 1
        if i < 0:
            return None
        return self.values[currency][i], months[i]


def load_rates(path: Path | str = RATES_PATH) -> RateTable:
    """Read a ``month,currency,units_per_usd[,status]`` CSV (``#`` lines are comments)."""
    rows: dict[str, list[tuple[str, float]]] = {}
    with open(path, encoding="utf-8") as fh:
        reader = csv.DictReader(line for line in fh if not line.startswith("#"))
        for row in reader:
            value = float(row["units_per_usd"])
            if value > 0:
                rows.setdefault(row["currency"].strip().upper(), []).append((row["month"].strip(), value))
    months: dict[str, list[str]] = {}
    values: dict[str, list[float]] = {}
    for cur, items in rows.items():
        items.sort()
        months[cur] = [m for m, _ in items]
        values[cur] = [v for _, v in items]
    return RateTable(months, values)


@functools.cache
def _default_table() -> RateTable:
    return load_rates()


def _month(value: object) -> str | None:
    """``YYYY-MM`` from a month string, a date(time) or an ISO timestamp; None when unusable."""
    if value is None:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    text = text.strip()
    if len(text) >= 7 and text[:4].isdigit() and text[4] == "-" and text[5:7].isdigit():
        return text[:7]
    return None


def rate(currency: str | None, month: object) -> tuple[float, str] | None:
    """Units of ``currency`` per USD for ``month`` (nearest earlier month), with the month used."""
    m = _month(month)
    if not currency or m is None:
        return None
    return _default_table().lookup(str(currency).strip().upper(), m)


def to_usd(amount: float | None, currency: str | None, month: object) -> tuple[float | None, str | None]:
    """Convert ``amount`` to USD with the reference rate of ``month`` (``YYYY-MM``).

    Returns ``(usd_amount, rate_month)``; ``(None, None)`` for an unknown currency, a month before the
    table starts, or no amount.
    """
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return None, None
    found = rate(currency, month)
    if found is None:
        return None, None
    units, used = found
    return float(amount) / units, used
