"""Benchmark harness: ``python -m jobtrends.bench [--n N] [--json PATH] [--scaling]`` (``make bench``).

Reports what a user waits for (issue 15). Generates ``N`` postings (default 1,000,000, or ``$N``)
with ~3 KB plain-text descriptions as JSON Lines dumps in the canonical ``raw.postings`` column
names, then runs each stage through the pipeline's own functions in its own subprocess: landing
(``pipeline.import_file``), raw load (``pipeline.load``) next to DuckDB's own ``read_json`` on the
same files, ``pipeline.normalise``, the first ``pipeline.build`` and a rebuild with nothing new
(both with their input validation: the breakdown is a note), ``pipeline.export``, an **increment**
(20,000 postings, 5,000 of them new versions of existing ones, land → load → normalise → build →
export on the N-posting warehouse, one figure), the **next night** (as many postings again, on the
warehouse the increment's incremental build left: the state of every later night), dashboard query
latency, a GX validation timing (``bench.quality.validate_batch_benchmark``) and last one
**end-to-end** figure: land → publish → export of all N postings into a fresh warehouse, in one process
as ``jobtrends run`` does it. Peak RSS is measured for every stage: the largest process and the summed process tree, sampled
with psutil. Targets are issue 15's, stated for 1M postings (time scaled linearly for smaller
``N``); each prints PASS or FAIL. ``--scaling`` runs the end-to-end figure at 100k, 1M and 3M.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from jobtrends.bench.generate import (
    DEFAULT_FILES,
    DEFAULT_INCREMENT,
    generate_dumps,
    generate_increment,
    increment_split,
)
from jobtrends.bench.rss import SAMPLE_SECONDS, TreeRss
from jobtrends.settings import load_settings

DEFAULT_N = 1_000_000
TARGET_ROWS = 1_000_000
SCALING_SIZES = (100_000, 1_000_000, 3_000_000)
TARGETS = {
    "e2e_seconds": 60.0,
    "load_ratio_min": 0.9,
    "rebuild_seconds": 10.0,
    "first_build_seconds": 25.0,
    "increment_seconds": 10.0,
    "peak_rss_gb": 4.0,
    "scaling_growth_max": 1.15,
    "query_p95_ms": 100.0,
    "validation_seconds": 10.0,
}
STAGES: tuple[str, ...] = (
    "land", "load", "native", "normalise", "build", "rebuild", "export", "increment", "next_night", "queries",
    "validate", "e2e",
)  # fmt: skip
# stages whose processes run pipeline work: each is held to the per-process memory target
MEMORY_STAGES = frozenset(
    {"land", "load", "normalise", "build", "rebuild", "export", "increment", "next_night", "e2e"}
)
RUN_DATE = date(2026, 1, 1)
INCREMENT_RUN_DATE = RUN_DATE + timedelta(days=1)
#: The night after the increment: as many postings again, on a warehouse whose last build was incremental
#: (what every night but the first after a full build starts from).
NEXT_NIGHT_RUN_DATE = INCREMENT_RUN_DATE + timedelta(days=1)
DASHBOARD_QUERIES: dict[str, str] = {
    "role_monthly_series": (
        "select period_start, new_unique_roles, active_unique_roles, yoy_change from marts.agg_title_growth "
        "where period_grain = 'month' and role = 'ai_ml_engineer' and seniority = 'all' and country = 'all' "
        "order by period_start"
    ),
    "month_salary_table": (
        "select role, band, n_with_pay, median_annual_min_usd, median_annual_max_usd, median_midpoint_usd "
        "from marts.agg_salary_trends where period_grain = 'month' and period_start = "
        "(select max(period_start) from marts.agg_salary_trends where period_grain = 'month') order by role, band"
    ),
}


# ----------------------------------------------------------------------------- stages (run in a child)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _peak_child_rss_mb() -> float:
    """The largest peak RSS of the stage's worker processes (0 when it forked none)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


class _Steps:
    """Times the steps of a stage like ``pipeline.run`` does, keeping their epoch boundaries for RSS."""

    def __init__(self) -> None:
        self.steps: list[dict[str, Any]] = []

    def __call__(self, name: str, fn: Callable[[], Any]) -> Any:
        start, t0 = time.time(), time.perf_counter()
        out = fn()
        self.steps.append(
            {
                "step": name,
                "seconds": round(time.perf_counter() - t0, 3),
                "start": start,
                "end": time.time(),
                "summary": out,
            }
        )
        return out


def _land(settings: Any, dumps: Sequence[Path], run_date: date) -> dict[str, Any]:
    from jobtrends import pipeline

    landed = pipeline.import_files(settings, dumps, fmt="jsonl", run_date=run_date, source_name="bench")
    return {"files": len(landed), "bytes": sum(int(x["bytes"]) for x in landed)}


def _through(settings: Any, dumps: Sequence[Path], run_date: date, steps: _Steps) -> None:
    """land → load → normalise → validate + build + publish → export, in this process, with one run id
    for normalise and build as ``pipeline.run`` uses."""
    from jobtrends import pipeline

    run_id = pipeline.new_run_id()
    steps("land", lambda: _land(settings, dumps, run_date))
    steps("load", lambda: pipeline.load(settings))
    steps("normalise", lambda: pipeline.normalise(settings, run_id=run_id))
    steps("validate + build marts", lambda: pipeline.build(settings, run_id))
    steps("export", lambda: pipeline.export(settings, run_date))


def _stage(name: str, data_dir: Path, dumps: list[Path], runs: int, n: int) -> dict[str, Any]:
    """Run stage ``name`` on ``data_dir``; ``dumps`` are the files it lands (the N postings, or the
    increment's or the next night's files)."""
    from jobtrends import pipeline, warehouse

    settings = load_settings(data_dir)
    out: dict[str, Any] = {"stage": name}
    steps = _Steps()
    out["start"] = time.time()
    t0 = time.perf_counter()
    if name == "land":
        out["summary"] = _land(settings, dumps, RUN_DATE)
    elif name == "load":
        out["summary"] = pipeline.load(settings)
    elif name == "native":
        from jobtrends.bench.native import native_read_json_seconds

        with warehouse.connect(data_dir / "native_baseline.duckdb") as con:
            seconds, rows = native_read_json_seconds(con, dumps)
        (data_dir / "native_baseline.duckdb").unlink(missing_ok=True)
        out["summary"] = {"rows": rows}
        out["seconds"] = seconds
    elif name == "normalise":
        out["summary"] = pipeline.normalise(settings)
    elif name in ("build", "rebuild"):
        # build: the first build over all postings; rebuild: the same command with nothing new, as a
        # nightly run without new postings or a changed mart definition does it. Both are what a
        # user waits for: input validation included.
        out["summary"] = pipeline.build(settings, pipeline.new_run_id())
    elif name == "export":
        out["summary"] = pipeline.export(settings, RUN_DATE)
    elif name == "increment":
        _through(settings, dumps, INCREMENT_RUN_DATE, steps)
    elif name == "next_night":
        _through(settings, dumps, NEXT_NIGHT_RUN_DATE, steps)
    elif name == "e2e":
        _through(settings, dumps, RUN_DATE, steps)
    elif name == "validate":
        from jobtrends.bench import quality

        fn = getattr(quality, "validate_batch_benchmark", None)
        if fn is None:
            out["skipped"] = "jobtrends.bench.quality.validate_batch_benchmark does not exist yet"
        else:
            summary = fn(n)
            out["summary"] = summary
            if isinstance(summary, dict) and "validate_s" in summary:
                out["seconds"] = float(summary["validate_s"])
    elif name == "queries":
        out["queries"] = _time_queries(settings.warehouse_path, runs)
    out.setdefault("seconds", time.perf_counter() - t0)
    out["end"] = time.time()
    if steps.steps:
        out["steps"] = steps.steps
    out["peak_rss_mb"] = round(_peak_rss_mb(), 1)
    out["peak_child_rss_mb"] = round(_peak_child_rss_mb(), 1)
    return out


def _time_queries(path: Path, runs: int) -> dict[str, Any]:
    from jobtrends import warehouse

    results: dict[str, Any] = {}
    with warehouse.connect(path, read_only=True) as con:
        for name, sql in DASHBOARD_QUERIES.items():
            times = []
            try:
                for _ in range(runs):
                    t0 = time.perf_counter()
                    rows = con.execute(sql).fetchall()
                    times.append((time.perf_counter() - t0) * 1000)
            except Exception as exc:  # a mart not built yet: report, do not crash the bench
                results[name] = {"error": f"{type(exc).__name__}: {exc}"}
                continue
            times.sort()
            results[name] = {
                "runs": runs,
                "rows": len(rows),
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(times[max(0, int(round(0.95 * len(times))) - 1)], 2),
            }
    return results


def _run_child(name: str, root: Path, data_dir: Path, dumps: list[Path], runs: int, n: int) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "jobtrends.bench", "--_stage", name, "--_data", str(data_dir)]
    cmd += ["--dir", str(root), "--runs", str(runs), "--n", str(n)]
    cmd += [arg for d in dumps for arg in ("--_dump", str(d))]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with TreeRss(proc.pid) as rss:
        stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = (stderr or stdout).strip().splitlines()[-8:]
        return {
            "stage": name,
            "error": tail[-1] if tail else f"exit {proc.returncode}",
            "traceback_tail": tail,
            "wall_seconds": round(wall, 2),
            "rss": rss.peaks(),
        }
    result = json.loads(stdout.strip().splitlines()[-1])
    result["wall_seconds"] = round(wall, 2)
    # getrusage gives the exact peak of the stage process and of its largest (exited) worker; sampling
    # gives the sum over processes alive together, and catches workers that outlive nothing
    exact = max(float(result.get("peak_rss_mb") or 0), float(result.get("peak_child_rss_mb") or 0))
    peaks = rss.peaks(result.get("start"), result.get("end"))
    whole = rss.peaks()
    result["rss"] = {
        "largest_mb": round(max(exact, whole["largest_mb"] or 0), 1),
        "sum_mb": round(max(exact, whole["sum_mb"] or 0), 1),
        "processes": whole["processes"],
        "samples": whole["samples"],
        "timed_part": peaks,
    }
    for step in result.get("steps", []):
        step["rss"] = rss.peaks(step["start"], step["end"])
    return result


# ----------------------------------------------------------------------------- report


def _check(
    name: str, value: float | None, target: float, *, higher_is_better: bool = False
) -> dict[str, Any]:
    if value is None:
        return {"check": name, "value": None, "target": target, "result": "SKIP"}
    ok = value >= target if higher_is_better else value <= target
    return {
        "check": name,
        "value": round(value, 3),
        "target": round(target, 3),
        "result": "PASS" if ok else "FAIL",
        "higher_is_better": higher_is_better,
    }


def evaluate(
    n: int, stages: dict[str, dict[str, Any]], increment: int = DEFAULT_INCREMENT
) -> list[dict[str, Any]]:
    """PASS/FAIL per issue-15 target. Time targets are stated for 1M postings and scaled linearly to
    ``n``; the increment's target is for 20,000 postings and scales with the increment, not with
    ``n`` (its cost should follow the increment). Memory is per process and never scaled."""
    scale = n / TARGET_ROWS

    def secs(stage: str) -> float | None:
        s = stages.get(stage, {})
        return None if "error" in s or "skipped" in s or "seconds" not in s else float(s["seconds"])

    checks = [
        _check("end to end seconds (land → publish → export)", secs("e2e"), TARGETS["e2e_seconds"] * scale)
    ]
    load, native = secs("load"), secs("native")
    ratio = native / load if load and native else None
    checks.append(
        _check("load speed / DuckDB read_json speed", ratio, TARGETS["load_ratio_min"], higher_is_better=True)
    )
    checks.append(
        _check(
            "first build seconds (validation included)", secs("build"), TARGETS["first_build_seconds"] * scale
        )
    )
    checks.append(
        _check(
            "rebuild with nothing new seconds (validation included)",
            secs("rebuild"),
            TARGETS["rebuild_seconds"] * scale,
        )
    )
    for stage, label in (("increment", "increment"), ("next_night", "next night's increment")):
        checks.append(
            _check(
                f"{label} of {increment:,} end to end seconds",
                secs(stage),
                TARGETS["increment_seconds"] * increment / DEFAULT_INCREMENT,
            )
        )
    for name, s in stages.items():
        largest = (s.get("rss") or {}).get("largest_mb")
        if name in MEMORY_STAGES and "skipped" not in s:
            checks.append(
                _check(
                    f"peak RSS GB, largest process: {name}",
                    None if largest is None else largest / 1024,
                    TARGETS["peak_rss_gb"],
                )
            )
    checks.append(_check("GX validation seconds", secs("validate"), TARGETS["validation_seconds"] * scale))
    for qname, q in (stages.get("queries", {}).get("queries") or {}).items():
        checks.append(_check(f"query p95 ms: {qname}", q.get("p95_ms"), TARGETS["query_p95_ms"]))
    return checks


def _build_note(summary: Any) -> str:
    """Where a build's time went: input validation, dedup, layers, marts, mart validation, publish."""
    if not isinstance(summary, dict) or "validation" not in summary:
        return ""
    v = summary["validation"]
    marts = v.get("marts", {}) if isinstance(v, dict) else {}
    t = marts.get("timings", {}) if isinstance(marts, dict) else {}
    inputs = sum(float(v.get(k, {}).get("seconds", 0) or 0) for k in ("raw", "normalised"))
    parts = [f"validate inputs {inputs:.1f}"] + [
        f"{k.removesuffix('_s')} {float(val):.1f}"
        for k, val in t.items()
        if k != "total_s" and isinstance(val, int | float)
    ]
    models = marts.get("model_seconds") if isinstance(marts, dict) else None
    if isinstance(models, dict) and models:
        slowest = sorted(models.items(), key=lambda item: -float(item[1]))[:3]
        parts.append(
            "slowest models " + " / ".join(f"{name.split('.')[-1]} {float(s):.1f}" for name, s in slowest)
        )
    return ", ".join(parts)


def _note(stage: dict[str, Any]) -> str:
    if stage.get("steps"):
        return ", ".join(f"{s['step']} {s['seconds']:.1f}" for s in stage["steps"])
    return _build_note(stage.get("summary"))


def _mb(value: Any) -> str:
    return f"{value:,.0f}" if isinstance(value, int | float) and value else "-"


def render(report: dict[str, Any]) -> str:
    n = report["n"]
    inc = report.get("increment", {})
    lines = [
        f"jobtrends bench: N={n:,} postings in {report['files']} JSONL files "
        f"({report['generate']['bytes'] / 1e6:,.0f} MB, generated in {report['generate']['seconds']:.1f} s, "
        f"{n / max(report['generate']['seconds'], 1e-9):,.0f} rows/s)",
    ]
    if inc:
        lines.append(
            f"increment: {inc.get('new_postings', 0):,} new postings + {inc.get('new_versions', 0):,} new "
            f"versions of existing ones, landed on {INCREMENT_RUN_DATE} into the N-posting warehouse"
        )
    night = report.get("next_night", {})
    if night:
        lines.append(
            f"next night: {night.get('new_postings', 0):,} new postings + {night.get('new_versions', 0):,} new "
            f"versions, landed on {NEXT_NIGHT_RUN_DATE} after the increment"
        )
    lines += [
        "",
        f"{'stage':<11}{'seconds':>9}{'µs/posting':>11}{'largest MB':>11}{'sum MB':>9}{'procs':>6}  note",
    ]
    for name, s in report["stages"].items():
        rss = s.get("rss") or {}
        mem = (
            f"{_mb(rss.get('largest_mb')):>11}{_mb(rss.get('sum_mb')):>9}{rss.get('processes', 0) or '-':>6}"
        )
        if "error" in s:
            lines.append(f"{name:<11}{'-':>9}{'-':>11}{mem}  ERROR {s['error'][:150]}")
            continue
        if "skipped" in s:
            lines.append(f"{name:<11}{'-':>9}{'-':>11}{mem}  skipped: {s['skipped']}")
            continue
        seconds = float(s.get("seconds", 0))
        batch = {"increment": inc, "next_night": night}.get(name)
        rows = (
            int(batch.get("new_postings", 0)) + int(batch.get("new_versions", 0)) if batch is not None else n
        )
        per = f"{seconds / rows * 1e6:,.1f}" if seconds and rows and name != "queries" else "-"
        lines.append(f"{name:<11}{seconds:>9.2f}{per:>11}{mem}  {_note(s)}")
        for step in s.get("steps", []):
            srss = step.get("rss") or {}
            lines.append(
                f"  {step['step'][:22]:<22}{step['seconds']:>7.2f}"
                f"{_mb(srss.get('largest_mb')):>9}{_mb(srss.get('sum_mb')):>9}{srss.get('processes', 0) or '-':>6}"
                + (f"  {_build_note(step.get('summary'))}" if step["step"].startswith("validate") else "")
            )
    load, native = report["stages"].get("load", {}), report["stages"].get("native", {})
    if "seconds" in load and "seconds" in native:
        lines += [
            "",
            f"raw load {load['seconds']:.2f} s  vs  DuckDB read_json {native['seconds']:.2f} s  "
            f"(load runs at {native['seconds'] / load['seconds']:.0%} of native speed)",
        ]
    for qname, q in (report["stages"].get("queries", {}).get("queries") or {}).items():
        if "error" in q:
            lines.append(f"query {qname}: ERROR {q['error'][:150]}")
        else:
            lines.append(
                f"query {qname}: p50 {q['p50_ms']} ms, p95 {q['p95_ms']} ms over {q['runs']} runs ({q['rows']} rows)"
            )
    lines += ["", f"targets (issue 15; time targets scaled from 1M to N={n:,}):"]
    lines += [_render_check(c) for c in report["checks"]]
    lines += [f"  note: {note}" for note in report.get("notes", [])]
    return "\n".join(lines)


def _render_check(c: dict[str, Any]) -> str:
    value = "-" if c["value"] is None else c["value"]
    op = "≥" if c.get("higher_is_better") else "≤"
    return f"  {c['result']:<5} {c['check']}: {value} (target {op} {c['target']})"


def run_bench(
    n: int,
    *,
    files: int = DEFAULT_FILES,
    work_dir: Path | None = None,
    runs: int = 50,
    seed: int = 7,
    keep: bool = False,
    stages: Sequence[str] = STAGES,
    increment: int = DEFAULT_INCREMENT,
) -> dict[str, Any]:
    """Generate, run every stage in a subprocess (RSS sampled over its process tree), evaluate the
    targets; return the report dict. Stages run in :data:`STAGES` order whatever order is asked."""
    owned = work_dir is None
    root = Path(tempfile.mkdtemp(prefix="jobtrends-bench-")) if work_dir is None else Path(work_dir)
    root.mkdir(parents=True, exist_ok=True)
    data_dir, e2e_dir = root / "data", root / "e2e"
    for d in (data_dir, e2e_dir):
        if d.exists():
            shutil.rmtree(d)
    wanted = [s for s in STAGES if s in set(stages)]
    try:
        t0 = time.perf_counter()
        workers = load_settings(data_dir).workers
        dumps = generate_dumps(root / "dumps", n, files=files, seed=seed, workers=workers)
        gen = {"seconds": round(time.perf_counter() - t0, 2), "bytes": sum(p.stat().st_size for p in dumps)}
        inc_dumps, inc_info = (
            generate_increment(root / "increment", n, increment, seed) if "increment" in wanted else ([], {})
        )
        # the next night's unseen postings are numbered after the increment's; its new versions are of
        # other postings (another seed)
        fresh, _ = increment_split(n, increment)
        night_dumps, night_info = (
            generate_increment(root / "next_night", n + fresh, increment, seed + 1)
            if "next_night" in wanted
            else ([], {})
        )
        results: dict[str, dict[str, Any]] = {}
        for name in wanted:
            if name == "e2e" and not keep and data_dir.exists():
                shutil.rmtree(data_dir)  # every other stage is done with it: free the disk for the fresh run
            target = e2e_dir if name == "e2e" else data_dir
            lands = {"increment": inc_dumps, "next_night": night_dumps}.get(name, dumps)
            results[name] = _run_child(name, root, target, lands, runs, n)
            print(
                f"  {name}: {results[name].get('seconds', results[name].get('error', '?'))}", file=sys.stderr
            )
        notes = [s["skipped"] for s in results.values() if "skipped" in s]
        if "increment" in results and "build" not in results:
            notes.append("increment ran without the N-posting warehouse built first (stages land … build)")
        if "next_night" in results and "increment" not in results:
            notes.append(
                "next_night ran without the increment first: its warehouse's last build was not incremental"
            )
        if n < TARGET_ROWS:
            notes.append(
                f"time targets were scaled linearly from 1M to N={n:,}; fixed costs (imports, GX context, "
                "schema creation) dominate small runs, so judge the targets at N=1,000,000"
            )
        notes.append(
            "RSS: 'largest' is the largest single process (getrusage peak or sampled), 'sum' the peak of "
            f"the summed RSS of the stage's process tree sampled every {SAMPLE_SECONDS} s (psutil); "
            "shared pages count once per process, so the sum overstates fork-shared memory"
        )
        return {
            "n": n,
            "files": len(dumps),
            "work_dir": str(root),
            "generate": gen,
            "increment": inc_info,
            "next_night": night_info,
            "stages": results,
            "checks": evaluate(n, results, increment),
            "targets_at_1m": TARGETS,
            "notes": notes,
        }
    finally:
        if owned and not keep:
            shutil.rmtree(root, ignore_errors=True)


# ----------------------------------------------------------------------------- scaling


def run_scaling(sizes: Sequence[int], **kwargs: Any) -> dict[str, Any]:
    """End-to-end runs at each size in ``sizes``: seconds and time per posting, with the check that the
    time per posting from the second-largest to the largest size grows by at most 15%."""
    kwargs.setdefault("stages", ("e2e",))
    rows = []
    for n in sizes:
        report = run_bench(n, **kwargs)
        e2e = report["stages"].get("e2e", {})
        rss = e2e.get("rss") or {}
        seconds = e2e.get("seconds")
        rows.append(
            {
                "n": n,
                "seconds": None if seconds is None else round(float(seconds), 2),
                "us_per_posting": None if seconds is None else round(float(seconds) / n * 1e6, 2),
                "largest_mb": rss.get("largest_mb"),
                "sum_mb": rss.get("sum_mb"),
                "steps": {s["step"]: s["seconds"] for s in e2e.get("steps", [])},
                "error": e2e.get("error"),
            }
        )
    checks = []
    if len(rows) >= 2:
        a, b = rows[-2], rows[-1]
        growth = (
            b["us_per_posting"] / a["us_per_posting"] if a["us_per_posting"] and b["us_per_posting"] else None
        )
        checks.append(
            _check(f"time per posting {b['n']:,} / {a['n']:,}", growth, TARGETS["scaling_growth_max"])
        )
    return {"scaling": rows, "checks": checks}


def render_scaling(report: dict[str, Any]) -> str:
    lines = [
        "jobtrends bench --scaling: end to end (land → publish → export), one process per size",
        "",
        f"{'postings':>10}{'seconds':>10}{'µs/posting':>12}{'largest MB':>12}{'sum MB':>9}  steps (s)",
    ]
    for r in report["scaling"]:
        if r["error"]:
            lines.append(f"{r['n']:>10,}  ERROR {str(r['error'])[:150]}")
            continue
        steps = ", ".join(f"{k} {v:.1f}" for k, v in r["steps"].items())
        lines.append(
            f"{r['n']:>10,}{r['seconds'] or 0:>10.2f}{r['us_per_posting'] or 0:>12.2f}"
            f"{_mb(r['largest_mb']):>12}{_mb(r['sum_mb']):>9}  {steps}"
        )
    lines += ["", "targets:", *(_render_check(c) for c in report["checks"])]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- command line


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options shared by ``python -m jobtrends.bench`` and ``jobtrends bench``."""
    p.add_argument(
        "--n",
        type=int,
        default=int(os.environ.get("N", DEFAULT_N)),
        help="postings (default $N or 1,000,000)",
    )
    p.add_argument("--files", type=int, default=DEFAULT_FILES, help="JSON Lines dump files (default 10)")
    p.add_argument(
        "--dir", type=Path, default=None, help="work folder (default: a temporary folder, removed after)"
    )
    p.add_argument("--runs", type=int, default=50, help="runs per dashboard query for the p95 (default 50)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--stages", default=",".join(STAGES), help=f"comma-separated subset of {','.join(STAGES)}")
    p.add_argument(
        "--increment",
        type=int,
        default=DEFAULT_INCREMENT,
        help=f"postings in the increment scenario, a quarter of them new versions (default {DEFAULT_INCREMENT:,})",
    )
    p.add_argument(
        "--scaling",
        action="store_true",
        help="end to end at 100k, 1M and 3M postings (or --sizes): seconds and time per posting",
    )
    p.add_argument(
        "--sizes",
        default=",".join(str(x) for x in SCALING_SIZES),
        help="comma-separated sizes for --scaling",
    )
    p.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    p.add_argument(
        "--json", dest="json_out", type=Path, default=None, help="also write the report as JSON here"
    )


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m jobtrends.bench", description=__doc__.split("\n\n")[0])
    add_arguments(p)
    p.add_argument("--_stage", help=argparse.SUPPRESS)
    p.add_argument("--_data", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--_dump", action="append", default=[], help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args._stage:
        result = _stage(
            args._stage,
            args._data or Path(args.dir) / "data",
            [Path(d) for d in args._dump],
            args.runs,
            args.n,
        )
        print(json.dumps(result, default=str))
        return 0
    return run_from_args(args)


def run_from_args(args: argparse.Namespace) -> int:
    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = sorted(set(stages) - set(STAGES))
    if unknown:
        print(f"unknown stage(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    common = {"files": args.files, "runs": args.runs, "seed": args.seed, "keep": args.keep}
    if getattr(args, "scaling", False):
        sizes = [int(x) for x in str(args.sizes).split(",") if x.strip()]
        explicit = args.stages != ",".join(STAGES)
        report = run_scaling(
            sizes,
            work_dir=args.dir,
            stages=stages if explicit else ("e2e",),
            increment=args.increment,
            **common,
        )
        print(render_scaling(report))
    else:
        report = run_bench(args.n, work_dir=args.dir, stages=stages, increment=args.increment, **common)
        print(render(report))
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(report, indent=1, default=str))
    return 1 if any(c["result"] == "FAIL" for c in report["checks"]) else 0
