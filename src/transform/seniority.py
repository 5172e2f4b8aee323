"""Seniority of a job title, following ``shared/guide/taxonomy.md`` (seniority table and level rules).

Level words (Senior, Staff, Principal, Lead, Director, …), numeric levels (I/II/III, 2, L4) and internship
words give signals; the contract's rules combine them: an internship wins, otherwise the highest signal; a
range ("Senior or Staff", "I/II", "Staff + Sr.") takes its lower bound; "Manager" only where it manages
people ("Engineering Manager", "Manager, Data Science", not "Contracts Manager" or "Account Director");
"Staff" in Member of Technical Staff, "Associate" as a bank rank, "Fellow" in a fellowship programme and
"Architect" as a job family (GPU / Power Architect) are not levels.

Titles in other languages are read into English first (:mod:`transform.title_text`): "Estágio" and
"Stage" are internships, "Pleno" and "Confirmé" mid-level, "高级" senior, "Leiter" and "总监" heads.
"""

from __future__ import annotations

import re

from ingest.rule_errors import record_error
from ingest.textnorm import clean_text
from transform.title_text import match_text, read_foreign

__all__ = ["MAX_TITLE_CHARS", "classify_seniority", "seniority_of"]

#: Titles are cut to this many characters before matching (a title is never longer in practice).
MAX_TITLE_CHARS = 300

_RANK = {"entry": 1, "mid": 2, "senior": 3, "staff_principal": 4, "manager": 5}
_BY_RANK = {v: k for k, v in _RANK.items()}

_INTERN_WORDS = frozenset(
    [
        "intern",
        "interns",
        "internship",
        "internships",
        "coop",
        "coops",
        "apprentice",
        "apprentices",
        "apprenticeship",
        "trainee",
        "trainees",
        "werkstudent",
        "werkstudentin",
        "praktikum",
        "praktikant",
        "praktikantin",
        "stagiaire",
    ]
)
_INTERN_PHRASES = (" co op ", " co ops ", " working student", " summer analyst ", " summer associate ")
_WORD_LEVEL = {
    "senior": 3,
    "sr": 3,
    "snr": 3,
    "lead": 3,
    "leader": 3,
    "leads": 3,
    "junior": 1,
    "jr": 1,
    "graduate": 1,
    "graduates": 1,
    "grad": 1,
    "intermediate": 2,
    "mid": 2,
    "midlevel": 2,
    "staff": 4,
    "principal": 4,
    "distinguished": 4,
    "fellow": 4,
    "director": 5,
    "directors": 5,
    "head": 5,
    "vp": 5,
    "svp": 5,
    "evp": 5,
    "avp": 5,
    "chief": 5,
    "cto": 5,
    "ceo": 5,
    "cio": 5,
    "cdo": 5,
    "cfo": 5,
    "coo": 5,
    "ciso": 5,
    "cpo": 5,
    "president": 5,
    "supervisor": 5,
    "foreman": 5,
    "managing": 5,
    "manager": 5,
    "managers": 5,
    "associate": 1,
    "tl": 3,
    "tlm": 5,
}
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 3, "V": 3, "VI": 3}
_DIGIT = {"1": 1, "2": 2, "3": 3, "4": 3, "5": 3, "6": 3}
_L_LEVEL = {"l1": 1, "l2": 1, "l3": 1, "l4": 2, "l5": 3, "l6": 4, "l7": 4, "l8": 4, "l9": 4}
# "Manager" in these job names manages no people (taxonomy.md level rules).
_NON_PEOPLE_BEFORE_MANAGER = frozenset(
    [
        "product",
        "program",
        "programme",
        "project",
        "account",
        "accounts",
        "marketing",
        "market",
        "launch",
        "partner",
        "partnerships",
        "development",
        "success",
        "relationship",
        "community",
        "campaign",
        "brand",
        "channel",
        "territory",
        "category",
        "content",
        "social",
        "contract",
        "contracts",
        "communications",
        "case",
        "operations",
        "sourcing",
        "policy",
        "escalations",
        "relations",
        "deployment",
    ]
)
# "<X> Sales Manager" of a partner or account manages accounts, not people ("Partner Sales Manager").
_NON_PEOPLE_TWO_BEFORE = frozenset(["partner", "partners", "account", "accounts"])
# "Director" of accounts or partners is a job name (taxonomy.md README: Account / Partner Director).
_NON_PEOPLE_BEFORE_DIRECTOR = frozenset(["account", "accounts", "partner", "client"])
# "Fellow" is a level only as a rank ("Technical Fellow", "Distinguished Fellow"), not in a fellowship.
_FELLOW_RANKS = frozenset(["technical", "distinguished", "senior", "corporate", "engineering", "principal"])
# A level number follows a job noun ("Data Engineer 4", "Product Manager 3", "Level 2").
_LEVEL_NOUNS = frozenset(
    [
        "engineer",
        "engineers",
        "scientist",
        "analyst",
        "developer",
        "manager",
        "specialist",
        "architect",
        "consultant",
        "associate",
        "designer",
        "researcher",
        "technician",
        "administrator",
        "representative",
        "programmer",
        "level",
        "grade",
        "band",
        "writer",
        "accountant",
        "auditor",
        "recruiter",
        "officer",
        "advisor",
        "coordinator",
    ]
)
_NUMBER_UNITS = frozenset(
    [
        "hrs",
        "hours",
        "hour",
        "h",
        "days",
        "day",
        "weeks",
        "week",
        "months",
        "month",
        "years",
        "year",
        "yrs",
        "am",
        "pm",
        "k",
    ]
)
_RANGE_WORDS = frozenset({"or", "to", "and", "/", "&", "+"})
_DASHES = frozenset({"-", "–", "—"})
_TOKEN_RE = re.compile(r"[^\W_]+|[/&+\-–—]")
_ARCHITECT_LEVEL_RE = re.compile(
    r"(?:^|[-–—,|:(/]\s*|(?<!applied )\b(?:software|ai|ml|llm|genai|principal|staff|chief)\s+)architect\b",
    re.I,
)
_BANK_RANK_RE = re.compile(r"^\W*(?:associate|vice president|vp)\s*[,|:–—-]", re.I)
# (substring of the match text, rank)
_PHRASES = (
    (" entry level ", 1),
    (" entrylevel ", 1),
    (" new grad", 1),
    (" early career ", 1),
    (" early in career ", 1),
    (" college hire", 1),
    (" campus hire", 1),
    (" university grad", 1),
    (" mid level ", 2),
    (" group product manager", 5),
)


_PLUS_RE = re.compile(r"(?<=[a-z])\+(?= )")

_LEVEL_TRIGGERS = frozenset(
    [*_WORD_LEVEL, *_L_LEVEL, *(r.lower() for r in _ROMAN), *_DIGIT, "vice", "president"]
)


def classify_seniority(title: str) -> str:
    """Seniority of one title. Never raises: an error inside a rule is counted
    (:mod:`ingest.rule_errors`) and gives ``unspecified``."""
    try:
        clean = clean_text(title)[:MAX_TITLE_CHARS]
        mt = match_text(clean)
        english = read_foreign(clean, mt)
        return seniority_of(clean if english is mt else english.strip(), english)
    except Exception as exc:  # one bad title must not stop a batch, but it is counted
        record_error("titles.seniority", exc, title)
        return "unspecified"


def seniority_of(clean: str, mt: str) -> str:
    """Seniority from a cleaned title and its (English) match text."""
    if "+" in mt:
        mt = _PLUS_RE.sub(" ", mt)  # "Staff+" / "Senior+": the level word without its "and above"
    words = mt.split()
    if not _INTERN_WORDS.isdisjoint(words) or any(p in mt for p in _INTERN_PHRASES):
        return "intern"
    if _LEVEL_TRIGGERS.isdisjoint(words) and not any(p in mt for p, _ in _PHRASES) and " architect" not in mt:
        return "unspecified"  # fast path: no level word at all
    raw = _TOKEN_RE.findall(clean)
    toks = [t.lower() for t in raw]
    n = len(toks)
    signals: list[tuple[int, int]] = []  # (token index or -1, rank)
    bank_rank = ("associate" in mt or " vp " in mt or "vice president" in mt) and bool(
        _BANK_RANK_RE.search(clean)
    )
    i = 0
    while i < n:
        t = toks[i]
        rank = _WORD_LEVEL.get(t)
        if rank is not None:
            if t == "staff":
                before = toks[max(0, i - 3) : i]
                if before[-2:] == ["of", "technical"] or before == ["of", "the", "technical"]:
                    rank = None  # Member of (the) Technical Staff
                elif before[-2:] == ["chief", "of"]:
                    rank = None  # Chief of Staff: "Chief" already counts
            elif t in ("manager", "managers"):
                prev = toks[i - 1] if i else ""
                if prev in _NON_PEOPLE_BEFORE_MANAGER or (
                    prev == "sales" and i >= 2 and toks[i - 2] in _NON_PEOPLE_TWO_BEFORE
                ):
                    rank = None
            elif t in ("director", "directors"):
                if i and toks[i - 1] in _NON_PEOPLE_BEFORE_DIRECTOR:
                    rank = None
            elif t == "fellow":
                if not (i and toks[i - 1] in _FELLOW_RANKS) and not (i == 0 and n == 1):
                    rank = None
            elif t == "associate":
                if bank_rank and i == 0:
                    rank = None
            elif t in ("lead", "leads"):
                if i + 1 < n and toks[i + 1] in ("generation", "gen"):
                    rank = None
            elif t == "head" and i + 1 < n and toks[i + 1] in ("hunter", "office", "quarters", "chef"):
                rank = None
        elif t == "vice" and i + 1 < n and toks[i + 1] == "president":
            rank = None if (bank_rank and i == 0) else 5
        elif t in _L_LEVEL:
            rank = _L_LEVEL[t]
        elif raw[i] in _ROMAN and i > 0:
            nxt = raw[i + 1] if i + 1 < n else ""
            if not (nxt.isalpha() and nxt.islower()):
                rank = _ROMAN[raw[i]]
        elif t in _DIGIT and i > 0 and toks[i - 1] in _LEVEL_NOUNS:
            nxt = toks[i + 1] if i + 1 < n else ""
            if nxt not in _NUMBER_UNITS:
                rank = _DIGIT[t]
        if rank is not None:
            signals.append((i, rank))
        i += 1
    for phrase, rank in _PHRASES:
        if phrase in mt:
            signals.append((-1, rank))
    if " architect" in mt and _ARCHITECT_LEVEL_RE.search(clean):
        signals.append((-1, 4))
    if not signals:
        return "unspecified"
    # Ranges: two level tokens joined by or / to / and / "/" / "&" (or a dash between numerals) → lower bound.
    dropped: set[int] = set()
    positioned = [sig for sig in signals if sig[0] >= 0]
    for (ia, ra), (ib, rb) in zip(positioned, positioned[1:], strict=False):
        if ib - ia != 2 or toks[ia] in ("manager", "director", "head"):
            continue
        between = toks[ia + 1]
        numeric = raw[ia] in _ROMAN or raw[ia] in _DIGIT
        if between in _RANGE_WORDS or (numeric and between in _DASHES):
            dropped.add(ib if rb >= ra else ia)
    best = max(rank for idx, rank in signals if idx < 0 or idx not in dropped)
    return _BY_RANK[best]
