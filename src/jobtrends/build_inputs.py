"""What a marts build reads, summarised as one digest: a build over the inputs of the last published build
is skipped.

The staging → intermediate → marts build is a pure function of its inputs: the rows of ``raw.postings``,
``raw.sightings``, ``raw.listings``, ``normalised.postings``, the skill dictionary, the dedup step's keys
and near-duplicates, the active exclusions (``ops.quarantine``), the build settings (minimum base,
repost window, taxonomy version; not the run id, which no mart holds), the model SQL and mart docs
(``sql/staging``, ``sql/intermediate``, ``sql/marts``) and the mart checks it must pass
(``expectations/marts.py``). :func:`digest` summarises them (``sql/build/input_digests.sql``: narrow
columns, an order-independent hash per table; about a second at 1M postings); after publishing,
:func:`record` stores it in ``ops.build_inputs`` in the publishing transaction. The next build computes
the digest again and, when it equals the last published one and those marts are all still there,
publishes nothing new: the marts already are what it would build (``status = "unchanged"``).

A rejected build records nothing, so the next one builds again. ``full=True`` (``jobtrends run --full``)
never skips.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["InputDigest", "digest", "record", "unchanged_since_last_publish"]

#: Model and documentation folders of ``sql/`` whose files the build runs or writes into the warehouse.
_MODEL_DIRS = ("staging", "intermediate", "marts")


@dataclass(frozen=True, slots=True)
class InputDigest:
    """One digest of everything a build reads, and the per-table parts it was made of."""

    value: str
    tables: dict[str, list[Any]]


def _file_digest(h: Any, root: Path, paths: Sequence[Path]) -> None:
    for path in sorted(paths):
        h.update(str(path.relative_to(root)).encode() + b"\0")
        h.update(path.read_bytes() + b"\0")


def digest(con: Any, settings: Any, variables: dict[str, object]) -> InputDigest:
    """The digest of the build's inputs on ``con`` (see the module docstring)."""
    sql_dir = Path(settings.sql_dir)
    rows = con.execute((sql_dir / "build" / "input_digests.sql").read_text()).fetchall()
    tables = {str(name): [int(count), str(value)] for name, count, value in rows}
    h = hashlib.sha256()
    h.update(json.dumps(tables, sort_keys=True).encode())
    h.update(json.dumps({k: v for k, v in variables.items() if k != "jt_run_id"}, sort_keys=True).encode())
    _file_digest(h, sql_dir, [p for d in _MODEL_DIRS for p in (sql_dir / d).glob("*.*") if p.is_file()])
    expectations = getattr(settings, "expectations_dir", None)
    if expectations is not None:
        root = Path(expectations)
        _file_digest(h, root, [p for p in (root / "__init__.py", root / "marts.py") if p.exists()])
    return InputDigest(value=h.hexdigest(), tables=tables)


def unchanged_since_last_publish(con: Any, current: InputDigest) -> dict[str, Any] | None:
    """The last published build (``run_id``, ``marts``) when its inputs had ``current``'s digest and its
    marts are all still published; None otherwise (build)."""
    rows = con.execute(
        "select run_id, digest, marts from ops.build_inputs order by published_at desc limit 1"
    ).fetchall()
    if not rows or rows[0][1] != current.value:
        return None
    run_id, _, names = rows[0]
    present = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() "
            "and schema_name = 'marts'"
        ).fetchall()
    }
    if not names or not set(names) <= present:
        return None
    return {"run_id": run_id, "marts": list(names)}


def record(con: Any, run_id: str, current: InputDigest, marts: Sequence[str]) -> None:
    """Store the digest of a published build (call inside the publishing transaction)."""
    con.execute(
        "insert into ops.build_inputs (run_id, digest, marts, inputs) values (?, ?, ?, ?)",
        [run_id, current.value, list(marts), json.dumps(current.tables)],
    )
