"""Pay results and periods: :class:`PayResult`, annualisation, the no-written-period rule and structured fields.

Held apart from :mod:`transform.salary` (the text parser), which re-exports every public name here.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from transform import money

HOURS_PER_YEAR = 2080  # 40 h x 52 weeks
DAYS_PER_YEAR = 260  # 5 days x 52 weeks
WEEKS_PER_YEAR = 52
MONTHS_PER_YEAR = 12
PERIOD_FACTORS: dict[str, int] = {
    "hour": HOURS_PER_YEAR,
    "day": DAYS_PER_YEAR,
    "week": WEEKS_PER_YEAR,
    "month": MONTHS_PER_YEAR,
    "year": 1,
}
#: Without a written period: below this an amount is hourly ...
HOURLY_BELOW = 300
#: ... and up to this it is monthly in a month-paid market, yearly elsewhere.
MONTHLY_UP_TO = 20_000
#: Markets where pay is usually quoted per month (CNY ``20K-35K`` in Chinese posts).
MONTH_PAID_CURRENCIES = frozenset(
    {"CNY", "TWD", "HKD", "MYR", "BRL", "MXN", "ARS", "COP", "CLP", "PEN", "PHP", "VND", "IDR", "THB"}
)
#: Currencies whose annual salaries are quoted in millions (``¥8M``), so an ``M`` suffix can be pay.
MILLION_PAY_CURRENCIES = frozenset({"JPY", "KRW", "IDR", "VND", "HUF", "CLP", "COP"})


@dataclass(frozen=True, slots=True)
class PayResult:
    """One posting's pay, in the original currency and period, with annualised figures."""

    salary_min: float | None
    salary_max: float | None
    currency: str | None
    period: str | None
    annual_min: float | None
    annual_max: float | None
    is_estimate: bool
    source: str  # "structured" | "text"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def annualise(amount: float | None, period: str | None) -> float | None:
    """``amount`` per ``period`` as a yearly amount (hour x 2080, day x 260, week x 52, month x 12)."""
    if amount is None or period not in PERIOD_FACTORS:
        return None
    return float(amount) * PERIOD_FACTORS[period]


_PERIOD_WORDS = {
    "hour": "hour", "hourly": "hour", "hr": "hour", "h": "hour", "hours": "hour",
    "day": "day", "daily": "day", "days": "day",
    "week": "week", "weekly": "week", "wk": "week", "weeks": "week",
    "month": "month", "monthly": "month", "mo": "month", "months": "month",
    "year": "year", "yearly": "year", "annual": "year", "annually": "year", "annum": "year", "yr": "year",
    "years": "year", "pa": "year", "p.a.": "year", "salary": "year",
}  # fmt: skip


def _norm_period(period: object) -> str | None:
    if period is None:
        return None
    p = str(period).strip().lower().replace("per ", "").replace("_", " ")
    return _PERIOD_WORDS.get(p)


def _default_period(amount: float, currency: str | None) -> str:
    """The contract's rule where no period is written: hour below 300, month in month-paid markets."""
    if amount < HOURLY_BELOW:
        return "hour"
    if amount <= MONTHLY_UP_TO and currency in MONTH_PAID_CURRENCIES:
        return "month"
    return "year"


def _make(
    lo: float | None, hi: float | None, currency: str, period: str | None, est: bool, source: str
) -> PayResult:
    if period is None:
        period = _default_period(lo if lo is not None else hi or 0.0, currency)
    return PayResult(lo, hi, currency, period, annualise(lo, period), annualise(hi, period), est, source)


def _num(value: object) -> float | None:
    """A positive finite float from a structured value; zero, negatives and junk mean 'no pay'."""
    if value is None or isinstance(value, bool):
        return None
    try:
        x = float(str(value).replace(",", "").strip()) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not math.isfinite(x) or x <= 0:
        return None
    return x


def _structured(
    pay_min: object, pay_max: object, currency: object, period: object, is_estimate: object, default_cur: str
) -> PayResult | None:
    lo, hi = _num(pay_min), _num(pay_max)
    if lo is None and hi is None:
        return None
    if lo is not None and hi is not None and hi < lo:
        lo, hi = hi, lo
    cur = str(currency).strip().upper() if currency and str(currency).strip() else default_cur
    cur = money.SYMBOL_CURRENCY.get(cur, cur)
    if cur == "$":
        cur = "USD"
    return _make(lo, hi, cur, _norm_period(period), bool(is_estimate), "structured")
