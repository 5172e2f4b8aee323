"""One description at a time, in Python: what the kernels read and compute, to inspect a text.

:func:`normalise_description` is a pure-Python reading of the kernel's tokeniser (the words it sees);
:func:`shingle_hashes`, :func:`signature` and :func:`estimated_similarity` sign and compare single
texts. The pipeline signs Arrow arrays through :mod:`.near`; these are for inspection and the tests.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pyarrow as pa

from transform.dedup.kernels import _IGNORED, _fold_tables, _tokenise_one
from transform.dedup.near import DEFAULT_NUM_PERM, SHINGLE_WORDS, Signatures

_TAG_RE = re.compile(r"<[^<>]{0,500}>")


@functools.cache
def _translation() -> dict[int, str]:
    """``str.translate`` table that reads text like the kernel (for :func:`normalise_description`)."""
    length, utf8 = _fold_tables()
    table: dict[int, str] = {}
    for cp in range(0x10000):
        n = int(length[cp])
        if n == _IGNORED:
            table[cp] = ""
        elif n == 0:
            table[cp] = " "
        elif not ("a" <= chr(cp) <= "z"):
            table[cp] = bytes(utf8[cp, :n]).decode()
    table[ord("&")] = " and "
    return table


_ASTRAL_RE = re.compile(r"[\U00010000-\U0010FFFF]")


def normalise_description(text: str | None) -> str:
    """Tags dropped, case and accents folded, only letters kept (dates, ids and pay figures change between
    reposts): the words the MinHash kernel sees, joined by spaces.

    Letters of other scripts are kept (lower case); characters outside the BMP (emoji) separate words.
    """
    if not text:
        return ""
    s = _TAG_RE.sub(" ", str(text))
    s = _ASTRAL_RE.sub(" ", s.translate(_translation()))
    return " ".join(s.split())


def shingle_hashes(text: str | None, k: int = SHINGLE_WORDS) -> np.ndarray:
    """Distinct 64-bit hashes of the word ``k``-shingles of a description (fewer words: one shingle)."""
    fold_len, fold_utf8 = _fold_tables()
    data = np.frombuffer((text or "").encode("utf-8", "surrogatepass"), dtype=np.uint8)
    return np.unique(_tokenise_one(data, fold_len, fold_utf8, max(1, k)))


def signature(text: str | None, num_perm: int = DEFAULT_NUM_PERM) -> np.ndarray | None:
    """MinHash signature (``num_perm`` values) of a description; ``None`` when it has no words."""
    sigs = Signatures.empty(1, num_perm)
    sigs.fill(pa.array([text], pa.string()))
    return sigs.values[0] if sigs.words[0] else None


def estimated_similarity(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of equal signature values."""
    return float(np.count_nonzero(sig_a == sig_b)) / float(len(sig_a))
