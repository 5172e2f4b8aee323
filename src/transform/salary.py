"""Pay parsing: structured pay fields first, free text second (contract: ``shared/guide/salary.md``).

:func:`parse_pay` returns a :class:`PayResult` in the *original* currency and period plus the annualised
figures (conversion to USD is :mod:`transform.fx`'s job). Text parsing reads the money with the grammar
of :mod:`transform.money` (amounts, ranges, open ends, currency and period tokens), then keeps a piece of
money only where its own field or clause says it is pay (a pay word, a period, a pay package "+ equity",
or a header field / short snippet holding little else) and nothing closer says it is something else
(funding, revenue, deal sizes, budgets, stipends, benefits, bonuses, prices). The currency comes from the
money's own tokens, else the posting's place (the :mod:`transform.locations` gazetteer), else USD.
Several pay mentions of the first stated currency and period give their envelope.

Errors inside the rules are counted per rule (:mod:`ingest.rule_errors`), never turned silently into
"no pay".

Module map: :mod:`transform.pay_result` holds :class:`PayResult`, the periods and annualisation (re-exported
here); this module holds currencies by place and the text and JSON parsers.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ingest.rule_errors import record_error
from ingest.textnorm import fix_mojibake, nfkc, strip_html
from transform import money
from transform.locations import find_country
from transform.pay_result import (
    DAYS_PER_YEAR,
    HOURLY_BELOW,
    HOURS_PER_YEAR,
    MILLION_PAY_CURRENCIES,
    MONTH_PAID_CURRENCIES,
    MONTHLY_UP_TO,
    MONTHS_PER_YEAR,
    PERIOD_FACTORS,
    WEEKS_PER_YEAR,
    PayResult,
    _default_period,
    _make,
    _num,
    _structured,
    annualise,
)

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


MAX_TEXT_CHARS = 200_000

# ---------------------------------------------------------------------------------------------- currencies

#: Where ``$`` means the local dollar (or peso) rather than USD.
_LOCAL_DOLLAR = {"CA": "CAD", "AU": "AUD", "NZ": "NZD", "SG": "SGD", "HK": "HKD", "MX": "MXN", "TW": "TWD"}
_COUNTRY_CURRENCY = {
    "US": "USD", "CA": "CAD", "GB": "GBP", "UK": "GBP", "IE": "EUR", "DE": "EUR", "FR": "EUR", "NL": "EUR",
    "ES": "EUR", "IT": "EUR", "PT": "EUR", "BE": "EUR", "AT": "EUR", "FI": "EUR", "GR": "EUR", "LU": "EUR",
    "EE": "EUR", "LV": "EUR", "LT": "EUR", "SK": "EUR", "SI": "EUR", "HR": "EUR", "CY": "EUR", "MT": "EUR",
    "AU": "AUD", "NZ": "NZD", "IN": "INR", "CN": "CNY", "JP": "JPY", "CH": "CHF", "SG": "SGD", "SE": "SEK",
    "PL": "PLN", "BR": "BRL", "MX": "MXN", "IL": "ILS", "DK": "DKK", "NO": "NOK", "HK": "HKD", "KR": "KRW",
    "ZA": "ZAR", "TW": "TWD", "CZ": "CZK", "HU": "HUF", "RO": "RON", "MY": "MYR", "TH": "THB", "AE": "AED",
    "VN": "VND", "ID": "IDR", "CL": "CLP", "CO": "COP", "AR": "ARS", "PE": "PEN", "PH": "PHP", "TR": "TRY",
    "BG": "BGN", "IS": "ISK",
}  # fmt: skip
_HAN_RE = re.compile(r"[\u4e00-\u9fff]")
_KANA_RE = re.compile(r"[\u3040-\u30ff]")
# Characters only traditional script uses: a Chinese post written in it comes from Taiwan (or Hong Kong,
# which its place name or HK$ then says), so its bare amounts are TWD, not CNY.
_TRADITIONAL_RE = re.compile("[萬與資灣臺幣經驗職員開發務據區際們個時為會這來說對點學體]")
_SIMPLIFIED_RE = re.compile("[万与资湾币经验职员开发务据区际们个时为会这来说对点学体]")


def _country_of(country: str | None, location_text: str | None) -> str | None:
    """ISO2 country of the posting from its country field (code or name) or its location text, read
    with the :mod:`transform.locations` gazetteer (one gazetteer for places and currencies)."""
    if country and str(country).strip():
        c = str(country).strip().upper()
        if c in _COUNTRY_CURRENCY:
            return "GB" if c == "UK" else c
        found = find_country(str(country))
        if found:
            return found
    if location_text and str(location_text).strip():
        return find_country(str(location_text))
    return None


def currency_for_location(country: str | None = None, location_text: str | None = None) -> str | None:
    """ISO 4217 code implied by an ISO country code or a place name in ``location_text``; else None."""
    cc = _country_of(country, location_text)
    return _COUNTRY_CURRENCY.get(cc) if cc else None


# ---------------------------------------------------------------------------------------------- text

# JSON fragments of structured pay that reach us as text (RemoteOK rows, schema.org ``baseSalary``).
_JSON_MIN_RE = re.compile(r'"(?:salary_min|minValue|min_value|min)"\s*:\s*"?([\d.]+)')
_JSON_MAX_RE = re.compile(r'"(?:salary_max|maxValue|max_value|max)"\s*:\s*"?([\d.]+)')
_JSON_VALUE_RE = re.compile(r'"value"\s*:\s*"?([\d.]+)')
_JSON_CUR_RE = re.compile(r'"(?:currency|salary_currency|currencyCode)"\s*:\s*"([A-Za-z]{0,3})"')
_JSON_UNIT_RE = re.compile(r'"(?:unitText|salary_period|period|unit)"\s*:\s*"([A-Za-z_ ]*)"')

# Retirement plans (401k, 403(b)) and months-of-pay counts ("13薪") are numbers that are not pay.
_RETIREMENT_RE = re.compile(r"40[13]\s*\(?\s*[kKbB]\s*\)?")  # literal first: fast prefix scan
# "$401k", "USD 401k": an amount, not the retirement plan.
_CURRENCY_BEFORE_RE = re.compile(r"(?:[$€£]|(?<![A-Za-z])[A-Z]{3})\s?$")
_MONTHS_OF_PAY_RE = re.compile(r"\d+(?:\s*[-–~]\s*\d+)?\s*薪")

_PAY_WORDS = frozenset(
    _w(
        "salary salaries pay paid compensation comp base wage wages rate rates remuneration ote earnings earn "
        "income range bracket package tc salário salario gehalt salaire sueldo rémunération vergütung"
    )
) - {"paid"}
_CJK_PAY = ("薪", "工资", "待遇", "报酬", "薪酬", "年包", "总包", "base")
# Words that say an amount is something other than pay (the closest descriptor decides).
_STOP_WORDS = frozenset(
    _w(
        "funding funded raised raise series valuation valued revenue revenues arr mrr acv deal deals budget "
        "budgets stipend stipends allowance allowances perk perks marketplace credit credits reimbursement "
        "reimbursed reimburse grant grants match matching donation donations gift gifts relocation referral "
        "signing sign-on bonus bonuses award awards prize prizes saved savings save processes processed "
        "transactions sales fees fee spend spending cost costs costing training courses course lifetime "
        "maximum cap hra fsa hsa deductible premium premiums aum assets portfolio investment investments "
        "invest investors investor worth customers gmv volume loan loans equity rsu rsus options tuition "
        "education learning wellness fitness gym phone internet coworking home-office office lunch meals meal "
        "per-employee months years weeks days hours employees people users engineers members countries "
        "offices locations percent vouchers voucher tickets ticket groceries grocery food membership "
        "subscription subscriptions services clients rent brings generates generated generating profit "
        "profitable contracts contract-value retainer rent mortgage 融资 估值 营收 预算 租金 补贴 奖金 年终奖 "
        "用户 粉丝 下载 日活 月活 流量 市值 交易额"
    )
)
# Units: they describe the number they follow ("5 years", "12 engineers", "50K 用户"), not a later one.
_UNIT_WORDS = frozenset(
    _w(
        "months years weeks days hours employees people users engineers members countries offices locations "
        "percent customers"
    )
)
# Before an amount these describe a preceding number ("5 years", "a team of 12 engineers") or are too
# often part of a pay sentence ("base salary + commission for sales roles").
_STOP_BEFORE = _STOP_WORDS - frozenset(
    _w(
        "sales equity rsu rsus options customers volume learning months years weeks days hours employees "
        "people users engineers members countries offices locations percent contract-value 奖金 年终奖"
    )
)
_TOTAL_WORDS = frozenset({"ote", "on-target", "total", "tc"})
_WORD_RE = re.compile(r"[A-Za-z](?:[A-Za-z\-]*[A-Za-z])?|[\u4e00-\u9fff]+")
_SENTENCE_END_RE = re.compile(r"[.!?;。！？；](?=\s*[A-Z(\"'“\u4e00-\u9fff])|\n\s*\n\s*(?=\S)(?![$€£¥₹])")
_ESTIMATE_RE = re.compile(r"glassdoor\s*est|\(est\.?\)|indeed\s+est|salary_is_predicted\W+(?:1|true)", re.I)
_HTML_HINT_RE = re.compile(r"&(?:lt|gt|amp|nbsp|quot|#\d+|mdash|ndash);|<[a-zA-Z/]")
_MOJI_CUR_RE = re.compile("Â(?=[£¥€$\u00a0])")
# The fields of a forum header ("Acme | ML Engineer | Remote (US) | $150k-190k + equity") and the
# separators of list lines: words in another field do not describe an amount.
_FIELD_SEPS = ("|", "•", "\n", "｜")
_DASH_SEPS = (" – ", " — ", " - ")
#: A spaced dash ends a field only after a short one ("Acme - Founding Engineer – Remote (USA) – 180-250k"),
#: not inside a sentence ("… a product called X - $7/month for tickets").
DASH_FIELD_CHARS = 40
# "$170k + equity", "£70k - £90k + up to 2% equity", "30-50K + 股票": a package, so pay.
_COMPONENT_AFTER_RE = re.compile(
    r"^[\s)\]起]*(?:\+|plus\b|&|and\b|,)\s*(?:[\w.%-]+\s+){0,4}?(?:early\s+)?(?:equity|bonus|bonuses|stock|options"
    r"|esops?|rsus?|commission|benefits|super(?:annuation)?|token|tokens|incentives?)\b"
    r"|^[\s)\]起]*\+\s*(?:股票|期权|股权|奖金|年终奖|绩效|提成|token|期權|獎金)",
    re.I,
)
_COMPONENT_WORDS = frozenset(
    _w(
        "equity stock options rsu rsus esop esops bonus bonuses commission cash benefits token tokens 奖金 期权 股票"
    )
)
_TOTAL_AFTER_RE = re.compile(r"[\s)\]]*(?:total\s+comp(?:ensation)?|tc\b|ote\b|on[\s-]target)", re.I)

_DIGIT_RE = re.compile(r"\d")
_LEAD_CHARS = frozenset("$€£¥₹₪₩0123456789")
_ESTIMATE_HINTS = ("est.", "est)", "Est.", "EST.", "predicted")
_HAN_LEAD_BYTES = (b"\xe4", b"\xe5", b"\xe6", b"\xe7", b"\xe8", b"\xe9")


def _is_chinese(text: str) -> bool:
    """Han characters and no kana (Japanese); the byte test is a cheap C-level pre-check for CJK at all."""
    if text.isascii():
        return False
    raw = text.encode("utf-8", "surrogatepass")
    if not any(lead in raw for lead in _HAN_LEAD_BYTES):  # U+4E00..U+9FFF start with E4..E9 in UTF-8
        return False
    return bool(_HAN_RE.search(text)) and not _KANA_RE.search(text)


# A paragraph can only state pay if it has a currency sign/code or a pay word (see _judge).
_SIGNAL_RE = re.compile(
    r"[$€£¥₹₪₩元円万萬千]|薪|工资|待遇|报酬|/月|/年|台币|台幣|\d\s?[UL]\b|\d\s?(?:LPA|lpa|[kK])\b|\b(?:"
    + money.CODES
    + r"|Rs|RM|zł|kr)\b|\b(?:"
    + "|".join(sorted(_PAY_WORDS))
    + r")\b",
    re.I,
)
#: Texts up to this long are "pay snippets" (a bare "$97K-$181K (Glassdoor est.)" counts as pay).
SHORT_TEXT_CHARS = 80
#: Only the head of a text is searched for a place name standing in for the location.
PLACE_HEAD_CHARS = 300
SEGMENT_CACHE_SIZE = 100_000
#: A Chinese ``w``/``万`` amount below this with no period is monthly ("5w+"); ``40w~70w`` is yearly.
CJK_MONTHLY_WAN_BELOW = 100_000


@dataclass(frozen=True, slots=True)
class _Mention:
    lo: float | None
    hi: float | None
    currency: str | None
    period: str | None
    total: bool
    start: int


@dataclass(frozen=True, slots=True)
class _Ctx:
    """What the whole text says about its money: Chinese script, the posting's country, its currencies."""

    han: bool
    country: str | None
    local_dollar: str | None
    default_currency: str


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


def _field_start(s: str, start: int) -> int:
    """Start of the header field / list line / sentence that holds position ``start``."""
    lo = max(0, start - 160)
    best = lo
    for sep in _FIELD_SEPS:
        i = s.rfind(sep, lo, start)
        if i >= 0 and i + len(sep) > best:
            best = i + len(sep)
    for sep in _DASH_SEPS:
        i = s.rfind(sep, best, start)
        if i >= 0:
            prev = max(
                [s.rfind(d, 0, i) + len(d) for d in (*_FIELD_SEPS, *_DASH_SEPS) if s.rfind(d, 0, i) >= 0]
                or [0]
            )
            if i - prev <= DASH_FIELD_CHARS:
                best = i + len(sep)
    return best


def _words_before(text: str, start: int) -> tuple[str, list[str]]:
    """The clause before ``start`` (cut at the field or sentence start) and its lower-cased words."""
    window = text[_field_start(text, start) : start]
    cut = None
    for m in _SENTENCE_END_RE.finditer(window):
        cut = m.end()
    if cut is not None:
        window = window[cut:]
    return window, [w.lower() for w in _WORD_RE.findall(window)]


# A label starts the next field ("$90,000 - $120,000 Equity: 0.2%"): its words describe what follows it.
_AFTER_CUT_RE = re.compile(r"[+,;(.\n|•，；。]|\s[-–—]\s|\splus\s|\s[A-Z][A-Za-z]*(?:\s[A-Za-z]+)?:")
# After "and"/"with"/"&", an equity or bonus word is another part of the package ("$100-120k and equity",
# "$250K - $350K with meaningful equity"), not what the amount is ("$50k in equity").
_PACKAGE_JOINERS = frozenset({"and", "with", "&"})


def _words_after(text: str, end: int, n: int = 4) -> list[str]:
    """Up to ``n`` words directly attached after ``end`` (stops at + , ; ( . | and line breaks)."""
    window = text[end : end + 60]
    m = _AFTER_CUT_RE.search(window)
    if m:
        window = window[: m.start()]
    return [w.lower() for w in _WORD_RE.findall(window)][:n]


def _unjoined(after: list[str]) -> list[str]:
    """``after`` without the package parts that follow a joiner (they do not describe the amount)."""
    for i, w in enumerate(after):
        if w in _PACKAGE_JOINERS:
            return after[:i] + [x for x in after[i + 1 :] if x not in _COMPONENT_WORDS]
    return after


def _has_pay_word(words: Iterable[str]) -> bool:
    return any(w in _PAY_WORDS or (not w.isascii() and any(c in w for c in _CJK_PAY)) for w in words)


def _closest_descriptor(words: list[str]) -> str | None:
    """'pay' or 'stop' for the nearest descriptive word before the amount; None when neither is near."""
    for w in reversed(words[-14:]):
        if w in _STOP_BEFORE or (not w.isascii() and any(c in w for c in _CJK_STOP)):
            return "stop"
        if w in _PAY_WORDS or (not w.isascii() and any(c in w for c in _CJK_PAY)):
            return "pay"
    return None


_CJK_STOP = tuple(w for w in _STOP_WORDS if not w.isascii())


def _text_pay(text: str, country: str | None, location_text: str | None) -> PayResult | None:
    text = text[:MAX_TEXT_CHARS]
    if not _DIGIT_RE.search(text):
        return None
    if '"' in text and ("salary_" in text or "Salary" in text or "Value" in text):
        json_hit = _json_pay(_clean(text), country, location_text)
        if json_hit is not None:
            return json_hit if json_hit.salary_min is not None or json_hit.salary_max is not None else None
    han = _is_chinese(text)
    cc = _country_of(country, location_text)
    if cc is None:
        # Text-only input: a place named in the text's head (HN-style "Toronto | …") stands in for the
        # posting's location.
        head = text[:PLACE_HEAD_CHARS]
        cc = find_country(_clean(head) if "&" in head or "<" in head or "Ã" in head else head)
    if cc is None and han:
        cc = "TW" if _TRADITIONAL_RE.search(text) and not _SIMPLIFIED_RE.search(text) else "CN"
    ctx = _Ctx(han, cc, _LOCAL_DOLLAR.get(cc or ""), _COUNTRY_CURRENCY.get(cc or "") or "USD")
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
    return _make(lo, hi, first.currency or ctx.default_currency, first.period, est, "text")


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
        if out and (len(out[-1]) < 40 or head[:1] in _LEAD_CHARS or head.upper() in money.CODE_SET):
            out[-1] = out[-1] + "\n\n" + para
        else:
            out.append(para)
    return out or [s]


_SEGMENT_CACHE: dict[tuple[str, _Ctx, bool], tuple[_Mention, ...]] = {}


def _segment_mentions(seg: str, ctx: _Ctx, short: bool) -> tuple[_Mention, ...]:
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
                        m.group(0)
                        if m.start()
                        and (
                            clean[m.start() - 1].isdigit() or _CURRENCY_BEFORE_RE.search(clean, 0, m.start())
                        )
                        else " retirement plan "
                    ),
                    clean,
                )
            months_of_pay = 0  # how many "薪" marks were read
            if "薪" in clean:
                clean, months_of_pay = _MONTHS_OF_PAY_RE.subn(" 薪 ", clean)
            found = tuple(m for m in (_judge(clean, mo, ctx, short) for mo in money.scan(clean)) if m)
            if months_of_pay:  # "25-45K·15薪": N months of pay a year, so the amounts are monthly
                found = tuple(m if m.period else dataclasses.replace(m, period="month") for m in found)
    if len(_SEGMENT_CACHE) > SEGMENT_CACHE_SIZE:
        _SEGMENT_CACHE.clear()
    _SEGMENT_CACHE[key] = found
    return found


def _judge(s: str, mo: money.Money, ctx: _Ctx, short: bool) -> _Mention | None:
    """``mo`` as a pay mention, or None where its context says it is not pay (the contract's classes:
    funding, revenue, deal sizes, budgets, stipends, benefits, bonus-only, equity percentages)."""
    if s[mo.tail_end : mo.tail_end + 3].lstrip().startswith("%") or s[mo.end : mo.end + 2].startswith("%"):
        return None
    cur = money.currency_of(mo.tokens, ctx.local_dollar, ctx.han, ctx.country)
    currency = cur or ctx.default_currency
    mults = mo.mults
    if mults:
        if mults & money.BIG_MULT and currency not in MILLION_PAY_CURRENCIES:
            return None  # $80M funding, $10B saved: never pay
        if mults & money.LAKH_MULT and currency != "INR":
            if cur is not None or "l" in mults:
                return None  # "L" is a lakh only in Indian pay
            currency = "INR"
        if "w" in mults and not (ctx.han or currency in ("CNY", "TWD", "HKD")):
            return None  # "w" is 万 only in Chinese posts
    value = mo.lo if mo.lo is not None else mo.hi
    if not value:
        return None  # "0K", "$0": zero is no pay (as in structured fields)
    if value >= 10_000_000 and currency not in MILLION_PAY_CURRENCIES and "crore" not in mults:
        return None

    before_text, before = _words_before(s, mo.start)
    # After a spaced "+" comes another part of the package ("$11,375 + $10k housing stipend"); after an
    # attached one its parts ("$150k+ cash/equity", "50K+奖金") or what the amount is ("$200K+ perk budget").
    if s[mo.end - 1 : mo.end] == "+" or s[mo.end : mo.end + 1] == "+":
        after = [w for w in _words_after(s, s.index("+", mo.end - 1) + 1) if w not in _COMPONENT_WORDS]
    elif s[mo.tail_end : mo.tail_end + 3].lstrip().startswith("+"):
        after = []
    else:
        after = _words_after(s, mo.tail_end)
    period = mo.period or money.period_before(before_text)
    tail = s[mo.tail_end : mo.tail_end + 80]
    package = bool(_COMPONENT_AFTER_RE.match(tail))
    descriptor = _closest_descriptor(before)
    stop_after = any(
        (w in _STOP_WORDS and w not in _UNIT_WORDS) or (not w.isascii() and any(c in w for c in _CJK_STOP))
        for w in _unjoined(after)
    ) or bool(after and after[0] != "for" and any(w in _UNIT_WORDS for w in after[:2]))
    pay_after = _has_pay_word(after) and not stop_after
    if stop_after or (descriptor == "stop" and not (pay_after or package)):
        return None
    has_cur = cur is not None
    has_mult = bool(mults)
    pay_context = descriptor == "pay" or pay_after or package or _has_pay_word(before)
    # A snippet that is little more than the amount ("$120,000", "150-180K", "$97K-$181K (Glassdoor est.)")
    # is a pay string: that is what a pay field or a pay label's value looks like.
    bare = (
        (short and len(_WORD_RE.findall(s[: mo.start] + " " + s[mo.tail_end :])) <= 2)
        or _alone_in_field(s, mo.start, mo.tail_end)
        or (not before and s.count("|") >= 2 and (bool(mults) or value >= 1000))  # "| $160k 1099 for US…"
    )
    lo = value
    if has_cur:
        # A currency range in thousands ("CAD 150k-190k", "$180k - $240k", "Zone B: $95,000 - $130,500")
        # reads as pay unless a closer word says otherwise (checked above); single amounts need a pay
        # word, a period or a pay field.
        k_range = not mo.single and lo >= 10_000 and (has_mult or (mo.hi or 0) <= 1_000_000)
        if not (
            pay_context or period is not None or (short and (not mo.single or has_mult)) or bare or k_range
        ):
            return None
    else:
        # No currency: a pay word and a pay-like amount (thousands, a period) are both needed.
        if not (
            pay_context
            or (ctx.han and has_mult and (period is not None or _CJK_MIN_AFTER_RE.match(s, mo.tail_end)))
            or (bare and (not mo.single or has_mult) and (has_mult or lo >= 1000))
        ):
            return None
        if not (has_mult or lo >= 1000 or mo.period is not None):
            return None
        if mo.single and not has_mult and mo.period is None and 1900 <= lo <= 2100 and lo == int(lo):
            return None  # a year ("January 2026"), not pay
        if ctx.han and not (has_mult or period) and lo < 1000:
            return None
    total = (
        any(w in _TOTAL_WORDS for w in before[-3:])
        or bool(_TOTAL_AFTER_RE.match(s, mo.tail_end))
        or (before[-2:] == ["total", "comp"])
    )
    if period is None:
        period = _unwritten_period(mo, currency, ctx) or _default_period(value, currency)
    return _Mention(mo.lo, mo.hi, currency, period, total, mo.start)


def _unwritten_period(mo: money.Money, currency: str, ctx: _Ctx) -> str | None:
    """Period where the text writes none: the contract's magnitude rules, plus the Chinese conventions
    (``K`` amounts are monthly; ``w``/``万`` amounts are monthly below annual size) and the monthly
    quotes of USDT pay (``3000U-6000U``) and of month-paid markets (scaled by :data:`MONTHLY_UP_TO_IN`)."""
    if mo.mults & money.LAKH_MULT:
        return "year"
    value = mo.lo if mo.lo is not None else mo.hi or 0.0
    if ctx.han or currency in ("CNY", "TWD"):
        if "k" in mo.mults:
            return "month"
        if mo.mults & {"w", "万", "萬"}:
            return "month" if value < CJK_MONTHLY_WAN_BELOW else "year"
    month_paid = ctx.han or currency in MONTH_PAID_CURRENCIES or any(t in _STABLECOIN for t in mo.tokens)
    if month_paid and HOURLY_BELOW <= value <= MONTHLY_UP_TO_IN.get(currency, MONTHLY_UP_TO):
        return "month"
    return None


_STABLECOIN = frozenset({"U", "USDT", "USDC"})
#: Upper bound of a monthly amount where a currency's unit is small (TWD 36000-40000 is a month's pay).
MONTHLY_UP_TO_IN = {
    "TWD": 200_000, "PHP": 200_000, "THB": 200_000, "ARS": 5_000_000, "CLP": 5_000_000,
    "COP": 20_000_000, "IDR": 50_000_000, "VND": 100_000_000, "HKD": 100_000, "MXN": 100_000,
}  # fmt: skip
_CJK_MIN_AFTER_RE = re.compile(r"\s*(?:起|以上)")


def _alone_in_field(s: str, start: int, end: int) -> bool:
    """The amount fills a ``|``/``•``/line-delimited field ("Acme | ML Engineer | Remote | $150k-190k")."""
    lo = max(s.rfind("|", 0, start), s.rfind("\n", 0, start), s.rfind("•", 0, start), s.rfind("[", 0, start))
    for sep in (" – ", " — "):
        i = s.rfind(sep, 0, start)
        if i >= 0:
            lo = max(lo, i + len(sep) - 1)
    if lo < 0:
        return False
    hi_candidates = [i for i in (s.find("|", end), s.find("\n", end), s.find("•", end)) if i >= 0]
    hi = min(hi_candidates) if hi_candidates else len(s)
    if hi - end > 60 or start - lo > 40:
        return False
    return len(_WORD_RE.findall(s[lo + 1 : start] + " " + s[end:hi])) <= 3


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
    except Exception as exc:  # a bug, not an answer: counted, and the batch goes on
        record_error("salary.structured", exc, (pay_min, pay_max, currency, period))
        found = None
    if found is not None:
        return found
    if not text or not isinstance(text, str):
        return None
    try:
        result = _text_pay(text, country, location_text)
    except Exception as exc:  # a bug, not an answer: counted, and the batch goes on
        record_error("salary.text", exc, text)
        return None
    if result is not None and is_estimate:
        result = dataclasses.replace(result, is_estimate=True)
    return result


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
        except Exception as exc:  # parse_pay counts its own errors; this catches bad keyword values
            record_error("salary.stream", exc, line)
            result = None
        out: dict[str, Any] = {"text": text, **_EMPTY_OUT}
        if result is not None:
            out.update({k: getattr(result, k) for k in _EMPTY_OUT})
        yield out
