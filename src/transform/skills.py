"""Skill extraction: one Aho-Corasick pass over a word-normalised copy of the text, then context checks.

How it works (and why it is fast):

1. The text is lower-cased and every ASCII character that is not a letter, digit, ``&`` or ``$`` becomes a
   space, with one ``bytes.translate`` (character positions do not move, so hits map back to the original).
2. One automaton holds every alias padded with spaces (``" scikit learn "``), so a hit is a whole-word
   match by construction; ``R``, ``Go`` or ``C`` only hit where they are words.
3. Aliases whose meaning depends on context carry rules from the dictionary (``case``, ``need``,
   ``avoid``, ``not_before``/``not_after``) or a named check in :data:`transform.skill_context._CHECKS` ("Go" the language vs
   "go-to-market", Excel the product vs "excel at", Snowflake the tool vs the former employer).
4. Within one text, a longer core hit cancels the hits inside it ("Azure ML" → ``azure_ml``, not
   ``azure``), and ``not_skills`` phrases cancel what they contain ("SQL Server" is not ``sql``).

The dictionary (``data/skills.yaml``) is data: core skills (scored, see ``shared/guide/skills.md``),
extra skills (reported as ``other_skills``), and user extensions via :func:`load_dictionary` or
:mod:`transform.onet`. For batches, :meth:`SkillDictionary.scan_masks` splits texts into paragraphs, scans
each distinct paragraph once (one automaton pass per block of paragraphs) and returns per-text bit masks,
plus a "may state pay" bit so the pay parser can skip descriptions without a currency sign or pay word.

Module map: :mod:`transform.skill_context` holds the hit window and the named context checks; this module
holds the dictionary, the scan and the public API.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.rule_errors import record_error
from ingest.textnorm import strip_html
from transform import yaml_data
from transform.skill_context import _CHECKS, _Ctx

__all__ = [
    "CORE_SKILLS",
    "DICTIONARY_PATH",
    "PAY_SIGNALS",
    "SKILL_CATEGORIES",
    "SkillDictionary",
    "SkillResult",
    "extract_skills",
    "get_dictionary",
    "load_dictionary",
    "mask_bits",
    "normalize_skills_stream",
]


DICTIONARY_PATH = Path(__file__).with_name("data") / "skills.yaml"
#: Longest text scanned; longer descriptions are cut (boilerplate tails rarely add skills).
MAX_TEXT_CHARS = 200_000
#: Distinct paragraphs remembered per process before the memo is cleared (bounds memory).
PARAGRAPH_CACHE_SIZE = 200_000
_SEP = "\n\n\n"  # between texts in one pass: three spaces after normalisation, no alias spans it

# ASCII upper -> lower; letters, digits, '&', '$' and all non-ASCII bytes kept; other ASCII -> space.
# Working on UTF-8 bytes keeps non-ASCII characters intact, so the decoded string is index-aligned.
_TABLE = bytes(
    b + 32 if 65 <= b <= 90 else b if (97 <= b <= 122 or 48 <= b <= 57 or b in (36, 38) or b >= 128) else 32
    for b in range(256)
)
#: Keys (in normalised text) that mark a possible pay statement; see :meth:`SkillDictionary.scan_many`.
PAY_SIGNALS: tuple[str, ...] = (
    "$", "€", "£", "¥", "₹", "₪", "₩", "薪", "工资", "待遇", "万", " salary", " salaries", " compensation",
    " pay ", " paid ", " wage", " usd ", " eur ", " gbp ", " cad ", " aud ", " chf ", " inr ", " sgd ", " cny ",
    " pln ",
    " hourly", " per hour", " remuneration", " ote ", " earn", " stipend", " gehalt", " salaire", " salario",
    " salário", " sueldo",
)  # fmt: skip
_ODD_SPACES = ("\u00a0", "\u2009", "\u202f", "\u2007", "\u200b", "\u2013", "\u2014", "\u3000")


def _normalise(text: str) -> str:
    """Lower-case, punctuation to spaces; same length as ``text``."""
    for ch in _ODD_SPACES:
        if ch in text:
            text = text.replace(ch, " ")
    try:
        return text.encode("utf-8", "surrogatepass").translate(_TABLE).decode("utf-8", "surrogatepass")
    except UnicodeError:  # pragma: no cover - translate never breaks UTF-8, but never raise
        return "".join(c.lower() if c.isalnum() or c == "&" else " " for c in text)


def _key(alias: str) -> str:
    return " ".join(_normalise(alias).split())


# ------------------------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class SkillResult:
    """Skills named by one text: ``skills`` = sorted core ids, ``other_skills`` = sorted extra ids."""

    skills: list[str]
    other_skills: list[str]

    def as_dict(self) -> dict[str, list[str]]:
        return {"skills": list(self.skills), "other_skills": list(self.other_skills)}


@dataclass(frozen=True, slots=True)
class _Alias:
    skill: str | None  # None: a not-skill phrase
    core: bool
    raw: str
    key: str
    case: str | None = None
    check: str | None = None
    need: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    window: int = 80
    not_before: frozenset[str] = frozenset()
    not_after: frozenset[str] = frozenset()
    blocks: frozenset[str] | None = None  # not-skill phrases: which ids they cancel (None = all)
    keeps_parts: bool = False  # a compound that does not cancel the skills inside it

    # Derived once (read for every automaton hit); covers/coverable are set by the dictionary.
    simple: bool = field(init=False)
    ref: tuple[str, bool] = field(init=False)
    covers: bool = field(init=False, default=False)
    coverable: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        simple = not (self.case or self.check or self.need or self.avoid or self.not_before or self.not_after)
        object.__setattr__(self, "simple", simple)
        object.__setattr__(self, "ref", (self.skill or "", self.core))


def _valid(a: _Alias, c: _Ctx) -> bool:
    span = c.span
    if a.case == "upper" and (span != span.upper() or span == span.lower()):
        return False
    if a.case == "capital" and span == span.lower():
        return False
    if a.case == "exact" and span != a.raw:
        return False
    if a.not_before:
        b = c.before(1)
        if b and b[0] in a.not_before:
            return False
    if a.not_after:
        n = c.after(1)
        if n and n[0] in a.not_after:
            return False
    if a.need and not c.near(a.need, a.window):
        return False
    if a.avoid and c.near(a.avoid, a.window):
        return False
    if a.check:
        fn = _CHECKS.get(a.check)
        if fn is None or not fn(c):
            return False
    return True


# ------------------------------------------------------------------------------------------- dictionary


def _words(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(_key(str(v)) for v in value)


def _alias_from(spec: Any, skill: str | None, core: bool) -> _Alias | None:
    if isinstance(spec, str):
        spec = {"alias": spec}
    if not isinstance(spec, dict):
        return None
    raw = str(spec.get("alias") or spec.get("phrase") or "").strip()
    key = _key(raw)
    if not key:
        return None
    blocks = spec.get("blocks")
    return _Alias(
        skill=skill,
        core=core,
        raw=raw,
        key=key,
        case=spec.get("case"),
        check=spec.get("check"),
        need=_words(spec.get("need")),
        avoid=_words(spec.get("avoid")),
        window=int(spec.get("window", 80)),
        not_before=frozenset(_words(spec.get("not_before"))),
        not_after=frozenset(_words(spec.get("not_after"))),
        blocks=frozenset(blocks) if blocks is not None else None,
        keeps_parts=bool(spec.get("keeps_parts", False)),
    )


@dataclass
class SkillDictionary:
    """Compiled dictionary: aliases in one automaton, categories, core ids."""

    aliases: list[_Alias]
    categories: dict[str, str]
    core_ids: frozenset[str]
    version: str = ""
    _automaton: Any = field(default=None, repr=False)
    _paragraphs: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        _mark_covering(self.aliases)
        self.skill_ids: list[str] = sorted(self.categories)
        self._bit = {sid: i for i, sid in enumerate(self.skill_ids)}
        self._core_mask = sum(1 << self._bit[sid] for sid in self.core_ids if sid in self._bit)
        self._pay_bit = 1 << len(self.skill_ids)
        auto = ahocorasick.Automaton()
        grouped: dict[str, list[_Alias]] = {}
        for a in self.aliases:
            pad = a.key.isascii()
            grouped.setdefault(f" {a.key} " if pad else a.key, []).append(a)
        for k, items in grouped.items():
            auto.add_word(k, (len(k), 1 if k.startswith(" ") else 0, tuple(items)))
        for k in PAY_SIGNALS:
            if k not in grouped:
                auto.add_word(k, (len(k), 1 if k.startswith(" ") else 0, ()))
        auto.make_automaton()
        self._automaton = auto

    # The public single-text API.
    def extract(self, text: str | None) -> SkillResult:
        core, other = self.extract_many([text])[0]
        return SkillResult(list(core), list(other))

    def extract_many(self, texts: Sequence[str | None]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """``(core ids, other ids)`` per text, sorted (see :meth:`scan_many`)."""
        return [(core, other) for core, other, _ in self.scan_many(texts)]

    def scan_many(self, texts: Sequence[str | None]) -> list[tuple[tuple[str, ...], tuple[str, ...], bool]]:
        """``(core ids, other ids, pay signal)`` per text (see :meth:`scan_masks`)."""
        ids, core_mask, pay_bit = self.skill_ids, self._core_mask, self._pay_bit
        out = []
        for m in self.scan_masks(texts):
            names = [ids[i] for i in mask_bits(m & ~pay_bit)]
            core_bits = m & core_mask
            out.append(
                (
                    tuple(n for n in names if (1 << self._bit[n]) & core_bits),
                    tuple(n for n in names if not (1 << self._bit[n]) & core_bits),
                    bool(m & pay_bit),
                )
            )
        return out

    def scan_masks(self, texts: Sequence[str | None]) -> list[int]:
        """Per text an int whose bit ``i`` is set when skill ``skill_ids[i]`` is named; the bit
        ``1 << len(skill_ids)`` says the text has a currency sign or a pay word (found in the same pass,
        so a pay parser need not read texts without one).

        Texts are split into paragraphs (blank lines) and each distinct paragraph is scanned once and
        remembered: boilerplate (company blurbs, benefits, EEO statements) repeats across postings, so
        a batch mostly looks paragraphs up and ORs their bits. Context rules never look across a blank line.
        """
        cache = self._paragraphs
        if len(cache) > PARAGRAPH_CACHE_SIZE:
            cache.clear()
        split = [_paragraphs(_prepare(t)) for t in texts]
        todo: dict[str, None] = {}
        for paras in split:
            for p in paras:
                if p not in cache:
                    todo[p] = None
        if todo:
            new = list(todo)
            for p, m in zip(new, self._scan(new), strict=True):
                cache[p] = m
        out: list[int] = []
        for paras in split:
            m = 0
            for p in paras:
                m |= cache[p]
            out.append(m)
        return out

    def scan_mask_words(self, texts: pa.Array | pa.ChunkedArray) -> np.ndarray:
        """:meth:`scan_masks` over an Arrow string array, as an ``(n, words)`` uint64 array: bit ``i`` of a
        row's mask is bit ``i % 64`` of word ``i // 64`` (null texts give 0).

        The same answer as :meth:`scan_masks`, faster on big batches: Arrow splits the plain texts into
        paragraphs and finds the distinct ones in C++, so Python only sees paragraphs it has not scanned
        yet; texts that need :func:`_prepare` (markup, entities, over-long, CRLF-only paragraphs) take the
        per-text path.
        """
        arr = texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
        if not pa.types.is_large_string(arr.type):
            arr = arr.cast(pa.large_string())  # 64-bit offsets: a batch may hold more than 2 GB of text
        n = len(arr)
        width = (len(self.skill_ids) + 1 + 63) // 64  # + the pay bit
        out = np.zeros((n, width), dtype=np.uint64)
        if n == 0:
            return out
        # RE2 literal search: much faster than match_substring on one character
        markup = pc.and_(pc.match_substring_regex(arr, "<"), pc.match_substring_regex(arr, ">"))
        entity = pc.match_substring_regex(arr, _ENTITY_RE.pattern)
        crlf_only = pc.and_(
            pc.invert(pc.match_substring_regex(arr, "\n\n")), pc.match_substring_regex(arr, "\r\n\r\n")
        )
        too_long = pc.greater(pc.binary_length(arr), MAX_TEXT_CHARS)  # bytes >= chars: a superset, fine
        special = pc.fill_null(pc.or_(pc.or_(markup, entity), pc.or_(crlf_only, too_long)), False)
        special_np = special.to_numpy(zero_copy_only=False)
        plain_np = arr.is_valid().to_numpy(zero_copy_only=False) & ~special_np
        if special_np.any():
            idx = np.flatnonzero(special_np)
            masks = self.scan_masks(arr.take(pa.array(idx)).to_pylist())
            out[idx] = _words_of(masks, width)
        if plain_np.any():
            idx = np.flatnonzero(plain_np)
            # every text plain (the common case): split in place rather than copying all of them first
            plain = arr if idx.size == n else arr.take(pa.array(idx))
            lists = pc.split_pattern(plain, "\n\n")
            encoded = pc.dictionary_encode(lists.flatten())
            distinct = encoded.dictionary.to_pylist()
            cache = self._paragraphs
            if len(cache) > PARAGRAPH_CACHE_SIZE:
                cache.clear()
            new = [p for p in distinct if p not in cache]
            if new:
                for p, m in zip(new, self._scan(new), strict=True):
                    cache[p] = m
            per_paragraph = _words_of([cache[p] for p in distinct], width)[encoded.indices.to_numpy()]
            starts = lists.offsets.to_numpy()[:-1]  # every plain text has at least one paragraph
            out[idx] = np.bitwise_or.reduceat(per_paragraph, starts, axis=0)
        return out

    def pay_paragraphs(self, text: str) -> str:
        """``text`` cut down to its paragraphs that have a currency sign or a pay word (the rest cannot
        state pay), so a pay parser reads a few lines instead of a whole description."""
        paras = _paragraphs(_prepare(text))
        if len(paras) == 1:
            return text
        cache, bit = self._paragraphs, self._pay_bit
        if any(p not in cache for p in paras):
            self.scan_masks([text])
        return "\n\n".join(p for p in paras if cache.get(p, bit) & bit)

    def _scan(self, parts: list[str]) -> list[int]:
        """Scan texts in one automaton pass over a joined buffer."""
        orig = _SEP + _SEP.join(parts) + _SEP
        low = _normalise(orig)
        starts: list[int] = []
        pos = len(_SEP)
        for p in parts:
            starts.append(pos)
            pos += len(p) + len(_SEP)
        # Per text with hits: skills already certain (a hit that nothing can cancel), spans of hits that a
        # longer hit may still cancel, and the cancelling hits themselves. Texts without hits cost nothing.
        done: dict[int, set[tuple[str, bool]]] = {}
        pay: set[int] = set()
        spans: dict[int, dict[tuple[str, bool], list[tuple[int, int]]]] = {}
        covers: dict[int, list[tuple[int, int, _Alias]]] = {}
        doc = 0
        n = len(parts)
        nxt = starts[1] if n > 1 else len(orig) + 1
        seen = done.setdefault(0, set()) if n else set()
        for end, (klen, pad, items) in self._automaton.iter(low):
            s = end - klen + 1 + pad
            e = end + 1 - pad
            if s >= nxt:
                doc = bisect.bisect_right(starts, s) - 1
                nxt = starts[doc + 1] if doc + 1 < n else len(orig) + 1
                seen = done.setdefault(doc, set())
            if not items:  # a pay signal, not a skill
                pay.add(doc)
                continue
            ctx: _Ctx | None = None
            for a in items:
                if a.ref in seen and not a.covers:
                    continue
                if not a.simple:
                    if ctx is None:
                        lo = starts[doc]
                        ctx = _Ctx(orig, low, s, e, lo, lo + len(parts[doc]))
                    if not _valid(a, ctx):
                        continue
                if a.covers:
                    covers.setdefault(doc, []).append((s, e, a))
                if a.skill is None:
                    continue
                if not a.coverable:
                    seen.add(a.ref)
                else:
                    spans.setdefault(doc, {}).setdefault(a.ref, []).append((s, e))
        bit, pay_bit = self._bit, self._pay_bit
        masks = [0] * n
        for d in set(done) | set(spans) | pay:
            core, other = _resolve(done.get(d, set()), spans.get(d, {}), covers.get(d, []))
            m = pay_bit if d in pay else 0
            for name in core | other:
                m |= 1 << bit[name]
            masks[d] = m
        return masks


def _mark_covering(aliases: list[_Alias]) -> None:
    """Find, once, which aliases can cancel others (their words contain another skill's alias, e.g.
    "azure ml" contains "azure"; "sql server" contains "sql") and which can be cancelled."""
    by_key: dict[str, list[_Alias]] = {}
    for a in aliases:
        by_key.setdefault(a.key, []).append(a)
    for big in aliases:
        if big.skill is not None and (not big.core or big.keeps_parts):
            continue
        words = big.key.split()
        for i in range(len(words)):
            for j in range(i + 1, len(words) + 1):
                if j - i == len(words):
                    continue
                for small in by_key.get(" ".join(words[i:j]), ()):
                    if big.skill is None:
                        hit = big.blocks is None or small.skill in big.blocks
                    else:
                        hit = small.skill != big.skill
                    if hit and small.skill is not None:
                        object.__setattr__(big, "covers", True)
                        object.__setattr__(small, "coverable", True)


def _resolve(
    done: set[tuple[str, bool]],
    spans: dict[tuple[str, bool], list[tuple[int, int]]],
    covers: list[tuple[int, int, _Alias]],
) -> tuple[frozenset[str], frozenset[str]]:
    """Skills with at least one mention not inside a longer core hit of another skill or a not-skill."""
    core = {skill for skill, is_core in done if is_core}
    other = {skill for skill, is_core in done if not is_core}
    if not spans:
        return frozenset(core), frozenset(other - core)
    for (skill, is_core), places in spans.items():
        if (skill, is_core) in done:
            continue
        if covers:
            alive = False
            for s, e in places:
                for cs, ce, ca in covers:
                    if cs <= s and e <= ce and (ce - cs) > (e - s):
                        if ca.skill is None:
                            if ca.blocks is None or skill in ca.blocks:
                                break
                        elif ca.skill != skill:
                            break
                else:
                    alive = True
                    break
            if not alive:
                continue
        (core if is_core else other).add(skill)
    return frozenset(core), frozenset(other - core)


def _words_of(masks: Sequence[int], width: int) -> np.ndarray:
    """Python int masks as an ``(len(masks), width)`` uint64 array, low word first."""
    out = np.zeros((len(masks), width), dtype=np.uint64)
    low = (1 << 64) - 1
    for w in range(width):
        out[:, w] = [(m >> (64 * w)) & low for m in masks]
    return out


def mask_bits(mask: int) -> list[int]:
    """Indices of the set bits of ``mask``, ascending."""
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs; the text itself when it has none."""
    if "\n\n" not in text:
        if "\r\n\r\n" not in text:
            return [text]
        text = text.replace("\r\n", "\n")
    return text.split("\n\n")


_ENTITY_RE = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


def _prepare(text: str | None) -> str:
    """Plain text for scanning: str, cut to :data:`MAX_TEXT_CHARS`, HTML rendered when present."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
    if ("<" in text and ">" in text) or ("&" in text and _ENTITY_RE.search(text)):
        with contextlib.suppress(Exception):  # never let markup stop extraction
            text = strip_html(text)
    return text


def _entries_from_yaml(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        data = yaml_data.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping with core/extra/not_skills")
    return data


def load_dictionary(
    extra_paths: Iterable[str | Path] = (), *, base: str | Path = DICTIONARY_PATH
) -> SkillDictionary:
    """Build a dictionary from ``base`` plus user extensions.

    Each extra path is a YAML file in the format of ``data/skills.yaml`` (its ``extra`` and ``not_skills``
    sections are used; ``core`` is reserved for the base file) or an O*NET ``Technology Skills.txt`` TSV
    (imported with :func:`transform.onet.onet_entries`). Extra aliases that equal a core alias are skipped,
    so an extension never changes the scored core skills.
    """
    data = _entries_from_yaml(Path(base))
    aliases: list[_Alias] = []
    categories: dict[str, str] = {}
    core_ids: set[str] = set()
    for entry in data.get("core") or []:
        sid = str(entry["id"])
        core_ids.add(sid)
        categories[sid] = str(entry.get("category", ""))
        for spec in entry.get("aliases") or []:
            a = _alias_from(spec, sid, True)
            if a:
                aliases.append(a)
    extra_entries: list[dict[str, Any]] = list(data.get("extra") or [])
    not_skills: list[Any] = list(data.get("not_skills") or [])
    for p in extra_paths:
        path = Path(p)
        if path.suffix.lower() in (".yaml", ".yml"):
            more = _entries_from_yaml(path)
            extra_entries.extend(more.get("extra") or [])
            not_skills.extend(more.get("not_skills") or [])
        else:
            from transform.onet import onet_entries  # local: onet imports this module's helpers

            extra_entries.extend(onet_entries(path))
    core_keys = {a.key for a in aliases if a.core}
    for entry in extra_entries:
        sid = str(entry.get("id") or "").strip()
        if not sid or sid in core_ids:
            continue
        categories.setdefault(sid, str(entry.get("category", "")))
        for spec in entry.get("aliases") or []:
            a = _alias_from(spec, sid, False)
            if a and (a.key not in core_keys or not a.simple):
                aliases.append(a)
    for spec in not_skills:
        a = _alias_from(spec, None, False)
        if a:
            aliases.append(a)
    return SkillDictionary(aliases, categories, frozenset(core_ids), str(data.get("version", "")))


@functools.cache
def get_dictionary() -> SkillDictionary:
    """The default dictionary (``data/skills.yaml``), built once per process."""
    return load_dictionary()


def _core_categories() -> dict[str, str]:
    d = get_dictionary()
    return {k: v for k, v in sorted(d.categories.items()) if k in d.core_ids}


SKILL_CATEGORIES: dict[str, str] = _core_categories()
CORE_SKILLS: tuple[str, ...] = tuple(SKILL_CATEGORIES)


def extract_skills(text: str | None) -> SkillResult:
    """Core and other skills named by ``text`` (see the module docstring); never raises on str input.

    >>> extract_skills("Python, R and SQL; not R&D. Go-to-market.").skills
    ['python', 'r', 'sql']
    """
    try:
        return get_dictionary().extract(text)
    except Exception as exc:  # a normaliser must not stop a batch, but the error is counted, not hidden
        record_error("skills.extract_skills", exc, text)
        return SkillResult([], [])


def normalize_skills_stream(lines: Iterable[str]) -> Iterator[dict[str, list[str]]]:
    """One ``{"skills", "other_skills"}`` per input line (a JSON object with ``text``), in input order.

    A line that is not JSON, or has no string ``text``, gives empty lists. Never raises.
    """
    for line in lines:
        text: str | None = None
        try:
            obj = json.loads(line)
            if isinstance(obj, dict) and isinstance(obj.get("text"), str):
                text = obj["text"]
            elif isinstance(obj, str):
                text = obj
        except (ValueError, TypeError):
            text = None
        yield extract_skills(text).as_dict() if text is not None else {"skills": [], "other_skills": []}
