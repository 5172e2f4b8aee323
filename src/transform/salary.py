"""Pay parsing: structured pay fields first, free text second (contract: ``shared/guide/salary.md``).

:func:`parse_pay` returns a :class:`PayResult` in the *original* currency and period plus the annualised
figures (conversion to USD is :mod:`transform.fx`'s job). Text parsing finds every money mention with one
regex, joins adjacent mentions into ranges, and keeps a mention only where its context says it is pay
(a pay word or a pay period nearby, or a short pay-only snippet) and nothing closer says it is something
else (funding, budgets, stipends, bonuses, allowances, valuations). Several pay mentions of the first
stated currency and period give their envelope.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from transform.textnorm import fix_mojibake, nfkc, strip_html

__all__ = [
    "DAYS_PER_YEAR",
    "HOURS_PER_YEAR",
    "MONTHS_PER_YEAR",
    "PERIOD_FACTORS",
    "WEEKS_PER_YEAR",
    "PayResult",
    "annualise",
    "currency_for_location",
    "normalize_salary_stream",
    "parse_pay",
]


def _w(words: str) -> tuple[str, ...]:
    """A word list written as one string (keeps long vocabularies readable)."""
    return tuple(words.split())


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
    {"CNY", "TWD", "BRL", "MXN", "ARS", "COP", "CLP", "PEN", "PHP", "VND", "IDR", "THB"}
)
#: Currencies whose annual salaries are quoted in millions (``¥8M``), so an ``M`` suffix can be pay.
MILLION_PAY_CURRENCIES = frozenset({"JPY", "KRW", "IDR", "VND", "HUF", "CLP", "COP"})
MAX_TEXT_CHARS = 200_000

# ---------------------------------------------------------------------------------------------- currencies

_SYMBOL_CURRENCY = {
    "US$": "USD", "CA$": "CAD", "C$": "CAD", "AU$": "AUD", "A$": "AUD", "NZ$": "NZD", "S$": "SGD",
    "SG$": "SGD", "HK$": "HKD", "R$": "BRL", "MX$": "MXN", "€": "EUR", "£": "GBP", "₹": "INR", "₪": "ILS",
    "₩": "KRW", "RS": "INR", "RS.": "INR", "ZŁ": "PLN", "元": "CNY", "円": "JPY", "RMB": "CNY", "NIS": "ILS",
    "₽": "RUB",
}  # fmt: skip
_CODES = "USD|EUR|GBP|CAD|AUD|NZD|SGD|HKD|JPY|CNY|RMB|INR|ILS|NIS|CHF|SEK|NOK|DKK|PLN|BRL|MXN|KRW|ZAR|TWD|CZK|HUF|RON"
#: Where ``$`` means the local dollar (or peso) rather than USD.
_LOCAL_DOLLAR = {"CA": "CAD", "AU": "AUD", "NZ": "NZD", "SG": "SGD", "HK": "HKD", "MX": "MXN"}
_COUNTRY_CURRENCY = {
    "US": "USD", "CA": "CAD", "GB": "GBP", "UK": "GBP", "IE": "EUR", "DE": "EUR", "FR": "EUR", "NL": "EUR",
    "ES": "EUR", "IT": "EUR", "PT": "EUR", "BE": "EUR", "AT": "EUR", "FI": "EUR", "GR": "EUR", "LU": "EUR",
    "EE": "EUR", "LV": "EUR", "LT": "EUR", "SK": "EUR", "SI": "EUR", "HR": "EUR", "CY": "EUR", "MT": "EUR",
    "AU": "AUD", "NZ": "NZD", "IN": "INR", "CN": "CNY", "JP": "JPY", "CH": "CHF", "SG": "SGD", "SE": "SEK",
    "PL": "PLN", "BR": "BRL", "MX": "MXN", "IL": "ILS", "DK": "DKK", "NO": "NOK", "HK": "HKD", "KR": "KRW",
    "ZA": "ZAR", "TW": "TWD", "CZ": "CZK", "HU": "HUF", "RO": "RON",
}  # fmt: skip
# Place names (lower case, matched as words) that decide the currency when the text names none.
_PLACE_COUNTRY = {
    "toronto": "CA", "vancouver": "CA", "montreal": "CA", "montréal": "CA", "ottawa": "CA", "calgary": "CA",
    "canada": "CA", "london": "GB", "manchester": "GB", "edinburgh": "GB", "cambridge, uk": "GB",
    "united kingdom": "GB", "uk": "GB", "england": "GB", "scotland": "GB", "berlin": "DE", "munich": "DE",
    "münchen": "DE", "hamburg": "DE", "germany": "DE", "paris": "FR", "france": "FR", "amsterdam": "NL",
    "netherlands": "NL", "dublin": "IE", "ireland": "IE", "madrid": "ES", "barcelona": "ES", "spain": "ES",
    "lisbon": "PT", "portugal": "PT", "milan": "IT", "rome": "IT", "italy": "IT", "vienna": "AT",
    "brussels": "BE", "helsinki": "FI", "sydney": "AU", "melbourne": "AU", "brisbane": "AU",
    "australia": "AU", "auckland": "NZ", "wellington": "NZ", "new zealand": "NZ", "bangalore": "IN",
    "bengaluru": "IN", "hyderabad": "IN", "mumbai": "IN", "pune": "IN", "chennai": "IN", "delhi": "IN",
    "gurgaon": "IN", "gurugram": "IN", "noida": "IN", "india": "IN", "beijing": "CN", "shanghai": "CN",
    "shenzhen": "CN", "hangzhou": "CN", "guangzhou": "CN", "china": "CN", "北京": "CN", "上海": "CN",
    "深圳": "CN", "杭州": "CN", "广州": "CN", "成都": "CN", "tokyo": "JP", "osaka": "JP", "japan": "JP",
    "zurich": "CH", "zürich": "CH", "geneva": "CH", "switzerland": "CH", "singapore": "SG",
    "stockholm": "SE", "sweden": "SE", "warsaw": "PL", "krakow": "PL", "kraków": "PL", "wroclaw": "PL",
    "poland": "PL", "são paulo": "BR", "sao paulo": "BR", "brazil": "BR", "mexico city": "MX",
    "mexico": "MX", "tel aviv": "IL", "israel": "IL", "copenhagen": "DK", "denmark": "DK", "oslo": "NO",
    "norway": "NO", "hong kong": "HK", "seoul": "KR", "taipei": "TW",
}  # fmt: skip
_PLACE_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
_CJK_PLACES = tuple(k for k in _PLACE_COUNTRY if not k.isascii())


_PLACE_FIRST_WORDS = frozenset(k.split()[0] for k in _PLACE_COUNTRY if " " in k)


def _find_place(text: str) -> str | None:
    """ISO country of the first known place named in ``text`` (words and word pairs/triples, then CJK)."""
    low = text.lower()
    words = _PLACE_WORD_RE.findall(low)
    get = _PLACE_COUNTRY.get
    for i, w in enumerate(words):
        if w in _PLACE_FIRST_WORDS:
            for n in (3, 2):
                cc = get(" ".join(words[i : i + n])) if i + n <= len(words) else None
                if cc:
                    return cc
        cc = get(w)
        if cc:
            return cc
    if not low.isascii():
        for name in _CJK_PLACES:
            if name in low:
                return _PLACE_COUNTRY[name]
    return None


_HAN_RE = re.compile(r"[\u4e00-\u9fff]")
_KANA_RE = re.compile(r"[\u3040-\u30ff]")


def currency_for_location(country: str | None = None, location_text: str | None = None) -> str | None:
    """ISO 4217 code implied by an ISO country code or a place name in ``location_text``; else None."""
    if country:
        code = _COUNTRY_CURRENCY.get(str(country).strip().upper())
        if code:
            return code
    if location_text:
        cc = _find_place(str(location_text))
        if cc:
            return _COUNTRY_CURRENCY.get(cc)
    return None


def _country_code(country: str | None, location_text: str | None) -> str | None:
    if country and str(country).strip().upper() in _COUNTRY_CURRENCY:
        return str(country).strip().upper()
    if location_text:
        return _find_place(str(location_text))
    return None


# ---------------------------------------------------------------------------------------------- result


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
    cur = _SYMBOL_CURRENCY.get(cur, cur)
    if cur == "$":
        cur = "USD"
    return _make(lo, hi, cur, _norm_period(period), bool(is_estimate), "structured")


# ---------------------------------------------------------------------------------------------- text

# JSON fragments of structured pay that reach us as text (RemoteOK rows, schema.org ``baseSalary``).
_JSON_MIN_RE = re.compile(r'"(?:salary_min|minValue|min_value|min)"\s*:\s*"?([\d.]+)')
_JSON_MAX_RE = re.compile(r'"(?:salary_max|maxValue|max_value|max)"\s*:\s*"?([\d.]+)')
_JSON_VALUE_RE = re.compile(r'"value"\s*:\s*"?([\d.]+)')
_JSON_CUR_RE = re.compile(r'"(?:currency|salary_currency|currencyCode)"\s*:\s*"([A-Za-z]{0,3})"')
_JSON_UNIT_RE = re.compile(r'"(?:unitText|salary_period|period|unit)"\s*:\s*"([A-Za-z_ ]*)"')

# Retirement plans (401k, 403(b)) and months-of-pay counts ("13薪") are numbers that are not pay.
_RETIREMENT_RE = re.compile(r"40[13]\s*\(?\s*[kKbB]\s*\)?")  # literal first: fast prefix scan
_MONTHS_OF_PAY_RE = re.compile(r"\d+(?:\s*[-–~]\s*\d+)?\s*薪")
_AMOUNT_RE = re.compile(
    r"""
    (?:
        (?P<pre>(?:US|CA|C|AU|A|NZ|SG|S|HK|R|MX)\$|(?<![A-Za-z])(?:"""
    + _CODES
    + r""")\s?\$?|(?<![A-Za-z])Rs\.?|[$€£¥₹₪₩])\s*
      | (?<![A-Za-z0-9.,$€£¥])
    )
    (?P<num>\d{1,3}(?:(?:,\s?|[.\u00a0\u202f' ])\d{3}(?![\d]))+(?:\.\d{1,2}(?!\d))?|\d+(?:\.\d+)?)
    (?P<mult>\s?(?:[kK]|thousand|[wW]|万|千|mn?|M|million|bn?|B|billion|lakhs?|lacs?|crores?|LPA|lpa)(?![A-Za-z]))?
    (?P<plus>\+)?
    (?P<post>\s?(?:"""
    + _CODES
    + r""")(?![A-Za-z])|\s?(?:元|円|€|zł|₽|kr)(?![A-Za-z]))?
    """,
    re.X,
)
_MULT = {
    "k": 1e3, "thousand": 1e3, "w": 1e4, "万": 1e4, "千": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6,
    "lakh": 1e5, "lakhs": 1e5, "lac": 1e5, "lacs": 1e5, "lpa": 1e5, "crore": 1e7, "crores": 1e7,
}  # fmt: skip
_BIG_MULT = {"m", "mn", "million", "b", "bn", "billion"}
_PERIOD_TAIL = r"(?:\s*(?:/|per\s|an?\s|each\s)\s*(?:hour|hr|h|year|yr|annum|month|mo|day|week|wk)s?\b\.?)?"
_RANGE_JOIN_RE = re.compile(
    r"^" + _PERIOD_TAIL + r"\s*\)?\s*(?:[-–—~～－‐‑−]+|to|and|至|到|through|thru)\s*\(?\s*$", re.I
)
_AFTER_PERIOD_RE = re.compile(
    r"""^[\s()*,:/]*(?:
        (?:/|per|an?|each|every)\s*(?P<p1>hour|hr|h|day|week|wk|month|mo|year|yr|annum)s?\b
      | (?P<p2>hourly|daily|weekly|monthly|yearly|annually|p\.\s?a\.|pa\b|per\s+annum)
      | (?P<p4>por\s+m[eê]s|al\s+mes|pro\s+monat|par\s+mois|monatlich|mensuel|por\s+a[ñn]o|pro\s+jahr
          |par\s+an\b|j[äa]hrlich|brutto\s+j[äa]hrlich|annuel|por\s+hora|pro\s+stunde)
      | (?P<p3>/月|每月|/年|每年|/天|/日|每天|/小时|/时|/周|每周)
    )""",
    re.I | re.X,
)
_BEFORE_PERIOD_RE = re.compile(
    r"(?P<w>hourly|per hour|an hour|daily|per day|weekly|per week|monthly|per month|annual|annually|yearly"
    r"|per year|per annum|月薪|年薪|日薪|时薪|周薪)",
    re.I,
)
_CJK_PERIOD = {
    "月": "month",
    "年": "year",
    "日": "day",
    "天": "day",
    "时": "hour",
    "小": "hour",
    "周": "week",
}

_PAY_WORDS = frozenset(
    _w(
        "salary salaries pay paid compensation comp base wage wages rate rates remuneration ote earnings earn "
        "income stipend? range bracket package salário salario gehalt salaire sueldo rémunération vergütung"
    )
) - {"stipend?", "paid"}
_CJK_PAY = ("薪", "工资", "待遇", "报酬")
# Words that say an amount is something other than pay (the closest descriptor decides).
_STOP_WORDS = frozenset(
    _w(
        "funding funded raised raise series valuation valued revenue revenues arr acv deal deals budget "
        "budgets stipend stipends allowance allowances perk perks marketplace credit credits reimbursement "
        "reimbursed reimburse grant grants match matching donation donations gift gifts relocation referral "
        "signing sign-on bonus bonuses award awards prize prizes saved savings save processes processed "
        "transactions sales fees fee spend spending cost costs costing training courses course lifetime "
        "maximum cap hra fsa hsa deductible premium premiums aum assets portfolio investment investments "
        "invest investors investor worth customers gmv volume loan loans equity rsu rsus options tuition "
        "education learning wellness fitness gym phone internet coworking home-office office lunch meals meal "
        "per-employee months years weeks days hours employees people users engineers members countries "
        "offices locations percent"
    )
)
# Before an amount these are too often part of a pay sentence ("base salary + commission for sales roles").
_STOP_BEFORE = _STOP_WORDS - {"sales", "equity", "rsu", "rsus", "options", "customers", "volume", "learning"}
_TOTAL_WORDS = frozenset({"ote", "on-target", "total"})
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z\-]*|[\u4e00-\u9fff]+")
_SENTENCE_END_RE = re.compile(r"[.!?;](?=\s+[A-Z(\"'“])|\n\s*\n\s*(?=\S)(?![$€£¥₹])")
_ESTIMATE_RE = re.compile(r"glassdoor\s*est|\(est\.?\)|indeed\s+est|salary_is_predicted\W+(?:1|true)", re.I)
_MIN_ONLY_BEFORE_RE = re.compile(
    r"(?:start(?:s|ing)?\s+(?:at|from)|from|min(?:imum)?(?:\s+of)?|at\s+least|begins?\s+at|floor\s+(?:of|is)"
    r"|no\s+less\s+than|over|above)\s*$",
    re.I,
)
_MAX_ONLY_BEFORE_RE = re.compile(
    r"(?:up\s*to|max(?:imum)?(?:\s+of)?|as\s+much\s+as|not\s+to\s+exceed)\s*$", re.I
)
_MIN_ONLY_AFTER_RE = re.compile(r"^\s*(?:to\s+start|起|以上|or\s+more|and\s+up)", re.I)
_HTML_HINT_RE = re.compile(r"&(?:lt|gt|amp|nbsp|quot|#\d+|mdash|ndash);|<[a-zA-Z/]")
_MOJI_CUR_RE = re.compile("Â(?=[£¥€$\u00a0])")


_DIGIT_RE = re.compile(r"\d")
_LEAD_CHARS = frozenset("$€£¥₹₪₩0123456789")
_CODE_SET = frozenset(_CODES.split("|"))
_ESTIMATE_HINTS = ("est.", "est)", "Est.", "EST.", "predicted")
_HAN_LEAD_BYTES = (b"\xe4", b"\xe5", b"\xe6", b"\xe7", b"\xe8", b"\xe9")


def _is_chinese(text: str) -> bool:
    """Han characters and no kana (Japanese); ``max`` is a cheap C-level pre-check for CJK at all."""
    if text.isascii():
        return False
    raw = text.encode("utf-8", "surrogatepass")
    if not any(lead in raw for lead in _HAN_LEAD_BYTES):  # U+4E00..U+9FFF start with E4..E9 in UTF-8
        return False
    return bool(_HAN_RE.search(text)) and not _KANA_RE.search(text)


_AND_RE = re.compile(r"\band\b", re.I)
_BETWEEN_RE = re.compile(r"between\s*$", re.I)
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n\s*")
# A paragraph can only state pay if it has a currency sign/code or a pay word (see _mention).
_SIGNAL_RE = re.compile(
    r"[$€£¥₹₪₩元円万千]|薪|工资|待遇|报酬|/月|/年|\b(?:"
    + _CODES
    + r"|Rs|zł|kr)\b|\b(?:"
    + "|".join(sorted(_PAY_WORDS))
    + r")\b",
    re.I,
)
#: Texts up to this long are "pay snippets" (a bare "$97K-$181K (Glassdoor est.)" counts as pay).
SHORT_TEXT_CHARS = 80
#: Only the head of a text is searched for a place name standing in for the location.
PLACE_HEAD_CHARS = 300
SEGMENT_CACHE_SIZE = 100_000


@dataclass(frozen=True, slots=True)
class _Mention:
    lo: float | None
    hi: float | None
    currency: str | None
    period: str | None
    total: bool
    start: int


def _clean(text: str) -> str:
    """Render HTML (also double-escaped), repair mojibake, NFKC, non-breaking spaces to spaces."""
    s = text[:MAX_TEXT_CHARS]
    if "Â" in s:
        s = _MOJI_CUR_RE.sub("", s)
    s = fix_mojibake(s)
    for _ in range(3):  # raw ATS content is sometimes escaped twice (&amp;mdash; inside &lt;span&gt;)
        if ("&" not in s and "<" not in s) or not _HTML_HINT_RE.search(s):
            break
        s = strip_html(s)
    if not s.isascii():
        try:
            normal = unicodedata.is_normalized("NFKC", s)
        except (TypeError, ValueError):
            normal = False
        if not normal:
            s = nfkc(s)  # full-width digits and signs in CJK posts
    return s.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")


def _parse_number(num: str) -> float | None:
    s = num.replace("\u00a0", "").replace("\u202f", "").replace("'", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", s):
        s = s.replace(",", "").replace(".", "")
    elif re.fullmatch(r"\d{1,3}(?:,\d{3})+\.\d{1,2}", s):
        s = s.replace(",", "")
    else:
        s = s.replace(",", "")
    try:
        return float(s)
    except ValueError:
        return None


def _currency_token(tok: str | None, local_dollar: str | None, han: bool, country: str | None) -> str | None:
    if not tok:
        return None
    t = re.sub(r"\s+", "", tok).upper()
    if len(t) == 4 and t.endswith("$") and t[:3].isalpha():
        t = t[:3]  # "USD $", "CAD$"
    if t in _SYMBOL_CURRENCY:
        return _SYMBOL_CURRENCY[t]
    if t == "$":
        return local_dollar or "USD"
    if t == "¥":
        return "CNY" if han or country == "CN" else "JPY"
    if t == "KR":
        return {"NO": "NOK", "DK": "DKK"}.get(country or "", "SEK")
    if t == "RMB":
        return "CNY"
    return t if re.fullmatch(r"[A-Z]{3}", t) else None


def _words_before(text: str, start: int, limit: int = 160) -> tuple[str, list[str]]:
    """The clause before ``start`` (cut at the previous sentence end) and its lower-cased words."""
    lo = max(0, start - limit)
    window = text[lo:start]
    cut = None
    for m in _SENTENCE_END_RE.finditer(window):
        cut = m.end()
    if cut is not None:
        window = window[cut:]
    return window, [w.lower() for w in _WORD_RE.findall(window)]


def _words_after(text: str, end: int, n: int = 4) -> list[str]:
    """Up to ``n`` words directly attached after ``end`` (stops at + , ; ( . and line breaks)."""
    window = text[end : end + 60]
    m = re.search(r"[+,;(.\n|]|\s-\s", window)
    if m:
        window = window[: m.start()]
    return [w.lower() for w in _WORD_RE.findall(window)][:n]


def _has_pay_word(words: Iterable[str]) -> bool:
    return any(w in _PAY_WORDS or any(c in w for c in _CJK_PAY) for w in words)


def _closest_descriptor(words: list[str]) -> str | None:
    """'pay' or 'stop' for the nearest descriptive word before the amount; None when neither is near."""
    for w in reversed(words[-14:]):
        if w in _STOP_BEFORE:
            return "stop"
        if w in _PAY_WORDS or any(c in w for c in _CJK_PAY):
            return "pay"
    return None


def _text_pay(text: str, country: str | None, location_text: str | None) -> PayResult | None:
    text = text[:MAX_TEXT_CHARS]
    if not _DIGIT_RE.search(text):
        return None
    if '"' in text and ("salary_" in text or "Salary" in text or "Value" in text):
        json_hit = _json_pay(_clean(text), country, location_text)
        if json_hit is not None:
            return json_hit if json_hit.salary_min is not None or json_hit.salary_max is not None else None
    han = _is_chinese(text)
    cc = _country_code(country, location_text)
    if cc is None:
        # Text-only input: a place named in the text's head (HN-style "Toronto | …") stands in for the
        # posting's location.
        cc = _find_place(_clean(text[:PLACE_HEAD_CHARS]))
    if cc is None and han:
        cc = "CN"
    ctx = (han, cc, _LOCAL_DOLLAR.get(cc or ""), currency_for_location(cc, None) or ("CNY" if han else "USD"))
    short = len(text) <= SHORT_TEXT_CHARS
    mentions: list[_Mention] = []
    for seg in _segments(text):
        mentions.extend(_segment_mentions(seg, ctx, short))
    if not mentions:
        return None
    base = [m for m in mentions if not m.total]
    chosen = base or mentions
    first = chosen[0]
    same = [m for m in chosen if m.currency == first.currency and m.period == first.period]
    los = [m.lo for m in same if m.lo is not None]
    his = [m.hi for m in same if m.hi is not None]
    lo = min(los) if los else None
    hi = max(his) if his else None
    if lo is not None and hi is not None and hi < lo:
        lo, hi = hi, lo
    est = any(h in text for h in _ESTIMATE_HINTS) and bool(_ESTIMATE_RE.search(_clean(text)))
    return _make(lo, hi, first.currency or ctx[3], first.period, est, "text")


def _segments(s: str) -> list[str]:
    """Blank-line separated paragraphs of the raw text; one that opens with an amount stays with the one
    before ("The base salary range for this role is\n\n$212,202—$274,700 USD")."""
    if "\n\n" not in s or len(s) <= SHORT_TEXT_CHARS * 4:
        return [s]
    out: list[str] = []
    for para in s.split("\n\n"):
        if not para or para.isspace():
            continue
        head = para.lstrip(" \t\n(*")[:3]
        if out and (len(out[-1]) < 40 or head[:1] in _LEAD_CHARS or head.upper() in _CODE_SET):
            out[-1] = out[-1] + "\n\n" + para
        else:
            out.append(para)
    return out or [s]


_SEGMENT_CACHE: dict[tuple[str, tuple, bool], tuple[_Mention, ...]] = {}


def _segment_mentions(seg: str, ctx: tuple, short: bool) -> tuple[_Mention, ...]:
    """Pay mentions of one paragraph, memoised (boilerplate paragraphs repeat across postings)."""
    key = (seg, ctx, short)
    hit = _SEGMENT_CACHE.get(key)
    if hit is not None:
        return hit
    if not _DIGIT_RE.search(seg):
        found: tuple[_Mention, ...] = ()
    else:
        clean = _clean(seg)
        if not short and not _SIGNAL_RE.search(clean):
            found = ()
        else:
            if "40" in clean:
                clean = _RETIREMENT_RE.sub(
                    lambda m: (
                        m.group(0) if m.start() and clean[m.start() - 1].isdigit() else " retirement plan "
                    ),
                    clean,
                )
            months_of_pay = False
            if "薪" in clean:
                clean, months_of_pay = _MONTHS_OF_PAY_RE.subn(" 薪 ", clean)
            found = tuple(_find_mentions(clean, ctx, short))
            if months_of_pay:  # "25-45K·15薪": N months of pay a year, so the amounts are monthly
                found = tuple(m if m.period else dataclasses.replace(m, period="month") for m in found)
    if len(_SEGMENT_CACHE) > SEGMENT_CACHE_SIZE:
        _SEGMENT_CACHE.clear()
    _SEGMENT_CACHE[key] = found
    return found


def _find_mentions(s: str, ctx: tuple, short: bool) -> list[_Mention]:
    han, cc, local_dollar, default_cur = ctx
    raw = list(_AMOUNT_RE.finditer(s))
    mentions: list[_Mention] = []
    i = 0
    while i < len(raw):
        a = raw[i]
        b = None
        if i + 1 < len(raw):
            between = s[a.end() : raw[i + 1].start()]
            if _RANGE_JOIN_RE.match(between) and (
                not _AND_RE.search(between) or _BETWEEN_RE.search(s[max(0, a.start() - 30) : a.start()])
            ):
                b = raw[i + 1]
        mention = _mention(s, a, b, han, cc, local_dollar, default_cur, short)
        if mention is not None:
            mentions.append(mention)
        i += 2 if b is not None else 1
    return mentions


def _amount(m: re.Match[str], han: bool) -> tuple[float | None, str | None]:
    """Value and multiplier key of one amount match; value None when the multiplier rules it out."""
    value = _parse_number(m.group("num"))
    mult = (m.group("mult") or "").strip()
    key = mult.lower()
    if value is None:
        return None, None
    if key in ("w",) and not han:
        return None, None
    return value, key or None


def _mention(
    s: str,
    a: re.Match[str],
    b: re.Match[str] | None,
    han: bool,
    cc: str | None,
    local_dollar: str | None,
    default_cur: str,
    short: bool,
) -> _Mention | None:
    v1, k1 = _amount(a, han)
    v2, k2 = _amount(b, han) if b is not None else (None, None)
    if v1 is None or (b is not None and v2 is None):
        return None
    end = (b or a).end()
    tail = s[end : end + 3]
    if tail.lstrip().startswith("%"):
        return None
    # An explicit code or specific sign ("$1800 - $2200 AUD") beats a bare "$" or "¥".
    tokens = [m.group(g) for m in (a, b) if m is not None for g in ("pre", "post") if m.group(g)]
    specific = [t for t in tokens if re.sub(r"\s+", "", t) not in ("$", "¥")]
    cur = _currency_token((specific or tokens or [None])[0], local_dollar, han, cc)
    mults = {k for k in (k1, k2) if k}
    if mults & _BIG_MULT and (cur or default_cur) not in MILLION_PAY_CURRENCIES:
        return None  # $80M funding, $10B saved: never pay
    if b is not None:
        # A multiplier written once applies to both ends (150-180K, $90k- 150k), where plausible.
        if k2 and not k1 and v1 * _MULT.get(k2, 1) <= v2 * _MULT.get(k2, 1) * 1.0001:
            k1 = k2
        elif k1 and not k2 and v2 * _MULT.get(k1, 1) >= v1 * _MULT.get(k1, 1):
            k2 = k1
    lo = v1 * _MULT.get(k1 or "", 1.0)
    hi = (v2 * _MULT.get(k2 or "", 1.0)) if b is not None and v2 is not None else lo
    if b is not None and hi < lo:
        return None  # "… $100k and a $10k …": not one range

    before_text, before = _words_before(s, a.start())
    after = _words_after(s, end)
    own_period = _own_period(s, end)
    period = own_period or _clause_period(before_text)
    descriptor = _closest_descriptor(before)
    stop_after = any(w in _STOP_WORDS for w in after)
    pay_after = _has_pay_word(after) and not stop_after
    if stop_after or (descriptor == "stop" and not pay_after):
        return None
    has_cur = cur is not None
    has_mult = bool(k1 or k2)
    pay_context = descriptor == "pay" or pay_after or _has_pay_word(before)
    # A snippet that is little more than the amount ("$120,000", "150-180K", "$97K-$181K (Glassdoor est.)")
    # is a pay string: that is what a pay field or a pay label's value looks like.
    bare = (short and len(_WORD_RE.findall(s[: a.start()] + " " + s[end:])) <= 2) or _alone_in_field(
        s, a.start(), end
    )
    if has_cur:
        # A currency range in thousands ("CAD 150k-190k", "$180k - $240k") reads as pay unless a closer
        # word says otherwise (checked above); single amounts need a pay word, a period or a pay field.
        k_range = b is not None and has_mult and lo >= 10_000
        if not (
            pay_context or period is not None or (short and (b is not None or has_mult)) or bare or k_range
        ):
            return None
    else:
        # No currency: a pay word and a pay-like amount (thousands, a period) are both needed.
        if not (
            pay_context
            or (han and has_mult and period is not None)
            or (bare and b is not None and (has_mult or lo >= 1000))
        ):
            return None
        if not (has_mult or lo >= 1000 or own_period is not None):
            return None
        if han and not (k1 or k2 or period) and lo < 1000:
            return None
    if lo >= 10_000_000 and (cur or default_cur) not in MILLION_PAY_CURRENCIES:
        return None
    currency = cur or default_cur
    total = any(w in _TOTAL_WORDS for w in before[-3:]) or any(w == "ote" for w in after[:2])
    if period is None and k1 == "lpa":
        period = "year"
    lo_out: float | None = lo
    hi_out: float | None = hi
    if b is None:
        head = s[max(0, a.start() - 40) : a.start()]
        if _MAX_ONLY_BEFORE_RE.search(head):
            lo_out = None
        elif a.group("plus") or _MIN_ONLY_BEFORE_RE.search(head) or _MIN_ONLY_AFTER_RE.match(s[end:]):
            hi_out = None
    return _Mention(lo_out, hi_out, currency, period, total, a.start())


def _alone_in_field(s: str, start: int, end: int) -> bool:
    """The amount fills a ``|``/``•``/line-delimited field ("Acme | ML Engineer | Remote | $150k-190k")."""
    lo = max(s.rfind("|", 0, start), s.rfind("\n", 0, start), s.rfind("•", 0, start))
    if lo < 0:
        return False
    hi_candidates = [i for i in (s.find("|", end), s.find("\n", end), s.find("•", end)) if i >= 0]
    hi = min(hi_candidates) if hi_candidates else len(s)
    if hi - end > 60 or start - lo > 40:
        return False
    return len(_WORD_RE.findall(s[lo + 1 : start] + " " + s[end:hi])) <= 3


def _own_period(s: str, end: int) -> str | None:
    """Period written right after the amount ("/hr", "a year", "per month", "/月")."""
    m = _AFTER_PERIOD_RE.match(s[end : end + 40])
    if m:
        foreign = (m.group("p4") or "").lower()
        if foreign:
            if any(w in foreign for w in ("m", "mois")) and not any(
                w in foreign for w in ("jahr", "jährlich", "jahrlich", "año", "ano", "an", "annuel")
            ):
                return "month"
            if "hora" in foreign or "stunde" in foreign:
                return "hour"
            return "year"
        word = (m.group("p1") or m.group("p2") or m.group("p3") or "").lower().replace(" ", "")
        if word.startswith("/") or word.startswith("每"):
            return _CJK_PERIOD.get(word[1])
        if word.startswith("p.") or word == "perannum":
            return "year"
        return _PERIOD_WORDS.get(word)
    return None


def _clause_period(before_text: str) -> str | None:
    """Period named earlier in the clause ("The monthly rate … is $11,000", "月薪2-3万")."""
    found = None
    for found in _BEFORE_PERIOD_RE.finditer(before_text):  # noqa: B007 - the last (nearest) one counts
        pass
    if found is not None:
        w = found.group("w").lower()
        if w[0] in _CJK_PERIOD:
            return _CJK_PERIOD[w[0]]
        return _PERIOD_WORDS.get(w.replace("per ", "").replace("an ", ""))
    return None


def _json_pay(s: str, country: str | None, location_text: str | None) -> PayResult | None:
    """Structured pay embedded as JSON text; a result with no amounts means 'structured, but empty'."""
    if '"' not in s or not re.search(r'"(?:salary_min|salary_max|baseSalary|minValue|maxValue)"', s):
        return None
    lo_m, hi_m = _JSON_MIN_RE.search(s), _JSON_MAX_RE.search(s)
    lo = _num(lo_m.group(1)) if lo_m else None
    hi = _num(hi_m.group(1)) if hi_m else None
    if lo is None and hi is None:
        v = _JSON_VALUE_RE.search(s)
        lo = hi = _num(v.group(1)) if v else None
    cur_m, unit_m = _JSON_CUR_RE.search(s), _JSON_UNIT_RE.search(s)
    default_cur = currency_for_location(country, location_text) or "USD"
    if lo is None and hi is None:
        return PayResult(None, None, None, None, None, None, False, "structured")
    return _structured(
        lo, hi, cur_m.group(1) if cur_m else None, unit_m.group(1) if unit_m else None, None, default_cur
    )


# ---------------------------------------------------------------------------------------------- API


def parse_pay(
    text: str | None = None,
    *,
    pay_min: float | None = None,
    pay_max: float | None = None,
    currency: str | None = None,
    period: str | None = None,
    is_estimate: bool | None = None,
    country: str | None = None,
    location_text: str | None = None,
) -> PayResult | None:
    """Parse one posting's pay: structured fields first, then ``text``; None when there is no pay.

    >>> parse_pay("$90k- 150k").salary_max
    150000.0
    >>> parse_pay(pay_min=40, pay_max=50, currency="usd").period
    'hour'
    """
    try:
        default_cur = currency_for_location(country, location_text) or "USD"
        found = _structured(pay_min, pay_max, currency, period, is_estimate, default_cur)
        if found is not None:
            return found
        if not text or not isinstance(text, str):
            return None
        result = _text_pay(text, country, location_text)
        if result is not None and is_estimate:
            result = PayResult(**{**result.as_dict(), "is_estimate": True})
        return result
    except Exception:  # a normaliser must never stop a batch; a bad pay string means "no pay"
        return None


_EMPTY_OUT = {
    "salary_min": None,
    "salary_max": None,
    "currency": None,
    "period": None,
    "annual_min": None,
    "annual_max": None,
    "is_estimate": None,
}


def normalize_salary_stream(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """One output dict per input line, in order; a line is a pay text, a JSON string, or a JSON object
    (``{"text": ..., "pay_min": ..., "country": ...}``). Never raises."""
    for line in lines:
        text: str | None = line if isinstance(line, str) else None
        kwargs: dict[str, Any] = {}
        try:
            stripped = (line or "").strip()
            if stripped[:1] in ('"', "{"):
                value = json.loads(stripped)
                if isinstance(value, str):
                    text = value
                elif isinstance(value, dict):
                    text = value.get("text") or value.get("pay_text")
                    text = text if isinstance(text, str) else None
                    for key in (
                        "pay_min",
                        "pay_max",
                        "currency",
                        "period",
                        "is_estimate",
                        "country",
                        "location_text",
                    ):
                        if key in value:
                            kwargs[key] = value[key]
        except (ValueError, TypeError, AttributeError):
            pass
        try:
            result = parse_pay(text, **kwargs)
        except Exception:
            result = None
        out: dict[str, Any] = {"text": text, **_EMPTY_OUT}
        if result is not None:
            out.update({k: getattr(result, k) for k in _EMPTY_OUT})
        yield out
