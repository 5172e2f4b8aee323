"""Deduplication (pure): normalised keys and near-duplicate descriptions.

Three tiers make a posting's *unique role* (see ``docs/marts.md``):

1. exact — the same source and source id (versions of one posting collapse in staging);
2. key + window — the same normalised company, title and location within a window of days
   (cross-source copies and reposts under a new id), done in SQL with the keys computed here;
3. near-duplicate descriptions — one-permutation MinHash over word shingles, compared only inside a
   candidate block (the normalised company), after identical texts have been grouped by hash.

The near-duplicate step runs in compiled kernels (numba) on Arrow string buffers, so a million
descriptions take seconds. Everything here is pure and deterministic (fixed hash constants), so the
same input gives the same canonical postings on every run.

Callers use ``dedup.X``; the modules hold:

- :mod:`.keys` — tier 2: :func:`company_key`, :func:`title_key`, :func:`location_key`;
- :mod:`.near` — tier 3: :class:`Signatures` (batch signing), :func:`group_near_duplicates`,
  :func:`near_duplicates_table`, :func:`band_keys` and :func:`similar` (what the incremental step
  checks a new document with), the parameters (shingle words, signature size, threshold, banding);
- :mod:`.kernels` — the compiled tokeniser, MinHash and grouping kernels (private);
- :mod:`.reference` — one text at a time in Python, to inspect what the kernels see:
  :func:`normalise_description`, :func:`shingle_hashes`, :func:`signature`, :func:`estimated_similarity`.
"""

from transform.dedup.keys import company_key, location_key, title_key
from transform.dedup.near import (
    DEFAULT_NUM_PERM,
    DEFAULT_THRESHOLD,
    SHINGLE_WORDS,
    Signatures,
    band_keys,
    band_layout,
    description_signatures,
    document_order,
    group_blocks,
    group_near_duplicates,
    near_duplicates_table,
    similar,
)
from transform.dedup.reference import estimated_similarity, normalise_description, shingle_hashes, signature

__all__ = [
    "DEFAULT_NUM_PERM",
    "DEFAULT_THRESHOLD",
    "SHINGLE_WORDS",
    "Signatures",
    "band_keys",
    "band_layout",
    "company_key",
    "description_signatures",
    "document_order",
    "group_blocks",
    "estimated_similarity",
    "group_near_duplicates",
    "location_key",
    "near_duplicates_table",
    "normalise_description",
    "shingle_hashes",
    "signature",
    "similar",
    "title_key",
]
