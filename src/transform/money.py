"""A small grammar for money in free text: amounts, ranges, open ends, currency and period tokens.

The grammar (contract: ``shared/guide/salary.md``)::

    money   := [open_lo] amount [joiner amount] tail [open_hi]
    amount  := [currency] number [multiplier] [+] [currency]
    number  := digits with the thousands separators of any locale (1,500 · 1.500 · 1 500 · 1'500) [decimals]
    mult    := k K thousand | m M mn million | b bn billion | L lakh lac LPA crore | w W 万 萬 千
    joiner  := - – — ~ to 至 到 through (and "between A and B")
    tail    := [(CODE)] [period] [(CODE)]   e.g. "USD/mo", "/hr (CAD)", "$/month", "/月"
    open_lo := "starting at", "from", "entry salary of", trailing "+", "起", "以上", "or more" (min only)
    open_hi := "up to", "max", "最高" (max only)

:func:`scan` turns a cleaned string into :class:`Money` items, each with the raw tokens that decide its
currency (resolved against the posting's place by :func:`currency_of`) and the period written with it.
Whether a piece of money is pay is :mod:`transform.salary`'s job; this module only reads the money.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["BIG_MULT", "CODES", "MULT", "Money", "currency_of", "parse_number", "scan"]

CODES = (
    "USD|EUR|GBP|CAD|AUD|NZD|SGD|HKD|JPY|CNY|RMB|INR|ILS|NIS|CHF|SEK|NOK|DKK|PLN|BRL|MXN|KRW|ZAR|TWD|NTD|CZK"
    "|HUF|RON|MYR|THB|CLP|IDR|VND|AED|USDT|USDC"
)
CODE_SET = frozenset(CODES.split("|"))
# Currency words written after (or before) the number in Chinese posts and a few other scripts.
_CUR_WORDS = (
    "美元|美金|人民币|人民幣|新台币|新台幣|台币|台幣|港币|港幣|港元|欧元|歐元|英镑|英鎊|日元|元|円|块"
)
SYMBOL_CURRENCY = {
    "US$": "USD", "CA$": "CAD", "C$": "CAD", "AU$": "AUD", "A$": "AUD", "NZ$": "NZD", "S$": "SGD",
    "SG$": "SGD", "HK$": "HKD", "R$": "BRL", "MX$": "MXN", "NT$": "TWD", "€": "EUR", "£": "GBP",
    "₹": "INR", "₪": "ILS", "₩": "KRW", "RS": "INR", "RS.": "INR", "ZŁ": "PLN", "元": "CNY", "块": "CNY",
    "円": "JPY", "RMB": "CNY", "NIS": "ILS", "NTD": "TWD", "₽": "RUB", "RM": "MYR", "U": "USD",
    "USDT": "USD", "USDC": "USD", "美元": "USD", "美金": "USD", "人民币": "CNY", "人民幣": "CNY",
    "新台币": "TWD", "新台幣": "TWD", "台币": "TWD", "台幣": "TWD", "港币": "HKD", "港幣": "HKD",
    "港元": "HKD", "欧元": "EUR", "歐元": "EUR", "英镑": "GBP", "英鎊": "GBP", "日元": "JPY",
}  # fmt: skip
#: Multipliers by normalised key. ``l``/``lpa`` (lakh) and ``w`` (万) are checked against the context.
MULT = {
    "k": 1e3, "thousand": 1e3, "w": 1e4, "万": 1e4, "萬": 1e4, "千": 1e3, "m": 1e6, "mn": 1e6,
    "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9, "l": 1e5, "lakh": 1e5, "lakhs": 1e5, "lac": 1e5,
    "lacs": 1e5, "lpa": 1e5, "crore": 1e7, "crores": 1e7, "cr": 1e7,
}  # fmt: skip
BIG_MULT = frozenset({"m", "mn", "million", "b", "bn", "billion"})
LAKH_MULT = frozenset({"l", "lakh", "lakhs", "lac", "lacs", "lpa", "crore", "crores", "cr"})

_PRE = (
    r"(?P<pre>(?:US|CA|C|AU|A|NZ|SG|S|HK|R|MX|NT)\$"
    r"|(?<![A-Za-z])(?:" + CODES + r")\s?\$?"
    r"|(?<![A-Za-z])(?:Rs\.?|RM)"
    r"|[$€£¥₹₪₩]|" + _CUR_WORDS + r")\s*"
)
# An amount is found from its number (a fast scan: the regex starts with a digit), then the currency
# sign or code written before it and the multiplier, "+" and currency written after it.
_NUM_RE = re.compile(r"\d{1,3}(?:(?:,\s?|[.\u00a0\u202f' ])\d{3}(?!\d))+(?:\.\d{1,2}(?!\d))?|\d+(?:\.\d+)?")
_PRE_END_RE = re.compile(_PRE + r"$")
_AFTER_NUM_RE = re.compile(
    r"(?P<mult>\s?(?:[kK]|thousand|[wW]|万|萬|千|mn?|M|million|bn?|B|billion|lakhs?|lacs?|crores?|[cC]r"
    r"|LPA|lpa|L)(?![A-Za-z]))?"
    r"(?P<plus1>\+)?"
    r"(?P<post>\s?(?i:"
    + CODES
    + r")(?![A-Za-z])|U(?![A-Za-z])|\s?(?:"
    + _CUR_WORDS
    + r"|€|zł|₽|kr)(?![A-Za-z])"
    r"|\$|\s?\((?:" + CODES + r")\))?"
    r"(?P<plus2>\+)?",
)
_PRE_LAST = frozenset("$€£¥₹₪₩.s元币幣金镑鎊円块")
_NOT_BEFORE_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.$€£¥")


class _Amt:
    """One amount as read: currency before, number, multiplier, "+", currency after, and its span."""

    __slots__ = ("end", "mult", "num", "plus", "plus_end", "post", "pre", "start")

    def __init__(self, start: int, pre: str | None, num: str, after: re.Match[str]) -> None:
        self.start, self.pre, self.num, self.end = start, pre, num, after.end()
        self.mult, plus1, self.post, plus2 = after.group("mult", "plus1", "post", "plus2")
        self.plus = bool(plus1 or plus2)
        self.plus_end = after.end("plus2") if plus2 else after.end("plus1") if plus1 else -1


def _amounts(s: str) -> list[_Amt]:
    out: list[_Amt] = []
    last_end = 0
    for m in _NUM_RE.finditer(s):
        p = m.start()
        start, pre = p, None
        if p:
            c = s[p - 1]
            if c in " \u00a0" and p > 1:
                c = s[p - 2]
            # Only a sign, a capital (a code, "Rs", "RM") or a currency word can end a prefix.
            pm = _PRE_END_RE.search(s, max(last_end, p - 12), p) if c in _PRE_LAST or c.isupper() else None
            if pm is not None:
                start, pre = pm.start(), pm.group("pre")
            else:
                c = s[p - 1]
                if c in _NOT_BEFORE_BARE or (c == "," and p > 1 and s[p - 2].isdigit()):
                    continue
        after = _AFTER_NUM_RE.match(s, m.end())
        assert after is not None  # every group is optional
        out.append(_Amt(start, pre, m.group(0), after))
        last_end = after.end()
    return out


# Between two amounts of one range: the joiner, with a period or code of the first end allowed before it.
_JOINER = r"(?:[-–—~～－‐‑−]+|to|and|至|到|through|thru)"
_PERIOD_UNIT = r"(?:hour|hr|h|year|yr|annum|month|mo|m|day|week|wk)s?"
_RANGE_JOIN_RE = re.compile(
    r"^\s*(?:(?:" + CODES + r")\s*)?(?:(?:/|per\s|an?\s|each\s)\s*" + _PERIOD_UNIT + r"\b\.?)?"
    r"\s*\)?\s*" + _JOINER + r"\s*\(?\s*$",
    re.I,
)
_AND_RE = re.compile(r"\band\b", re.I)
_BETWEEN_RE = re.compile(r"between\s*$", re.I)

# ----------------------------------------------------------------------------------------------- period

_PERIOD_WORDS = {
    "hour": "hour", "hourly": "hour", "hr": "hour", "h": "hour", "hours": "hour", "hrs": "hour",
    "day": "day", "daily": "day", "days": "day",
    "week": "week", "weekly": "week", "wk": "week", "weeks": "week",
    "month": "month", "monthly": "month", "mo": "month", "months": "month", "m": "month",
    "year": "year", "yearly": "year", "annual": "year", "annually": "year", "annum": "year", "yr": "year",
    "years": "year", "yrs": "year",
}  # fmt: skip
_CJK_PERIOD = {
    "月": "month",
    "年": "year",
    "日": "day",
    "天": "day",
    "时": "hour",
    "小": "hour",
    "周": "week",
}
# What may follow an amount or range: a code in brackets, "/" + unit, a period word, in that order or the
# other ("$4,000 USD/mo", "40$-60$/hr (CAD)", "8000U 每月", "30-50K * 13" = 13 months of pay).
_TAIL_RE = re.compile(
    r"""[\s*,:]*(?:\(\s*(?P<code1>"""
    + CODES
    + r""")\s*\)\s*)?[\s(*,:]*(?:
        (?:/|per|an?|each|every)\s*(?P<p1>hour|hr|h|day|week|wk|month|mo|year|yr|annum|annual)(?:s|ly)?\b
      | /\s*(?P<pm>[mM])(?![A-Za-z])
      | /\s*(?P<py>[yY])(?![A-Za-z])
      | (?P<p2>hourly|daily|weekly|monthly|yearly|annually|p\.\s?a\.|pa\b|per\s+annum|lpa\b)
      | (?P<p4>por\s+m[eê]s|al\s+mes|pro\s+monat|par\s+mois|monatlich|mensuel|por\s+a[ñn]o|pro\s+jahr
          |par\s+an\b|j[äa]hrlich|brutto\s+j[äa]hrlich|annuel|por\s+hora|pro\s+stunde)
      | (?P<p3>/\s*月|每\s*月|/\s*年|每\s*年|/\s*天|/\s*日|每\s*天|/\s*小时|/\s*时|/\s*周|每\s*周|一个月|月)
      | (?P<months>[*×xX]\s*1[2-9](?!\d))
    )?(?:\s*\(\s*(?P<code2>"""
    + CODES
    + r""")\s*\))?""",
    re.I | re.X,
)
_BEFORE_PERIOD_RE = re.compile(
    r"(?P<w>hourly|per hour|an hour|daily|per day|weekly|per week|monthly|per month|annual|annually|yearly"
    r"|per year|per annum|月薪|年薪|日薪|时薪|周薪|年包|总包|月base|月\s*base|月工资|年收入)",
    re.I,
)

# ----------------------------------------------------------------------------------------------- open ends

_MIN_ONLY_BEFORE_RE = re.compile(
    r"(?:start(?:s|ing)?(?:\s+salary)?\s+(?:at|from|of)|from|min(?:imum)?(?:\s+of)?|at\s+least|begins?\s+at"
    r"|floor\s+(?:of|is)|no\s+less\s+than|over|above|entry(?:[\s-]level)?\s+(?:salary|pay|comp)\s+(?:of|is|at)"
    r"|不低于|至少)\s*:?\s*$",
    re.I,
)
_MAX_ONLY_BEFORE_RE = re.compile(
    r"(?:up[\s-]*to|max(?:imum)?(?:\s+of)?|as\s+much\s+as|not\s+to\s+exceed|最高|最多|不超过)\s*:?\s*$", re.I
)
_MIN_ONLY_AFTER_RE = re.compile(
    r"^\s*(?:to\s+start|起|以上|or\s+more|and\s+up|\+(?![\s+]*[\w\u4e00-\u9fff$€£¥₹]))", re.I
)
_MAX_ONLY_AFTER_RE = re.compile(r"^\s*(?:以内|以下|封顶|or\s+less|max\b|maximum\b)", re.I)
# "50K+奖金", "$170k + equity": a "+" followed by a pay component adds it, it does not open the range.
_PLUS_COMPONENT_RE = re.compile(
    r"\s*(?:[a-z]+\s+){0,2}(?:bonus|bonuses|equity|stock|options?|esops?|rsus?|commission|benefits|super"
    r"|token|tokens|incentives?|profit|allowance)\b|\s*(?:奖金|期权|股票|股权|年终奖|绩效|提成|补贴|token|期權|獎金)",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Money:
    """One stated amount or range, as written: ``lo``/``hi`` scaled by their multipliers."""

    lo: float | None  # None: max only ("up to X")
    hi: float | None  # None: min only ("X+", "starting at X")
    tokens: tuple[str, ...]  # currency tokens as written, specific ones first
    mults: frozenset[str]
    period: str | None  # written with the amount
    months_of_pay: bool  # "30-50K * 13": a monthly amount
    start: int
    end: int  # end of the amount/range itself (before its tail)
    tail_end: int  # end of the period/code tail
    single: bool


def parse_number(num: str) -> float | None:
    """A number with any locale's thousands separators ("1,500", "1.500", "1 500", "1'500", "1,500.50")."""
    s = num.replace("\u00a0", "").replace("\u202f", "").replace("'", "").replace(" ", "")
    s = s.replace(",", "").replace(".", "") if _GROUPED_RE.fullmatch(s) else s.replace(",", "")
    try:
        return float(s)
    except ValueError:
        return None


_GROUPED_RE = re.compile(r"\d{1,3}(?:[.,]\d{3})+")


def _mult_key(raw: str | None) -> str | None:
    if not raw:
        return None
    m = raw.strip()
    if m in ("L", "LPA", "lpa"):
        return m.lower()
    if m in ("M", "B"):
        return m.lower()
    return m.lower()


def _tokens(a: _Amt, b: _Amt | None) -> tuple[str, ...]:
    """Currency tokens as written, specific ones ("USD", "€", "RMB") before a bare "$" or "¥"."""
    raw = [t for t in (a.pre, a.post, *((b.pre, b.post) if b is not None else ())) if t]
    if not raw:
        return ()
    raw = ["".join(t.split()).replace("(", "").replace(")", "") if len(t) > 1 else t for t in raw]
    specific = [t for t in raw if t not in ("$", "¥")]
    if len(specific) == len(raw):
        return tuple(raw)
    return (*specific, *(t for t in raw if t in ("$", "¥")))


def _read_tail(s: str, end: int) -> tuple[str | None, bool, str | None, int]:
    """(period, months_of_pay, code, end) of what follows an amount or range."""
    m = _TAIL_RE.match(s, end, min(len(s), end + 40))
    if m is None or m.end() == end:
        return None, False, None, end
    code = m.group("code1") or m.group("code2")
    if not (code or m.lastgroup):
        return None, False, None, end  # only spaces or punctuation follow: leave them to the caller
    if m.group("months"):
        return "month", True, code, m.end()
    foreign = (m.group("p4") or "").lower()
    if foreign:
        if "hora" in foreign or "stunde" in foreign:
            return "hour", False, code, m.end()
        if any(w in foreign for w in ("jahr", "jährlich", "año", "ano", " an", "annuel")):
            return "year", False, code, m.end()
        return "month", False, code, m.end()
    if m.group("pm"):
        return "month", False, code, m.end()
    if m.group("py"):
        return "year", False, code, m.end()
    word = (m.group("p1") or m.group("p2") or m.group("p3") or "").lower().replace(" ", "")
    if not word:
        return None, False, code, m.end()
    if word[0] in "/每":
        return _CJK_PERIOD.get(word[1]), False, code, m.end()
    if word == "一个月" or word == "月":
        return "month", False, code, m.end()
    if word.startswith("p.") or word in ("perannum", "lpa"):
        return "year", False, code, m.end()
    return _PERIOD_WORDS.get(word), False, code, m.end()


def period_before(clause: str) -> str | None:
    """Period named earlier in the clause ("The monthly rate … is $11,000", "月薪2-3万"); the nearest wins."""
    found = None
    for found in _BEFORE_PERIOD_RE.finditer(clause):  # noqa: B007 - the last (nearest) one counts
        pass
    if found is None:
        return None
    w = found.group("w").lower()
    if w in ("年包", "总包", "年收入"):
        return "year"
    if w[0] in _CJK_PERIOD:
        return _CJK_PERIOD[w[0]]
    return _PERIOD_WORDS.get(w.replace("per ", "").replace("an ", ""))


def scan(s: str) -> list[Money]:
    """Every amount or range in ``s`` (already cleaned), in order."""
    raw = _amounts(s)
    out: list[Money] = []
    i = 0
    n = len(raw)
    while i < n:
        a = raw[i]
        b = None
        if i + 1 < n:
            between = s[a.end : raw[i + 1].start]
            if _RANGE_JOIN_RE.match(between) and (
                not _AND_RE.search(between) or _BETWEEN_RE.search(s[max(0, a.start - 30) : a.start])
            ):
                b = raw[i + 1]
        money = _money(s, a, b)
        if money is not None:
            out.append(money)
        i += 2 if b is not None else 1
    return out


def _money(s: str, a: _Amt, b: _Amt | None) -> Money | None:
    v1 = parse_number(a.num)
    v2 = parse_number(b.num) if b is not None else None
    if v1 is None or (b is not None and v2 is None):
        return None
    k1, k2 = _mult_key(a.mult), _mult_key(b.mult) if b is not None else None
    if b is not None and v2 is not None:
        # A multiplier written once applies to both ends (150-180K, $90k- 150k) where that keeps lo <= hi.
        if k2 and not k1 and v1 * MULT.get(k2, 1) <= v2 * MULT.get(k2, 1) * 1.0001:
            k1 = k2
        elif k1 and not k2 and v2 * MULT.get(k1, 1) >= v1 * MULT.get(k1, 1):
            k2 = k1
    lo = v1 * MULT.get(k1 or "", 1.0)
    hi = v2 * MULT.get(k2 or "", 1.0) if b is not None and v2 is not None else lo
    if b is not None and hi < lo:
        if k1 is None and k2 is None:
            return None  # "… $100k and a $10k …": not one range
        return None
    end = (b or a).end
    # A "+" on the amount itself is matched inside the amount regex; give it back when it adds a component.
    last = b or a
    plus = last.plus
    if plus:
        plus_at = last.plus_end
        if _PLUS_COMPONENT_RE.match(s, plus_at):
            plus = False  # "50K+奖金": the money ends before the "+"
            end = plus_at - 1
    period, months, code, tail_end = _read_tail(s, end)
    tokens = _tokens(a, b)
    if code:  # "5w+ RMB (USDT)": the amount's own code first; "$110k-$150k (AUD)": the code beats "$"
        specific = tuple(t for t in tokens if t not in ("$", "¥"))
        tokens = (*specific, code.upper(), *tokens[len(specific) :])
    lo_out: float | None = lo
    hi_out: float | None = hi
    if b is None:
        head = s[max(0, a.start - 40) : a.start]
        after = s[tail_end : tail_end + 12]
        if _MAX_ONLY_BEFORE_RE.search(head) or _MAX_ONLY_AFTER_RE.match(after):
            lo_out = None
        elif plus or _MIN_ONLY_BEFORE_RE.search(head) or _MIN_ONLY_AFTER_RE.match(after):
            hi_out = None
    return Money(
        lo_out,
        hi_out,
        tokens,
        frozenset(k for k in (k1, k2) if k),
        period,
        months,
        a.start,
        end,
        tail_end,
        b is None,
    )


def currency_of(
    tokens: tuple[str, ...], local_dollar: str | None, han: bool, country: str | None
) -> str | None:
    """ISO code of the first currency token (specific signs and codes before a bare ``$``/``¥``)."""
    for tok in tokens:
        cur = _currency_token(tok, local_dollar, han, country)
        if cur is not None:
            return cur
    return None


def _currency_token(tok: str, local_dollar: str | None, han: bool, country: str | None) -> str | None:
    t = tok.upper()
    if len(t) == 4 and t.endswith("$") and t[:3].isalpha():
        t = t[:3]  # "USD $", "CAD$"
    if t in SYMBOL_CURRENCY:
        return SYMBOL_CURRENCY[t]
    if tok in SYMBOL_CURRENCY:
        return SYMBOL_CURRENCY[tok]
    if t == "$":
        return local_dollar or "USD"
    if t == "¥":
        return "CNY" if han or country == "CN" else "JPY"
    if t == "KR":
        return {"NO": "NOK", "DK": "DKK"}.get(country or "", "SEK")
    return t if t in CODE_SET else None
