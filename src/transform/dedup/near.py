"""Near-duplicate descriptions (tier 3): signatures of Arrow strings and groups inside each block.

:class:`Signatures` signs descriptions batch by batch; :func:`group_near_duplicates` groups signed
documents sorted by block; :func:`near_duplicates_table` does both for documents held in memory. The
work runs in the compiled kernels of :mod:`.kernels`, one part per core.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transform.dedup.kernels import _band_keys, _fold_tables, _group_range, _sign_range
from transform.forking import available_cores

#: Words per shingle: long enough that shared boilerplate sentences do not make different jobs alike.
SHINGLE_WORDS = 5
#: Signature values (bins of one-permutation MinHash); 64 gives a standard error of about 0.05 on the
#: similarity estimate, like 64 permutations.
DEFAULT_NUM_PERM = 64
#: Estimated Jaccard similarity at or above which two descriptions are the same job.
DEFAULT_THRESHOLD = 0.7
#: LSH banding: 16 bands of 4 rows (64 values) makes a candidate of 99% of the pairs at similarity
#: 0.7, 64% at 0.5 and 2.5% at 0.2; candidates are then verified on the whole signature.
_BANDS = 16
#: Buckets larger than this compare each member with the bucket's first and previous member only
#: (linear instead of quadratic: large companies with boilerplate-heavy adverts).
MAX_BUCKET_PAIRS = 200

_MAX_PERM = 256
#: Documents below this are signed in the calling thread (no pool start-up for a handful).
_MIN_PARALLEL_DOCS = 2_048


def _run_split(
    func: Callable[[int, int], None], n: int, cost: np.ndarray | None = None, workers: int | None = None
) -> None:
    """Run ``func(lo, hi)`` over items ``0..n`` in one part per thread (the kernels release the GIL):
    ``workers`` threads, by default one per available core.

    ``cost`` (cumulative, one per item) balances the parts by work instead of by count; below
    ``_MIN_PARALLEL_DOCS`` items or units of work everything runs in the calling thread.
    """
    total = n if cost is None or n == 0 else int(cost[-1])
    parts = min(workers or available_cores(), n)
    if parts <= 1 or total < _MIN_PARALLEL_DOCS:
        func(0, n)
        return
    if cost is None:
        bounds = np.linspace(0, n, parts + 1).astype(np.int64)
    else:
        cuts = np.searchsorted(cost, np.linspace(0, total, parts + 1)[1:-1], side="right")
        bounds = np.concatenate([[0], cuts, [n]]).astype(np.int64)
    with ThreadPoolExecutor(parts) as pool:
        futures = [pool.submit(func, int(a), int(b)) for a, b in itertools.pairwise(bounds) if b > a]
        for future in futures:
            future.result()


def _string_buffers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(offsets, data, valid)`` of an Arrow string array, zero-copy where possible (slices honoured)."""
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.large_string())  # string_view, dictionary, null (all-null) arrays
    _, offsets_buf, data_buf = arr.buffers()[:3]
    width = np.int32 if pa.types.is_string(arr.type) else np.int64
    n = len(arr)
    offsets: np.ndarray
    if offsets_buf is None or n == 0:
        offsets = np.zeros(n + 1, dtype=np.int64)
    else:
        offsets = np.frombuffer(offsets_buf, dtype=width, count=arr.offset + n + 1)[arr.offset :]
        offsets = offsets.astype(np.int64)  # one kernel for string and large_string
    data = (
        np.frombuffer(data_buf, dtype=np.uint8)
        if data_buf is not None and data_buf.size
        else np.zeros(1, np.uint8)
    )
    valid = (
        np.ones(n, dtype=np.bool_) if arr.null_count == 0 else arr.is_valid().to_numpy(zero_copy_only=False)
    )
    return offsets, data, valid


@dataclass(frozen=True, slots=True)
class Signatures:
    """MinHash signatures of a set of documents, one row each (filled in place, batch by batch).

    ``values``: ``(n, num_perm)`` uint32; ``text_hash``: a hash of the normalised word sequence (identical
    texts are grouped by it); ``words``: how many words a document has (0: no signature, never grouped).
    """

    values: np.ndarray
    text_hash: np.ndarray
    words: np.ndarray

    @classmethod
    def empty(cls, n: int, num_perm: int = DEFAULT_NUM_PERM) -> Signatures:
        if not 1 <= num_perm <= _MAX_PERM:
            raise ValueError(f"num_perm must be between 1 and {_MAX_PERM}")
        return cls(
            np.zeros((n, num_perm), dtype=np.uint32),
            np.zeros(n, dtype=np.uint64),
            np.zeros(n, dtype=np.int32),
        )

    def __len__(self) -> int:
        return len(self.words)

    def arrow_columns(self, rows: np.ndarray | None = None) -> dict[str, pa.Array]:
        """``text_hash``, ``words`` and ``signature`` (a list of the ``num_perm`` values) of documents
        ``rows`` (default: all, in order) as Arrow arrays: the columns ``normalised.dedup_signatures``
        stores."""
        values, text_hash, words = (
            (self.values, self.text_hash, self.words)
            if rows is None
            else (self.values[rows], self.text_hash[rows], self.words[rows])
        )
        n, num_perm = values.shape
        offsets = np.arange(0, (n + 1) * num_perm, num_perm, dtype=np.int32)
        flat = np.ascontiguousarray(values, dtype=np.uint32).reshape(-1)
        return {
            "text_hash": pa.array(text_hash, pa.uint64()),
            "words": pa.array(words, pa.int32()),
            "signature": pa.ListArray.from_arrays(pa.array(offsets), pa.array(flat)),
        }

    def fill(
        self,
        descriptions: pa.Array | pa.ChunkedArray | Sequence[str | None],
        rows: np.ndarray | None = None,
        *,
        k: int = SHINGLE_WORDS,
        workers: int | None = None,
    ) -> None:
        """Sign ``descriptions`` (Arrow strings; null or empty: no words) into ``rows`` (distinct;
        default 0, 1, …), ``k``-word shingles, on ``workers`` threads (default: one per core)."""
        if not isinstance(descriptions, pa.Array | pa.ChunkedArray):
            descriptions = pa.array(descriptions, pa.string())
        if rows is None:
            rows = np.arange(len(descriptions), dtype=np.int64)
        rows = np.ascontiguousarray(rows, dtype=np.int64)
        if len(rows) != len(descriptions):
            raise ValueError("rows and descriptions differ in length")
        if len(rows) and not (rows.min() >= 0 and rows.max() < len(self)):
            raise ValueError("rows out of range")
        fold_len, fold_utf8 = _fold_tables()
        chunks = descriptions.chunks if isinstance(descriptions, pa.ChunkedArray) else [descriptions]
        done = 0
        for chunk in chunks:
            offsets, data, valid = _string_buffers(chunk)
            chunk_rows = rows[done : done + len(chunk)]
            done += len(chunk)

            def sign(
                lo: int,
                hi: int,
                o: np.ndarray = offsets,
                d: np.ndarray = data,
                v: np.ndarray = valid,
                r: np.ndarray = chunk_rows,
            ) -> None:
                _sign_range(
                    o, d, v, r, lo, hi, k, fold_len, fold_utf8, self.values, self.text_hash, self.words
                )

            _run_split(sign, len(chunk), workers=workers)


def description_signatures(
    descriptions: pa.Array | pa.ChunkedArray | Sequence[str | None], num_perm: int = DEFAULT_NUM_PERM
) -> Signatures:
    """Signatures of Arrow strings (``string`` or ``large_string``), in order."""
    sigs = Signatures.empty(len(descriptions), num_perm)
    sigs.fill(descriptions)
    return sigs


_RESULT_SCHEMA = pa.schema(
    [
        ("posting_key", pa.string()),
        ("canonical_key", pa.string()),
        ("similarity", pa.float64()),
        ("block_key", pa.string()),
        ("identical", pa.bool_()),
    ]
)


def _as_array(values: pa.Array | pa.ChunkedArray | Sequence[str]) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return values if isinstance(values, pa.Array) else pa.array(values, pa.string())


def group_near_duplicates(
    block_keys: pa.Array | pa.ChunkedArray,
    posting_keys: pa.Array | pa.ChunkedArray,
    signatures: Signatures,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    workers: int | None = None,
) -> pa.Table:
    """Near-duplicate rows of signed documents sorted by block, earliest first inside each block.

    One row per document that is not the earliest of its group: ``posting_key``, ``canonical_key`` (the
    earliest document of the group), ``similarity`` (estimated, to the canonical one; 1.0 for identical
    texts), ``block_key`` and ``identical`` (same normalised text as the canonical one). Documents are
    compared only inside their block; buckets of more than ``MAX_BUCKET_PAIRS`` members are compared
    as a chain (linear), not pairwise. ``workers``: threads (default: one per available core).
    """
    blocks = _as_array(block_keys)
    keys = _as_array(posting_keys)
    n = len(blocks)
    if len(keys) != n or len(signatures) != n:
        raise ValueError("block_keys, posting_keys and signatures differ in length")
    if n == 0:
        return _RESULT_SCHEMA.empty_table()
    if blocks.null_count:
        raise ValueError("block_keys must not be null")
    changed = pc.not_equal(blocks.slice(1), blocks.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    starts = np.concatenate([[0], np.flatnonzero(changed) + 1, [n]]).astype(np.int64)
    if pc.count_distinct(blocks).as_py() != len(starts) - 1:
        raise ValueError("documents must be sorted by block")
    idx, roots, similarity = group_blocks(starts, signatures, threshold=threshold, workers=workers)
    return pa.table(
        [
            pc.take(keys, idx).cast(pa.string()),
            pc.take(keys, roots).cast(pa.string()),
            pa.array(similarity),
            pc.take(blocks, idx).cast(pa.string()),
            pa.array(signatures.text_hash[idx] == signatures.text_hash[roots]),
        ],
        schema=_RESULT_SCHEMA,
    )


def _sort_order(codes: np.ndarray, missing: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Row order by ``(codes, missing, values)``; rows tied on all three come in any order (the caller
    orders ties). One argsort of a packed int64 key when the three fit in 63 bits, else a lexsort."""
    lo = int(values.min())
    span = int(values.max()) - lo + 1
    if (int(codes.max()) + 1) * 2 * span < 2**63:
        packed = (codes * 2 + missing) * span + (values - lo)
        return np.argsort(packed)
    return np.lexsort((values, missing, codes))


def document_order(
    block_keys: pa.Array | pa.ChunkedArray,
    order_keys: pa.Array | pa.ChunkedArray,
    posting_keys: pa.Array | pa.ChunkedArray,
) -> tuple[np.ndarray, np.ndarray]:
    """The order of documents by block, then ``order_keys`` (integers; null last), then posting key (the
    order of ``ORDER BY block_key, order_key, posting_key`` in DuckDB, binary string order) and the block
    ranges in it: ``(order, starts)``, document ``i`` being row ``order[i]`` of the inputs.

    Integer sorts only: the block keys are ranked through their (few) distinct values, and the posting
    keys are compared only among rows tied on block and order key (rare when the order key is a time).
    """
    blocks = _as_array(block_keys)
    n = len(blocks)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64)
    if blocks.null_count:
        raise ValueError("block_keys must not be null")
    encoded = pc.dictionary_encode(blocks)
    rank = np.empty(len(encoded.dictionary), dtype=np.int64)
    rank[pc.sort_indices(encoded.dictionary).to_numpy()] = np.arange(len(encoded.dictionary))
    codes = rank[encoded.indices.to_numpy(zero_copy_only=False)]
    order_arr = _as_array(order_keys)
    missing = order_arr.is_null().to_numpy(zero_copy_only=False)
    values = pc.fill_null(order_arr, 0).to_numpy(zero_copy_only=False).astype(np.int64)
    order = _sort_order(codes, missing, values)
    c, m, v = codes[order], missing[order], values[order]
    tied = (c[1:] == c[:-1]) & (m[1:] == m[:-1]) & (v[1:] == v[:-1])
    if tied.any():
        # runs of rows tied on (block, order key): sort each by posting key
        starts_of_run = np.flatnonzero(np.concatenate([[True], ~tied]))
        run = np.cumsum(np.concatenate([[True], ~tied])) - 1
        sizes = np.diff(np.concatenate([starts_of_run, [n]]))
        at = np.flatnonzero(sizes[run] > 1)
        sub = pa.table({"run": run[at], "key": pc.take(_as_array(posting_keys), pa.array(order[at]))})
        within = pc.sort_indices(sub, [("run", "ascending"), ("key", "ascending")]).to_numpy()
        order[at] = order[at][within]
    changed = np.flatnonzero(c[1:] != c[:-1]) + 1
    starts = np.concatenate([[0], changed, [n]]).astype(np.int64)
    return order.astype(np.int64), starts


def group_blocks(
    starts: np.ndarray,
    signatures: Signatures,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    workers: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The groups of signed documents whose blocks are the ranges ``starts[b]..starts[b + 1]`` (earliest
    first inside each): ``(idx, roots, similarity)``, the documents that are not the earliest of their
    group, the earliest of it and their estimated similarity to it (rounded to 4 places)."""
    n = len(signatures)
    num_perm = signatures.values.shape[1]
    rows_per_band, _ = band_layout(num_perm)
    parent = np.arange(n, dtype=np.int64)
    similarity = np.zeros(n, dtype=np.float64)
    merged = np.zeros(n, dtype=np.bool_)
    _run_split(
        lambda lo, hi: _group_range(
            starts,
            lo,
            hi,
            signatures.values,
            signatures.text_hash,
            signatures.words,
            rows_per_band,
            float(threshold),
            MAX_BUCKET_PAIRS,
            parent,
            similarity,
            merged,
        ),
        len(starts) - 1,
        cost=np.cumsum(np.diff(starts) ** 2),  # candidate pairs grow with the square of a block's size
        workers=workers,
    )
    idx = np.flatnonzero(parent != np.arange(n))
    return idx, parent[idx], np.round(similarity[idx], 4)


def band_layout(num_perm: int) -> tuple[int, int]:
    """``(rows_per_band, bands)`` of signatures of ``num_perm`` values, as :func:`group_blocks` bands
    them (16 bands of 4 rows at the default 64; columns past ``bands * rows_per_band`` are unused)."""
    rows_per_band = max(1, num_perm // _BANDS)
    return rows_per_band, num_perm // rows_per_band


def band_keys(signatures: Signatures, rows: np.ndarray | None = None) -> np.ndarray:
    """The LSH bucket key of each band of documents ``rows`` (default all): ``(len(rows), bands)``
    unsigned 64-bit keys, those :func:`group_blocks` puts documents of one block in the same bucket by
    (two documents are compared when a band's keys are equal)."""
    rows = np.arange(len(signatures), dtype=np.int64) if rows is None else np.asarray(rows, np.int64)
    rows_per_band, bands = band_layout(signatures.values.shape[1])
    out = np.zeros((len(rows), bands), dtype=np.uint64)
    if len(rows):
        _band_keys(signatures.values, rows, rows_per_band, out)
    return out


def similar(a: np.ndarray, b: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> np.ndarray:
    """Whether signature rows ``a[i]`` and ``b[i]`` are near-duplicates: the share of equal values at or
    above ``threshold``, the test :func:`group_blocks` verifies a candidate pair with."""
    if a.shape != b.shape:
        raise ValueError("a and b differ in shape")
    return np.count_nonzero(a == b, axis=1) / a.shape[1] >= threshold


def near_duplicates_table(
    block_keys: pa.Array | pa.ChunkedArray | Sequence[str],
    posting_keys: pa.Array | pa.ChunkedArray | Sequence[str],
    order_keys: pa.Array | pa.ChunkedArray | Sequence[str],
    descriptions: pa.Array | pa.ChunkedArray | Sequence[str | None],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    num_perm: int = DEFAULT_NUM_PERM,
) -> pa.Table:
    """Near-duplicate descriptions inside each block (Arrow in, Arrow out; see :func:`group_near_duplicates`).

    Documents without a block (null or ``""``) are left out; inside a block the earliest by
    ``(order_key, posting_key)`` is the canonical one. Holds every description in memory: for very many,
    sign them batch by batch with :meth:`Signatures.fill` and call :func:`group_near_duplicates`.
    """
    docs = pa.table(
        {
            "block": _as_array(block_keys),
            "key": _as_array(posting_keys),
            "order": _as_array(order_keys),
            "text": _as_array(descriptions),
        }
    )
    docs = docs.filter(pc.fill_null(pc.not_equal(docs["block"], ""), False))
    docs = docs.take(
        pc.sort_indices(docs, [("block", "ascending"), ("order", "ascending"), ("key", "ascending")])
    )
    sigs = description_signatures(docs["text"], num_perm)
    return group_near_duplicates(docs["block"], docs["key"], sigs, threshold=threshold)
