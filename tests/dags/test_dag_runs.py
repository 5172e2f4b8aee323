"""Whole DAG runs with ``dag.test()`` on the offline synthetic sample (no scheduler, no network).

Each scenario runs in a child interpreter with its own ``AIRFLOW_HOME`` (SQLite), data dir and
environment (this file doubles as that child: ``python test_dag_runs.py PLAN.json OUT.json``), so
Airflow's configuration never leaks into the test process. The child runs the DAGs in order —
nightly ingest, then the build the Asset would trigger — and reports run and task states, timings
and a fingerprint of every warehouse table; the tests read the warehouse through
``jobtrends.warehouse``.

Scenarios:
- the sample: nightly → build, then the same logical date again (the warehouse must not change);
- a source that fails (a Greenhouse board the sample does not serve → HTTP 404): its mapped task
  fails after its retries, the other sources load, the build still runs;
- the backfill: daily file dumps imported twice for the same dates (idempotent).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DAGS_DIR = REPO / "dags"
NIGHTLY, BUILD, BACKFILL = "jobtrends_nightly_ingest", "jobtrends_build_trends", "jobtrends_backfill"
SAMPLE_DATE = "2026-01-01"
"""A snapshot date of the synthetic sample (its monthly snapshots end on 2026-01-01)."""
SAMPLE_SCALE = os.environ.get("JOBTRENDS_TEST_SAMPLE_SCALE", "0.05")
BROKEN_SOURCE = "greenhouse:jt-no-such-board"
# Tables whose contents must not change when the same logical date runs again. ops.* is excluded:
# it is the log of attempts (source runs, validation results, runs), which grows by design.
STABLE_SCHEMAS = ("raw", "normalised", "marts")
# Build provenance (marts.settings: which run built the marts, and when) differs on every build by
# design; everything else must be identical.
PROVENANCE_COLUMNS = ("run_id", "built_at")
CHILD_TIMEOUT_S = 900

pytestmark = [pytest.mark.xdist_group("airflow"), pytest.mark.e2e]


# ----------------------------------------------------------------------------- parent side


def _child_env(tmp: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_", "AIRFLOW__", "JOBTRENDS_"))}
    home = tmp / "airflow_home"
    home.mkdir(parents=True, exist_ok=True)
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS_DIR),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home}/airflow.db",
        AIRFLOW__CORE__UNIT_TEST_MODE="False",
        JOBTRENDS_DATA_DIR=str(tmp / "data"),
        JOBTRENDS_SAMPLE="1",
        JOBTRENDS_SAMPLE_SCALE=SAMPLE_SCALE,
        PYTHONWARNINGS="ignore",
    )
    env.update(extra or {})
    return env


def run_plan(tmp: Path, steps: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
    """Run ``steps`` (``{"dag_id", "logical_date", "conf"}``) in a child; return its report.

    Options: ``fingerprints`` (fingerprint every table after each step), ``broken_source`` (add a
    source that fails), ``fast_retries`` (default on: retries kept, waits cut to 1 s, so a failure
    shows in seconds rather than minutes), ``one_source_per_kind`` (default on: the sample's first
    source of each connector kind instead of all 36 — same wiring, a fraction of the time; the
    real-scheduler test runs them all).
    """
    options = {"fast_retries": True, "one_source_per_kind": True, **options}
    tmp.mkdir(parents=True, exist_ok=True)
    plan_file, out_file, log_file = tmp / "plan.json", tmp / "report.json", tmp / "child.log"
    plan_file.write_text(json.dumps({"steps": steps, **options}))
    started = time.perf_counter()
    with open(log_file, "w") as log:
        proc = subprocess.run(
            [sys.executable, __file__, str(plan_file), str(out_file)],
            env=_child_env(tmp, options.get("env")),
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=CHILD_TIMEOUT_S,
            cwd=tmp,
        )
    if proc.returncode != 0 or not out_file.exists():
        tail = "\n".join(log_file.read_text(errors="replace").splitlines()[-80:])
        pytest.fail(f"dag.test child failed (rc={proc.returncode}); log {log_file}:\n{tail}")
    report = json.loads(out_file.read_text())
    report["wall_s"] = round(time.perf_counter() - started, 1)
    report["log_file"] = str(log_file)
    report["data_dir"] = str(tmp / "data")
    print(
        f"\n[dag.test timings] {[(s['dag_id'], s['seconds']) for s in report['steps']]} wall={report['wall_s']}s"
    )
    return report


def _explain(report: dict[str, Any], step: dict[str, Any]) -> str:
    tail = "\n".join(Path(report["log_file"]).read_text(errors="replace").splitlines()[-60:])
    return f"{step['dag_id']} ended {step['state']}; tasks: {step['tasks']}\nlog tail:\n{tail}"


def assert_success(report: dict[str, Any], index: int) -> dict[str, Any]:
    step = report["steps"][index]
    assert step["state"] == "success", _explain(report, step)
    return step


def warehouse_rows(report: dict[str, Any], sql: str) -> list[tuple]:
    from jobtrends import warehouse
    from jobtrends.settings import load_settings

    settings = load_settings(data_dir=report["data_dir"])
    return warehouse.query(settings.warehouse_path, sql)[1]


def stable_fingerprints(fingerprints: dict[str, Any]) -> dict[str, Any]:
    return {t: fp for t, fp in fingerprints.items() if t.split(".")[0] in STABLE_SCHEMAS}


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("dagtest-sample")
    steps = [
        {"dag_id": NIGHTLY, "logical_date": SAMPLE_DATE},
        {"dag_id": BUILD, "logical_date": SAMPLE_DATE},
        {"dag_id": NIGHTLY, "logical_date": SAMPLE_DATE},
        {"dag_id": BUILD, "logical_date": SAMPLE_DATE},
    ]
    return run_plan(tmp, steps, fingerprints=True)


def test_nightly_ingest_on_the_sample(sample_report: dict[str, Any]) -> None:
    step = assert_success(sample_report, 0)
    fetches = {k: v for k, v in step["tasks"].items() if k.startswith("ingest_source[")}
    assert len(fetches) > 1, step["tasks"]
    assert set(fetches.values()) == {"success"}, fetches
    assert step["tasks"]["load"] == "success"
    assert step["asset_events"] == ["jobtrends://warehouse/raw"]
    (postings,) = warehouse_rows(sample_report, "select count(*) from raw.postings")[0]
    assert postings > 0
    ok_sources = warehouse_rows(
        sample_report, "select count(distinct source_name) from ops.source_runs where status <> 'failed'"
    )[0][0]
    assert ok_sources == len(fetches)


def test_build_trends_publishes_marts_and_exports(sample_report: dict[str, Any]) -> None:
    step = assert_success(sample_report, 1)
    assert set(step["tasks"].values()) == {"success"}, step["tasks"]
    marts = warehouse_rows(
        sample_report, "select table_name from information_schema.tables where table_schema = 'marts'"
    )
    assert marts, "no marts published"
    (normalised,) = warehouse_rows(sample_report, "select count(*) from normalised.postings")[0]
    assert normalised > 0
    exports = Path(sample_report["data_dir"]) / "exports"
    dated = sorted(p.name for p in (exports / SAMPLE_DATE).glob("*.parquet"))
    latest = sorted(p.name for p in (exports / "latest").glob("*.parquet"))
    assert dated and dated == latest, list(exports.glob("*"))


def test_same_logical_date_twice_gives_the_same_warehouse(sample_report: dict[str, Any]) -> None:
    assert_success(sample_report, 2)
    assert_success(sample_report, 3)
    first = stable_fingerprints(sample_report["steps"][1]["fingerprints"])
    second = stable_fingerprints(sample_report["steps"][3]["fingerprints"])
    assert any(t.startswith("raw.") for t in first) and any(t.startswith("marts.") for t in first)
    changed = {
        t: (first.get(t), second.get(t)) for t in set(first) | set(second) if first.get(t) != second.get(t)
    }
    assert not changed, f"tables changed on the re-run of {SAMPLE_DATE}: {changed}"


def test_a_failing_source_does_not_stop_the_others(tmp_path: Path) -> None:
    steps = [{"dag_id": NIGHTLY, "logical_date": SAMPLE_DATE}, {"dag_id": BUILD, "logical_date": SAMPLE_DATE}]
    report = run_plan(tmp_path, steps, broken_source=BROKEN_SOURCE)
    nightly = report["steps"][0]
    tasks = nightly["tasks"]
    broken = [k for k, v in nightly["map_labels"].items() if v == BROKEN_SOURCE]
    assert len(broken) == 1, nightly["map_labels"]
    assert tasks[broken[0]] == "failed", tasks
    assert nightly["tries"][broken[0]] == 3, "the failing source is retried twice before it fails"
    others = {k: v for k, v in tasks.items() if k.startswith("ingest_source[") and k != broken[0]}
    assert others and set(others.values()) == {"success"}, tasks
    assert tasks["load"] == "success", "the loader runs whatever happened to the fetches (all_done)"
    # The run follows its leaf (load): success, so the Asset is updated and the build goes on.
    assert nightly["state"] == "success", _explain(report, nightly)
    assert_success(report, 1)
    runs = dict(
        warehouse_rows(
            report,
            "select source_name, string_agg(distinct status, ',') from ops.source_runs group by source_name",
        )
    )
    assert runs.pop(BROKEN_SOURCE) == "failed"
    assert runs and all("failed" not in status for status in runs.values()), runs
    (postings,) = warehouse_rows(report, "select count(*) from raw.postings")[0]
    assert postings > 0


def test_a_broken_sources_file_fails_the_run(tmp_path: Path) -> None:
    env = {"JOBTRENDS_SAMPLE": "0", "JOBTRENDS_SOURCES_FILE": str(tmp_path / "missing-sources.yaml")}
    report = run_plan(tmp_path / "run", [{"dag_id": NIGHTLY, "logical_date": SAMPLE_DATE}], env=env)
    step = report["steps"][0]
    assert step["state"] == "failed", _explain(report, step)
    assert step["tasks"]["list_sources"] == "failed"
    assert step["tries"]["list_sources"] == 1, "a configuration error is not retried"
    assert step["tasks"]["load"] == "failed", "nothing was fetched: the loader must not report success"
    assert step["asset_events"] == [], "no Asset update, so no build"


def _write_dump(path: Path, day: str, n: int) -> None:
    rows = [
        {
            "source": "histdump",
            "source_id": f"{day}-{i}",
            "title": ["Machine Learning Engineer", "Data Scientist", "Senior Backend Engineer"][i % 3],
            "company": f"Company {i % 4}",
            "location_text": "London, United Kingdom",
            "posted_at": f"{day}T09:00:00Z",
            "description": "Python, PyTorch and SQL. Build models and pipelines.",
            "url": f"https://example.org/jobs/{day}-{i}",
        }
        for i in range(n)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_backfill_is_idempotent_per_data_interval(tmp_path: Path) -> None:
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    for day in ("2025-03-01", "2025-03-03"):  # 2025-03-02 has no file: skipped, not failed
        _write_dump(dumps / f"postings-{day}.jsonl", day, 12)
    conf = {"start": "2025-03-01", "end": "2025-03-03", "path": str(dumps / "postings-{date}.jsonl")}
    steps = [
        {"dag_id": BACKFILL, "logical_date": "2025-03-03", "conf": conf},
        {"dag_id": BACKFILL, "logical_date": "2025-03-03", "conf": conf},
    ]
    report = run_plan(tmp_path / "run", steps, fingerprints=True)
    for i in (0, 1):
        step = assert_success(report, i)
        states = sorted(v for k, v in step["tasks"].items() if k.startswith("import_day["))
        assert states == ["skipped", "success", "success"], step["tasks"]
        assert step["tasks"]["load"] == "success"
    first = stable_fingerprints(report["steps"][0]["fingerprints"])
    second = stable_fingerprints(report["steps"][1]["fingerprints"])
    assert first["raw.postings"][0] == 24, first["raw.postings"]
    assert first == second, "re-running the same dates changed the warehouse"
    (files,) = warehouse_rows(report, "select count(*) from ops.landing_files")[0]
    assert files == 2


# ----------------------------------------------------------------------------- child side


def _fingerprints(settings: Any) -> dict[str, list[Any]]:
    from jobtrends import warehouse

    if not Path(settings.warehouse_path).exists():
        return {}
    out: dict[str, list[Any]] = {}
    with warehouse.connect(settings.warehouse_path, read_only=True) as con:
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by 1"
        ).fetchall()
        for (table,) in tables:
            schema, name = table.split(".", 1)
            columns = {
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                    [schema, name],
                ).fetchall()
            }
            dropped = [c for c in PROVENANCE_COLUMNS if c in columns] if schema == "marts" else []
            source = f"(select * exclude ({', '.join(dropped)}) from {table})" if dropped else table
            out[table] = list(warehouse.table_fingerprint(con, source))
    return out


def _patch_sources(one_per_kind: bool, broken: str | None) -> None:
    """Narrow the sample to one source per connector kind and/or add a source that fails: a
    Greenhouse board the sample's transport does not serve (HTTP 404, as a dead board gives)."""
    from ingest.base import SourceSpec
    from jobtrends import pipeline

    original = pipeline.source_specs

    def source_specs(settings: Any, as_of: Any = None) -> list[Any]:
        specs = list(original(settings, as_of=as_of))
        if one_per_kind:
            firsts: dict[str, Any] = {}
            for spec in specs:
                firsts.setdefault(spec.kind, spec)
            specs = list(firsts.values())
        if broken:
            board = broken.split(":", 1)[1]
            specs.append(SourceSpec(kind="greenhouse", name=broken, board=board, company="Nobody"))
        return specs

    pipeline.source_specs = source_specs


def _child(plan_file: str, out_file: str) -> None:
    from datetime import datetime, timedelta

    from airflow.dag_processing.dagbag import BundleDagBag
    from airflow.models.pool import Pool
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils import db
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from jobtrends.settings import load_settings

    plan = json.loads(Path(plan_file).read_text())
    db.initdb()
    Pool.create_or_update_pool("duckdb_writer", 1, "DuckDB: one writer", include_deferred=False)
    bag = BundleDagBag(dag_folder=DAGS_DIR, bundle_path=DAGS_DIR, bundle_name="dags-folder")
    assert not bag.import_errors, bag.import_errors
    if plan.get("fast_retries"):  # keep the retries, shorten the waits (2 min → 1 s)
        for dag in bag.dags.values():
            for t in dag.tasks:
                t.retry_delay = timedelta(seconds=1)
                t.max_retry_delay = timedelta(seconds=2)
    if plan.get("one_source_per_kind") or plan.get("broken_source"):
        _patch_sources(bool(plan.get("one_source_per_kind")), plan.get("broken_source"))
    settings = load_settings()
    report: dict[str, Any] = {"steps": []}
    for step in plan["steps"]:
        dag = bag.dags[step["dag_id"]]
        logical_date = datetime.fromisoformat(step["logical_date"] + "T00:00:00+00:00")
        started = time.perf_counter()
        dr = dag.test(logical_date=logical_date, run_conf=step.get("conf"))
        seconds = round(time.perf_counter() - started, 2)
        with create_session() as session:
            tis = session.scalars(
                select(TaskInstance).where(
                    TaskInstance.dag_id == dag.dag_id, TaskInstance.run_id == dr.run_id
                )
            ).all()
            tasks, tries, labels = {}, {}, {}
            mapped_fetches = None
            for ti in tis:
                key = ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]"
                tasks[key] = str(getattr(ti.state, "value", ti.state))
                tries[key] = ti.try_number
                if ti.rendered_map_index:
                    labels[key] = ti.rendered_map_index
            if dag.dag_id == NIGHTLY:
                mapped_fetches = len([k for k in tasks if k.startswith("ingest_source[")])
        from airflow.models.asset import AssetEvent, AssetModel

        with create_session() as session:
            events = session.execute(
                select(AssetModel.uri)
                .join(AssetEvent, AssetEvent.asset_id == AssetModel.id)
                .where(AssetEvent.source_dag_id == dag.dag_id, AssetEvent.source_run_id == dr.run_id)
            ).all()
        entry = {
            "dag_id": dag.dag_id,
            "run_id": dr.run_id,
            "state": str(getattr(dr.state, "value", dr.state)),
            "seconds": seconds,
            "tasks": tasks,
            "tries": tries,
            "map_labels": labels,
            "mapped_fetches": mapped_fetches,
            "asset_events": sorted({uri for (uri,) in events}),
        }
        if plan.get("fingerprints"):
            entry["fingerprints"] = _fingerprints(settings)
        report["steps"].append(entry)
    Path(out_file).write_text(json.dumps(report, default=str))


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])
