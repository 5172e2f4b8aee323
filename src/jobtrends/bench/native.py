"""Baselines the bench compares the pipeline with: DuckDB's own ``read_json`` load (on a connection from
:func:`jobtrends.warehouse.connect`: only ``jobtrends.warehouse`` imports duckdb)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jobtrends.warehouse.read import _count


def native_read_json_seconds(con: Any, files: Sequence[Path]) -> tuple[float, int]:
    """Seconds DuckDB's own ``read_json`` takes to load JSON Lines ``files`` into a table of a
    database file, made durable (checkpointed) like the raw load's, and the row count: the
    baseline ``jobtrends.bench`` compares the raw load with."""
    import time

    started = time.perf_counter()
    con.execute(
        "create or replace table _jt_native as select * from "
        "read_json(?, format = 'newline_delimited', maximum_object_size = 67108864)",
        [[str(f) for f in files]],
    )
    con.execute("checkpoint")
    seconds = time.perf_counter() - started
    rows = _count(con, "_jt_native")
    con.execute("drop table _jt_native")
    return seconds, rows
