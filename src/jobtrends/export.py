"""``jobtrends export``: every published mart as Parquet, ``<export_dir>/<run_date>/<mart>.parquet``
and the same files in ``<export_dir>/latest/``.

Files are written into a hidden staging folder beside the target and the folder is renamed into place,
so a reader sees a complete set of files or none (never a half-written file).
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from jobtrends import warehouse

__all__ = ["export_marts", "mart_names", "write_exports"]

_RUN_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*$")


def mart_names(con: Any) -> list[str]:
    rows = con.execute(
        "select table_name from duckdb_tables() where schema_name = 'marts' order by table_name"
    ).fetchall()
    return [r[0] for r in rows if _NAME_RE.match(r[0])]


def _swap_in(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``; an existing ``target`` is moved aside first, then removed."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(target, old)
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def export_marts(settings: Any, run_date: date | str | None = None) -> dict[str, object]:
    """Pipeline stage: open the warehouse read-only and :func:`write_exports` to ``settings.export_dir``."""
    with warehouse.connect(settings.warehouse_path, read_only=True) as con:
        return write_exports(con, settings.export_dir, run_date)


def write_exports(con: Any, export_dir: Path, run_date: date | str | None = None) -> dict[str, object]:
    """Write every mart in ``marts`` as Parquet; returns ``{run_date, dir, latest, files: {mart: rows}}``."""
    if isinstance(run_date, date):
        run_date = run_date.isoformat()
    run_date = run_date or datetime.now(UTC).date().isoformat()
    if not _RUN_DATE_RE.match(run_date):
        raise ValueError(f"run date must be YYYY-MM-DD, got {run_date!r}")
    export_dir = Path(export_dir)
    export_dir.mkdir(parents=True, exist_ok=True)
    names = mart_names(con)
    token = uuid.uuid4().hex[:8]
    staging = export_dir / f".staging-{run_date}-{token}"
    staging_latest = export_dir / f".staging-latest-{token}"
    staging.mkdir()
    files: dict[str, int] = {}
    try:
        for name in names:
            table = con.sql(f"select * from marts.{name}").to_arrow_table()
            pq.write_table(table, staging / f"{name}.parquet", compression="zstd")
            files[name] = table.num_rows
        staging_latest.mkdir()
        for name in names:
            src = staging / f"{name}.parquet"
            try:
                os.link(src, staging_latest / src.name)
            except OSError:
                shutil.copy2(src, staging_latest / src.name)
        _swap_in(staging, export_dir / run_date)
        _swap_in(staging_latest, export_dir / "latest")
    finally:
        for leftover in (staging, staging_latest):
            if leftover.exists():
                shutil.rmtree(leftover, ignore_errors=True)
    return {
        "run_date": run_date,
        "dir": str(export_dir / run_date),
        "latest": str(export_dir / "latest"),
        "files": files,
    }
