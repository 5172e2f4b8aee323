"""Job title → role + seniority, following ``shared/guide/taxonomy.md`` (taxonomy v1).

The rules are data (:mod:`transform.taxonomy`, ``taxonomy_v1.yaml``); this module reads a title with them:

1. clean the title (:func:`transform.textnorm.clean_text`) and build a lower-case *match text*;
2. "Forward Deployed …" in any wording wins outright;
3. otherwise the job noun of the lowest tier wins, ties going to the first named (an AI job noun beats a
   comparable one, "Sr Software Engineer (Data Scientist)" → ``data_scientist``; explicit non-AI job nouns
   such as Account Executive or Design Engineer are not turned into AI roles by an AI qualifier);
4. the winning noun's class becomes a role using the qualifiers anywhere in the title: an AI qualifier turns
   Software Engineer → ``ai_ml_engineer``, Platform Engineer → ``mlops_engineer``, Product Manager →
   ``ai_product_manager``, Solutions Architect → ``forward_deployed_engineer``; an AI-infrastructure
   qualifier makes engineering roles ``mlops_engineer`` (most specific wins); "AI Security" is security;
5. company / description decide only ambiguous titles (bare Research Scientist, Tutor, AI Specialist,
   AI-lab product names), through the small AI-company and AI-word lists in the taxonomy data.

Seniority comes from level words (Senior, Staff, Principal, Lead, Director, …), numeric levels (I/II/III,
2, L4) and internship words, with the contract's rules: an internship wins, otherwise the highest signal; a
range ("Senior or Staff", "I/II") takes its lower bound; "Manager" only where it manages people; "Staff"
in Member of Technical Staff and "Associate" as a bank rank are not levels.

:func:`classify_title` never raises; the context-free path is cached (``functools.lru_cache``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import ahocorasick

from transform.locations import is_location_phrase as _is_location_phrase
from transform.locations import location_words
from transform.taxonomy import Rule, Taxonomy, load_taxonomy
from transform.textnorm import clean_text

__all__ = [
    "AI_ROLES",
    "ROLES",
    "SENIORITIES",
    "TAXONOMY_VERSION",
    "TitleResult",
    "classify_title",
    "classify_title_alone",
    "classify_seniority",
    "normalize_titles_stream",
]

_TAX: Taxonomy = load_taxonomy()

TAXONOMY_VERSION: str = _TAX.version
ROLES: tuple[str, ...] = tuple(_TAX.roles)
AI_ROLES: frozenset[str] = _TAX.ai_roles
SENIORITIES: tuple[str, ...] = _TAX.seniorities

#: Titles are cut to this many characters before matching (a title is never longer in practice).
MAX_TITLE_CHARS = 300
_MAX_INPUT_CHARS = 4 * MAX_TITLE_CHARS  # raw characters read (HTML and entities may shrink)
_CACHE_SIZE = 1 << 17

# Confidence by the tier of the deciding rule.
_CONF_OVERRIDE = 0.95
_CONF_CONTEXT = 0.6
_CONF_NO_RULE = 0.3
_CONF_NO_CONTEXT = 0.4


@dataclass(frozen=True)
class TitleResult:
    """Role and seniority of one title.

    ``title_clean`` (the title without levels, locations, requisition codes, "(Remote)", years, "Intern")
    is computed on first access: the batch normaliser needs only the role fields, so classifying a title
    does not pay for it.
    """

    role: str
    seniority: str
    is_ai_role: bool
    confidence: float
    rule: str
    title_clean: str = field(init=False, compare=False)
    taxonomy_version: str = TAXONOMY_VERSION
    #: the cleaned input title that ``title_clean`` is derived from
    source: str = field(default="", repr=False, compare=False)

    def __getattr__(self, name: str) -> str:
        # Only reached for attributes not set yet, i.e. the lazy title_clean.
        if name == "title_clean":
            try:
                value = _title_clean(self.source)
            except Exception:
                value = self.source
            object.__setattr__(self, "title_clean", value)
            return value
        raise AttributeError(name)

    def as_dict(self) -> dict:
        return {
            "role": self.role,
            "seniority": self.seniority,
            "is_ai_role": self.is_ai_role,
            "confidence": self.confidence,
            "rule": self.rule,
            "title_clean": self.title_clean,
            "taxonomy_version": self.taxonomy_version,
        }


_EMPTY = TitleResult("other", "unspecified", False, 0.0, "empty", TAXONOMY_VERSION, "")

# ---------------------------------------------------------------------------------------------------
# Match text
# ---------------------------------------------------------------------------------------------------
_AI_DOTS_RE = re.compile(r"\ba\.\s?i\.?(?=\W|$)", re.I)
_NONWORD_RE = re.compile(r"[^\w+#]+|_+")


_COMBINING_RE = re.compile("[\u0300-\u036f]")


def _fold(text: str) -> str:
    """Lower-case, accents removed (développeur → developpeur)."""
    s = text.lower()
    if not s.isascii():
        s = _COMBINING_RE.sub("", unicodedata.normalize("NFKD", s))
    return s


_ASCII_NONWORD = str.maketrans(
    {c: " " for c in map(chr, range(128)) if not (c.isalnum() or c in "+#")} | {"&": " and "}
)


def _match_text(clean: str) -> str:
    """Lower-case words joined by single spaces, with a space before and after (" sr ml engineer ")."""
    s = _AI_DOTS_RE.sub(" ai ", clean) if "." in clean else clean
    s = _fold(s)
    s = s.translate(_ASCII_NONWORD) if s.isascii() else _NONWORD_RE.sub(" ", s.replace("&", " and "))
    return " " + " ".join(s.split()) + " "


# ---------------------------------------------------------------------------------------------------
# Role
# ---------------------------------------------------------------------------------------------------
def _tier_conf(tier: int) -> float:
    if tier <= 10:
        return 0.9
    if tier <= 20:
        return 0.85
    if tier <= 24:
        return 0.8
    if tier <= 29:
        return 0.65
    return 0.55


@dataclass(frozen=True, slots=True)
class _RoleDecision:
    role: str
    rule: str
    confidence: float
    #: the answer may change with company/description context
    context_sensitive: bool


def _build_prefilter() -> tuple[tuple[Rule, ...], ahocorasick.Automaton | None, frozenset[int]]:
    """All rules in (tier, file) order, an automaton key → rule indices, and the rules without keys."""
    ordered = tuple(rule for _tier, rules in _TAX.tiers for rule in rules)
    automaton = ahocorasick.Automaton()
    by_key: dict[str, list[int]] = {}
    always: set[int] = set()
    for idx, rule in enumerate(ordered):
        if not rule.keys:
            always.add(idx)
        for key in rule.keys:
            by_key.setdefault(key, []).append(idx)
    for key, idxs in by_key.items():
        automaton.add_word(key, tuple(idxs))
    automaton.make_automaton()
    return ordered, automaton, frozenset(always)


_RULES, _AUTOMATON, _ALWAYS = _build_prefilter()


def _find_rule(mt: str, has_ai: bool) -> tuple[Rule | None, int]:
    """The winning job-noun rule: lowest tier, then earliest in the title, then listed first.

    Only rules whose literal keys occur in the title are tried (one Aho-Corasick pass).
    """
    candidates = set(_ALWAYS)
    for _end, idxs in _AUTOMATON.iter(mt):
        candidates.update(idxs)
    best: tuple[int, int, Rule] | None = None  # (start, index, rule)
    for idx in sorted(candidates):
        rule = _RULES[idx]
        if best is not None and rule.tier != best[2].tier:
            break
        if rule.requires_ai and not has_ai:
            continue
        m = rule.pattern.search(mt)
        if m is not None and (best is None or m.start() < best[0]):
            best = (m.start(), idx, rule)
    return (best[2], best[0]) if best is not None else (None, -1)


def _decide_role(mt: str, context_ai: bool | None) -> _RoleDecision:
    """``context_ai``: None = no context given; True/False = company/description say AI or not."""
    for rule in _TAX.overrides:
        if (not rule.keys or any(k in mt for k in rule.keys)) and rule.pattern.search(mt):
            spec = _TAX.classes[rule.cls]
            return _RoleDecision(spec["role"], rule.id, _CONF_OVERRIDE, False)

    ai_text = _TAX.ai_suppress.sub(" ", mt) if ("secur" in mt or "safety" in mt) else mt
    has_ai = _TAX.ai.search(ai_text) is not None
    rule, _ = _find_rule(mt, has_ai)
    if rule is None:
        return _RoleDecision("other", "no_rule", _CONF_NO_RULE, False)

    spec = _TAX.classes[rule.cls]
    conf = _tier_conf(rule.tier)
    sensitive = False
    if spec.get("ai_products") and not has_ai and _TAX.ai_product_names.search(mt):
        sensitive = True
        if context_ai:
            has_ai = True
    if "with_research" in spec and _TAX.research.search(mt):
        return _RoleDecision(spec["with_research"], f"{rule.id}+research", conf, sensitive)
    if "with_ai_infra" in spec and _TAX.ai_infra.search(ai_text):
        return _RoleDecision(spec["with_ai_infra"], f"{rule.id}+ai_infra", conf, sensitive)
    if "with_ai" in spec and has_ai:
        return _RoleDecision(spec["with_ai"], f"{rule.id}+ai", conf, sensitive)
    if "with_pm_ai" in spec and _TAX.pm_ai.search(mt):
        return _RoleDecision(spec["with_pm_ai"], f"{rule.id}+pm_ai", conf, sensitive)
    if "with_context" in spec:
        if context_ai:
            return _RoleDecision(spec["with_context"], f"{rule.id}+context", _CONF_CONTEXT, True)
        if context_ai is None and "without_context" in spec and _is_bare(mt, rule):
            return _RoleDecision(spec["without_context"], f"{rule.id}+no_context", _CONF_NO_CONTEXT, True)
        return _RoleDecision(spec["role"], rule.id, min(conf, _CONF_CONTEXT), True)
    return _RoleDecision(spec["role"], rule.id, conf, sensitive)


# Words that may surround an ambiguous job noun in a "bare" title ("Senior Research Scientist II").
_BARE_WORDS = frozenset(
    [
        "senior",
        "sr",
        "snr",
        "junior",
        "jr",
        "staff",
        "principal",
        "lead",
        "distinguished",
        "associate",
        "intern",
        "internship",
        "co",
        "op",
        "i",
        "ii",
        "iii",
        "iv",
        "v",
        "1",
        "2",
        "3",
        "4",
        "5",
        "l1",
        "l2",
        "l3",
        "l4",
        "l5",
        "l6",
        "remote",
        "hybrid",
        "onsite",
        "the",
        "a",
        "an",
        "of",
        "and",
        "new",
        "grad",
        "phd",
    ]
)


def _is_bare(mt: str, rule: Rule) -> bool:
    """True when the title is only the rule's job noun plus level/noise words."""
    m = rule.pattern.search(mt)
    if m is None:
        return False
    rest = (mt[: m.start()] + " " + mt[m.end() :]).split()
    return all(w in _BARE_WORDS or (w.isdigit() and len(w) == 4) for w in rest)


def _context_is_ai(company: str | None, description: str | None) -> bool | None:
    if not company and not description:
        return None
    if company:
        c = _match_text(clean_text(company, max_chars=200))
        if _TAX.ai_companies.search(c) or _TAX.ai_company_patterns.search(_fold(company[:200])):
            return True
    if description:
        d = _match_text(clean_text(description, max_chars=20_000))
        if _TAX.ai_description_words.search(d):
            return True
    return False


# ---------------------------------------------------------------------------------------------------
# Seniority
# ---------------------------------------------------------------------------------------------------
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
    ]
)
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
_RANGE_WORDS = frozenset({"or", "to", "and", "/", "&"})
_DASHES = frozenset({"-", "–", "—"})
_TOKEN_RE = re.compile(r"[^\W_]+|[/&\-–—]")
_ARCHITECT_LEVEL_RE = re.compile(
    r"(?:^|[-–—,|:(/]\s*|\b(?:software|ai|ml|llm|genai|principal|staff|chief)\s+)architect\b",
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


_LEVEL_TRIGGERS = frozenset(
    [*_WORD_LEVEL, *_L_LEVEL, *(r.lower() for r in _ROMAN), *_DIGIT, "vice", "president"]
)


def classify_seniority(title: str) -> str:
    """Seniority of one title. Never raises."""
    try:
        clean = clean_text(title)[:MAX_TITLE_CHARS]
        return _seniority(clean, _match_text(clean))
    except Exception:
        return "unspecified"


def _seniority(clean: str, mt: str) -> str:
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
                if i and toks[i - 1] in _NON_PEOPLE_BEFORE_MANAGER:
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


# ---------------------------------------------------------------------------------------------------
# Clean title (noise stripped)
# ---------------------------------------------------------------------------------------------------
_NOISE_PAREN_RE = re.compile(
    r"\((?:[^()]*\b(?:remote|hybrid|on-?site|onsite|in-?office|shift|contract|temporary|part[\s-]?time|"
    r"full[\s-]?time|m/w/d|m/f/d|f/m/d|w/m/d|h/f|f/h|all levels|senior|sr\.?|staff|junior|jr\.?|"
    r"level|intern\w*|co-?op|\d{4})\b[^()]*)\)",
    re.I,
)
_REQ_RE = re.compile(
    r"(?:\b(?:req(?:uisition)?|job|id|ref)\.?\s*(?:#|no\.?|id)?\s*:?\s*[\w-]*\d[\w-]*|#\s*\d+|\b\d{4,}\b)",
    re.I,
)
_SEP_RE = re.compile(r"[,;|()]|\s[-–—/:]\s|\s[-–—]|[-–—]\s")
# Words dropped from title_clean (compared lower-case, without trailing dots).
_NOISE_TOKENS = frozenset(
    [
        "senior",
        "sr",
        "snr",
        "junior",
        "jr",
        "principal",
        "distinguished",
        "lead",
        "intern",
        "interns",
        "internship",
        "internships",
        "co-op",
        "coop",
        "co-ops",
        "apprentice",
        "apprenticeship",
        "trainee",
        "remote",
        "hybrid",
        "onsite",
        "on-site",
        "summer",
        "fall",
        "spring",
        "winter",
        "autumn",
        "l1",
        "l2",
        "l3",
        "l4",
        "l5",
        "l6",
        "l7",
        "l8",
        "new",
        "grad",
        "graduate",
        "entry-level",
        "mid-level",
    ]
)
_NOISE_ROMAN = frozenset({"I", "II", "III", "IV", "V", "VI", "I/II", "II/III"})
_HAS_DIGIT_RE = re.compile(r"\d")


_PLACE_WORDS = location_words()


def _looks_like_place(tokens: list[str]) -> bool:
    """Cheap pre-check: every word could belong to a place name or a work-mode phrase."""
    return all(_fold(t).strip(".,()") in _PLACE_WORDS for t in tokens)


def _title_clean(clean: str) -> str:
    s = clean
    if "(" in s:
        s = _NOISE_PAREN_RE.sub(" ", s)
    if _HAS_DIGIT_RE.search(s):
        s = _REQ_RE.sub(" ", s)
    keep_staff = "technical staff" in s.lower()
    kept: list[str] = []
    for segment in _SEP_RE.split(s):
        out = []
        for tok in segment.split():
            low = tok.lower().rstrip(".,")
            if low in _NOISE_TOKENS or tok in _NOISE_ROMAN:
                continue
            if low == "staff" and not keep_staff:
                continue
            if len(low) == 4 and low.isdigit() and low[:2] in ("19", "20"):
                continue
            out.append(tok)
        if out:
            seg = " ".join(out)
            if not kept or not _looks_like_place(out) or not _is_location_phrase(seg):
                kept.append(seg)
    return ", ".join(kept).strip(" ,-–—|:/&")


def _result(clean: str, mt: str, decision: _RoleDecision) -> TitleResult:
    # Same as TitleResult(...), without the per-field object.__setattr__ of a frozen dataclass __init__
    # (this runs once per distinct title in the batch normaliser).
    result = object.__new__(TitleResult)
    result.__dict__.update(
        role=decision.role,
        seniority=_seniority(clean, mt),
        is_ai_role=decision.role in AI_ROLES,
        confidence=decision.confidence,
        rule=decision.rule,
        taxonomy_version=TAXONOMY_VERSION,
        source=clean,
    )
    return result


@lru_cache(maxsize=_CACHE_SIZE)
def _classify_cached(title: str) -> tuple[TitleResult, bool]:
    clean = clean_text(title, max_chars=_MAX_INPUT_CHARS)[:MAX_TITLE_CHARS]
    if not clean:
        return _EMPTY, False
    mt = _match_text(clean)
    decision = _decide_role(mt, None)
    return _result(clean, mt, decision), decision.context_sensitive


def classify_title_alone(title: str | None) -> tuple[TitleResult, bool]:
    """``classify_title(title)`` and whether company or description context could change its role
    (batch callers classify each distinct title once and pass context only where it matters)."""
    try:
        if not isinstance(title, str):
            title = "" if title is None else str(title)
        return _classify_cached(title[:_MAX_INPUT_CHARS])
    except Exception:  # never let one bad title stop a batch
        return _EMPTY, False


def classify_title(title: str, company: str | None = None, description: str | None = None) -> TitleResult:
    """Role and seniority of one job title (company/description only break ties on ambiguous titles).

    Never raises: any input that cannot be read gives ``other`` / ``unspecified`` with confidence 0.
    """
    try:
        if not isinstance(title, str):
            title = "" if title is None else str(title)
        if len(title) > _MAX_INPUT_CHARS:
            title = title[:_MAX_INPUT_CHARS]  # keeps cache keys small; nothing past this is read anyway
        result, sensitive = _classify_cached(title)
        if not sensitive or not (company or description):
            return result
        context_ai = _context_is_ai(
            company if isinstance(company, str) else None,
            description if isinstance(description, str) else None,
        )
        clean = clean_text(title, max_chars=_MAX_INPUT_CHARS)[:MAX_TITLE_CHARS]
        mt = _match_text(clean)
        decision = _decide_role(mt, context_ai)
        if decision.role == result.role:
            return result
        return _result(clean, mt, decision)
    except Exception:  # never let one bad title stop a batch
        return _EMPTY


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _parse_line(line: str) -> tuple[str, str | None, str | None]:
    s = line.strip()
    if s[:1] in ("{", '"'):
        try:
            obj = json.loads(s)
        except (ValueError, RecursionError):
            return line, None, None
        if isinstance(obj, dict):
            title = obj.get("title")
            company = obj.get("company")
            description = obj.get("description")
            return (
                title if isinstance(title, str) else ("" if title is None else str(title)),
                company if isinstance(company, str) else None,
                description if isinstance(description, str) else None,
            )
        if isinstance(obj, str):
            return obj, None, None
    return line, None, None


def normalize_titles_stream(lines: Iterable[str]) -> Iterator[dict]:
    """One output dict per input line, in input order.

    A line is a plain title, a JSON string, or a JSON object with ``title`` and optional ``company`` and
    ``description``. Output keys: title, role, seniority, is_ai_role, confidence, taxonomy_version.
    """
    for line in lines:
        try:
            if not isinstance(line, str):
                line = line.decode("utf-8", "replace") if isinstance(line, bytes) else str(line)
            title, company, description = _parse_line(line)
        except Exception:
            title, company, description = "", None, None
        r = classify_title(title, company, description)
        yield {
            "title": _SURROGATE_RE.sub("\ufffd", title) if isinstance(title, str) else "",
            "role": r.role,
            "seniority": r.seniority,
            "is_ai_role": r.is_ai_role,
            "confidence": r.confidence,
            "taxonomy_version": r.taxonomy_version,
        }
