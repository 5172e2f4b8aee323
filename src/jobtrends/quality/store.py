"""The result store: expectation results, the validation quarantine and its releases, accepted batches."""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from jobtrends import warehouse
from jobtrends.quality.frames import _rows
from jobtrends.quality.outcomes import STAGE, BatchInfo, ExpectationOutcome, _Job

# ----------------------------------------------------------------------------- storing


def _store_results(con: Any, run_id: str, outcomes: Sequence[ExpectationOutcome]) -> None:
    if not outcomes:
        return
    table = pa.table(
        {
            "run_id": pa.array([run_id] * len(outcomes), pa.string()),
            "suite": pa.array([o.suite for o in outcomes], pa.string()),
            "expectation": pa.array([o.expectation for o in outcomes], pa.string()),
            "column_name": pa.array([o.column for o in outcomes], pa.string()),
            "success": pa.array([o.success for o in outcomes], pa.bool_()),
            "critical": pa.array([o.critical for o in outcomes], pa.bool_()),
            "observed_value": pa.array([o.observed_value for o in outcomes], pa.string()),
            "unexpected_count": pa.array([o.unexpected_count for o in outcomes], pa.int64()),
        }
    )
    warehouse.insert_arrow(con, "ops.validation_results", table)


def _quarantine(con: Any, run_id: str, job: _Job, failing: list[tuple[ExpectationOutcome, list[int]]]) -> int:
    """Bring ``ops.quarantine`` in line with this validation of the job's frame; returns the (row, check)
    failures behind it now (a row failing two checks counts twice, as it has two quarantine rows).

    - a (row version, check) failing now and not yet in quarantine → a new row (stage ``validate``, the
      layer, the row's key, the check, the reason, the record as JSON);
    - one already in quarantine stays as it is (a row failing every night is kept once, not per run);
    - a quarantined (row version, check) whose row was validated now and passed → released
      (``released_at``, ``released_run_id``): a rule or parser fix brings the row back by itself.
    """
    module = job.quarantine
    frame = job.frame
    batch = job.batch
    layer = batch.layer if batch is not None else module.SUITE_NAME
    row_key = tuple(getattr(module, "ROW_KEY", ("posting_key",)))
    columns = {c: frame.column(c) for c in ("_rowid", *module.QUARANTINE_COLUMNS) if c in frame.column_names}
    columns.update({c: frame.column(c) for c in row_key if c in frame.column_names})
    parts = []
    for outcome, positions in failing:
        idx = pa.array(positions, pa.int64())
        part = {c: col.take(idx) for c, col in columns.items()}
        n = len(positions)
        part["check_name"] = pa.array([outcome.expectation] * n, pa.string())
        part["reason"] = pa.array([outcome.reason or outcome.expectation] * n, pa.string())
        parts.append(pa.table(part))
    empty = {c: pa.array([], col.type) for c, col in columns.items()}
    rows = (
        pa.concat_tables(parts)
        if parts
        else pa.table({**empty, "check_name": pa.array([], pa.string()), "reason": pa.array([], pa.string())})
    )
    keys = [c for c in ("posting_key", "content_hash", "taxonomy_version") if c in row_key]
    same_row = " and ".join(f"q.{c} = f.{c}" for c in keys)
    version = "f.taxonomy_version" if "taxonomy_version" in keys else "null"
    with warehouse.registered(con, _jt_quarantine=rows, _jt_validated=frame.select(keys)):
        keep = {"posting_key", "source", "landing_file"} & set(rows.column_names)
        source = "f.source" if "source" in keep else "split_part(f.posting_key, ':', 1)"
        landing = "f.landing_file" if "landing_file" in keep else "null"
        active = f"q.stage = '{STAGE}' and q.layer = ? and q.released_at is null"
        released = _release(con, run_id, layer, keys, active, same_row)
        if batch is not None:
            batch.released = released
        if rows.num_rows:
            _insert_quarantine(con, run_id, layer, module, source, landing, version, active, same_row)
    if batch is not None:
        _count_quarantined(con, batch, frame, failing)
    return rows.num_rows


def _release(con: Any, run_id: str, layer: str, keys: Sequence[str], active: str, same_row: str) -> int:
    """Release the quarantined (row, check) pairs whose row was validated now (``_jt_validated``) and
    did not fail that check (``_jt_quarantine``); returns how many."""
    if not _rows(con, f"select count(*) from ops.quarantine as q where {active}", [layer])[0][0]:
        return 0  # nothing in quarantine, the common case: no need to match the frame's keys
    rows = con.execute(
        f"""
        update ops.quarantine as q
        set released_at = current_timestamp, released_run_id = ?
        where {active}
          and ({", ".join("q." + c for c in keys)}) in (select {", ".join(keys)} from _jt_validated)
          and not exists (select 1 from _jt_quarantine as f where {same_row} and f.check_name = q.check_name)
        """,
        [run_id, layer],
    ).fetchall()
    return int(rows[0][0]) if rows else 0


def _insert_quarantine(
    con: Any,
    run_id: str,
    layer: str,
    module: ModuleType,
    source: str,
    landing: str,
    version: str,
    active: str,
    same_row: str,
) -> None:
    """The failures in ``_jt_quarantine`` not in quarantine yet → ``ops.quarantine``, with their records."""
    con.execute(
        f"""
            insert into ops.quarantine (run_id, stage, layer, source, landing_file, pointer, posting_key,
                                        content_hash, taxonomy_version, check_name, reason, record)
            select ?, '{STAGE}', ?, {source}, {landing}, null, f.posting_key, f.content_hash, {version},
                   f.check_name, f.reason, to_json(r)::varchar
            from _jt_quarantine as f
            left join ({module.RECORD_SQL}) as r on r._rowid = f._rowid
            where not exists (select 1 from ops.quarantine as q where {active} and {same_row}
                              and q.check_name = f.check_name)
            """,
        [run_id, layer, layer],
    )


def _count_quarantined(
    con: Any, batch: BatchInfo, frame: pa.Table, failing: list[tuple[ExpectationOutcome, list[int]]]
) -> None:
    """Distinct failing rows of the frame, those of the new batch, and the layer's rows in quarantine."""
    positions = pa.array(sorted({i for _, pos in failing for i in pos}), pa.int64())
    batch.quarantined = len(positions)
    if batch.since is None or not len(positions):
        batch.quarantined_new = len(positions)
    else:
        added = frame.column("_added_at").take(positions)
        batch.quarantined_new = int(
            pc.sum(pc.greater(added, pa.scalar(batch.since, added.type))).as_py() or 0
        )
    batch.excluded_rows = int(
        _rows(
            con,
            "select count(*) from (select distinct posting_key, content_hash, taxonomy_version "
            f"from ops.quarantine where stage = '{STAGE}' and layer = ? and released_at is null)",
            [batch.layer],
        )[0][0]
    )


def accept_batch(con: Any, run_id: str, batch: BatchInfo) -> None:
    """Record that ``batch`` was accepted: the next incremental validation of its layer starts after it."""
    con.execute(
        """
        insert into ops.validation_batches (layer, run_id, validated_through, suite_hash, full_validation,
            batch_rows, rechecked_rows, quarantined_rows, released_rows)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            batch.layer,
            run_id,
            batch.validated_through,
            batch.suite_hash,
            batch.full,
            batch.new_rows,
            batch.rechecked_rows,
            batch.quarantined_new,
            batch.released,
        ],
    )


def quarantine_keys(con: Any, run_id: str) -> frozenset[str]:
    """Posting keys quarantined by validation in ``run_id`` (to leave out of the marts).

    SQL equivalent: ``select posting_key from ops.quarantine where run_id = ? and stage = 'validate'``.
    """
    rows = _rows(
        con,
        "select distinct posting_key from ops.quarantine where run_id = ? and stage = ? and posting_key is not null",
        [run_id, STAGE],
    )
    return frozenset(r[0] for r in rows)
