"""State that survives moves: the load ledger, landing-relative paths, one content hash for every load path."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from ingest.landing import sweep_temp_files, write_landing
from jobtrends import loader, pipeline, warehouse
from jobtrends.settings import Settings, load_settings

SQL_DIR = Path(__file__).resolve().parents[3] / "sql"
FETCHED = datetime(2025, 6, 2, 6, 0, tzinfo=UTC)

ROWS = [
    {
        "source": "survey",
        "source_id": "a-1",
        "title": "Machine Learning Engineer",
        "company": "Acme AI",
        "location_text": "Berlin, Germany",
        "description": "Train ranking models in PyTorch. Ship them — to millions of users.",
        "posted_at": "2025-05-20T10:00:00Z",
        "pay_min": 90000.5,
        "pay_max": 120000,
        "pay_currency": "EUR",
        "remote": True,
    },
    {
        "source": "survey",
        "source_id": "b-2",
        "title": "Data Analyst",
        "company": "Beta GmbH",
        "posted_at": "2025-05-21",
        "remote": False,
    },
]


def _rows(settings: Settings, sql: str) -> list[tuple]:
    return warehouse.query(settings.warehouse_path, sql)[1]


def _land_dump(settings: Settings, fmt: str, day: int) -> None:
    if fmt == "jsonl":
        payload = "\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS).encode()
    else:
        payload = json.dumps(ROWS, ensure_ascii=False, indent=1).encode()
    write_landing(
        settings.landing_dir,
        "file",
        payload,
        run_date=date(2025, 6, day),
        fetched_at=FETCHED,
        ext=fmt,
        board="survey",
        options={"format": fmt, "mapping": "identity", "source_name": "survey"},
    )


def test_one_dump_loaded_natively_and_by_the_parser_is_one_version(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "data")
    _land_dump(settings, "jsonl", 1)  # DuckDB's reader
    first = pipeline.load(settings)
    _land_dump(settings, "json", 2)  # the Python file parser: the same records
    second = pipeline.load(settings)
    assert (first["new_postings"], second["postings"], second["new_postings"]) == (2, 2, 0)
    assert _rows(settings, "select count(*), count(distinct content_hash) from raw.postings") == [(2, 2)]
    hashes = _rows(settings, "select distinct content_hash from raw.sightings order by 1")
    assert len(hashes) == 2 and all(len(h) == 32 for (h,) in hashes)


def test_the_stored_hash_is_the_definition_recomputed_over_the_stored_row(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "data")
    _land_dump(settings, "json", 1)
    _land_dump(settings, "jsonl", 2)
    pipeline.load(settings)
    rows = _rows(settings, f"select content_hash = {warehouse.content_hash_sql()} from raw.postings")
    assert rows == [(True,), (True,)]


def test_the_hash_tells_apart_values_that_render_alike(tmp_path: Path) -> None:
    """NULL vs empty text, a field boundary moved, a double's last digit: all different versions."""
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        con.execute(
            "create table t as select * from (values "
            "('a', 'bc', null::double), ('ab', 'c', null), ('a', '', null), ('a', null, null), "
            "('a', null, 0.1), ('a', null, 0.10000000000000002)) as v(source, source_id, pay_min)"
        )
        cols = ", ".join(
            f"null::{t} as {c}"
            for c, t in warehouse.RAW_POSTING_TYPES.items()
            if c not in ("source", "source_id", "pay_min")
        )
        hashes = con.execute(
            f"select {warehouse.content_hash_sql()} from (select source, source_id, pay_min, {cols} from t)"
        ).fetchall()
    assert len({h for (h,) in hashes}) == 6


def test_moving_the_data_folder_reloads_nothing(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "data")
    board = json.dumps(
        {
            "jobs": [
                {
                    "id": 1,
                    "title": "ML Engineer",
                    "absolute_url": "https://x.test/1",
                    "location": {"name": "Remote"},
                }
            ]
        }
    ).encode()
    write_landing(
        settings.landing_dir, "greenhouse", board, run_date=date(2025, 6, 1), fetched_at=FETCHED,
        board="acme", complete_listing=True,
    )  # fmt: skip
    _land_dump(settings, "jsonl", 1)
    runs = settings.landing_dir / "_runs" / "dt=2025-06-01"
    runs.mkdir(parents=True)
    (runs / "acme-1.json").write_text(
        json.dumps({"run_id": "r1", "source_name": "acme", "kind": "greenhouse", "status": "ok",
                    "started_at": FETCHED.isoformat()})
    )  # fmt: skip
    pipeline.load(settings)
    counts = "select (select count(*) from raw.postings), (select count(*) from raw.sightings), " \
        "(select count(*) from raw.listings), (select count(*) from ops.source_runs)"  # fmt: skip
    before = _rows(settings, counts)
    assert before == [(3, 3, 2, 1)]

    moved = load_settings(tmp_path / "elsewhere" / "renamed")
    shutil.move(settings.data_dir, moved.data_dir)
    again = pipeline.load(moved)
    assert (again["files"], again["source_runs"]) == (0, 0)
    assert _rows(moved, counts) == before
    # stored paths name files relative to the landing zone, so they still resolve after the move
    ((path,),) = _rows(moved, "select landing_file from raw.postings where source = 'greenhouse'")
    assert (moved.landing_dir / path).is_file()


def test_an_old_ledger_of_absolute_paths_is_migrated_and_honoured(tmp_path: Path) -> None:
    """A warehouse from before landing_path: its ledger rows hold absolute paths of another folder."""
    settings = load_settings(tmp_path / "data")
    _land_dump(settings, "json", 1)
    pipeline.load(settings)
    ((sha,),) = _rows(settings, "select sha256 from ops.landing_files")
    with warehouse.connect(settings.warehouse_path) as con:
        con.execute("alter table ops.landing_files drop column landing_path")
        con.execute("update raw.postings set landing_file = '/old/place/landing/' || landing_file")
        con.execute("delete from ops.landing_files")  # primary key: re-insert in the old form
        con.execute(
            "insert into ops.landing_files (landing_file, sha256, source, run_date, postings, errors, status) "
            "select distinct landing_file, ?, 'file', run_date, 2, 0, 'loaded' from raw.postings",
            [sha],
        )
    assert pipeline.load(settings)["files"] == 0
    ((path,),) = _rows(settings, "select landing_path from ops.landing_files")
    assert path.startswith("file/dt=2025-06-01/")


def test_old_content_hashes_are_recomputed_once_and_double_versions_merge(tmp_path: Path) -> None:
    """A warehouse loaded with the two old hashes (sha256 of a JSON text, DuckDB hash()): after the
    migration every table holds the one definition and a version stored twice is stored once."""
    settings = load_settings(tmp_path / "data")
    _land_dump(settings, "json", 1)
    pipeline.load(settings)
    with warehouse.connect(settings.warehouse_path) as con:
        # fake the old state: two hashes for the same content, in raw, sightings and normalised
        con.execute("insert into raw.postings select * replace ('12345' as content_hash) from raw.postings")
        con.execute(
            "update raw.postings set content_hash = 'py-' || posting_key where content_hash <> '12345'"
        )
        con.execute("update raw.sightings set content_hash = '12345'")
        con.execute(
            "insert into normalised.postings (posting_key, content_hash, taxonomy_version, role, seniority, "
            "is_ai_role) select posting_key, content_hash, 'v', 'other', 'mid', false from raw.postings"
        )
        con.execute(
            "insert into ops.quarantine (stage, layer, posting_key, content_hash, reason) "
            "select 'validate', 'raw', posting_key, '12345', 'test' from raw.postings limit 1"
        )
        con.execute("delete from ops.migrations")
        warehouse.ensure_schema(con, SQL_DIR)
        assert con.execute("select count(*), count(distinct content_hash) from raw.postings").fetchall() == [
            (2, 2)
        ]
        # a quarantined version keeps naming a stored version, so it still excludes that row
        orphans = con.execute(
            "select count(*) from ops.quarantine as q anti join raw.postings as p using (posting_key, content_hash)"
        ).fetchall()
        assert orphans == [(0,)]
        assert con.execute("select count(*) from normalised.postings").fetchall() == [(2,)]
        bad = con.execute(
            "select count(*) from raw.sightings as s anti join raw.postings as p using (source, source_id, content_hash)"
        ).fetchall()
        assert bad == [(0,)]
        warehouse.ensure_schema(con, SQL_DIR)  # once: the marker stops a second pass
        assert con.execute("select count(*) from ops.migrations").fetchall() == [(1,)]


def test_stale_landing_temp_files_are_swept_live_ones_kept(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "data")
    _land_dump(settings, "json", 1)
    folder = next(settings.landing_dir.glob("file/dt=*"))
    dead = folder / ".abc.json.somehost-1.tmp"  # another host: only age makes it stale
    dead.write_bytes(b"half a payl")
    old = os.path.getmtime(dead) - 7200
    os.utime(dead, (old, old))
    live = folder / f".def.json.{warehouse_host()}-{os.getpid()}.tmp"
    live.write_bytes(b"being written")
    killed = folder / f".ghi.json.{warehouse_host()}-{_dead_pid()}.tmp"
    killed.write_bytes(b"writer killed")
    out = loader.load(settings)
    assert out["temp_files_swept"] == 2
    assert live.exists() and not dead.exists() and not killed.exists()
    assert sweep_temp_files(settings.landing_dir) == 0


def warehouse_host() -> str:
    from ingest import landing

    return landing._HOST


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_content_hash_survives_duckdb_hash_changes(tmp_path: Path) -> None:
    """The definition uses no DuckDB-internal hash (those change between DuckDB versions)."""
    assert "hash(" not in warehouse.content_hash_sql().replace("sha256(", "")
    with duckdb.connect() as con:
        ((digest,),) = con.execute(
            f"select {warehouse.content_hash_sql()} from (select "
            + ", ".join(f"null::{t} as {c}" for c, t in warehouse.RAW_POSTING_TYPES.items())
            + ")"
        ).fetchall()
    import hashlib

    fields = [c for c in warehouse.RAW_POSTING_TYPES if c not in ("raw_ref", "fetched_at")]
    expected = hashlib.sha256(("jt1|" + "-" * len(fields)).encode()).hexdigest()[:32]
    assert digest == expected


def test_a_load_reads_no_metadata_of_the_files_its_ledger_holds(tmp_path: Path) -> None:
    """The landing zone grows by a file per source and night: a load reads only the new files' sidecars."""
    settings = load_settings(tmp_path / "data")
    board = {"jobs": [{"id": 1, "title": "ML Engineer", "absolute_url": "https://x.test/1"}]}
    write_landing(
        settings.landing_dir, "greenhouse", json.dumps(board).encode(), run_date=date(2025, 6, 1),
        fetched_at=FETCHED, board="acme", complete_listing=True,
    )  # fmt: skip
    _land_dump(settings, "jsonl", 1)
    assert pipeline.load(settings)["files"] == 2
    for meta in settings.landing_dir.glob("*/dt=*/*.meta.json"):
        meta.write_text("{not json")  # unreadable: a load that opened one would fail
    _land_dump(settings, "json", 2)
    again = pipeline.load(settings)
    assert again["files"] == 1 and again["postings"] == len(ROWS)
    assert _rows(settings, "select count(*) from ops.landing_files") == [(3,)]
