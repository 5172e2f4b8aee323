"""Property tests of the money grammar: amounts written with every joiner, locale separator, multiplier,
currency form and period word parse back to the numbers they were written from (issue 12)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transform import money
from transform.salary import MONTH_PAID_CURRENCIES, MONTHLY_UP_TO, MONTHLY_UP_TO_IN, parse_pay

JOINERS = ["-", " - ", "–", " – ", "—", " — ", " to ", "~", "～", "至"]
# Thousands separators of every locale we read: 1,234,567 · 1.234.567 · 1 234 567 · 1'234'567 · none.
SEPARATORS = [",", ".", " ", "\u00a0", "\u202f", "'", ""]
# (before, after, ISO code): sign, code before, code after, word, stablecoin.
CURRENCIES = [
    ("$", "", "USD"),
    ("£", "", "GBP"),
    ("€", "", "EUR"),
    ("US$", "", "USD"),
    ("CA$", "", "CAD"),
    ("A$", "", "AUD"),
    ("NT$", "", "TWD"),
    ("HK$", "", "HKD"),
    ("USD ", "", "USD"),
    ("CHF ", "", "CHF"),
    ("SGD ", "", "SGD"),
    ("", " EUR", "EUR"),
    ("", " GBP", "GBP"),
    ("", " usd", "USD"),
    ("", " (AUD)", "AUD"),
    ("₹", "", "INR"),
    ("RM", "", "MYR"),
]
PERIODS = [
    ("/hr", "hour"),
    (" per hour", "hour"),
    (" an hour", "hour"),
    ("/day", "day"),
    (" per week", "week"),
    ("/mo", "month"),
    (" / month", "month"),
    (" per month", "month"),
    (" monthly", "month"),
    ("/yr", "year"),
    (" a year", "year"),
    (" per annum", "year"),
    (" p.a.", "year"),
    (" annually", "year"),
    ("/月", "month"),
    ("/年", "year"),
]


def grouped(n: int, sep: str) -> str:
    """``n`` written with ``sep`` between groups of three digits."""
    return f"{n:,}".replace(",", sep)


def _amount_pair(draw: st.DrawFn, lo_min: int, hi_max: int) -> tuple[int, int]:
    lo = draw(st.integers(lo_min, hi_max - 1))
    hi = draw(st.integers(lo + 1, hi_max))
    return lo, hi


@settings(max_examples=300, deadline=None)
@given(data=st.data(), joiner=st.sampled_from(JOINERS), sep=st.sampled_from(SEPARATORS))
def test_full_amounts_with_every_joiner_and_separator(data: st.DataObject, joiner: str, sep: str) -> None:
    lo, hi = _amount_pair(data.draw, 20_000, 900_000)
    pre, post, code = data.draw(st.sampled_from(CURRENCIES))
    text = f"Salary: {pre}{grouped(lo, sep)}{joiner}{pre}{grouped(hi, sep)}{post}"
    r = parse_pay(text)
    assert r is not None, text
    # Month-paid markets quote monthly amounts up to their monthly bound (salary.md magnitude rules).
    # So do Chinese posts (a 至 joiner makes the text Chinese).
    month_paid = code in MONTH_PAID_CURRENCIES or joiner == "至"
    monthly = month_paid and lo <= MONTHLY_UP_TO_IN.get(code, MONTHLY_UP_TO)  # the lower end decides
    assert (r.salary_min, r.salary_max, r.currency, r.period) == (
        lo,
        hi,
        code,
        "month" if monthly else "year",
    ), text


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    joiner=st.sampled_from(JOINERS),
    k=st.sampled_from(["k", "K"]),
    both=st.booleans(),
)
def test_thousands_suffix_on_one_or_both_ends(data: st.DataObject, joiner: str, k: str, both: bool) -> None:
    lo, hi = _amount_pair(data.draw, 20, 900)
    pre, post, code = data.draw(st.sampled_from(CURRENCIES[:11]))
    text = f"Acme | Engineer | Remote | {pre}{lo}{k if both else ''}{joiner}{pre}{hi}{k}{post}"
    r = parse_pay(text)
    assert r is not None, text
    assert (r.salary_min, r.salary_max, r.currency) == (lo * 1000, hi * 1000, code), text


@settings(max_examples=200, deadline=None)
@given(data=st.data(), period=st.sampled_from(PERIODS), joiner=st.sampled_from(JOINERS))
def test_written_period_wins_over_magnitude(
    data: st.DataObject, period: tuple[str, str], joiner: str
) -> None:
    word, expected = period
    lo, hi = _amount_pair(data.draw, 15, 90_000)
    text = f"Pay: ${lo}{joiner}${hi}{word}"
    r = parse_pay(text)
    assert r is not None, text
    assert (r.salary_min, r.salary_max, r.currency, r.period) == (lo, hi, "USD", expected), text


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    form=st.sampled_from(
        [
            ("Up to {a}", "max"),
            ("up-to {a}", "max"),
            ("Salary up to {a}", "max"),
            ("{a}+", "min"),
            ("Starting at {a}", "min"),
            ("Salary from {a}", "min"),
            ("Minimum of {a}", "min"),
            ("Salary: {a}", "both"),
        ]
    ),
)
def test_open_ends_and_single_values(data: st.DataObject, form: tuple[str, str]) -> None:
    template, kind = form
    n = data.draw(st.integers(30, 900))
    pre, post, code = data.draw(st.sampled_from(CURRENCIES[:11]))
    text = "Acme | Engineer | " + template.format(a=f"{pre}{n}k{post}")
    r = parse_pay(text)
    assert r is not None, text
    lo = None if kind == "max" else n * 1000
    hi = None if kind == "min" else n * 1000
    assert (r.salary_min, r.salary_max, r.currency) == (lo, hi, code), text


@settings(max_examples=200, deadline=None)
@given(data=st.data(), joiner=st.sampled_from(JOINERS))
def test_lakh_and_lpa(data: st.DataObject, joiner: str) -> None:
    lo, hi = _amount_pair(data.draw, 3, 95)
    form = data.draw(
        st.sampled_from(["₹{lo}L{j}₹{hi}L", "{lo}{j}{hi} LPA", "{lo}{j}{hi}L INR", "INR {lo}{j}{hi} lakhs"])
    )
    text = "Comp: " + form.format(lo=lo, hi=hi, j=joiner)
    r = parse_pay(text)
    assert r is not None, text
    assert (r.salary_min, r.salary_max, r.currency, r.period) == (
        lo * 100_000,
        hi * 100_000,
        "INR",
        "year",
    ), text


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    joiner=st.sampled_from(["-", "~", "至", "到", "－", "—"]),
    form=st.sampled_from(
        [
            ("月薪{lo}K{j}{hi}K", 1000, "CNY", "month"),
            ("薪资：{lo}{j}{hi}k", 1000, "CNY", "month"),
            ("年薪{lo}万{j}{hi}万", 10_000, "CNY", "year"),
            ("月薪{lo}w{j}{hi}w", 10_000, "CNY", "month"),
            ("{lo}00{j}{hi}00元/月", 100, "CNY", "month"),
            ("{lo}{j}{hi}元/天", 1, "CNY", "day"),
            ("{lo}00{j}{hi}00美元/月", 100, "USD", "month"),
            ("薪資 {lo}萬{j}{hi}萬", 10_000, "TWD", "year"),
            ("{lo}00{j}{hi}00人民币/月", 100, "CNY", "month"),
        ]
    ),
)
def test_chinese_amounts_with_every_joiner(
    data: st.DataObject, joiner: str, form: tuple[str, int, str, str]
) -> None:
    template, unit, code, period = form
    lo, hi = _amount_pair(data.draw, 10, 90)
    text = template.format(lo=lo, hi=hi, j=joiner)
    r = parse_pay(text)
    assert r is not None, text
    assert (r.salary_min, r.salary_max, r.currency, r.period) == (lo * unit, hi * unit, code, period), text


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_between_and(data: st.DataObject) -> None:
    lo, hi = _amount_pair(data.draw, 40_000, 400_000)
    text = f"The salary is between ${lo:,} and ${hi:,} per year."
    r = parse_pay(text)
    assert r is not None
    assert (r.salary_min, r.salary_max, r.period) == (lo, hi, "year")


@pytest.mark.parametrize(
    ("num", "value"),
    [
        ("1,234,567", 1_234_567),
        ("1.234.567", 1_234_567),
        ("1 234 567", 1_234_567),
        ("1'234'567", 1_234_567),
        ("1,500.50", 1_500.5),
        ("95.5", 95.5),
        ("120", 120),
    ],
)
def test_parse_number_locales(num: str, value: float) -> None:
    assert money.parse_number(num) == value


def test_scan_reads_ranges_tails_and_open_ends() -> None:
    got = money.scan("Rate: $4,000–5,000 USD/mo or €90k+ (EUR), up to £60k")
    assert [(m.lo, m.hi, m.period) for m in got] == [
        (4000, 5000, "month"),
        (90_000, None, None),
        (None, 60_000, None),
    ]
    assert got[0].tokens[0] == "USD" and got[1].tokens[0] == "€"
    assert money.currency_of(("$",), "CAD", han=False, country="CA") == "CAD"
    assert money.currency_of(("¥",), None, han=True, country=None) == "CNY"
    assert money.currency_of(("U",), None, han=False, country=None) == "USD"
