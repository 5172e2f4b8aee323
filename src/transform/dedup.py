"""Deduplication helpers (pure): normalised keys and near-duplicate descriptions.

Three tiers make a posting's *unique role* (see ``docs/marts.md``):

1. exact — the same source and source id (versions of one posting collapse in staging);
2. key + window — the same normalised company, title and location within a window of days
   (cross-source copies and reposts under a new id), done in SQL with the keys computed here;
3. near-duplicate descriptions — MinHash over word shingles, compared only inside a candidate
   block (the normalised company), after identical texts have been grouped by hash.

Everything here is pure and deterministic (fixed hash seeds), so the same input gives the same
canonical postings on every run.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "DEFAULT_NUM_PERM",
    "DEFAULT_THRESHOLD",
    "SHINGLE_WORDS",
    "Document",
    "NearDuplicate",
    "company_key",
    "estimated_similarity",
    "find_near_duplicates",
    "location_key",
    "normalise_description",
    "shingle_hashes",
    "signature",
    "title_key",
]

#: Words per shingle: long enough that shared boilerplate sentences do not make different jobs alike.
SHINGLE_WORDS = 5
#: MinHash permutations; 64 gives a standard error of about 0.05 on the similarity estimate.
DEFAULT_NUM_PERM = 64
#: Estimated Jaccard similarity at or above which two descriptions are the same job.
DEFAULT_THRESHOLD = 0.7
#: LSH banding: 16 bands of 4 rows (64 permutations) makes a candidate of 99% of the pairs at similarity
#: 0.7, 64% at 0.5 and 2.5% at 0.2; candidates are then verified on the whole signature.
_BANDS = 16
#: Buckets larger than this compare each member with the bucket's first and previous member only
#: (linear instead of quadratic: large companies with boilerplate-heavy adverts).
_MAX_BUCKET_PAIRS = 200

_MAX_PERM = 256
#: One fixed 64-bit seed per permutation; each permutation is splitmix64(hash ^ seed).
_PERM_SEEDS = np.random.default_rng(20260101).integers(
    0, np.iinfo(np.uint64).max, size=_MAX_PERM, dtype=np.uint64
)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_SHINGLE_MULT = np.uint64(1_000_003)

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
_WORD_RE = re.compile(r"[a-z]+")
_TAG_RE = re.compile(r"<[^<>]{0,500}>")


def _fold(text: str | None) -> str:
    """Lower case, NFKD with accents dropped, ``&`` spelled out."""
    if not text:
        return ""
    s = str(text)
    if not s.isascii():  # the per-character pass only where accents can occur
        s = unicodedata.normalize("NFKD", s)
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return s.lower().replace("&", " and ")


# ----------------------------------------------------------------------------- keys (tier 2)


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


# ----------------------------------------------------------------------------- near-duplicates (tier 3)


def normalise_description(text: str | None) -> str:
    """Tags dropped, accents folded, only letters kept (dates, ids and pay figures change between reposts)."""
    s = _TAG_RE.sub(" ", _fold(text))
    return " ".join(_WORD_RE.findall(s))


def shingle_hashes(text: str | None, k: int = SHINGLE_WORDS) -> np.ndarray:
    """Distinct 32-bit hashes of the word ``k``-shingles of the normalised description."""
    return _shingles(normalise_description(text).split(), k)


def _shingles(words: list[str], k: int = SHINGLE_WORDS) -> np.ndarray:
    if not words:
        return np.empty(0, dtype=np.uint64)
    tokens = np.fromiter((zlib.crc32(w.encode()) for w in words), dtype=np.uint64, count=len(words))
    if len(tokens) <= k:
        k = len(tokens)
    n = len(tokens) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    for j in range(k):  # polynomial rolling combination, vectorised over shingles
        h = h * _SHINGLE_MULT + tokens[j : j + n]
    return np.unique((h ^ (h >> np.uint64(32))) & np.uint64(0xFFFFFFFF))


def signature(text: str | None, num_perm: int = DEFAULT_NUM_PERM) -> np.ndarray | None:
    """MinHash signature (``num_perm`` values) of a description; ``None`` when it has no words."""
    if not 1 <= num_perm <= _MAX_PERM:
        raise ValueError(f"num_perm must be between 1 and {_MAX_PERM}")
    return _signature(shingle_hashes(text), num_perm)


def _signature(h: np.ndarray, num_perm: int) -> np.ndarray | None:
    if h.size == 0:
        return None
    x = h[None, :] ^ _PERM_SEEDS[:num_perm, None]
    x = (x ^ (x >> np.uint64(30))) * _MIX1  # splitmix64 finaliser: wrapping uint64 arithmetic
    x = (x ^ (x >> np.uint64(27))) * _MIX2
    x = x ^ (x >> np.uint64(31))
    return x.min(axis=1)


def estimated_similarity(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of equal MinHash values."""
    return float(np.count_nonzero(sig_a == sig_b)) / float(len(sig_a))


@dataclass(frozen=True, slots=True)
class Document:
    """One description to compare: ``order`` sorts the earliest first (e.g. ISO date + key)."""

    key: str
    block: str
    text: str | None
    order: str = ""


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    posting_key: str
    canonical_key: str
    similarity: float
    block_key: str


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            # the smaller index (the earlier document) stays the root
            self.parent[max(ri, rj)] = min(ri, rj)


def _near_duplicates_in_block(
    docs: Sequence[Document], threshold: float, num_perm: int
) -> list[NearDuplicate]:
    docs = sorted(docs, key=lambda d: (d.order, d.key))
    uf = _UnionFind(len(docs))
    norms = [normalise_description(doc.text) for doc in docs]
    # 1. identical normalised texts: grouped by hash, no MinHash needed
    first_by_text: dict[str, int] = {}
    reps: list[int] = []
    for i, norm in enumerate(norms):
        if not norm:
            continue
        j = first_by_text.setdefault(norm, i)
        if j == i:
            reps.append(i)
        else:
            uf.union(j, i)
    # 2. MinHash + LSH banding over the distinct texts, candidates verified on the signatures
    sigs: dict[int, np.ndarray] = {}
    if len(reps) > 1:
        rows = max(1, num_perm // _BANDS)
        buckets: dict[tuple[int, bytes], list[int]] = defaultdict(list)
        for i in reps:
            sig = _signature(_shingles(norms[i].split()), num_perm)
            if sig is None:
                continue
            sigs[i] = sig
            for band in range(num_perm // rows):
                buckets[(band, sig[band * rows : (band + 1) * rows].tobytes())].append(i)
        checked: set[tuple[int, int]] = set()
        for members in buckets.values():
            if len(members) > _MAX_BUCKET_PAIRS:
                pairs = [(members[0], m) for m in members[1:]] + list(
                    zip(members[1:], members[2:], strict=False)
                )
            else:
                pairs = [
                    (members[x], members[y]) for x in range(len(members)) for y in range(x + 1, len(members))
                ]
            for pair in pairs:
                if pair in checked:
                    continue
                checked.add(pair)
                if estimated_similarity(sigs[pair[0]], sigs[pair[1]]) >= threshold:
                    uf.union(*pair)
    out: list[NearDuplicate] = []
    for i, doc in enumerate(docs):
        root = uf.find(i)
        if root == i:
            continue
        canon = docs[root]
        if norms[i] == norms[root]:
            sim = 1.0
        else:
            # a duplicate of a text identical to another representative: compare via the representatives
            a = sigs.get(first_by_text.get(norms[i], i))
            b = sigs.get(first_by_text.get(norms[root], root))
            sim = estimated_similarity(a, b) if a is not None and b is not None else 0.0
        out.append(NearDuplicate(doc.key, canon.key, round(sim, 4), doc.block))
    return out


def find_near_duplicates(
    docs: Iterable[Document],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    num_perm: int = DEFAULT_NUM_PERM,
) -> list[NearDuplicate]:
    """Near-duplicate descriptions inside each block; each group points at its earliest document.

    Documents are compared only with documents of the same ``block`` (the normalised company), so
    the cost grows with the block sizes, not the square of the whole set. Identical texts are grouped
    by hash first; distinct texts go through MinHash with LSH banding and a signature check at
    ``threshold``. Groups are connected components of the "similar" pairs.
    """
    by_block: dict[str, list[Document]] = defaultdict(list)
    for doc in docs:
        if doc.block:
            by_block[doc.block].append(doc)
    out: list[NearDuplicate] = []
    for block in sorted(by_block):
        members = by_block[block]
        if len(members) > 1:
            out.extend(_near_duplicates_in_block(members, threshold, num_perm))
    return out
