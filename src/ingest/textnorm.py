"""Small, pure text clean-up helpers shared by the payload parsers (:mod:`ingest.html`) and the
normalisers in ``transform`` (which builds on ``ingest``, never the other way round).

Every function takes any ``str`` (possibly huge, possibly with lone surrogates, control characters,
HTML or mojibake) and returns a ``str``; none of them raises on string input, and ``None`` becomes ``""``.

- :func:`clean_text` — the full pipeline used on short fields (titles, locations): repair, strip HTML,
  drop control characters, NFKC, collapse whitespace.
- :func:`fix_mojibake` — ftfy repair (``Senior Engineer â€“ AI`` → ``Senior Engineer – AI``).
- :func:`strip_html` — tags and entities to text (cheap regex, not a parser; fine for titles and snippets).
- :func:`remove_control_chars` — C0/C1 controls and lone surrogates; tabs/newlines become spaces.
- :func:`nfkc` — Unicode NFKC (full-width letters, ligatures, non-breaking spaces).
- :func:`collapse_ws` — runs of whitespace to one space, trimmed.
"""

from __future__ import annotations

import html
import re
import unicodedata

import ftfy

from ingest.rule_errors import record_error

__all__ = [
    "MAX_FIELD_CHARS",
    "clean_text",
    "collapse_ws",
    "fix_mojibake",
    "nfkc",
    "remove_control_chars",
    "strip_html",
]

#: Short fields (titles, locations) longer than this are cut before the expensive steps.
MAX_FIELD_CHARS = 1_000

_TAG_RE = re.compile(
    r"<(?:script|style)\b[^>]*>.*?</(?:script|style)\s*>|<!--.*?-->|<[^<>]{0,2000}>", re.S | re.I
)
_BLOCK_TAG_RE = re.compile(r"<\s*(?:br|/p|/div|/li|/h[1-6]|/tr)\b[^>]*>", re.I)
# C0 and C1 controls except tab/newline/CR (handled as whitespace), DEL, lone surrogates,
# zero-width and bidi-control characters, BOM, and the replacement character.
_CONTROL_RE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufffd]"
)
_MOJIBAKE_HINT_RE = re.compile(
    "[\u00c2\u00c3\u00e2\u00c5\u00d0\u00d1\u00ef][\u0080-\u00bf\u0152-\u0178\u2018-\u203a\u20ac\u2122]"
)


def _as_str(text: object) -> str:
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if isinstance(text, bytes):
        return text.decode("utf-8", errors="replace")
    return str(text)


def remove_control_chars(text: str | None) -> str:
    """Drop control characters, lone surrogates, zero-width/bidi marks; tabs and newlines become spaces."""
    s = _as_str(text)
    return _CONTROL_RE.sub("", s.replace("\t", " ").replace("\r", " ").replace("\n", " "))


def fix_mojibake(text: str | None) -> str:
    """Repair UTF-8 read as Latin-1/cp1252 (``â€“`` → ``–``) with ftfy; cheap no-op on clean text."""
    s = _as_str(text)
    if not s or not _MOJIBAKE_HINT_RE.search(s):
        return s
    try:
        return ftfy.fix_text(s, normalization="NFC")
    except Exception as exc:  # ftfy is robust, but never let a repair step break normalisation
        record_error("textnorm.fix_mojibake", exc, s)
        return s


def strip_html(text: str | None) -> str:
    """Remove tags (block tags become spaces), scripts/styles and comments; unescape entities."""
    s = _as_str(text)
    if "<" in s:
        s = _BLOCK_TAG_RE.sub(" ", s)
        s = _TAG_RE.sub(" ", s)
    if "&" in s:
        s = html.unescape(s)
    return s


def nfkc(text: str | None) -> str:
    """Unicode NFKC normalisation (lone surrogates are removed first, since they cannot be normalised)."""
    s = _as_str(text)
    if s.isascii():
        return s
    return unicodedata.normalize("NFKC", _CONTROL_RE.sub("", s))


def collapse_ws(text: str | None) -> str:
    """Runs of whitespace to a single space; leading/trailing whitespace removed."""
    return " ".join(_as_str(text).split())


def clean_text(text: str | None, *, max_chars: int | None = MAX_FIELD_CHARS) -> str:
    """Full clean-up for short fields: cut, repair mojibake, strip HTML, drop controls, NFKC, collapse spaces."""
    s = _as_str(text)
    if max_chars is not None and len(s) > max_chars:
        s = s[:max_chars]
    if s.isascii() and s.isprintable() and "<" not in s and "&" not in s:
        return " ".join(s.split())  # fast path: plain ASCII text needs only whitespace clean-up
    s = remove_control_chars(s)
    s = fix_mojibake(s)
    s = strip_html(s)
    for _ in range(s.count("<")):  # removing a tag can close another ("<<>>" -> "< >"): to a fixed point
        if not _TAG_RE.search(s):
            break
        s = _TAG_RE.sub(" ", s)
    s = remove_control_chars(s)  # entities may have produced new controls
    s = nfkc(s)
    return collapse_ws(s)
