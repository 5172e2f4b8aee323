"""``jobtrends export``: every published mart as Parquet, ``<export_dir>/<run_date>/<mart>.parquet``
and the same files in ``<export_dir>/latest/``.

Each export is written into a new, never-modified version folder ``<export_dir>/versions/<run_date>-<id>/``;
``<run_date>`` and ``latest`` are symlinks to it, each replaced atomically (a new link renamed over the
old one). A reader opening ``latest/<mart>.parquet`` therefore always finds a complete set: the previous
export or the new one, never a missing or half-written folder, even if the process is killed at any
point. ``<export_dir>/LATEST`` holds the same version name for tools that do not follow symlinks. Where
symlinks are unavailable the folders are swapped by rename (a brief gap, as before). Versions no link
points to are removed, except the one ``latest`` pointed to before (a reader may still be listing it).
Leftovers of an export that was killed (temp folders and links) are swept at the start of the next.

On object storage (``settings.exports_url = s3://bucket/prefix``) there are no links or renames; the
same guarantee comes from pointer objects written after the files: each export uploads
``versions/<run_date>-<id>/<mart>.parquet`` (never modified afterwards), then ``<run_date>.json`` and
``latest.json`` (the version, its folder and every file with its row count and size), then ``LATEST``
(the version name). Each object is written in one PUT, so a reader that starts from ``latest.json``
always finds a complete set; a killed export leaves a version no pointer names, removed by the next one.
Versions no pointer names are removed, except the one ``latest.json`` named before.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from ingest.storage import Storage, exports_location, is_remote, open_storage
from jobtrends import warehouse

__all__ = ["export_marts", "latest_pointer", "mart_names", "sweep_stale", "write_exports"]

_RUN_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
VERSIONS = "versions"
LATEST = "latest"
POINTER = "LATEST"
LATEST_JSON = "latest.json"
#: Names of an export's temporary entries (this module's and the older rename-swap's).
_TEMP_RE = re.compile(r"^\.(staging-|link-|pointer-|.*\.old-)")


def mart_names(con: Any) -> list[str]:
    rows = con.execute(
        "select table_name from duckdb_tables() where schema_name = 'marts' order by table_name"
    ).fetchall()
    return [r[0] for r in rows if _NAME_RE.match(r[0])]


def export_marts(settings: Any, run_date: date | str | None = None) -> dict[str, object]:
    """Pipeline stage: open the warehouse read-only and :func:`write_exports` to ``settings.exports_url``
    (a local path or an object-store URL) or ``settings.export_dir``."""
    with warehouse.connect(settings.warehouse_path, read_only=True) as con:
        return write_exports(con, exports_location(settings), run_date)


def sweep_stale(export_dir: Path) -> int:
    """Remove what a killed export left: hidden temp folders/links and unfinished version folders."""
    export_dir = Path(export_dir)
    removed = 0
    candidates = list(export_dir.iterdir()) if export_dir.is_dir() else []
    versions = export_dir / VERSIONS
    if versions.is_dir():
        candidates += [p for p in versions.iterdir() if p.name.startswith(".")]
    for path in candidates:
        if _TEMP_RE.match(path.name):
            _remove(path)
            removed += 1
    return removed


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def _link(export_dir: Path, name: str, version: str) -> None:
    """Point ``export_dir/name`` at ``versions/<version>`` atomically (a new link renamed over the old)."""
    target = export_dir / name
    tmp = export_dir / f".link-{name}-{uuid.uuid4().hex[:8]}"
    os.symlink(Path(VERSIONS) / version, tmp, target_is_directory=True)
    if target.is_dir() and not target.is_symlink():
        # a folder from before versioned exports: a link cannot replace it in one step (once only)
        aside = export_dir / f".{name}.old-{uuid.uuid4().hex[:8]}"
        os.replace(target, aside)
        os.replace(tmp, target)
        shutil.rmtree(aside, ignore_errors=True)
        return
    os.replace(tmp, target)


def _write_pointer(export_dir: Path, version: str) -> None:
    tmp = export_dir / f".pointer-{uuid.uuid4().hex[:8]}"
    tmp.write_text(version + "\n")
    os.replace(tmp, export_dir / POINTER)


def _linked_version(link: Path) -> str | None:
    return Path(os.readlink(link)).name if link.is_symlink() else None


def _prune(export_dir: Path, keep: set[str]) -> None:
    """Remove version folders no link points to, except ``keep``."""
    linked = {_linked_version(p) for p in export_dir.iterdir() if p.is_symlink()}
    for folder in (export_dir / VERSIONS).iterdir():
        if not folder.name.startswith(".") and folder.name not in linked | keep:
            shutil.rmtree(folder, ignore_errors=True)


def _swap_in(staging: Path, target: Path) -> None:
    """Without symlinks: rename ``staging`` to ``target``, moving an existing ``target`` aside first."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(target, old)
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _run_date(run_date: date | str | None) -> str:
    if isinstance(run_date, date):
        run_date = run_date.isoformat()
    run_date = run_date or datetime.now(UTC).date().isoformat()
    if not _RUN_DATE_RE.match(run_date):
        raise ValueError(f"run date must be YYYY-MM-DD, got {run_date!r}")
    return run_date


def write_exports(con: Any, export_dir: Path | str, run_date: date | str | None = None) -> dict[str, object]:
    """Write every mart in ``marts`` as Parquet; returns ``{run_date, dir, latest, version, files: {mart: rows}}``.
    ``export_dir``: a local folder, or an object-store URL (:func:`write_object_store_exports`)."""
    run_date = _run_date(run_date)
    if is_remote(export_dir):
        return write_object_store_exports(con, open_storage(export_dir), run_date)
    export_dir = Path(export_dir)
    export_dir.mkdir(parents=True, exist_ok=True)
    swept = sweep_stale(export_dir)
    (export_dir / VERSIONS).mkdir(exist_ok=True)
    names = mart_names(con)
    version = f"{run_date}-{datetime.now(UTC).strftime('%H%M%S')}-{uuid.uuid4().hex[:8]}"
    staging = export_dir / VERSIONS / f".staging-{version}"
    staging.mkdir()
    files: dict[str, int] = {}
    try:
        for name in names:
            table = con.sql(f"select * from marts.{name}").to_arrow_table()
            pq.write_table(table, staging / f"{name}.parquet", compression="zstd")
            files[name] = table.num_rows
        for path in staging.iterdir():  # durable before any link names them
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        os.replace(staging, export_dir / VERSIONS / version)
        previous = _linked_version(export_dir / LATEST)
        try:
            _link(export_dir, run_date, version)
            _link(export_dir, LATEST, version)
        except (NotImplementedError, OSError) as exc:
            if not _symlinks_unsupported(exc):
                raise
            _copy_swap(export_dir, version, run_date)
        else:
            _write_pointer(export_dir, version)
            _prune(export_dir, keep={v for v in (version, previous) if v is not None})
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return {
        "run_date": run_date,
        "dir": str(export_dir / run_date),
        "latest": str(export_dir / LATEST),
        "version": version,
        "files": files,
        "swept": swept,
    }


def _symlinks_unsupported(exc: BaseException) -> bool:
    return isinstance(exc, NotImplementedError) or getattr(exc, "winerror", None) == 1314


def _copy_swap(export_dir: Path, version: str, run_date: str) -> None:
    """The fallback where symlinks are not allowed: folders swapped in by rename."""
    for name in (run_date, LATEST):
        tmp = export_dir / f".staging-{name}-{uuid.uuid4().hex[:8]}"
        shutil.copytree(export_dir / VERSIONS / version, tmp)
        _swap_in(tmp, export_dir / name)
    shutil.rmtree(export_dir / VERSIONS / version, ignore_errors=True)


# ----------------------------------------------------------------------------- object storage


def write_object_store_exports(
    con: Any, store: Storage, run_date: date | str | None = None
) -> dict[str, object]:
    """The export on object storage: version files first, then the pointer objects (module docstring)."""
    run_date = _run_date(run_date)
    names = mart_names(con)
    version = f"{run_date}-{datetime.now(UTC).strftime('%H%M%S')}-{uuid.uuid4().hex[:8]}"
    folder = f"{VERSIONS}/{version}"
    files: dict[str, int] = {}
    listed: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="jobtrends-export-") as tmp:
        for name in names:
            table = con.sql(f"select * from marts.{name}").to_arrow_table()
            local = Path(tmp) / f"{name}.parquet"
            pq.write_table(table, local, compression="zstd")
            key = f"{folder}/{name}.parquet"
            store.put_file(local, key)
            files[name] = table.num_rows
            listed[name] = {"key": key, "rows": table.num_rows, "bytes": local.stat().st_size}
            local.unlink()
    previous = _pointed_version(store, LATEST_JSON)
    pointer = {
        "version": version,
        "run_date": run_date,
        "folder": f"{folder}/",
        "files": listed,
        "written_at": datetime.now(UTC).isoformat(),
    }
    body = json.dumps(pointer, indent=1, sort_keys=True).encode()
    store.write_bytes(f"{run_date}.json", body)
    store.write_bytes(LATEST_JSON, body)
    store.write_bytes(POINTER, (version + "\n").encode())
    swept = _prune_object_store(store, keep={v for v in (version, previous) if v is not None})
    return {
        "run_date": run_date,
        "dir": store.url(f"{run_date}.json"),
        "latest": store.url(LATEST_JSON),
        "version": version,
        "files": files,
        "swept": swept,
    }


def latest_pointer(exports: Path | str) -> dict[str, Any]:
    """The ``latest.json`` pointer of an object-store export (version, folder, files with rows and sizes)."""
    data: dict[str, Any] = json.loads(open_storage(exports).read_bytes(LATEST_JSON))
    return data


def _pointed_version(store: Storage, key: str) -> str | None:
    try:
        return str(json.loads(store.read_bytes(key))["version"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


def _prune_object_store(store: Storage, keep: set[str]) -> int:
    """Remove the version folders no pointer object names, except ``keep``; how many."""
    named = set(keep)
    for body in store.read_many(store.glob("*.json")).values():
        try:
            named.add(str(json.loads(body)["version"]))
        except (ValueError, KeyError, TypeError):
            continue
    stale: dict[str, list[str]] = {}
    for key in store.list_keys(VERSIONS):
        version = key.split("/")[1]
        if version not in named:
            stale.setdefault(version, []).append(key)
    for keys in stale.values():
        store.delete(keys)
    return len(stale)
