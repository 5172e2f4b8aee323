"""Exports: ``latest`` always exists and is always complete, whatever point an export is killed at."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from jobtrends import export, warehouse


@pytest.fixture
def con(tmp_path: Path):
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        con.execute("create schema marts")
        con.execute("create table marts.alpha as select range as n from range(3)")
        con.execute("create table marts.beta as select 'x' as s")
        yield con


def _complete(latest: Path) -> dict[str, int]:
    return {p.name: pq.read_table(p).num_rows for p in sorted(latest.iterdir())}


def test_latest_survives_a_crash_while_it_is_swapped(con, tmp_path: Path, monkeypatch) -> None:
    exports = tmp_path / "exports"
    export.write_exports(con, exports, "2025-01-01")
    before = _complete(exports / "latest")
    assert before == {"alpha.parquet": 3, "beta.parquet": 1}
    con.execute("insert into marts.alpha values (3)")

    real_replace = os.replace

    def crash_on_latest(src, dst, *args, **kwargs):
        if Path(dst).name == "latest":
            raise KeyboardInterrupt("killed while swapping latest")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(export.os, "replace", crash_on_latest)
    with pytest.raises(KeyboardInterrupt):
        export.write_exports(con, exports, "2025-01-02")
    monkeypatch.setattr(export.os, "replace", real_replace)
    assert _complete(exports / "latest") == before  # the previous export, complete

    after = export.write_exports(con, exports, "2025-01-02")  # the rerun finishes the job
    assert _complete(exports / "latest") == {"alpha.parquet": 4, "beta.parquet": 1}
    assert (exports / "LATEST").read_text().strip() == after["version"]
    assert not [p for p in exports.iterdir() if p.name.startswith(".")]


def test_a_crash_while_writing_files_leaves_latest_alone_and_the_next_export_sweeps(
    con, tmp_path: Path, monkeypatch
) -> None:
    exports = tmp_path / "exports"
    export.write_exports(con, exports, "2025-01-01")
    written = []
    real_write = pq.write_table

    def crash_after_one(table, where, **kwargs):
        if written:
            raise KeyboardInterrupt("killed mid-export")
        written.append(where)
        return real_write(table, where, **kwargs)

    monkeypatch.setattr(export.pq, "write_table", crash_after_one)
    monkeypatch.setattr(export.shutil, "rmtree", lambda *a, **k: None)  # kill -9: no cleanup runs
    with pytest.raises(KeyboardInterrupt):
        export.write_exports(con, exports, "2025-01-02")
    monkeypatch.undo()
    assert _complete(exports / "latest") == {"alpha.parquet": 3, "beta.parquet": 1}
    assert not (exports / "2025-01-02").exists()
    leftovers = [p for p in (exports / "versions").iterdir() if p.name.startswith(".")]
    assert leftovers  # the killed export's half-written folder
    summary = export.write_exports(con, exports, "2025-01-02")
    assert summary["swept"] == len(leftovers)
    assert not [p for p in (exports / "versions").iterdir() if p.name.startswith(".")]


def test_an_old_latest_folder_becomes_a_link(con, tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    (exports / "latest").mkdir(parents=True)
    (exports / "latest" / "alpha.parquet").write_bytes(b"old")
    export.write_exports(con, exports, "2025-01-01")
    assert (exports / "latest").is_symlink()
    assert _complete(exports / "latest") == {"alpha.parquet": 3, "beta.parquet": 1}
