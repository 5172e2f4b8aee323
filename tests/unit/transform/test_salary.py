"""transform.salary against the contract in shared/guide/salary.md (hand-made cases, not the dev labels)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import rule_errors
from transform import salary
from transform.salary import (
    DAYS_PER_YEAR,
    HOURS_PER_YEAR,
    PERIOD_FACTORS,
    PayResult,
    annualise,
    normalize_salary_stream,
    parse_pay,
)


def key(r: PayResult | None) -> tuple | None:
    return None if r is None else (r.salary_min, r.salary_max, r.currency, r.period)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$90k- 150k", (90_000, 150_000, "USD", "year")),
        ("150-180K", (150_000, 180_000, "USD", "year")),
        ("$170-225K + equity", (170_000, 225_000, "USD", "year")),
        ("$120,000", (120_000, 120_000, "USD", "year")),
        ("Up to $200k", (None, 200_000, "USD", "year")),
        ("$150k+", (150_000, None, "USD", "year")),
        ("from $150k", (150_000, None, "USD", "year")),
        ("Starting at $120,000 per year", (120_000, None, "USD", "year")),
        ("$110–$210k+", (110_000, 210_000, "USD", "year")),
        ("$45 an hour", (45, 45, "USD", "hour")),
        ("Pay: $80-120/hr", (80, 120, "USD", "hour")),
        ("£450 per day outside IR35", (450, 450, "GBP", "day")),
        ("$4,500/month", (4_500, 4_500, "USD", "month")),
        ("€70-90k", (70_000, 90_000, "EUR", "year")),
        ("Gehalt: 65.000 - 80.000 € brutto jährlich", (65_000, 80_000, "EUR", "year")),
        ("Compensation: CHF 120'000 - 150'000", (120_000, 150_000, "CHF", "year")),
        ("Salary: ₹18-25 LPA", (1_800_000, 2_500_000, "INR", "year")),
        ("$50k-$70k AUD", (50_000, 70_000, "AUD", "year")),
        ("between $170,000 and $230,000", (170_000, 230_000, "USD", "year")),
        ("$130,000/year - $150,000/year + equity", (130_000, 150_000, "USD", "year")),
    ],
)
def test_ranges_singles_and_periods(text: str, expected: tuple) -> None:
    assert key(parse_pay(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("月薪20K-35K·13薪", (20_000, 35_000, "CNY", "month")),
        ("薪资：15-25K", (15_000, 25_000, "CNY", "month")),
        ("年薪30-50万", (300_000, 500_000, "CNY", "year")),
        ("2万-3万/月，北京", (20_000, 30_000, "CNY", "month")),
        ("8千-1.2万元/月", (8_000, 12_000, "CNY", "month")),
        ("待遇 1.5万起", (15_000, None, "CNY", "month")),
    ],
)
def test_chinese_amounts(text: str, expected: tuple) -> None:
    assert key(parse_pay(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "5+ years of experience, team of 12, we raised $20M Series A",
        "401k match up to 4%",
        "Competitive salary and 401(k) with employer match",
        "$5,000 referral bonus for hires",
        "Sign-on bonus of $10,000",
        "Stipend: $2,000/month",
        "$100/month education budget for books",
        "Fertility HRA (up to $5,000 per year)",
        "We process $10B annually for 5,000 customers.",
        "The salary is competitive, DOE",
        "~100K core Perl code",
        "Average deal size about 50K in ACV",
        "",
        "-1",
    ],
)
def test_numbers_that_are_not_pay(text: str) -> None:
    assert parse_pay(text) is None


def test_envelope_of_zones_and_first_stated_currency() -> None:
    text = (
        "For candidates located in NYC or SF, the pay range for this role is $102,300 - $165,450. "
        "For candidates located in all other locations, the pay range for this role is $92,100 - $148,950."
    )
    assert key(parse_pay(text)) == (92_100, 165_450, "USD", "year")
    assert key(parse_pay("$110k–$150k/yr or contract $60–$100/hr")) == (110_000, 150_000, "USD", "year")
    assert key(parse_pay("200–210K CAD … or if US based, around 215K USD")) == (
        200_000,
        210_000,
        "CAD",
        "year",
    )
    assert key(parse_pay("Salary Levels: £70,000, £90,000, £105,000")) == (70_000, 105_000, "GBP", "year")


def test_base_wins_over_ote_but_ote_alone_counts() -> None:
    assert key(parse_pay("Base salary $120k-$140k; OTE $200k-$240k")) == (120_000, 140_000, "USD", "year")
    assert key(parse_pay("OTE $200k-$240k")) == (200_000, 240_000, "USD", "year")


def test_estimates_only_from_the_site() -> None:
    assert parse_pay("$97K-$181K (Glassdoor est.)").is_estimate is True
    assert parse_pay("$110K-$150K(Employer est.)").is_estimate is False
    assert parse_pay("The estimated salary range is $145,000 - $155,000/year.").is_estimate is False
    assert parse_pay(pay_min=1, pay_max=2, is_estimate=True).is_estimate is True


def test_location_decides_currency_when_text_has_none() -> None:
    assert parse_pay("Salary: 150-180K", location_text="Toronto, ON").currency == "CAD"
    assert parse_pay("Salary 100k", location_text="London, UK").currency == "GBP"
    assert parse_pay("Salary 100k", country="DE").currency == "EUR"
    assert parse_pay("$120k", country="CA").currency == "CAD"
    assert parse_pay("Salary 100k").currency == "USD"


def test_structured_fields_win_and_zero_means_no_pay() -> None:
    r = parse_pay("$1-$2", pay_min=120_000, pay_max=150_000, currency="usd", period="YEAR")
    assert key(r) == (120_000, 150_000, "USD", "year") and r.source == "structured"
    assert parse_pay(pay_min=0, pay_max=0) is None
    assert parse_pay("$100k", pay_min=0, pay_max=0).source == "text"
    assert key(parse_pay(pay_min=30, pay_max=30)) == (30, 30, "USD", "hour")
    assert key(parse_pay(pay_min=20_000, currency="CNY")) == (20_000, None, "CNY", "month")


def test_structured_json_inside_text() -> None:
    assert key(parse_pay('"salary_min":80,"salary_max":140')) == (80, 140, "USD", "hour")
    assert parse_pay('"salary_min":0,"salary_max":0') is None
    raw = '"baseSalary":{"currency":"USD","value":{"minValue":188000,"maxValue":282000,"unitText":"YEAR"}}'
    assert key(parse_pay(raw)) == (188_000, 282_000, "USD", "year")


def test_html_and_mojibake() -> None:
    text = "The base salary range is&lt;span&gt;&nbsp;&lt;/span&gt;$141,300 - &lt;/span&gt; $226,000"
    assert key(parse_pay(text)) == (141_300, 226_000, "USD", "year")
    assert key(parse_pay("range is Â£57,000-Â£70,000.")) == (57_000, 70_000, "GBP", "year")


def test_annualisation_constants() -> None:
    assert annualise(10, "hour") == 10 * HOURS_PER_YEAR == 20_800
    assert annualise(100, "day") == 100 * DAYS_PER_YEAR
    assert annualise(1_000, "month") == 12_000
    assert annualise(1_000, "week") == 52_000
    assert annualise(None, "year") is None
    r = parse_pay("$25 - $27 (per hour)")
    assert (r.annual_min, r.annual_max) == (52_000, 56_160)


def test_stream_keeps_order_and_never_raises() -> None:
    lines = [
        '"$10-$17 Per Hour(Glassdoor est.)"',
        "no pay here",
        "{bad json",
        '{"text": "€50k", "country": "DE"}',
        "",
    ]
    out = list(normalize_salary_stream(lines))
    assert len(out) == 5
    assert out[0]["salary_min"] == 10 and out[0]["is_estimate"] is True and out[0]["text"].startswith("$10")
    assert out[1]["salary_min"] is None and out[1]["currency"] is None
    assert out[2]["salary_min"] is None
    assert out[3]["currency"] == "EUR"
    assert set(out[0]) == {
        "text",
        "salary_min",
        "salary_max",
        "currency",
        "period",
        "annual_min",
        "annual_max",
        "is_estimate",
    }
    json.dumps(out)


def test_long_text_is_bounded() -> None:
    text = ("We are hiring. " * 7_000) + "Salary: $150,000 - $180,000 per year."
    assert key(parse_pay(text)) == (150_000, 180_000, "USD", "year")


def assert_well_formed(r: PayResult | None) -> None:
    """What every answer must satisfy, whatever the input: a valid code and period, lo <= hi, and the
    annual figures the contract's factors give."""
    if r is None:
        return
    assert r.salary_min is not None or r.salary_max is not None
    assert r.currency is not None and len(r.currency) == 3 and r.currency.isupper()
    assert r.period in PERIOD_FACTORS
    if r.salary_min is not None and r.salary_max is not None:
        assert 0 < r.salary_min <= r.salary_max
    for amount, annual in ((r.salary_min, r.annual_min), (r.salary_max, r.annual_max)):
        assert annual == (None if amount is None else amount * PERIOD_FACTORS[r.period])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_a_well_formed_answer_and_no_rule_error(text: str) -> None:
    rule_errors.snapshot(reset=True)
    assert_well_formed(parse_pay(text))
    assert rule_errors.snapshot(reset=True).total == 0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "$",
                "€",
                "£",
                "¥",
                "k",
                "K",
                "万",
                "-",
                "–",
                " to ",
                "/hr",
                "/yr",
                "401k",
                "薪",
                "\ud800",
                "\x00",
                "<b>",
                "&amp;",
                "Â",
                "😀",
                "שלום",
                "12",
                "150,000",
                " ",
            ]
        ),
        max_size=40,
    )
)
def test_pay_like_noise_gives_a_well_formed_answer_and_no_rule_error(parts: list[str]) -> None:
    rule_errors.snapshot(reset=True)
    assert_well_formed(parse_pay("".join(parts)))
    assert rule_errors.snapshot(reset=True).total == 0


def test_free_text_posts() -> None:
    hn = (
        "Acme Robotics | Senior ML Engineer | Toronto, ON (Hybrid) | Full-time | CAD 150k-190k + equity\n\n"
        "We're a 40-person team (Series B, $45M raised). 5+ years of Python.\n"
        "Benefits: 401(k)-style match, $2,000 learning budget."
    )
    assert key(parse_pay(hn)) == (150_000, 190_000, "CAD", "year")
    hn2 = "Stealth | Founding Engineer | REMOTE (US) | $180k - $240k, 0.5% - 1.5% equity\nWe raised $12M."
    assert key(parse_pay(hn2)) == (180_000, 240_000, "USD", "year")
    assert key(parse_pay("Acme | Remote | $120,000")) == (120_000, 120_000, "USD", "year")
    cn = "【高级算法工程师】\n任职要求：3年以上经验，熟悉PyTorch。\n薪资：25-45K·15薪\n工作地点：上海"
    assert key(parse_pay(cn)) == (25_000, 45_000, "CNY", "month")
    assert key(parse_pay("Salary: $60-$80 per hour (contract, 6 months)")) == (60, 80, "USD", "hour")
    assert parse_pay("We close $10k-$50k deals with SMBs every week, and you will own a team of 5.") is None
    assert parse_pay("Our customers save $20k-$40k per year on average.") is None


# ------------------------------------------------------------------------ classes of issue 12 (own texts)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # forum header fields: words of other fields ("Engineers", "hours", "days/week") are not context
        (
            "Acme | Backend Engineers | Remote (US) | Full Time | $140-210K + equity",
            (140e3, 210e3, "USD", "year"),
        ),
        ("Foo Labs | Data Engineers | Berlin | ONSITE (4 days/week) | 90-120k", (90e3, 120e3, "EUR", "year")),
        ("Bar | ML Engineer | Paris | €75k — €95k", (75e3, 95e3, "EUR", "year")),
        ("Baz - Founding Engineer – Remote (USA) – 160-220k", (160e3, 220e3, "USD", "year")),
        ("Qux | Infra | NYC | [170 - 230K]", (170e3, 230e3, "USD", "year")),
        ("Zed | SRE | Toronto, ON | 120-150k", (120e3, 150e3, "CAD", "year")),
        ("Zed | SRE | Sydney, Australia | $130k-$170k", (130e3, 170e3, "AUD", "year")),
        ("Zed | SRE | Remote (US/Canada) | $130k-$170k", (130e3, 170e3, "USD", "year")),
        ("Zed | SRE | Albuquerque, New Mexico | $86k - $150k", (86e3, 150e3, "USD", "year")),
        ("Zed | SRE | Remote (Europe) | $90k-$120k", (90e3, 120e3, "USD", "year")),
        ("Zed | Eng | Remote | $150k 1099 or local average elsewhere", (150e3, 150e3, "USD", "year")),
        # open ends and single values
        ("Zed | Eng | London | £120k+", (120e3, None, "GBP", "year")),
        ("Zed | Eng | NYC | $180K USD+", (180e3, None, "USD", "year")),
        ("Zed | Eng | Bristol, UK | up-to £65K", (None, 65e3, "GBP", "year")),
        ("Base salary starting at $95,000", (95e3, None, "USD", "year")),
        ("Entry salary of 90,000 CHF, reviewed yearly", (90e3, None, "CHF", "year")),
        ("Zed | Eng | NYC | $210k", (210e3, 210e3, "USD", "year")),
        ("Zed | Eng | NYC | $210k + bonus", (210e3, 210e3, "USD", "year")),
        ("£40,000 – £52,000 depending on experience", (40e3, 52e3, "GBP", "year")),
        # currency words, codes and tails
        ("Pay: 95-120k chf/annum", (95e3, 120e3, "CHF", "year")),
        ("Salary: $95,000-$130,000 (AUD) plus super", (95e3, 130e3, "AUD", "year")),
        ("Contract, 35$-55$/hr (CAD)", (35, 55, "CAD", "hour")),
        ("Salary: ~4.500$/month", (4_500, 4_500, "USD", "month")),
        ("Rate is $3,500–4,500 USD/mo for engineers in Asia", (3_500, 4_500, "USD", "month")),
        ("NTD 65k+/month", (65e3, None, "TWD", "month")),
        ("Compensation: RM8000-9500 monthly", (8_000, 9_500, "MYR", "month")),
        # lakh / crore
        ("Zed | Backend | Bengaluru | 8-12 LPA", (800e3, 1_200e3, "INR", "year")),
        ("Comp: ₹30L–₹45L base + ESOPs", (3e6, 4.5e6, "INR", "year")),
        ("Zed | Backend | Pune, India | 20-35L INR", (2e6, 3.5e6, "INR", "year")),
        ("CTC 7 lakhs p.a.", (700e3, 700e3, "INR", "year")),
        # base beats total compensation; total alone counts
        ("Zed | Eng | NYC | $190k Salary - $350k Total Compensation", (190e3, 190e3, "USD", "year")),
        ("Zed | Eng | NYC | $240k+ TC", (240e3, None, "USD", "year")),
        ("Zed | BDR | Remote | $50K-$65K + OTE $80K-$95K", (50e3, 65e3, "USD", "year")),
        # several ranges: the envelope of the first currency and period
        ("Senior: $150,000 - $180,000, Staff $180,000 - $215,000", (150e3, 215e3, "USD", "year")),
    ],
)
def test_forum_and_free_text_classes(text: str, expected: tuple) -> None:
    assert key(parse_pay(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("岗位：后端开发 薪资 22K-38K", (22e3, 38e3, "CNY", "month")),
        ("base 20K-40K，可远程", (20e3, 40e3, "CNY", "month")),
        ("**薪酬**：25-40K * 14", (25e3, 40e3, "CNY", "month")),
        ("待遇：30-45K·14薪", (30e3, 45e3, "CNY", "month")),
        ("远程岗位 300 元/天", (300, 300, "CNY", "day")),
        ("兼职 80元/小时", (80, 80, "CNY", "hour")),
        ("年薪 45w~80w", (450e3, 800e3, "CNY", "year")),
        ("月薪 3w+", (30e3, None, "CNY", "month")),
        ("区块链工程师 月薪40K+奖金", (40e3, 40e3, "CNY", "month")),
        ("上海 35k起，上不封顶", (35e3, None, "CNY", "month")),
        ("海外岗位 5000 — 8000美元", (5_000, 8_000, "USD", "month")),
        ("USDT结算，4000U-7000U", (4_000, 7_000, "USD", "month")),
        ("薪资 2500-3500 USDT/月", (2_500, 3_500, "USD", "month")),
        ("台北 後端工程師 薪資 50000-70000台幣", (50e3, 70e3, "TWD", "month")),
        ("薪資：45000-6萬", (45e3, 60e3, "TWD", "month")),
        ("香港 HKD25K+", (25e3, None, "HKD", "month")),
        ("时薪制，$20/小时起步", (20, None, "USD", "hour")),
        ("Salary：$ 70-80K/y + 绩效奖金", (70e3, 80e3, "USD", "year")),
    ],
)
def test_chinese_conventions(text: str, expected: tuple) -> None:
    assert key(parse_pay(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We grew to $3M ARR and $250k MRR last quarter.",
        "Our ARR is 1.2M and rent for the office is $4,000/month.",
        "Perks: $300/month food stipend, $100/month gym membership.",
        "Base + equity + benefits ($500/monthly for groceries)",
        "Monthly 50 EUR vouchers for the team",
        "Average contract is $40k-$80k for our clients.",
        "We charge $180/hr for consulting services.",
        "Seed round: raised $4.5M led by Foo Ventures.",
        "Equity: 0.5% - 1.5%",
        "Signing bonus of $15,000 for senior hires.",
        "Annual bonus up to 20%, paid in December.",
        "Project budget $20k-$30k, fixed price.",
        "项目预算1w-2w RMB",
        "目前已有 80K 的用户量。",
        "Our app has 200k users and 5 years of history.",
        "How to apply: email jobs@acme.dev and mention HN January 2026.",
        "Membership is $9/month for a pair of concert tickets.",
        "The company brings in more than $300k/yr in revenue.",
    ],
)
def test_not_pay_classes(text: str) -> None:
    assert parse_pay(text) is None


def test_an_error_inside_a_rule_is_counted_and_the_batch_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(salary, "_text_pay", broken)
    rule_errors.snapshot(reset=True)
    out = list(normalize_salary_stream(["$100k", "$120k"]))
    assert [o["salary_min"] for o in out] == [None, None]
    errors = rule_errors.snapshot(reset=True)
    assert errors.counts == {"salary.text": 2}
    assert errors.examples["salary.text"] == ("$100k", "ValueError: boom")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a package part after "and"/"with" does not make the amount equity
        ("Competitive pay ($90-110k) and equity, remote", (90_000, 110_000)),
        ("Total cash of $180K - $220K with generous equity and benefits", (180_000, 220_000)),
        ("salary: £60,000 - £75,000 and stock options", (60_000, 75_000)),
        # the next field's label describes what follows it, not the amount before it
        ("Salary: $130,000 - $150,000 Equity: 0.1% - 0.3% Visa: no", (130_000, 150_000)),
    ],
)
def test_package_parts_and_next_labels_do_not_veto_pay(text: str, expected: tuple) -> None:
    got = parse_pay(text)
    assert got is not None, text
    assert (got.salary_min, got.salary_max) == expected


@pytest.mark.parametrize("text", ["Early hires get $40k in equity", "We raised $12M and equity from angels"])
def test_equity_as_what_the_amount_is_stays_no_pay(text: str) -> None:
    assert parse_pay(text) is None
