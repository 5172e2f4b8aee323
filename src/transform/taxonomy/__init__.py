"""Versioned role taxonomy: loads ``taxonomy_v<N>.yaml`` and compiles its patterns once.

The YAML files are the single source of the rules (roles, job-noun patterns with tiers, qualifiers,
specialty areas, context lists; ``languages.yaml`` for titles in other languages and ``companies.yaml`` for
AI labs and AI data vendors); :mod:`transform.titles` only interprets them. ``TAXONOMY_VERSION`` is stamped
on every normalised title. ``CHANGELOG.md`` next to them says what each version changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from transform import yaml_data

__all__ = ["TAXONOMY_FILE", "Area", "Company", "Rule", "Taxonomy", "load_taxonomy"]

TAXONOMY_FILE = "taxonomy_v1.yaml"
COMPANY_KINDS = ("ai_lab", "ai_data_vendor")

_CLASS_KEYS = (
    "role",
    "with_ai",
    "with_ai_infra",
    "with_research",
    "with_pm_ai",
    "with_context",
    "without_context",
)


def _alternation(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


def _words(patterns: list[str]) -> re.Pattern[str]:
    """One regex matching any of ``patterns`` as whole words of a *match text*.

    A match text is words joined by single spaces with one space before and after (" senior ml engineer ").
    Anchoring on a literal leading space lets the regex engine jump from word start to word start, which
    is several times faster than ``\\b`` on short titles.
    """
    return re.compile(" (?:" + _alternation(patterns) + ")(?= )")


@dataclass(frozen=True)
class Rule:
    id: str
    tier: int
    cls: str
    pattern: re.Pattern[str]
    source: str
    requires_ai: bool = False
    #: strings of which every match contains at least one (a cheap necessary condition; empty = none known)
    keys: frozenset[str] = field(default=frozenset())
    #: (overrides) rule ids that win instead when their job noun is named first
    yields_to: frozenset[str] = field(default=frozenset())


@dataclass(frozen=True)
class Area:
    """A specialty area of a generic title ("Member of Technical Staff, Inference"): role by class."""

    id: str
    role: str
    pattern: re.Pattern[str]
    #: class name -> role where it differs from ``role``
    roles_by_class: dict[str, str]
    #: the area counts only with AI context: an AI-lab company or an AI qualifier in the title
    needs_context: bool = False
    #: role when an AI qualifier (or AI context) is also present, e.g. infrastructure + AI -> MLOps
    with_ai: str | None = None
    #: the classes it applies to (empty = every class with ``areas: true``)
    classes: frozenset[str] = field(default=frozenset())
    #: strings of which every match contains at least one (prefilter; empty = none known)
    keys: frozenset[str] = field(default=frozenset())

    def role_for(self, cls: str) -> str:
        return self.roles_by_class.get(cls, self.role)


@dataclass(frozen=True)
class Company:
    name: str
    kind: str
    evidence: str


@dataclass(frozen=True)
class Taxonomy:
    version: str
    roles: dict[str, dict]
    ai_roles: frozenset[str]
    seniorities: tuple[str, ...]
    classes: dict[str, dict]
    overrides: tuple[Rule, ...]
    #: rules grouped by tier, tiers ascending
    tiers: tuple[tuple[int, tuple[Rule, ...]], ...]
    ai: re.Pattern[str]
    ai_suppress: re.Pattern[str]
    ai_infra: re.Pattern[str]
    research: re.Pattern[str]
    pm_ai: re.Pattern[str]
    ai_companies: re.Pattern[str]
    ai_company_patterns: re.Pattern[str]
    ai_description_words: re.Pattern[str]
    ai_product_names: re.Pattern[str]
    areas: tuple[Area, ...] = ()
    non_ai_research: re.Pattern[str] | None = None
    companies: tuple[Company, ...] = ()
    #: raw ``languages.yaml`` (read by :mod:`transform.title_text`)
    languages: dict = field(default_factory=dict)


def _rule(raw: dict, default_tier: int = 0) -> Rule:
    source = str(raw["pattern"])
    return Rule(
        id=str(raw["id"]),
        tier=int(raw.get("tier", default_tier)),
        cls=str(raw["class"]),
        pattern=_words([source]),
        source=source,
        requires_ai=bool(raw.get("requires_ai", False)),
        keys=frozenset(required_keys(source) or ()),
        yields_to=frozenset(raw.get("yields_to") or ()),
    )


# Words in most job titles: a poor prefilter key when a rarer required literal exists.
_COMMON_WORDS = frozenset(
    ["engineer", "engineers", "engineering", "developer", "manager", "analyst", "scientist", "data", "senior"]
)


def _selectivity(keys: set[str]) -> tuple[bool, bool, int, int]:
    """Rank a key set: keys of 2+ letters, then no very common words, then long keys, then few keys."""
    shortest = min(len(k.strip(" ")) for k in keys)
    common = any(k.strip(" ") in _COMMON_WORDS for k in keys)
    return (shortest >= 2, not common, min(3, shortest), -len(keys))


def required_keys(pattern: str) -> set[str] | None:
    """A set of literal strings of which every match of ``pattern`` contains at least one, or None.

    Used to prefilter rules with one Aho-Corasick pass over a title instead of running every regex:
    a rule whose keys do not occur in the title cannot match it.
    """
    # re's own parser (Python >= 3.11, the project's floor); typeshed does not describe these private modules
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]

    def keys(items: Any) -> set[str] | None:
        options: list[set[str]] = []
        run: list[str] = []

        def flush() -> None:
            if run:
                options.append({"".join(run)})
                run.clear()

        for op, av in items:
            if op is C.LITERAL:
                run.append(chr(av))
                continue
            flush()
            ks: set[str] | None
            if op is C.SUBPATTERN:
                ks = keys(av[-1])
            elif op is C.BRANCH:
                subs = [keys(b) for b in av[1]]
                ks = None if any(x is None for x in subs) else set().union(*subs)  # type: ignore[arg-type]
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
                ks = keys(av[2]) if av[0] >= 1 else None
            else:  # classes, anchors, lookarounds: no literal guarantee
                ks = None
            if ks:
                options.append(ks)
        flush()
        if not options:
            return None
        return max(options, key=_selectivity)

    try:
        return keys(P.parse(pattern))
    except (
        Exception
    ) as exc:  # pragma: no cover - a pattern the parser cannot read: no prefilter (still correct)
        from ingest.rule_errors import record_error

        record_error("taxonomy.required_keys", exc, pattern)
        return None


def _read_yaml(name: str) -> dict:
    return yaml_data.safe_load(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


def _areas(raw: list[dict], roles: dict, classes: dict, name: str) -> tuple[Area, ...]:
    out = []
    for a in raw:
        by_class = {str(k): str(v) for k, v in (a.get("roles_by_class") or {}).items()}
        for role in (a["role"], a.get("with_ai"), *by_class.values()):
            if role is not None and role not in roles:
                raise ValueError(f"{name}: area {a['id']} names unknown role {role!r}")
        for cls in (*by_class, *(a.get("classes") or ())):
            if cls not in classes:
                raise ValueError(f"{name}: area {a['id']} names unknown class {cls!r}")
        patterns = [str(p) for p in a["patterns"]]
        out.append(
            Area(
                id=str(a["id"]),
                role=str(a["role"]),
                pattern=_words(patterns),
                keys=frozenset(required_keys(_alternation(patterns)) or ()),
                roles_by_class=by_class,
                needs_context=bool(a.get("needs_context", False)),
                with_ai=a.get("with_ai"),
                classes=frozenset(a.get("classes") or ()),
            )
        )
    return tuple(out)


def _companies(raw: list[dict], name: str) -> tuple[Company, ...]:
    out = []
    for c in raw:
        if c.get("kind") not in COMPANY_KINDS or not c.get("evidence"):
            raise ValueError(
                f"{name}: company {c.get('name')!r} needs a kind in {COMPANY_KINDS} and evidence"
            )
        out.append(Company(str(c["name"]).lower(), str(c["kind"]), str(c["evidence"])))
    return tuple(out)


@cache
def load_taxonomy(name: str = TAXONOMY_FILE) -> Taxonomy:
    """Load and validate a taxonomy file shipped in this package (cached)."""
    data = _read_yaml(name)
    roles = data["roles"]
    classes = data["classes"]
    for cname, spec in classes.items():
        for key in _CLASS_KEYS:
            if key in spec and spec[key] not in roles:
                raise ValueError(f"{name}: class {cname}.{key} names unknown role {spec[key]!r}")
    rules = [_rule(r) for r in data["rules"]]
    overrides = tuple(_rule(r) for r in data.get("override", []))
    for r in (*rules, *overrides):
        if r.cls not in classes:
            raise ValueError(f"{name}: rule {r.id} names unknown class {r.cls!r}")
    by_tier: dict[int, list[Rule]] = {}
    for r in rules:
        by_tier.setdefault(r.tier, []).append(r)
    q = data["qualifiers"]
    ctx = data["context"]
    files = data.get("files", {})
    companies = _companies(_read_yaml(files["companies"])["companies"], files["companies"]) if files else ()
    languages = _read_yaml(files["languages"]) if files else {}
    company_names = [*(c.name for c in companies), *ctx.get("ai_companies", [])]
    return Taxonomy(
        version=str(data["version"]),
        roles=roles,
        ai_roles=frozenset(k for k, v in roles.items() if v.get("is_ai_role")),
        seniorities=tuple(data["seniorities"]),
        classes=classes,
        overrides=overrides,
        tiers=tuple((t, tuple(by_tier[t])) for t in sorted(by_tier)),
        ai=_words(q["ai"]),
        ai_suppress=_words(q["ai_suppress"]),
        ai_infra=_words(q["ai_infra"]),
        research=_words(q["research"]),
        pm_ai=_words(q["pm_ai"]),
        ai_companies=_words([re.escape(c) for c in company_names]),
        ai_company_patterns=re.compile("|".join(ctx["ai_company_patterns"])),
        ai_description_words=_words(ctx["ai_description_words"]),
        ai_product_names=_words([re.escape(c) for c in ctx["ai_product_names"]]),
        areas=_areas(data.get("areas", []), roles, classes, name),
        non_ai_research=_words(q["non_ai_research"]) if q.get("non_ai_research") else None,
        companies=companies,
        languages=languages,
    )
