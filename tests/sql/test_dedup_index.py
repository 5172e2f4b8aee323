"""Which blocks the LSH keys make the near-duplicate step regroup (``jobtrends.dedup_index``).

Signatures are made by hand here, so that each case meets exactly one rule: a shared band below the
threshold, a near-duplicate, an identical text, a bucket past pairwise comparison, a stored document
without a signature, and a replaced version that was grouped. The equality with a full pass over real
texts is ``test_dedup_incremental.py``'s.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from jobtrends import dedup_index, warehouse
from transform import dedup
from transform.dedup import near

from .conftest import SQL_DIR

NUM_PERM = dedup.DEFAULT_NUM_PERM


def _sig(seed: int, *, like: np.ndarray | None = None, same: int = 0) -> np.ndarray:
    """A signature of distinct values; its first ``same`` values those of ``like`` (4 = band 0 alone)."""
    values = np.arange(NUM_PERM, dtype=np.uint32) + np.uint32(1000 * seed)
    if like is not None:
        values[:same] = like[:same]
    return values


def _sigs(values: list[np.ndarray], text_hashes: list[int]) -> dedup.Signatures:
    sigs = dedup.Signatures.empty(len(values), NUM_PERM)
    sigs.values[:] = np.stack(values)
    sigs.text_hash[:] = text_hashes
    sigs.words[:] = 10
    return sigs


def _store(con, docs: list[tuple[str, str, np.ndarray, int]], *, signatures: bool = True) -> None:
    """Stored documents (posting_key, block_key, signature, text hash): their LSH keys and signatures."""
    sigs = _sigs([d[2] for d in docs], [d[3] for d in docs])
    keys = pa.array([d[0] for d in docs])
    rows = dedup_index.key_table(
        keys, pa.array(["c1"] * len(docs)), pa.array([d[1] for d in docs]), sigs, np.arange(len(docs))
    )
    dedup_index.replace(con, rows, drop="true", num_perm=NUM_PERM, threshold=dedup.DEFAULT_THRESHOLD)
    if signatures:
        table = pa.table(
            {"posting_key": keys, "content_hash": pa.array(["c1"] * len(docs)), **sigs.arrow_columns()}
        )
        warehouse.store_signatures(
            con, table.cast(warehouse.SIGNATURE_ROWS), num_perm=NUM_PERM, posting_keys=keys
        )


def _regroup(con, new: list[tuple[str, str, np.ndarray, int]], changed: list[str] | None = None) -> set[str]:
    """The blocks regrouped when postings ``changed`` (default: the new ones) change and ``new`` are
    their latest versions."""
    keys = [d[0] for d in new] if changed is None else changed
    con.execute("create or replace temp table _jt_dedup_changed (posting_key varchar)")
    for key in keys:
        con.execute("insert into _jt_dedup_changed values (?)", [key])
    docs = pa.table(
        {
            "posting_key": pa.array([d[0] for d in new], pa.string()),
            "content_hash": pa.array(["c2"] * len(new), pa.string()),
            "block_key": pa.array([d[1] for d in new], pa.string()),
        }
    )
    sigs = _sigs([d[2] for d in new], [d[3] for d in new]) if new else dedup.Signatures.empty(0, NUM_PERM)
    keys = dedup_index.key_table(
        docs["posting_key"], docs["content_hash"], docs["block_key"], sigs, np.arange(len(new))
    )
    regroup, reached = dedup_index.blocks_to_regroup(
        con, SQL_DIR, docs, sigs, keys, threshold=dedup.DEFAULT_THRESHOLD
    )
    assert regroup <= reached
    return regroup


BASE = _sig(1)


def test_a_shared_band_below_the_threshold_keeps_the_block(given) -> None:
    _store(given.con, [("gh:a", "acme", BASE, 1)])
    assert _regroup(given.con, [("gh:n", "acme", _sig(2, like=BASE, same=4), 2)]) == set()


def test_a_near_duplicate_regroups_its_block_only(given) -> None:
    _store(given.con, [("gh:a", "acme", BASE, 1), ("gh:i", "initech", _sig(3), 3)])
    new = [("gh:n", "acme", _sig(2, like=BASE, same=48), 2), ("gh:m", "initech", _sig(4), 4)]
    assert _regroup(given.con, new) == {"acme"}


def test_a_near_duplicate_in_another_block_is_not_a_candidate(given) -> None:
    _store(given.con, [("gh:a", "acme", BASE, 1)])
    assert _regroup(given.con, [("gh:n", "initech", _sig(2, like=BASE, same=64), 1)]) == set()


def test_an_identical_text_regroups_even_without_a_shared_band(given) -> None:
    _store(given.con, [("gh:a", "acme", BASE, 7)])
    assert _regroup(given.con, [("gh:n", "acme", _sig(2), 7)]) == {"acme"}


def test_new_versions_are_compared_with_one_another(given) -> None:
    _store(given.con, [("gh:a", "acme", BASE, 1)])
    other = _sig(5)
    near_pair = [("gh:n", "hooli", other, 2), ("gh:m", "hooli", _sig(6, like=other, same=60), 3)]
    assert _regroup(given.con, near_pair) == {"hooli"}
    same_text = [("gh:n", "hooli", other, 2), ("gh:m", "hooli", _sig(6), 2)]
    assert _regroup(given.con, same_text) == {"hooli"}
    far_pair = [("gh:n", "hooli", other, 2), ("gh:m", "hooli", _sig(6, like=other, same=4), 3)]
    assert _regroup(given.con, far_pair) == set()


def test_a_posting_is_not_compared_with_the_version_it_replaces(given) -> None:
    _store(given.con, [("gh:a", "acme", BASE, 1)])
    # gh:a's new version keeps most of its text: the stored row is the version it replaces
    assert _regroup(given.con, [("gh:a", "acme", _sig(2, like=BASE, same=60), 2)]) == set()


def test_a_bucket_past_pairwise_comparison_regroups(given, monkeypatch) -> None:
    # band 0's bucket: members far apart otherwise. Past MAX_BUCKET_PAIRS members the grouping compares
    # them as a chain, and which pairs that compares depends on every member
    monkeypatch.setattr(near, "MAX_BUCKET_PAIRS", 2)
    _store(given.con, [("gh:a", "acme", BASE, 1), ("gh:b", "acme", _sig(3, like=BASE, same=4), 3)])
    gained = [("gh:n", "acme", _sig(2, like=BASE, same=4), 2)]
    assert _regroup(given.con, gained) == {"acme"}  # the bucket grows to 3
    assert _regroup(given.con, [], changed=["gh:a"]) == set()  # 2 members: compared pair by pair
    monkeypatch.setattr(near, "MAX_BUCKET_PAIRS", 3)
    assert _regroup(given.con, gained) == set()
    _store(
        given.con,
        [("gh:a", "acme", BASE, 1), ("gh:b", "acme", _sig(3, like=BASE, same=4), 3)]
        + [("gh:c", "acme", _sig(4, like=BASE, same=4), 4), ("gh:d", "acme", _sig(5, like=BASE, same=4), 5)],
    )
    assert _regroup(given.con, [], changed=["gh:a"]) == {"acme"}  # it loses a member of a 4-chain


def test_a_stored_document_without_a_signature_regroups(given) -> None:
    _store(given.con, [("gh:a", "acme", BASE, 1)], signatures=False)
    assert _regroup(given.con, [("gh:n", "acme", _sig(2, like=BASE, same=4), 2)]) == {"acme"}


def test_a_replaced_version_that_was_grouped_regroups_its_block(given) -> None:
    _store(given.con, [("gh:a", "acme", BASE, 1), ("gh:b", "acme", _sig(3, like=BASE, same=60), 3)])
    given.con.execute(
        "insert into normalised.near_duplicates (posting_key, canonical_key, similarity, block_key) "
        "values ('gh:b', 'gh:a', 0.94, 'acme')"
    )
    # the canonical posting leaves for another company: acme loses a grouped version
    assert _regroup(given.con, [("gh:a", "hooli", BASE, 1)]) == {"acme"}
    assert _regroup(given.con, [], changed=["gh:b"]) == {"acme"}


@pytest.mark.parametrize("num_perm", [64, 100, 32])
def test_keys_are_the_buckets_the_grouping_uses(num_perm: int) -> None:
    """Documents share a stored band key exactly when they share a bucket of that band."""
    rng = np.random.default_rng(num_perm)
    values = rng.integers(0, 5, size=(40, num_perm), dtype=np.uint32)  # few values: many equal bands
    sigs = dedup.Signatures.empty(40, num_perm)
    sigs.values[:] = values
    keys = dedup.band_keys(sigs)
    rows_per_band, bands = dedup.band_layout(num_perm)
    assert keys.shape == (40, bands) and dedup_index.usable(num_perm) == (bands <= 16)
    for band in range(bands):
        cols = values[:, band * rows_per_band : (band + 1) * rows_per_band]
        same_band = (cols[:, None, :] == cols[None, :, :]).all(axis=2)
        assert ((keys[:, None, band] == keys[None, :, band]) == same_band).all()
