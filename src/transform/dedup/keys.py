"""Tier-2 dedup keys (pure): the normalised company, title and location a posting is matched on.

The SQL of the key + window tier compares these keys (``normalised.dedup_keys`` holds them).
"""

from __future__ import annotations

import re
import unicodedata

_LEGAL_SUFFIXES = frozenset(
    [
        "inc",
        "incorporated",
        "llc",
        "ltd",
        "limited",
        "corp",
        "corporation",
        "co",
        "company",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "sarl",
        "bv",
        "nv",
        "pty",
        "pvt",
        "srl",
        "spa",
        "kg",
        "oy",
        "ab",
        "as",
        "aps",
        "lp",
        "llp",
        "group",
        "holdings",
        "technologies",
    ]
)
_NON_ALNUM_RE = re.compile(r"[^0-9a-z]+")
_PAREN_RE = re.compile(r"\([^()]*\)")


def _fold(text: str | None) -> str:
    """Lower case, NFKD with accents dropped, ``&`` spelled out."""
    if not text:
        return ""
    s = str(text)
    if not s.isascii():  # the per-character pass only where accents can occur
        s = unicodedata.normalize("NFKD", s)
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return s.lower().replace("&", " and ")


def company_key(name: str | None) -> str:
    """``"OpenAI, Inc."`` → ``"openai"``; ``"The Walt Disney Company"`` → ``"walt disney"``.

    Drops parentheticals (``"Acme (Fictional)"``), punctuation, a leading "the", and legal-form words at
    the end (Inc, LLC, GmbH, …).
    Returns ``""`` when nothing is left.
    """
    folded = _PAREN_RE.sub(" ", _fold(name)).replace(".", "")  # "(Sample Co.)" dropped; "S.A." -> "sa"
    words = _NON_ALNUM_RE.sub(" ", folded).split()
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def title_key(title: str | None) -> str:
    """A normalised title (``title_clean``) reduced to lower-case words: ``"ML Engineer (NLP)"`` → ``"ml engineer nlp"``."""
    return " ".join(_NON_ALNUM_RE.sub(" ", _fold(title)).split())


def location_key(value: str | None) -> str:
    """``"city|region|country"`` → ``"city|country"`` in lower case (the region is often missing or spelled
    differently across sources; the country and city decide). Empty parts stay empty."""
    parts = (value or "").split("|")
    city = title_key(parts[0]) if parts else ""
    country = title_key(parts[2]) if len(parts) > 2 else ""
    return f"{city}|{country}"
