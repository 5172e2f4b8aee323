"""Property tests: the normalisers never raise and only return allowed values."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ingest.textnorm import clean_text
from transform import titles
from transform.locations import WORK_MODES, parse_location
from transform.titles import (
    ROLES,
    SENIORITIES,
    TAXONOMY_VERSION,
    classify_title,
    classify_title_alone,
    normalize_titles_stream,
)

# Text that looks like titles: real title words, separators, noise, and arbitrary unicode (incl. surrogates).
WORDS = st.sampled_from(
    [
        "Senior",
        "Staff",
        "Principal",
        "Lead",
        "Intern",
        "Junior",
        "II",
        "III",
        "L5",
        "Machine",
        "Learning",
        "ML",
        "AI",
        "Data",
        "Scientist",
        "Engineer",
        "Software",
        "Research",
        "Product",
        "Manager",
        "Director",
        "Head",
        "of",
        "Forward",
        "Deployed",
        "Member",
        "Technical",
        "Prompt",
        "Annotator",
        "Tutor",
        "Remote",
        "NYC",
        "London",
        "-",
        ",",
        "|",
        "/",
        "(",
        ")",
        "&",
        "2026",
        "Req#123",
        "â€“",
        "<b>",
        "</b>",
        "&amp;",
    ]
)
TITLES = st.one_of(
    st.lists(WORDS, max_size=12).map(" ".join),
    st.text(max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=60),
)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(
    title=TITLES, company=st.one_of(st.none(), st.text(max_size=40)), description=st.one_of(st.none(), TITLES)
)
def test_classify_title_total(title: str, company: str | None, description: str | None) -> None:
    r = classify_title(title, company, description)
    assert r.role in ROLES
    assert r.seniority in SENIORITIES
    assert 0.0 <= r.confidence <= 1.0
    assert r.taxonomy_version == TAXONOMY_VERSION
    assert isinstance(r.title_clean, str)
    assert r.is_ai_role == (
        r.role
        in {
            "ai_ml_engineer",
            "mlops_engineer",
            "prompt_engineer",
            "ai_governance",
            "forward_deployed_engineer",
            "data_scientist",
            "research_scientist",
            "data_annotator",
            "ai_product_manager",
        }
    )


@SETTINGS
@given(title=TITLES, others=st.lists(TITLES, max_size=4))
def test_classify_title_does_not_depend_on_the_cache_or_on_earlier_titles(
    title: str, others: list[str]
) -> None:
    # A cold computation must equal the answer given after other titles have warmed the caches
    # (catches rule state leaking between titles, not just the cache returning its own entry).
    titles._classify_cached.cache_clear()
    cold = classify_title(title)
    titles._classify_cached.cache_clear()
    for other in others:
        classify_title(other, company=other[:20], description=other)
    assert classify_title(title) == cold
    assert classify_title_alone(title)[0] == cold


@SETTINGS
@given(title=st.lists(WORDS, min_size=1, max_size=8).map(" ".join), pad=st.sampled_from(["  ", "\t", " \n "]))
def test_surrounding_whitespace_does_not_change_the_classification(title: str, pad: str) -> None:
    plain, padded = classify_title(title), classify_title(f"{pad}{title}{pad}")
    assert (padded.role, padded.seniority, padded.rule) == (plain.role, plain.seniority, plain.rule)


@SETTINGS
@given(lines=st.lists(st.one_of(TITLES, TITLES.map(lambda t: json.dumps({"title": t}))), max_size=8))
def test_stream_one_output_per_line(lines: list[str]) -> None:
    out = list(normalize_titles_stream(lines))
    assert len(out) == len(lines)
    for o in out:
        assert o["role"] in ROLES and o["seniority"] in SENIORITIES
        json.dumps(o, ensure_ascii=False).encode("utf-8")


@SETTINGS
@given(
    text=st.one_of(st.none(), TITLES),
    country=st.one_of(st.none(), st.text(max_size=20), st.sampled_from(["US", "gb", "Germany", "UK"])),
    remote=st.one_of(st.none(), st.booleans()),
    work_mode=st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["Remote", "hybrid", "On-site"])),
    description=st.one_of(st.none(), st.text(max_size=200)),
)
def test_parse_location_total(text, country, remote, work_mode, description) -> None:  # type: ignore[no-untyped-def]
    r = parse_location(text, country=country, remote=remote, work_mode=work_mode, description=description)
    assert r.work_mode in (*WORK_MODES, None)
    assert r.country is None or (len(r.country) == 2 and r.country.isalpha() and r.country.isupper())
    assert r.region is None or (r.region.isalpha() and r.region.isupper())


@SETTINGS
@given(text=st.text(max_size=500))
@example(text="<<>>")  # removing the inner tag used to leave a new one ("< >"), found by CI
@example(text="&lt;<b>&gt;x")
def test_clean_text_total_and_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    once.encode("utf-8")  # no lone surrogates left


def _brute_force_rule(mt: str, has_ai: bool):  # type: ignore[no-untyped-def]
    """Reference for the Aho-Corasick prefilter: try every rule, tier by tier."""
    from transform import titles

    best = None
    for rule in titles._RULES:
        if best is not None and rule.tier != best[1].tier:
            break
        if rule.requires_ai and not has_ai:
            continue
        m = rule.pattern.search(mt)
        if m is not None and (best is None or m.start() < best[0]):
            best = (m.start(), rule)
    return best[1] if best else None


RULE_WORDS = st.sampled_from(
    [
        "senior",
        "ml",
        "ai",
        "platform",
        "engineer",
        "data",
        "scientist",
        "analyst",
        "product",
        "manager",
        "research",
        "solutions",
        "architect",
        "sales",
        "security",
        "design",
        "hardware",
        "software",
        "developer",
        "intern",
        "engineering",
        "model",
        "risk",
        "tutor",
        "annotation",
        "forward",
        "deployed",
        "member",
        "of",
        "technical",
        "staff",
        "infrastructure",
        "inference",
        "governance",
        "prompt",
        "head",
        "director",
        "devops",
        "cloud",
        "systems",
        "quant",
        "bi",
        "pm",
        "qa",
    ]
)


@SETTINGS
@given(words=st.lists(RULE_WORDS, min_size=1, max_size=8), has_ai=st.booleans())
def test_prefilter_matches_brute_force(words: list[str], has_ai: bool) -> None:
    from transform import titles

    mt = " " + " ".join(words) + " "
    rule, _ = titles._find_rule(mt, has_ai)
    assert rule is _brute_force_rule(mt, has_ai)
