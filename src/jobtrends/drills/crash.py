"""Drill ``crash``: ``kill -9`` of ``jobtrends run --sample`` at random points of every stage, rerun each time.

One clean run (its own data folder) gives the reference: every mart's fingerprint (row count and an
order-independent content hash), the raw versions and the row counts of the ledger tables. Then, in a
second data folder, the same run is started again and again, each time killed with SIGKILL (the whole
process group: forked workers too) a seeded random time into a chosen stage (stages in turn, so every
stage is hit), and ``exports/latest`` is checked at each kill. A last run goes to the end. Then:

- the published marts equal the clean run's fingerprints;
- no posting version is stored twice, no landing file loaded twice, no sighting doubled; no version of
  the clean run is missing (records lost = 0);
- ``exports/latest`` holds every mart, readable, with the warehouse's row counts — at every kill too.

``JOBTRENDS_SAMPLE_SCALE`` (default here 0.02) keeps each run short. ``quick``: 3 kills; full: 20.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SEED = 20261203
QUICK_KILLS = 3
FULL_KILLS = 20
DEFAULT_SCALE = "0.02"
STAGES = ("ingest", "load", "normalise", "validate + build marts", "export")
_RUN_TIMEOUT_S = 1800.0
_CLI = "import sys; from jobtrends.cli import main; sys.exit(main())"


def _env(scale: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOBTRENDS_")}
    env["JOBTRENDS_SAMPLE_SCALE"] = os.environ.get("JOBTRENDS_SAMPLE_SCALE", scale)
    env["PYTHONUNBUFFERED"] = "1"  # the stage markers must reach the log before the kill
    return env


def _start(data_dir: Path, log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-c", _CLI, "--data-dir", str(data_dir), "run", "--sample"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # its own process group: kill -9 reaches forked workers too
        )


def _stage_now(log: Path, offset: int) -> str | None:
    """The stage the run started at ``offset`` of the log is in (its last ``▶`` marker)."""
    text = log.read_bytes()[offset:].decode("utf-8", "replace")
    marks = [line[2:].strip() for line in text.splitlines() if line.startswith("▶ ")]
    return marks[-1] if marks else None


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _run_to_end(data_dir: Path, log: Path, env: dict[str, str]) -> int:
    proc = _start(data_dir, log, env)
    try:
        return proc.wait(timeout=_RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise AssertionError(f"a run of the crash drill did not finish in {_RUN_TIMEOUT_S:.0f} s") from None


# ----------------------------------------------------------------------------- what a run leaves


def state(data_dir: Path) -> dict[str, Any]:
    """Mart fingerprints, raw versions and ledger counts of a data folder's warehouse."""
    from jobtrends import warehouse

    with warehouse.connect(data_dir / "warehouse.duckdb", read_only=True) as con:
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        fingerprints = {}
        for name in marts:
            ((count, digest),) = con.execute(
                f"select count(*), coalesce(sum(hash(t::varchar)::hugeint), 0)::varchar from marts.{name} as t"
            ).fetchall()
            fingerprints[name] = (int(count), str(digest))
        counts = {
            table: int(con.execute(f"select count(*) from {table}").fetchall()[0][0])
            for table in ("raw.postings", "raw.sightings", "raw.listings", "ops.landing_files")
        }
        doubles = {
            "raw versions stored twice": "select source, source_id, content_hash from raw.postings group by all "
            "having count(*) > 1",
            "landing files loaded twice": "select landing_path, sha256 from ops.landing_files group by all "
            "having count(*) > 1",
            "sightings doubled": "select landing_file from raw.sightings group by landing_file, source, "
            "source_id, content_hash having count(*) > 1",
            "listings doubled": "select landing_file from raw.listings group by all having count(*) > 1",
        }
        duplicates = {
            what: int(con.execute(f"select count(*) from ({sql})").fetchall()[0][0])
            for what, sql in doubles.items()
        }
        versions = {
            (r[0], r[1]) for r in con.execute("select posting_key, content_hash from raw.postings").fetchall()
        }
    return {"fingerprints": fingerprints, "counts": counts, "duplicates": duplicates, "versions": versions}


def check_latest(export_dir: Path, expected: dict[str, int] | None = None) -> str | None:
    """Why ``exports/latest`` is not a complete export (None when it is, or when nothing was exported yet)."""
    import pyarrow.parquet as pq

    latest = export_dir / "latest"
    if not latest.exists():
        return "exports/latest is missing" if (export_dir / "LATEST").exists() else None
    try:
        rows = {p.stem: pq.read_metadata(p).num_rows for p in latest.glob("*.parquet")}
    except Exception as exc:  # a half-written or vanished file
        return f"exports/latest has an unreadable file: {type(exc).__name__}: {exc}"
    if not rows:
        return "exports/latest is empty"
    if expected is not None and rows != expected:
        missing = sorted(set(expected) - set(rows))
        return f"exports/latest differs from the marts (missing {missing[:5]}, rows differ: " + str(
            sorted(k for k in rows if k in expected and rows[k] != expected[k])[:5]
        )
    return None


# ----------------------------------------------------------------------------- drill


def run(
    quick: bool, *, kills: int | None = None, seed: int = SEED, root: Path | None = None
) -> dict[str, Any]:
    """Kill ``jobtrends run --sample`` at ``kills`` random points, rerun, compare with a clean run."""
    kills = kills or (QUICK_KILLS if quick else FULL_KILLS)
    rng = random.Random(seed)
    env = _env(DEFAULT_SCALE)
    with tempfile.TemporaryDirectory(prefix="jobtrends-crash-", dir=root) as tmp:
        base = Path(tmp)
        clean_dir, crash_dir, log = base / "clean", base / "crash", base / "runs.log"

        started = time.perf_counter()
        code = _run_to_end(clean_dir, log, env)
        assert code == 0, f"the clean run failed (exit {code}); log: {log.read_text()[-2000:]}"
        clean_seconds = time.perf_counter() - started
        reference = state(clean_dir)
        stage_seconds = _stage_seconds(clean_dir)

        plan = [STAGES[i % len(STAGES)] for i in range(kills * 2)]  # a run may finish before its kill
        rng.shuffle(plan)
        points: list[dict[str, Any]] = []
        latest_problems: list[str] = []
        for target in plan:
            if sum(1 for p in points if p["killed"]) >= kills:
                break
            offset = log.stat().st_size
            proc = _start(crash_dir, log, env)
            t0 = time.perf_counter()
            # wait for the target stage's marker, then a random time into it
            while proc.poll() is None and _stage_now(log, offset) != target:
                if time.perf_counter() - t0 > _RUN_TIMEOUT_S:
                    break
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, max(stage_seconds.get(target, 1.0), 0.2)))
            finished = proc.poll() is not None
            hit = _stage_now(log, offset)
            _kill(proc)
            exit_code = proc.returncode
            points.append(
                {
                    "target": target,
                    "stage": hit,
                    "after_s": round(time.perf_counter() - t0, 2),
                    "killed": not finished,
                    "exit": None if not finished else exit_code,
                }
            )
            assert not finished or exit_code == 0, (
                f"a rerun failed by itself (exit {exit_code}) after earlier kills; log: {log.read_text()[-3000:]}"
            )
            problem = check_latest(crash_dir / "exports")
            if problem:
                latest_problems.append(f"after a kill in {hit}: {problem}")

        code = _run_to_end(crash_dir, log, env)
        assert code == 0, f"the run after {kills} kills failed (exit {code}); log: {log.read_text()[-3000:]}"
        after = state(crash_dir)
        marts_rows = {name: count for name, (count, _) in after["fingerprints"].items()}
        final_latest = check_latest(crash_dir / "exports", marts_rows)

    killed = [p for p in points if p["killed"]]
    lost = len(reference["versions"] - after["versions"])
    figures: dict[str, Any] = {
        "points_killed": len(killed),
        "runs_finished_before_the_kill": len(points) - len(killed),
        "stages_hit": {s: sum(1 for p in killed if p["stage"] == s) for s in STAGES},
        "records_lost": lost,
        "raw_versions": after["counts"]["raw.postings"],
        "sightings": after["counts"]["raw.sightings"],
        "marts_compared": len(reference["fingerprints"]),
        "clean_run_s": round(clean_seconds, 1),
        "scale": env["JOBTRENDS_SAMPLE_SCALE"],
    }
    differing = sorted(
        name
        for name in set(reference["fingerprints"]) | set(after["fingerprints"])
        if reference["fingerprints"].get(name) != after["fingerprints"].get(name)
    )
    # more than the clean run has (a board may list one posting twice in one payload)
    duplicates = {k: v for k, v in after["duplicates"].items() if v > reference["duplicates"][k]}
    problems = []
    if differing:
        problems.append(f"marts differ from the clean run: {differing[:10]}")
    if duplicates:
        problems.append(f"duplicates: {duplicates}")
    if after["counts"] != reference["counts"]:
        problems.append(f"row counts differ: clean {reference['counts']}, after kills {after['counts']}")
    if lost:
        problems.append(f"{lost} posting versions of the clean run are missing")
    if latest_problems:
        problems.append("; ".join(latest_problems[:5]))
    if final_latest:
        problems.append(final_latest)
    figures["kill_points"] = [f"{p['stage']}@{p['after_s']}s" for p in killed]
    assert not problems, (
        "crash drill: " + " | ".join(problems) + f" (figures: {json.dumps(figures, default=str)})"
    )
    return figures


def _stage_seconds(data_dir: Path) -> dict[str, float]:
    """Each stage's duration in the clean run (``ops.runs``), to place kills inside a stage."""
    from jobtrends import warehouse

    with warehouse.connect(data_dir / "warehouse.duckdb", read_only=True) as con:
        rows = con.execute("select summary from ops.runs where status = 'ok'").fetchall()
    steps = json.loads(rows[-1][0]).get("steps", []) if rows else []
    return {s["step"]: float(s["seconds"]) for s in steps}
