"""Build the trend marts: dedup inputs → staging/intermediate → ``marts_next`` → validate → publish.

The SQL lives in ``sql/`` (models in ``staging``, ``intermediate``, ``marts``; the dedup step's queries
in ``sql/dedup``); the pure dedup logic in :mod:`transform.dedup`. Mart documentation (grain,
description, columns) lives next to each model in ``sql/marts/<name>.yml`` and is written into the
warehouse as ``COMMENT ON`` after publishing, so ``jobtrends marts`` and any SQL client can read it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from jobtrends import build_inputs, dedup_index, warehouse
from jobtrends.settings import Settings
from transform import dedup

log = logging.getLogger(__name__)

__all__ = [
    "MartDoc",
    "apply_comments",
    "build_and_publish",
    "compute_dedup_inputs",
    "list_marts",
    "load_mart_docs",
    "set_build_variables",
]

#: Descriptions per Arrow batch streamed to the MinHash kernel (~3.5 KB each: ~100 MB of text at a time).
_BATCH_ROWS = 30_000

Validator = Callable[[Any, list[str]], bool]


@dataclass(frozen=True, slots=True)
class MartDoc:
    name: str
    grain: str
    description: str
    columns: dict[str, str]

    def table_comment(self) -> str:
        return f"grain: {self.grain}\n{self.description}"


# ----------------------------------------------------------------------------- settings


def _taxonomy_version() -> str | None:
    try:
        from transform.titles import TAXONOMY_VERSION  # owned by the title normaliser
    except Exception:  # not written yet, or failing to import: fall back to the newest in the data
        return None
    return str(TAXONOMY_VERSION)


def _sql_literal(value: object) -> str:
    if isinstance(value, bool | int | float):
        return repr(int(value)) if isinstance(value, bool) else repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def set_build_variables(con: Any, settings: Settings, *, run_id: str) -> dict[str, object]:
    """Set the DuckDB variables that ``staging.stg_settings`` reads (``jt_*``) on this connection."""
    values: dict[str, object] = {
        "jt_min_base": int(settings.min_base),
        "jt_repost_window_days": int(settings.repost_window_days),
        "jt_run_id": run_id,
    }
    version = settings.taxonomy_version or _taxonomy_version()
    if version:
        values["jt_taxonomy_version"] = version
    for name, value in values.items():
        con.execute(f"set variable {name} = {_sql_literal(value)}")
    return values


# ----------------------------------------------------------------------------- dedup inputs


def _scalar(con: Any, sql: str) -> int:
    """One integer from a one-row query (``fetchall`` so the result is finished: DuckDB 2.0)."""
    rows = con.execute(sql).fetchall()
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def _read_sql(sql_dir: Path, name: str) -> str:
    return (Path(sql_dir) / "dedup" / f"{name}.sql").read_text()


def _update_keys(con: Any, sql_dir: Path) -> tuple[int, int]:
    """(Re)compute the key of every distinct value; store the new and changed ones.

    Postings whose company key changed (a company name keyed before, by other rules) lose their
    "compared" mark and their near-duplicate rows. Returns the number of keys written and the number of
    those postings; the step recomputes every block when there are any.
    """
    rows = con.execute(_read_sql(sql_dir, "key_values")).fetchall()
    if not rows:
        return 0, 0
    funcs = {"company": dedup.company_key, "title": dedup.title_key, "location": dedup.location_key}
    table = pa.table(
        {
            "kind": [kind for kind, _ in rows],
            "raw_value": [value for _, value in rows],
            "key": [funcs[kind](value) for kind, value in rows],
        }
    )
    with warehouse.registered(con, _jt_keys=table):
        con.execute(
            """
            create or replace temp table _jt_keys_changed as
            select k.kind, k.raw_value, k.key, old.key is not null as rekeyed
            from _jt_keys as k
            left join (
                select kind, raw_value, max(key) as key from normalised.dedup_keys group by kind, raw_value
            ) as old on old.kind = k.kind and old.raw_value = k.raw_value
            where old.key is distinct from k.key
            """
        )
    changed = _scalar(con, "select count(*) from _jt_keys_changed")
    moved = 0
    if changed:
        con.execute(
            """
            create or replace temp table _jt_keys_moved as
            select distinct p.posting_key
            from raw.postings as p
            inner join _jt_keys_changed as c on c.kind = 'company' and c.raw_value = p.company and c.rekeyed
            """
        )
        moved = _scalar(con, "select count(*) from _jt_keys_moved")
        con.execute(
            "delete from normalised.dedup_keys where (kind, raw_value) in "
            "(select kind, raw_value from _jt_keys_changed)"
        )
        con.execute(
            "insert into normalised.dedup_keys (kind, raw_value, key) select kind, raw_value, key from _jt_keys_changed"
        )
        con.execute(
            "delete from normalised.dedup_processed where posting_key in (select posting_key from _jt_keys_moved)"
        )
        con.execute(
            "delete from normalised.near_duplicates where posting_key in (select posting_key from _jt_keys_moved)"
        )
        con.execute("drop table if exists _jt_keys_moved")
    con.execute("drop table if exists _jt_keys_changed")
    return changed, moved


def _near_duplicates(
    con: Any,
    sql_dir: Path,
    *,
    threshold: float,
    num_perm: int,
    reuse: bool = True,
    workers: int | None = None,
) -> tuple[pa.Table, int, int, pa.Table | None]:
    """Sign the descriptions of the blocks in ``_jt_dedup_blocks`` and group them.

    Returns the near-duplicate rows, how many documents had words, how many were signed from their text
    and the documents' LSH keys (:func:`jobtrends.dedup_index.key_table`; None when the signatures have
    more bands than the table holds). The documents are numbered in block order
    (:func:`transform.dedup.document_order` over narrow rows read unsorted: integer sorts, no sort of
    strings in SQL).
    """
    docs = con.sql(_read_sql(sql_dir, "descriptions")).to_arrow_table()
    # document i is row order[i] of docs
    order, starts = dedup.document_order(docs["block_key"], docs["sec"], docs["posting_key"])
    sigs, signed = _signatures(con, sql_dir, docs, order, num_perm=num_perm, reuse=reuse, workers=workers)
    idx, roots, similarity = dedup.group_blocks(starts, sigs, threshold=threshold, workers=workers)
    found = pa.table(
        {
            "posting_key": pc.take(docs["posting_key"], pa.array(order[idx])).cast(pa.string()),
            "canonical_key": pc.take(docs["posting_key"], pa.array(order[roots])).cast(pa.string()),
            "similarity": pa.array(similarity, pa.float64()),
            "block_key": pc.take(docs["block_key"], pa.array(order[idx])).cast(pa.string()),
            "identical": pa.array(sigs.text_hash[idx] == sigs.text_hash[roots]),
        }
    )
    keys = None
    if dedup_index.usable(num_perm):
        # in row order (row r is document doc_of[r]): no copy of the strings in document order
        doc_of = np.empty(len(order), dtype=np.int64)
        doc_of[order] = np.arange(len(order), dtype=np.int64)
        keys = dedup_index.key_table(
            docs["posting_key"], docs["content_hash"], docs["block_key"], sigs, doc_of
        )
    return found, int(np.count_nonzero(sigs.words)), signed, keys


def _signatures(
    con: Any,
    sql_dir: Path,
    docs: pa.Table,
    order: np.ndarray,
    *,
    num_perm: int,
    reuse: bool,
    workers: int | None,
) -> tuple[dedup.Signatures, int]:
    """The signatures of ``docs`` (posting_key, content_hash, row_id), document ``i`` being row
    ``order[i]``, and how many were signed from their text.

    A version signed before takes its stored signature (``normalised.dedup_signatures``; ``reuse=False``
    signs every one); the texts of the others stream in batches in no particular order (sorting 3.5 KB
    texts would dominate) and each signature lands at its number, so only the signatures (256 bytes a
    document) stay in memory, never all the texts. New signatures are stored, replacing their postings'
    older versions.
    """
    n = docs.num_rows
    doc_of = np.empty(n, dtype=np.int64)
    doc_of[order] = np.arange(n, dtype=np.int64)
    sigs = dedup.Signatures.empty(n, num_perm)
    doc_ids = np.arange(n, dtype=np.int64)
    stored = np.zeros(n, dtype=np.bool_)
    if reuse and n:
        versions = pa.table(
            {"doc_id": doc_of, "posting_key": docs["posting_key"], "content_hash": docs["content_hash"]}
        )
        with warehouse.registered(con, _jt_dedup_versions=versions):
            sql = _read_sql(sql_dir, "signatures").replace("$num_perm", str(int(num_perm)))
            for batch in con.sql(sql).to_arrow_reader(_BATCH_ROWS * 4):
                _fill_stored(sigs, stored, batch, num_perm)
    missing = doc_ids[~stored]
    if len(missing):
        rows = pa.array(order[missing])
        with warehouse.registered(
            con, _jt_dedup_docs=pa.table({"doc_id": missing, "row_id": docs["row_id"].take(rows)})
        ):
            for batch in con.sql(_read_sql(sql_dir, "texts")).to_arrow_reader(_BATCH_ROWS):
                sigs.fill(
                    batch.column("description"), rows=batch.column("doc_id").to_numpy(), workers=workers
                )
        _store_signatures(con, docs, sigs, missing, order[missing], num_perm)
    return sigs, len(missing)


def _fill_stored(sigs: dedup.Signatures, stored: np.ndarray, batch: pa.RecordBatch, num_perm: int) -> None:
    """Copy a batch of stored signatures into ``sigs`` at their doc ids (a list of another length is
    left out: that document is signed again)."""
    ok = pc.equal(pc.list_value_length(batch.column("signature")), num_perm)
    if not pc.all(ok).as_py():
        batch = batch.filter(pc.fill_null(ok, False))
    if not batch.num_rows:
        return
    values = batch.column("signature").flatten().to_numpy(zero_copy_only=False)
    rows = batch.column("doc_id").to_numpy()
    sigs.values[rows] = values.reshape(-1, num_perm)
    sigs.text_hash[rows] = batch.column("text_hash").to_numpy()
    sigs.words[rows] = batch.column("words").to_numpy()
    stored[rows] = True


def _store_signatures(
    con: Any, docs: pa.Table, sigs: dedup.Signatures, rows: np.ndarray, doc_rows: np.ndarray, num_perm: int
) -> None:
    """Store the signatures of documents ``rows`` (rows ``doc_rows`` of ``docs``), after dropping every
    stored signature of their postings (older versions are never read again).

    One insert reads them as a stream of batches made on demand: no copy of them all at once, and at 3M
    postings ~0.9 GB less held than one insert per batch."""

    def batches() -> Iterator[pa.RecordBatch]:
        for start in range(0, len(rows), _BATCH_ROWS * 4):
            taken = pa.array(doc_rows[start : start + _BATCH_ROWS * 4])
            chunk = pa.table(
                {
                    "posting_key": docs["posting_key"].take(taken),
                    "content_hash": docs["content_hash"].take(taken),
                    **sigs.arrow_columns(rows[start : start + _BATCH_ROWS * 4]),
                }
            )
            yield from chunk.cast(warehouse.SIGNATURE_ROWS).to_batches()

    warehouse.store_signatures(
        con,
        pa.RecordBatchReader.from_batches(warehouse.SIGNATURE_ROWS, batches()),
        num_perm=num_perm,
        posting_keys=docs["posting_key"].take(pa.array(doc_rows)),
    )


def compute_dedup_inputs(
    con: Any,
    sql_dir: Path,
    *,
    threshold: float = dedup.DEFAULT_THRESHOLD,
    num_perm: int = dedup.DEFAULT_NUM_PERM,
    full: bool = False,
    workers: int | None = None,
) -> dict[str, object]:
    """Write ``normalised.dedup_keys`` and ``normalised.near_duplicates`` for new postings.

    Incremental: only candidate blocks (normalised companies) holding a posting version not compared
    before are recomputed, and only the versions without a stored signature are signed from their text
    (``full=True`` recomputes every block and signs every text; the grouping is the same). Identical
    normalised texts are grouped by hash, the distinct ones by MinHash (:mod:`transform.dedup`).
    ``near_duplicate_groups_merged`` counts the postings joined by similarity rather than identical text.

    The step's state (keys, near-duplicates, the "compared" marks) changes in one transaction: a crash
    anywhere leaves the state of before, never postings marked compared that were not.
    """
    return warehouse.in_transaction(
        con,
        lambda c: _compute_dedup_inputs(
            c, sql_dir, threshold=threshold, num_perm=num_perm, full=full, workers=workers
        ),
    )


def _compute_dedup_inputs(
    con: Any, sql_dir: Path, *, threshold: float, num_perm: int, full: bool, workers: int | None
) -> dict[str, object]:
    started = time.perf_counter()
    new_keys, moved = _update_keys(con, sql_dir)
    # a company key changed under a posting: the blocks it left are unknown by now, so every block is
    # recomputed (this follows a change of the key rules, not a nightly increment)
    full = full or moved > 0
    # every posting version compared before: no block changed, and a nightly run with nothing new skips
    # finding the latest version of each posting (the costly part)
    con.execute(f"create or replace temp table _jt_dedup_unprocessed as {_read_sql(sql_dir, 'unprocessed')}")
    unchanged = not full and not new_keys and not _scalar(con, "select count(*) from _jt_dedup_unprocessed")
    indexed = dedup_index.usable(num_perm)
    # LSH keys written for other parameters, or never: every block is regrouped (and its keys written)
    every_block = full or (indexed and not dedup_index.current(con, num_perm=num_perm, threshold=threshold))
    checked = indexed and not every_block and not unchanged
    blocks = kept = signed = 0
    kept_keys: pa.Table | None = None
    if checked:
        kept_keys, kept, signed = _check_blocks(
            con, sql_dir, threshold=threshold, num_perm=num_perm, workers=workers
        )
    elif not unchanged:
        _candidates(con, sql_dir)
        # every block with a candidate or a stored group; or (signatures too wide for the LSH keys) the
        # blocks of the postings with a version not compared before: the block of each one's latest
        # version, and the blocks it was compared in before (a posting that moved to another company, or
        # whose latest version names none, leaves its old block's groups: they are recomputed without
        # it, or dropped when the block has no candidate left)
        con.execute(
            "create or replace temp table _jt_dedup_blocks as "
            + (
                "select block_key from _jt_dedup_candidates union "
                "select block_key from normalised.near_duplicates where block_key is not null"
                if every_block
                else "select c.block_key from _jt_dedup_candidates as c "
                "semi join _jt_dedup_unprocessed as u on u.posting_key = c.posting_key union "
                "select p.block_key from normalised.dedup_processed as p "
                "semi join _jt_dedup_unprocessed as u on u.posting_key = p.posting_key "
                "where p.block_key is not null"
            )
        )
    if not unchanged:
        blocks = _scalar(con, "select count(*) from _jt_dedup_blocks")
    compared = merged = 0
    block_keys: pa.Table | None = None
    if blocks:
        found, compared, signed_here, block_keys = _near_duplicates(
            con, sql_dir, threshold=threshold, num_perm=num_perm, reuse=not full, workers=workers
        )
        signed += signed_here
        merged = int(pc.sum(pc.invert(found["identical"])).as_py() or 0)
        with warehouse.registered(con, _jt_nd=found):
            con.execute(
                "delete from normalised.near_duplicates where block_key in (select block_key from _jt_dedup_blocks)"
            )
            con.execute(
                "insert into normalised.near_duplicates (posting_key, canonical_key, similarity, block_key) "
                "select posting_key, canonical_key, similarity, block_key from _jt_nd"
            )
    if not unchanged:
        if indexed:
            parts = [t for t in (kept_keys, block_keys) if t is not None]
            dedup_index.replace(
                con,
                pa.concat_tables(parts) if parts else None,
                drop="true"
                if every_block
                else "posting_key in (select posting_key from _jt_dedup_unprocessed) "
                "or block_key in (select block_key from _jt_dedup_blocks)",
                num_perm=num_perm,
                threshold=threshold,
            )
        else:
            # keys not kept up to date now: a later step with indexable signatures writes them anew
            con.execute("delete from normalised.dedup_band_keys_state")
        # every version seen is compared now; a posting's latest version keeps its block (where the next
        # version of the posting must look for stale groups), older and company-less versions none
        con.execute(
            "insert into normalised.dedup_processed (posting_key, content_hash, block_key) "
            "select u.posting_key, u.content_hash, c.block_key from _jt_dedup_unprocessed as u "
            "left join _jt_dedup_candidates as c "
            "on c.posting_key = u.posting_key and c.content_hash = u.content_hash"
        )
    total = _scalar(con, "select count(*) from normalised.near_duplicates")
    for temp in ("_jt_dedup_unprocessed", "_jt_dedup_candidates", "_jt_dedup_blocks", "_jt_dedup_changed"):
        con.execute(f"drop table if exists {temp}")
    return {
        "new_keys": new_keys,
        "blocks_recomputed": blocks,
        "blocks_kept": kept,
        "descriptions_compared": compared,
        "descriptions_signed": signed,
        "near_duplicate_groups_merged": merged,
        "near_duplicates_total": total,
        "seconds": round(time.perf_counter() - started, 3),
    }


def _candidates(con: Any, sql_dir: Path, postings: str = "") -> None:
    """``_jt_dedup_candidates``: the latest version of every posting, or of those ``postings`` (a SQL
    clause on ``r.posting_key``) names."""
    sql = _read_sql(sql_dir, "candidates").replace("$postings", postings)
    con.execute(f"create or replace temp table _jt_dedup_candidates as {sql}")


def _check_blocks(
    con: Any, sql_dir: Path, *, threshold: float, num_perm: int, workers: int | None
) -> tuple[pa.Table, int, int]:
    """Decide which blocks the changed postings (those with a version not compared before) make the step
    regroup (:func:`jobtrends.dedup_index.blocks_to_regroup`) into ``_jt_dedup_blocks``, and leave the
    candidates it needs in ``_jt_dedup_candidates``: the changed postings', and those of the blocks
    regrouped. Returns the LSH keys of the changed postings' latest versions in the blocks kept, how many
    blocks they reached were kept, and how many versions were signed from their text."""
    con.execute(
        "create or replace temp table _jt_dedup_changed as select distinct posting_key from _jt_dedup_unprocessed"
    )
    _candidates(con, sql_dir, "where r.posting_key in (select posting_key from _jt_dedup_changed)")
    new_docs = con.sql(
        "select posting_key, content_hash, block_key, row_id from _jt_dedup_candidates"
    ).to_arrow_table()
    sigs, signed = _signatures(
        con, sql_dir, new_docs, np.arange(new_docs.num_rows, dtype=np.int64), num_perm=num_perm, reuse=True,
        workers=workers,
    )  # fmt: skip
    keys = dedup_index.key_table(
        new_docs["posting_key"], new_docs["content_hash"], new_docs["block_key"], sigs,
        np.arange(new_docs.num_rows, dtype=np.int64),
    )  # fmt: skip
    regroup, reached = dedup_index.blocks_to_regroup(con, sql_dir, new_docs, sigs, keys, threshold=threshold)
    with warehouse.registered(
        con, _jt_regroup=pa.table({"block_key": pa.array(sorted(regroup), pa.string())})
    ):
        con.execute("create or replace temp table _jt_dedup_blocks as select block_key from _jt_regroup")
    if regroup:
        # the postings a regrouped block may hold: the changed ones, and those whose latest version was
        # compared there (a version is marked with the block of its posting's latest version when
        # compared; an unchanged posting's latest version was compared as such)
        _candidates(
            con,
            sql_dir,
            "where r.posting_key in (select posting_key from _jt_dedup_changed union all "
            "select posting_key from normalised.dedup_processed "
            "where block_key in (select block_key from _jt_dedup_blocks))",
        )
    keys = keys.filter(
        pc.invert(pc.is_in(keys["block_key"], value_set=pa.array(sorted(regroup), pa.string())))
    )
    return keys, len(reached - regroup), signed


# ----------------------------------------------------------------------------- docs and comments


def load_mart_docs(sql_dir: Path) -> dict[str, MartDoc]:
    """``sql/marts/<name>.yml`` → :class:`MartDoc` per mart."""
    docs: dict[str, MartDoc] = {}
    for path in sorted((Path(sql_dir) / "marts").glob("*.yml")):
        data = yaml.safe_load(path.read_text()) or {}
        name = str(data.get("name") or path.stem)
        columns = {
            str(c["name"]): " ".join(str(c.get("description", "")).split()) for c in data.get("columns", [])
        }
        docs[name] = MartDoc(
            name=name,
            grain=" ".join(str(data.get("grain", "")).split()),
            description=" ".join(str(data.get("description", "")).split()),
            columns=columns,
        )
    return docs


def apply_comments(con: Any, sql_dir: Path, names: Sequence[str], schema: str = "marts") -> int:
    """``COMMENT ON`` every mart and each documented column that exists; returns comments written."""
    docs = load_mart_docs(sql_dir)
    written = 0
    for name in names:
        doc = docs.get(name)
        if doc is None:
            continue
        con.execute(f"comment on table {schema}.{name} is {_sql_literal(doc.table_comment())}")
        written += 1
        existing = {
            r[0]
            for r in con.execute(
                "select column_name from duckdb_columns() where schema_name = ? and table_name = ?",
                [schema, name],
            ).fetchall()
        }
        for column, text in doc.columns.items():
            if column in existing and text:
                con.execute(f'comment on column {schema}.{name}."{column}" is {_sql_literal(text)}')
                written += 1
    return written


def list_marts(con: Any) -> list[tuple[str, str, str]]:
    """Published marts as ``(name, grain, description)``, read from the warehouse comments."""
    rows = con.execute(
        "select table_name, coalesce(comment, '') from duckdb_tables() "
        "where schema_name = 'marts' order by table_name"
    ).fetchall()
    out: list[tuple[str, str, str]] = []
    for name, comment in rows:
        first, _, rest = str(comment).partition("\n")
        if first.startswith("grain: "):
            out.append((name, first.removeprefix("grain: "), rest.strip()))
        else:
            out.append((name, "", str(comment)))
    return out


# ----------------------------------------------------------------------------- build


def build_and_publish(
    con: Any,
    settings: Settings,
    *,
    run_id: str,
    validate: Validator | None = None,
    full: bool = False,
) -> dict[str, object]:
    """Dedup inputs → staging/intermediate → ``marts_next`` → ``validate`` → publish → comments.

    A build whose inputs are those of the last published build (:mod:`jobtrends.build_inputs`) stops after
    the dedup step with ``status = "unchanged"``: the published marts are what it would build. ``full``
    recomputes the dedup step for every block and always builds.

    ``validate(con, names)`` sees the new marts in ``marts_next``; when it returns False nothing is
    published and the summary says ``status = "validation_failed"`` (with a ``reason``); otherwise
    ``status = "published"``. Everything after the dedup step runs in one transaction, committed with the
    publish: a rejected build (or an error, or a crash) leaves staging, intermediate, ``marts_next`` and
    the marts as the last published build left them. ``validate`` runs inside that transaction (other
    connections cannot see the new tables). Returns a JSON-serialisable summary; a build that ran the
    models has ``model_seconds``: each staging/intermediate model and mart (``marts.<name>``), in build order,
    and ``refresh_modes``: how the tables refreshed from the last build's were made (full, incremental,
    unchanged: ``int_posting_stable_facts`` and the additive aggregates).
    """
    sql_dir = Path(settings.sql_dir)
    timings: dict[str, float] = {}
    started = t0 = time.perf_counter()
    warehouse.ensure_schema(con, sql_dir)
    variables = set_build_variables(con, settings, run_id=run_id)

    with warehouse.bounded_memory(con, settings.scan_memory_limit):
        dedup_summary = compute_dedup_inputs(con, sql_dir, full=full, workers=settings.workers)
    timings["dedup_s"] = round(time.perf_counter() - t0, 3)

    summary: dict[str, object] = {"run_id": run_id, "variables": variables, "dedup": dedup_summary}
    t0 = time.perf_counter()
    inputs = build_inputs.digest(con, settings, variables)
    last = None if full else build_inputs.unchanged_since_last_publish(con, inputs)
    timings["inputs_s"] = round(time.perf_counter() - t0, 3)
    if last is not None:
        timings["total_s"] = round(time.perf_counter() - started, 3)
        summary.update(
            status="unchanged",
            published=False,
            marts=last["marts"],
            timings=timings,
            reason=f"the inputs are those of the published build {last['run_id']}: its marts stay",
        )
        return summary
    # the commit's checkpoint vacuums the tables an incremental build rewrites in part only on a full
    # build or once they have fragmented (warehouse.needs_vacuum): otherwise it is most of the commit
    vacuum = full or warehouse.needs_vacuum(con)
    summary["vacuum_on_commit"] = vacuum
    # staging → intermediate → marts_next → validate → publish is one transaction: a rejected (or
    # crashed) build rolls back to the staging and intermediate the published marts were built from
    with warehouse.vacuum_on_commit(con, vacuum), warehouse.transaction(con) as tx:
        model_seconds: dict[str, float] = {}
        refreshed: dict[str, str] = {}
        t0 = time.perf_counter()
        layers = warehouse.build_layers(
            con, sql_dir, incremental=not full, timings=model_seconds, modes=refreshed
        )
        timings["layers_s"] = round(time.perf_counter() - t0, 3)

        t0 = time.perf_counter()
        names = warehouse.build_marts(con, sql_dir, timings=model_seconds)
        timings["marts_s"] = round(time.perf_counter() - t0, 3)
        summary["model_seconds"] = {name: round(s, 3) for name, s in model_seconds.items()}
        summary["refresh_modes"] = refreshed
        # on an error the rollback drops the build's temp tables with the rest (a failed statement has
        # aborted the transaction: dropping them here would only raise again and hide the error)
        warehouse.drop_build_cache(con)
        summary.update(models=layers, marts=names, timings=timings)
        if validate is not None:
            t0 = time.perf_counter()
            ok = bool(validate(con, list(names)))
            timings["validate_s"] = round(time.perf_counter() - t0, 3)
            if not ok:
                try:
                    rejected = {
                        name: warehouse.arrow(con, f"select * from {warehouse.BUILD_SCHEMA}.{name}")
                        for name in names
                    }
                except Exception:  # a claim's failing SQL aborted the transaction: nothing left to read
                    rejected = {}
                tx.rollback()
                # kept to inspect, outside the lineage (the rollback put marts_next back as published)
                warehouse.keep_rejected_marts(con, rejected)
                log.warning("validation failed for run %s: marts not published", run_id)
                summary.update(
                    status="validation_failed",
                    published=False,
                    reason="validation of the new marts failed; the previous marts, staging and intermediate "
                    f"stay as published (the rejected marts are in {warehouse.REJECTED_SCHEMA})",
                )
                timings["total_s"] = round(time.perf_counter() - started, 3)
                return summary

        t0 = time.perf_counter()
        comments = int(
            warehouse.publish_marts(
                con, names, also=lambda c: apply_comments(c, sql_dir, names), in_transaction=True
            )
        )
        build_inputs.record(con, run_id, inputs, names)
    timings["publish_s"] = round(time.perf_counter() - t0, 3)
    timings["total_s"] = round(time.perf_counter() - started, 3)
    claims = _scalar(con, "select count(*) from marts.claims")
    summary.update(status="published", published=True, comments=comments, claims=claims)
    return summary
