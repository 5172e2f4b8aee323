"""Which candidate blocks a nightly near-duplicate step must regroup (``normalised.dedup_band_keys``).

The step (:func:`jobtrends.marts.compute_dedup_inputs`) groups a block's documents by union-find over
the candidate pairs of its LSH buckets (:func:`transform.dedup.group_blocks`). A block's groups stay
what they were when every version it gains or loses is a singleton there:

- a version it gains (a new posting, a posting's new version, a posting moved in) has no identical text
  in the block and no candidate pair at or above the threshold, so it joins no group; and every bucket it
  enters stays small enough (at most ``MAX_BUCKET_PAIRS`` members) to be compared pair by pair, so the
  pairs compared among the others are those of before;
- a version it loses was in no group (``normalised.near_duplicates``), and its buckets were compared pair
  by pair.

Then the block's near-duplicate rows are those of before, and only its rows in this table change. The
keys of every grouped document are stored here, so the check reads the buckets a new version meets
(a join per band) and the signatures of the few documents in them, not the block's million. A key
collision of two different bands or texts only costs a comparison, never a missed pair: the check is
exact where a full pass is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jobtrends import warehouse
from transform import dedup
from transform.dedup import near

#: Bump when what the table holds, or how it is checked, changes: the next step rewrites it.
VERSION = 1
#: Band key columns of ``normalised.dedup_band_keys``; signatures with more bands are not indexed.
BAND_COLUMNS = tuple(f"b{i}" for i in range(16))
_KEY_COLUMNS = ("t", *BAND_COLUMNS)


def usable(num_perm: int) -> bool:
    """Whether signatures of ``num_perm`` values fit the table's band columns."""
    return dedup.band_layout(num_perm)[1] <= len(BAND_COLUMNS)


def current(con: Any, *, num_perm: int, threshold: float) -> bool:
    """Whether the stored keys were written with these parameters (else every block is regrouped)."""
    rows = con.execute(
        "select num_perm, threshold, max_bucket, version from normalised.dedup_band_keys_state"
    ).fetchall()
    return rows == [(num_perm, float(threshold), near.MAX_BUCKET_PAIRS, VERSION)]


def key_table(
    posting_keys: pa.Array | pa.ChunkedArray,
    content_hashes: pa.Array | pa.ChunkedArray,
    block_keys: pa.Array | pa.ChunkedArray,
    sigs: dedup.Signatures,
    rows: np.ndarray,
) -> pa.Table:
    """Rows of ``normalised.dedup_band_keys`` for documents ``rows`` of ``sigs`` (the three key arrays
    aligned with ``rows``); documents without words are left out (they are never grouped)."""
    rows = np.asarray(rows, dtype=np.int64)
    keep = sigs.words[rows] > 0
    strings = [posting_keys, content_hashes, block_keys]
    if not keep.all():
        at = pa.array(np.flatnonzero(keep))
        strings = [pc.take(values, at) for values in strings]
        rows = rows[keep]
    keys = dedup.band_keys(sigs, rows)
    columns: dict[str, pa.Array | pa.ChunkedArray] = {
        name: values.cast(pa.string())
        for name, values in zip(("posting_key", "content_hash", "block_key"), strings, strict=True)
    }
    columns["t"] = pa.array(sigs.text_hash[rows], pa.uint64())
    for band, name in enumerate(BAND_COLUMNS):
        columns[name] = (
            pa.array(keys[:, band], pa.uint64()) if band < keys.shape[1] else pa.nulls(len(rows), pa.uint64())
        )
    return pa.table(columns)


def replace(con: Any, rows: pa.Table | None, *, drop: str, num_perm: int, threshold: float) -> None:
    """Delete the stored keys matched by the SQL condition ``drop``, store ``rows`` (:func:`key_table`)
    and mark the table written with these parameters."""
    con.execute(f"delete from normalised.dedup_band_keys where {drop}")
    if rows is not None and rows.num_rows:
        with warehouse.registered(con, _jt_band_keys=rows):
            con.execute("insert into normalised.dedup_band_keys by name select * from _jt_band_keys")
    con.execute("delete from normalised.dedup_band_keys_state")
    con.execute(
        "insert into normalised.dedup_band_keys_state (num_perm, threshold, max_bucket, version) "
        "values (?, ?, ?, ?)",
        [num_perm, float(threshold), near.MAX_BUCKET_PAIRS, VERSION],
    )


def _collisions(con: Any, sql_dir: Path, probes: pa.Table, columns: tuple[str, ...]) -> pa.Table:
    """``(probe_id, band, posting_key, content_hash)``: the stored documents in a bucket of each probe."""
    template = (Path(sql_dir) / "dedup" / "band_collisions.sql").read_text()
    hits = "\nunion all\n".join(template.replace("$col", column) for column in columns)
    with warehouse.registered(con, _jt_lsh_probe=probes):
        return con.sql(
            f"with hits as ({hits}) select h.probe_id, h.band, k.posting_key, k.content_hash "
            "from hits as h inner join normalised.dedup_band_keys as k on k.rowid = h.r"
        ).to_arrow_table()


def blocks_to_regroup(
    con: Any,
    sql_dir: Path,
    new_docs: pa.Table,
    sigs: dedup.Signatures,
    keys: pa.Table,
    *,
    threshold: float,
) -> tuple[set[str], set[str]]:
    """The blocks whose groups a change may move, and every block the change reaches, for the changed
    postings in temp table ``_jt_dedup_changed`` (posting_key) whose latest versions are ``new_docs``
    (posting_key, content_hash, block_key; row ``i`` signed as document ``i`` of ``sigs``; postings
    without a block have no row) with LSH keys ``keys`` (:func:`key_table` of all of them).

    A block is regrouped when a version it loses was in a near-duplicate group or in a bucket compared
    as a chain, or when a version it gains meets an identical text, a candidate at or above
    ``threshold``, a bucket that would outgrow pairwise comparison, or a stored document without a
    signature to compare with.
    """
    limit = near.MAX_BUCKET_PAIRS
    regroup: set[str] = set()
    # versions lost: each changed posting's stored row (its block's previous grouping had it)
    old = con.sql(
        "select k.*, k.posting_key in (select posting_key from normalised.near_duplicates union all "
        "select canonical_key from normalised.near_duplicates) as grouped "
        "from normalised.dedup_band_keys as k semi join _jt_dedup_changed as c on c.posting_key = k.posting_key"
    ).to_arrow_table()
    reached = set(old["block_key"].to_pylist()) | set(new_docs["block_key"].to_pylist())
    regroup.update(old.filter(old["grouped"])["block_key"].to_pylist())
    old = old.filter(pc.invert(old["grouped"]))
    if old.num_rows:
        probes = old.select(["block_key", *BAND_COLUMNS]).append_column(
            "probe_id", pa.array(np.arange(old.num_rows, dtype=np.int64))
        )
        hits = _collisions(con, sql_dir, probes, BAND_COLUMNS)
        if hits.num_rows:
            sizes = hits.group_by(["probe_id", "band"]).aggregate([("posting_key", "count")])
            big = sizes.filter(pc.greater(sizes["posting_key_count"], limit))["probe_id"]
            regroup.update(pc.take(old["block_key"], big).to_pylist())
    # versions gained (key_table keeps those with words, in order)
    worded = np.flatnonzero(sigs.words[: new_docs.num_rows] > 0)
    if not len(worded):
        return regroup, reached
    blocks = keys["block_key"]
    probes = keys.select(["block_key", *_KEY_COLUMNS]).append_column(
        "probe_id", pa.array(np.arange(len(worded), dtype=np.int64))
    )
    hits = _collisions(con, sql_dir, probes, _KEY_COLUMNS)
    changed = con.sql("select posting_key from _jt_dedup_changed").to_arrow_table()["posting_key"]
    # a changed posting's stored row is its replaced version: the new versions are the probes
    hits = hits.filter(pc.invert(pc.is_in(hits["posting_key"], value_set=changed)))
    text = pc.equal(hits["band"], "t")
    regroup.update(pc.take(blocks, hits.filter(text)["probe_id"]).to_pylist())
    hits = hits.filter(pc.invert(text))
    # buckets shared by new versions of one block: counted with the stored members, and compared
    stored = np.zeros((len(worded), len(BAND_COLUMNS)), dtype=np.int64)
    if hits.num_rows:
        sizes = hits.group_by(["probe_id", "band"]).aggregate([("posting_key", "count")])
        band_index = pc.cast(pc.utf8_slice_codeunits(sizes["band"], 1), pa.int64()).to_numpy()
        stored[sizes["probe_id"].to_numpy(), band_index] = sizes["posting_key_count"].to_numpy()
    block_codes = pc.dictionary_encode(blocks).combine_chunks().indices.to_numpy(zero_copy_only=False)
    pairs_a: list[np.ndarray] = []
    pairs_b: list[np.ndarray] = []
    for band, name in enumerate(_KEY_COLUMNS):
        if keys[name].null_count:  # a band past the signature's
            continue
        values = keys[name].to_numpy()
        order = np.lexsort((values, block_codes))
        same = (block_codes[order][1:] == block_codes[order][:-1]) & (values[order][1:] == values[order][:-1])
        if not same.any():
            continue
        if name == "t":
            regroup.update(pc.take(blocks, pa.array(order[1:][same])).to_pylist())
            continue
        # runs of equal (block, key): every pair in a run is a candidate pair
        run_id = np.cumsum(np.concatenate([[True], ~same]))
        run_size = np.bincount(run_id)[run_id]
        members = order[run_size > 1]
        stored[members, band - 1] += run_size[run_size > 1] - 1
        for run in np.unique(run_id[run_size > 1]):
            group = order[run_id == run]
            a, b = np.triu_indices(len(group), 1)
            pairs_a.append(worded[group[a]])
            pairs_b.append(worded[group[b]])
    too_big = np.flatnonzero((stored + 1 > limit).any(axis=1))
    regroup.update(pc.take(blocks, pa.array(too_big)).to_pylist())
    if pairs_a:
        a = np.concatenate(pairs_a)
        b = np.concatenate(pairs_b)
        hit = dedup.similar(sigs.values[a], sigs.values[b], threshold)
        regroup.update(pc.take(new_docs["block_key"], pa.array(a[hit])).to_pylist())
    if hits.num_rows:
        regroup.update(_verify_stored(con, hits, blocks, sigs, worded, threshold))
    return regroup, reached


def _verify_stored(
    con: Any,
    hits: pa.Table,
    blocks: pa.ChunkedArray,
    sigs: dedup.Signatures,
    worded: np.ndarray,
    threshold: float,
) -> set[str]:
    """The blocks of the probes that a stored document in one of their buckets is a near-duplicate of
    (or that such a document has no stored signature to tell)."""
    num_perm = sigs.values.shape[1]
    pairs = (
        hits.select(["probe_id", "posting_key", "content_hash"])
        .group_by(["probe_id", "posting_key", "content_hash"])
        .aggregate([])
    )
    with warehouse.registered(con, _jt_lsh_pairs=pairs):
        found = con.sql(
            "select p.probe_id, s.signature from _jt_lsh_pairs as p "
            "left join normalised.dedup_signatures as s on s.posting_key = p.posting_key "
            f"and s.content_hash = p.content_hash and s.num_perm = {int(num_perm)}"
        ).to_arrow_table()
    probe = found["probe_id"].to_numpy()
    ok = pc.fill_null(pc.equal(pc.list_value_length(found["signature"]), num_perm), False)
    missing = probe[~ok.to_numpy(zero_copy_only=False)]
    known = found.filter(ok)
    out = set(pc.take(blocks, pa.array(missing)).to_pylist())
    if known.num_rows:
        values = known["signature"].combine_chunks().flatten().to_numpy(zero_copy_only=False)
        theirs = values.reshape(-1, num_perm).astype(np.uint32)
        at = known["probe_id"].to_numpy()
        hit = dedup.similar(sigs.values[worded[at]], theirs, threshold)
        out.update(pc.take(blocks, pa.array(at[hit])).to_pylist())
    return out
