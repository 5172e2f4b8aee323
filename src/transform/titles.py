"""Job title → role + seniority, following ``shared/guide/taxonomy.md`` (taxonomy v1).

The rules are data (:mod:`transform.taxonomy`: ``taxonomy_v1.yaml``, ``languages.yaml``,
``companies.yaml``); this module reads a title with them:

1. clean the title (:func:`ingest.textnorm.clean_text`) and build a lower-case *match text*
   (:mod:`transform.title_text`), reading titles in other languages into English ("Entwickler (m/w/d)" ->
   " developer ", "Analista de Dados" -> " data analyst ", "算法工程师" -> " ml engineer ");
2. "Forward Deployed …" in any wording wins, unless a non-AI job is named before it ("Recruiter, Forward
   Deployed Engineering");
3. otherwise the job noun of the lowest tier wins, ties going to the first named (an AI job noun beats a
   comparable one, "Sr Software Engineer (Data Scientist)" → ``data_scientist``; explicit non-AI job nouns
   such as Account Executive or Design Engineer are not turned into AI roles by an AI qualifier);
4. the winning noun's class becomes a role using the qualifiers anywhere in the title: an AI qualifier turns
   Software Engineer → ``ai_ml_engineer``, Platform Engineer → ``mlops_engineer``, Product Manager →
   ``ai_product_manager``, Solutions Architect → ``forward_deployed_engineer``; an AI-infrastructure
   qualifier makes engineering roles ``mlops_engineer`` (most specific wins); "AI Security" is security;
   generic titles (Member of Technical Staff, Software Engineer, Engineer, Tech Lead, Engineering Manager,
   Infrastructure Engineer) take the role of their specialty *area* first ("…, Inference" -> MLOps,
   "…, Pretraining" -> research, "…, Security" -> other, "…, Data Infrastructure" -> data engineering);
5. company / description decide only ambiguous titles (bare Research Scientist, Tutor, AI Specialist,
   AI-lab product names, areas such as "Fleet" or "Evals" that are AI only at an AI lab), through the AI
   labs and AI data vendors of ``companies.yaml`` and the AI words of the taxonomy data.

Seniority: :mod:`transform.seniority` (``classify_seniority`` is re-exported here).

:func:`classify_title` never raises: an exception inside a rule is counted per rule
(:mod:`ingest.rule_errors`) and the title gets ``other`` / ``unspecified``. The context-free path is
cached (``functools.lru_cache``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import ahocorasick

from ingest.rule_errors import record_error
from ingest.textnorm import clean_text
from transform.locations import is_location_phrase as _is_location_phrase
from transform.locations import location_words
from transform.seniority import MAX_TITLE_CHARS, classify_seniority, seniority_of
from transform.taxonomy import Rule, Taxonomy, load_taxonomy
from transform.title_text import fold as _fold
from transform.title_text import match_text as _match_text
from transform.title_text import read_foreign

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
            except Exception as exc:  # counted; the cleaned input is the best answer left
                record_error("titles.title_clean", exc, self.source)
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


def _build_prefilter() -> tuple[tuple[Rule, ...], ahocorasick.Automaton, frozenset[int]]:
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


def _build_area_prefilter() -> tuple[ahocorasick.Automaton, frozenset[int]]:
    """An automaton key → indices of the areas whose patterns need that key, and the areas without keys."""
    automaton = ahocorasick.Automaton()
    by_key: dict[str, list[int]] = {}
    always: set[int] = set()
    for idx, area in enumerate(_TAX.areas):
        if not area.keys:
            always.add(idx)
        for key in area.keys:
            by_key.setdefault(key, []).append(idx)
    for key, idxs in by_key.items():
        automaton.add_word(key, tuple(idxs))
    automaton.make_automaton()
    return automaton, frozenset(always)


_AREA_AUTOMATON, _AREA_ALWAYS = _build_area_prefilter()


def _candidate_areas(text: str) -> list[int]:
    found = set(_AREA_ALWAYS)
    for _end, idxs in _AREA_AUTOMATON.iter(text):
        found.update(idxs)
    return sorted(found)


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


def _decide_role(mt: str, context_ai: int | None) -> _RoleDecision:
    """``context_ai``: None = no context given, else what company/description say (:func:`_context_is_ai`).

    A specialty area that means AI only at an AI lab ("Fleet", "Evals") needs the company; a description
    that talks about AI is enough for the ambiguous job nouns (Tutor, bare Research Scientist).
    """
    ai_text = _TAX.ai_suppress.sub(" ", mt) if ("secur" in mt or "safety" in mt) else mt
    has_ai = _TAX.ai.search(ai_text) is not None
    found: tuple[Rule | None, int] | None = None
    rule: Rule | None
    for rule in _TAX.overrides:
        if not rule.keys or any(k in mt for k in rule.keys):
            m = rule.pattern.search(mt)
            if m is None:
                continue
            # A non-AI job named before it ("Recruiter, Forward Deployed Engineering") is the job.
            found = _find_rule(mt, has_ai)
            named, start = found
            if named is not None and start < m.start() and named.id in rule.yields_to:
                break
            spec = _TAX.classes[rule.cls]
            return _RoleDecision(spec["role"], rule.id, _CONF_OVERRIDE, False)

    rule, _ = found if found is not None else _find_rule(mt, has_ai)
    if rule is None:
        return _RoleDecision("other", "no_rule", _CONF_NO_RULE, False)

    spec = _TAX.classes[rule.cls]
    conf = _tier_conf(rule.tier)
    sensitive = False
    if spec.get("ai_products") and not has_ai and _TAX.ai_product_names.search(mt):
        sensitive = True
        if context_ai:
            has_ai = True
    if spec.get("areas"):
        for idx in _candidate_areas(ai_text):
            area = _TAX.areas[idx]
            if area.classes and rule.cls not in area.classes:
                continue
            if area.pattern.search(ai_text) is None:
                continue
            if area.needs_context and not has_ai:
                sensitive = True
                if context_ai != _AI_COMPANY:
                    continue
            role = area.with_ai if (area.with_ai and has_ai) else area.role_for(rule.cls)
            return _RoleDecision(role, f"{rule.id}+area:{area.id}", conf, sensitive)
    non_ai = _TAX.non_ai_research
    if "non_ai_fields" in spec and not has_ai and non_ai is not None and non_ai.search(mt):
        return _RoleDecision(spec["non_ai_fields"], f"{rule.id}+non_ai_field", conf, sensitive)
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


def _context_is_ai(company: str | None, description: str | None) -> int | None:
    """None: no context given; ``_NOT_AI``; ``_AI_DESCRIPTION`` (the description talks about AI);
    ``_AI_COMPANY`` (an AI lab or AI data vendor: the stronger evidence that specialty areas need)."""
    if not company and not description:
        return None
    if company:
        c = _match_text(clean_text(company, max_chars=200))
        if _TAX.ai_companies.search(c) or _TAX.ai_company_patterns.search(_fold(company[:200])):
            return _AI_COMPANY
    if description:
        d = _match_text(clean_text(description, max_chars=20_000))
        if _TAX.ai_description_words.search(d):
            return _AI_DESCRIPTION
    return _NOT_AI


_NOT_AI, _AI_DESCRIPTION, _AI_COMPANY = 0, 1, 2


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


def _texts(title: str) -> tuple[str, str, str]:
    """The cleaned title, its English match text and the text seniority reads (the English reading for a
    title in another language, whose level words are English only after reading)."""
    clean = clean_text(title, max_chars=_MAX_INPUT_CHARS)[:MAX_TITLE_CHARS]
    if not clean:
        return clean, "", clean
    mt = _match_text(clean)
    try:
        english = read_foreign(clean, mt)
    except Exception as exc:  # counted; the title is then read as written
        record_error("titles.read_foreign", exc, title)
        english = mt
    return clean, english, clean if english is mt else english.strip()


def _level(level_text: str, mt: str, title: str) -> str:
    try:
        return seniority_of(level_text, mt)
    except Exception as exc:  # counted; this title gets no level
        record_error("titles.seniority", exc, title)
        return "unspecified"


def _result(clean: str, mt: str, decision: _RoleDecision, level_text: str) -> TitleResult:
    # Same as TitleResult(...), without the per-field object.__setattr__ of a frozen dataclass __init__
    # (this runs once per distinct title in the batch normaliser).
    result = object.__new__(TitleResult)
    result.__dict__.update(
        role=decision.role,
        seniority=_level(level_text, mt, clean),
        is_ai_role=decision.role in AI_ROLES,
        confidence=decision.confidence,
        rule=decision.rule,
        taxonomy_version=TAXONOMY_VERSION,
        source=clean,
    )
    return result


@lru_cache(maxsize=_CACHE_SIZE)
def _classify_cached(title: str) -> tuple[TitleResult, bool]:
    clean, mt, level_text = _texts(title)
    if not clean:
        return _EMPTY, False
    decision = _decide(mt, None, title)
    return _result(clean, mt, decision, level_text), decision.context_sensitive


@lru_cache(maxsize=4096)
def _company_context(company: str) -> int:
    return _context_is_ai(company, None) or _NOT_AI


@lru_cache(maxsize=_CACHE_SIZE)
def _classify_in_context(title: str, context_ai: int) -> TitleResult:
    clean, mt, level_text = _texts(title)
    if not clean:
        return _EMPTY
    return _result(clean, mt, _decide(mt, context_ai, title), level_text)


def _decide(mt: str, context_ai: int | None, title: str) -> _RoleDecision:
    try:
        return _decide_role(mt, context_ai)
    except Exception as exc:  # counted: a rule that raises is a bug to fix, not an answer
        record_error("titles.role", exc, title)
        return _RoleDecision("other", "error", 0.0, False)


def classify_title_alone(title: str | None) -> tuple[TitleResult, bool]:
    """``classify_title(title)`` and whether company or description context could change its role
    (batch callers classify each distinct title once and pass context only where it matters)."""
    try:
        if not isinstance(title, str):
            title = "" if title is None else str(title)
        return _classify_cached(title[:_MAX_INPUT_CHARS])
    except Exception as exc:  # never let one bad title stop a batch, but count it
        record_error("titles.classify", exc, title)
        return _EMPTY, False


def classify_title(title: str, company: str | None = None, description: str | None = None) -> TitleResult:
    """Role and seniority of one job title (company/description only break ties on ambiguous titles).

    Never raises: any input that cannot be read gives ``other`` / ``unspecified`` with confidence 0, and an
    exception inside a rule is counted in :mod:`ingest.rule_errors`.
    """
    try:
        if not isinstance(title, str):
            title = "" if title is None else str(title)
        if len(title) > _MAX_INPUT_CHARS:
            title = title[:_MAX_INPUT_CHARS]  # keeps cache keys small; nothing past this is read anyway
        result, sensitive = _classify_cached(title)
        if not sensitive or not (company or description):
            return result
        company = company if isinstance(company, str) and company else None
        description = description if isinstance(description, str) and description else None
        try:
            # The company is cached per name; a description is read only when it could change the answer
            # (in a batch most context-sensitive titles are decided by the company alone).
            context_ai = _company_context(company[:200]) if company else None
            if context_ai != _AI_COMPANY and description is not None:
                without = _classify_in_context(title, _NOT_AI)
                if _classify_in_context(title, _AI_DESCRIPTION).role == without.role:
                    return without
                context_ai = _context_is_ai(None, description)
        except Exception as exc:  # counted; the title is then read without context
            record_error("titles.context", exc, company)
            return result
        if context_ai is None:
            return result
        in_context = _classify_in_context(title, context_ai)
        return result if in_context.role == result.role else in_context
    except Exception as exc:  # never let one bad title stop a batch, but count it
        record_error("titles.classify", exc, title)
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
        except Exception as exc:  # counted; the line still gets its output row
            record_error("titles.parse_line", exc, line)
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
