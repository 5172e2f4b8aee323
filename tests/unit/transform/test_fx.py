"""transform.fx: dated reference rates, nearest earlier month, unknown currencies."""

from __future__ import annotations

import datetime as dt

import pytest

from transform import fx

REQUIRED = [
    "USD",
    "EUR",
    "GBP",
    "CAD",
    "AUD",
    "INR",
    "CNY",
    "JPY",
    "CHF",
    "SGD",
    "SEK",
    "PLN",
    "BRL",
    "MXN",
    "ILS",
    "NZD",
    "DKK",
    "NOK",
]


def test_table_covers_required_currencies_and_months() -> None:
    table = fx.load_rates()
    for cur in REQUIRED:
        months = table.months[cur]
        assert months[0] <= "2019-01" and months[-1] >= "2026-12", cur
        assert len(months) == 96, cur


def test_usd_is_identity() -> None:
    assert fx.to_usd(100_000, "USD", "2024-05") == (100_000.0, "2024-05")


@pytest.mark.parametrize("cur", ["EUR", "GBP", "CHF"])
def test_strong_currencies_convert_to_more_usd(cur: str) -> None:
    usd, month = fx.to_usd(100_000, cur, "2024-05")
    assert month == "2024-05"
    assert usd is not None and 100_000 < usd < 140_000


def test_weak_currencies_convert_to_fewer_usd() -> None:
    usd, _ = fx.to_usd(1_000_000, "JPY", "2024-05")
    assert usd is not None and 5_000 < usd < 10_000
    usd, _ = fx.to_usd(3_000_000, "INR", "2023-01")
    assert usd is not None and 30_000 < usd < 40_000


def test_missing_month_uses_nearest_earlier_month() -> None:
    assert fx.to_usd(10, "EUR", "2031-03")[1] == "2026-12"
    table = fx.RateTable({"EUR": ["2024-01", "2024-03"]}, {"EUR": [0.9, 0.8]})
    assert table.lookup("EUR", "2024-02") == (0.9, "2024-01")
    assert table.lookup("EUR", "2023-12") is None


def test_unknown_currency_or_early_month_or_no_amount() -> None:
    assert fx.to_usd(100, "XXX", "2024-01") == (None, None)
    assert fx.to_usd(100, None, "2024-01") == (None, None)
    assert fx.to_usd(100, "EUR", "2018-06") == (None, None)
    assert fx.to_usd(None, "EUR", "2024-01") == (None, None)
    assert fx.to_usd(100, "EUR", "not a month") == (None, None)


def test_month_accepts_dates_and_timestamps() -> None:
    assert fx.to_usd(1, "GBP", dt.datetime(2024, 7, 15, tzinfo=dt.UTC))[1] == "2024-07"
    assert fx.to_usd(1, "gbp", "2024-07-15T10:00:00Z")[1] == "2024-07"
