"""Benchmark harness: ``python -m jobtrends.bench [--n N] [--json PATH]`` (``make bench``).

Generates ``N`` postings (default 1,000,000, or ``$N``) with ~3 KB plain-text descriptions as JSON
Lines dumps in the canonical ``raw.postings`` column names, then times each stage of the shared
pipeline in its own subprocess (so the peak RSS reported is that stage's): landing
(``ingest.landing.write_landing``, source ``file``, identity mapping), raw load (``pipeline.load``)
next to DuckDB's own ``read_json`` on the same files, ``pipeline.normalise``, ``pipeline.build``
(validation + marts), a separate GX validation timing (``quality.validate_batch_benchmark`` when it
exists) and dashboard query latency (p95 over ``--runs`` runs). Targets are stated for 1M rows and
scaled linearly for smaller ``N``; each prints PASS or FAIL.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from jobtrends.sample import text as T

DEFAULT_N = 1_000_000
DEFAULT_FILES = 10
TARGET_ROWS = 1_000_000
TARGETS = {
    "load_ratio_min": 0.67,
    "normalise_seconds": 30.0,
    "normalise_peak_gb": 4.0,
    "build_seconds": 20.0,
    "query_p95_ms": 100.0,
    "validation_seconds": 10.0,
}
STAGES: tuple[str, ...] = ("land", "load", "native", "normalise", "build", "rebuild", "validate", "queries")
RUN_DATE = date(2026, 1, 1)
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


# ----------------------------------------------------------------------------- data generation


def _json_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


@dataclass(frozen=True)
class _Pools:
    titles: list[str]
    companies: list[str]
    locations: list[tuple[str, str, str]]
    paragraphs: list[str]


def _pools(seed: int) -> _Pools:
    rng = random.Random(f"bench:{seed}")
    titles = []
    for role, bases in T.BASE_TITLES.items():
        for base in bases:
            titles.append(base)
            for level, forms in T.SENIOR_PREFIX.items():
                head, sep, tail = base.partition(", ")
                titles += [f.format(t=head) + sep + tail for f in forms[:2]]
                if level == "senior":
                    titles += [f"Senior {base} (Remote)", f"Senior {base}, {rng.choice(T.TEAM_SUFFIXES)}"]
        titles += list(T.MANAGER_TITLES[role])
    companies = [f"Bench Company {i:04d} (synthetic)" for i in range(2000)]
    locations = [
        ("San Francisco, CA", "US", "onsite"), ("New York, NY", "US", "hybrid"), ("Remote (US)", "US", "remote"),
        ("London, UK", "GB", "hybrid"), ("Berlin, Germany", "DE", "onsite"), ("Toronto, ON", "CA", "hybrid"),
        ("Austin, TX", "US", "onsite"), ("Remote - UK", "GB", "remote"),
    ]  # fmt: skip
    sentences = [d for duties in T.DUTIES.values() for d in duties] + list(T.GENERIC_REQUIREMENTS)
    skills = [p for phrases in T.SKILL_PHRASES.values() for p in phrases]
    paragraphs = []
    for _ in range(600):
        words = rng.sample(skills, 3)
        body = (
            ". ".join(rng.sample(sentences, 4))
            + f". You will use {words[0]}, {words[1]} and {words[2]} daily."
        )
        paragraphs.append(json.dumps(body, ensure_ascii=False)[1:-1])
    return _Pools(titles, companies, locations, paragraphs)


def _gen_file(args: tuple[Path, int, int, int]) -> tuple[str, int, int]:
    """Write rows ``start`` … ``start + count`` as JSON Lines; return (path, rows, bytes).

    Templated for speed: a description is two pre-joined halves (≈5 + 6 paragraphs from a pool of
    600) plus a per-row sentence, so every description is distinct (~3 KB) at a few µs per row.
    """
    path, start, count, seed = args
    pools = _pools(seed)
    rng = random.Random(f"bench:{seed}:{start}")
    rand = rng.random
    titles = [_json_str(t) for t in pools.titles]
    companies = [_json_str(c) for c in pools.companies]
    paras = pools.paragraphs
    halves_a = ["\\n\\n".join(rng.sample(paras, 5)) for _ in range(1500)]
    halves_b = ["\\n\\n".join(rng.sample(paras, 6)) for _ in range(1500)]
    marker = json.dumps(" [synthetic benchmark posting generated by jobtrends]")[1:-1]
    days = [date.fromordinal(date(2024, 1, 1).toordinal() + d).isoformat() for d in range(731)]
    loc_parts = [
        f'"location_text":{_json_str(a)},"country":"{b}","remote":{"true" if c == "remote" else "false"},"work_mode":"{c}"'
        for a, b, c in pools.locations
    ]
    no_pay = '"pay_min":null,"pay_max":null,"pay_currency":null,"pay_period":null,"pay_text":null'
    n_t, n_c, n_l, n_h = len(titles), len(companies), len(loc_parts), len(halves_a)
    written = 0
    with open(path, "w", encoding="utf-8") as fh:
        for chunk_start in range(start, start + count, 10_000):
            lines = []
            for i in range(chunk_start, min(start + count, chunk_start + 10_000)):
                r = rand()
                if r < 0.5:
                    lo = 60_000 + int(r * 300) * 1000
                    pay = f'"pay_min":{lo},"pay_max":{lo + 30000},"pay_currency":"USD","pay_period":"year","pay_text":null'
                elif r < 0.65:
                    lo = 60 + int(r * 200)
                    pay = f'"pay_min":null,"pay_max":null,"pay_currency":null,"pay_period":null,"pay_text":"${lo},000 - ${lo + 30},000"'
                else:
                    pay = no_pay
                lines.append(
                    f'{{"source":"bench","source_id":"b{i}","title":{titles[int(rand() * n_t)]},'
                    f'"company":{companies[int(rand() * n_c)]},"board":null,'
                    f'"url":"https://bench.example.test/jobs/{i}",{loc_parts[int(rand() * n_l)]},'
                    f'"employment_type":"Full-time","description":"{halves_a[int(rand() * n_h)]}\\n\\n'
                    f"Requisition {i} opened for the {int(rand() * 90) + 10}th hiring wave.\\n\\n"
                    f'{halves_b[int(rand() * n_h)]}{marker}","posted_at":"{days[int(rand() * 731)]}T'
                    f'{int(rand() * 24):02d}:{int(rand() * 60):02d}:00+00:00",'
                    f'"posted_at_precision":"second",{pay},"pay_is_estimate":false}}\n'
                )
            block = "".join(lines)
            fh.write(block)
            written += len(block)
    return str(path), count, written


def generate_dumps(
    out_dir: Path, n: int, files: int = DEFAULT_FILES, seed: int = 7, workers: int = 2
) -> list[Path]:
    """Write ``n`` synthetic postings as ``files`` JSON Lines dumps (in parallel over ``workers``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = max(1, min(files, n))
    per = [n // files + (1 if i < n % files else 0) for i in range(files)]
    jobs, start = [], 0
    for i, count in enumerate(per):
        jobs.append((out_dir / f"postings_{i:03d}.jsonl", start, count, seed))
        start += count
    if workers > 1 and files > 1:
        with multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn").Pool(
            workers
        ) as pool:
            done = pool.map(_gen_file, jobs)
    else:
        done = [_gen_file(j) for j in jobs]
    return [Path(p) for p, _, _ in done]


# ----------------------------------------------------------------------------- stages (run in a child)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _peak_child_rss_mb() -> float:
    """The largest peak RSS of the stage's worker processes (0 when it forked none)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _stage(name: str, data_dir: Path, dumps: list[Path], runs: int, n: int) -> dict[str, Any]:
    from jobtrends import pipeline, warehouse
    from jobtrends.settings import load_settings

    settings = load_settings(data_dir)
    out: dict[str, Any] = {"stage": name}
    t0 = time.perf_counter()
    if name == "land":
        from ingest.landing import write_landing

        for path in dumps:
            write_landing(
                settings.landing_dir, "file", path.read_bytes(), run_date=RUN_DATE,
                fetched_at=datetime(2026, 1, 1, 6, tzinfo=UTC), ext="jsonl", board="bench",
                url=path.resolve().as_uri(), options={"format": "jsonl", "mapping": "identity", "source_name": "bench"},
            )  # fmt: skip
    elif name == "load":
        out["summary"] = pipeline.load(settings)
    elif name == "native":
        with warehouse.connect(data_dir / "native_baseline.duckdb") as con:
            seconds, rows = warehouse.native_read_json_seconds(con, dumps)
        (data_dir / "native_baseline.duckdb").unlink(missing_ok=True)
        out["summary"] = {"rows": rows}
        out["seconds"] = seconds
    elif name == "normalise":
        out["summary"] = pipeline.normalise(settings)
    elif name in ("build", "rebuild"):
        # build: the first build over all postings (near-duplicate signatures for every description);
        # rebuild: the same command again, as a nightly run or a changed mart definition does it.
        out["summary"] = pipeline.build(settings, pipeline.new_run_id())
    elif name == "validate":
        from jobtrends import quality

        fn = getattr(quality, "validate_batch_benchmark", None)
        if fn is None:
            out["skipped"] = "jobtrends.quality.validate_batch_benchmark does not exist yet"
        else:
            summary = fn(n)
            out["summary"] = summary
            if isinstance(summary, dict) and "validate_s" in summary:
                out["seconds"] = float(summary["validate_s"])
    elif name == "queries":
        out["queries"] = _time_queries(settings.warehouse_path, runs)
    out.setdefault("seconds", time.perf_counter() - t0)
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


def _run_child(name: str, root: Path, dumps: list[Path], runs: int, n: int) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "jobtrends.bench", "--_stage", name, "--dir", str(root), "--runs", str(runs)]
    cmd += ["--n", str(n)]
    cmd += [arg for d in dumps for arg in ("--_dump", str(d))]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-8:]
        return {
            "stage": name,
            "error": tail[-1] if tail else f"exit {proc.returncode}",
            "traceback_tail": tail,
            "wall_seconds": round(wall, 2),
        }
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = round(wall, 2)
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
    }


def evaluate(n: int, stages: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """PASS/FAIL per target; time targets are scaled linearly from 1M rows to ``n``."""
    scale = n / TARGET_ROWS

    def secs(stage: str) -> float | None:
        s = stages.get(stage, {})
        return None if "error" in s or "skipped" in s or "seconds" not in s else float(s["seconds"])

    checks = []
    load, native = secs("load"), secs("native")
    ratio = native / load if load and native else None
    checks.append(
        _check("load speed / DuckDB read_json speed", ratio, TARGETS["load_ratio_min"], higher_is_better=True)
    )
    checks.append(_check("normalise seconds", secs("normalise"), TARGETS["normalise_seconds"] * scale))
    norm = stages.get("normalise", {})
    peaks = [p for p in (norm.get("peak_rss_mb"), norm.get("peak_child_rss_mb")) if p]
    checks.append(
        _check(
            "normalise peak RSS GB (largest process)",
            max(peaks) / 1024 if peaks else None,
            TARGETS["normalise_peak_gb"],
        )
    )
    checks.append(
        _check(
            "marts rebuild seconds (second build)",
            _marts_seconds(stages.get("rebuild", {})),
            TARGETS["build_seconds"] * scale,
        )
    )
    checks.append(_check("GX validation seconds", secs("validate"), TARGETS["validation_seconds"] * scale))
    for qname, q in (stages.get("queries", {}).get("queries") or {}).items():
        checks.append(_check(f"query p95 ms: {qname}", q.get("p95_ms"), TARGETS["query_p95_ms"]))
    return checks


def _marts_seconds(stage: dict[str, Any]) -> float | None:
    """Seconds of the marts part of a build (dedup, models, mart validation, publish): what the
    "marts rebuild" target measures. The build's input-layer validation is reported beside it."""
    try:
        return float(stage["summary"]["validation"]["marts"]["timings"]["total_s"])
    except (KeyError, TypeError, ValueError):
        return None


def _note(stage: dict[str, Any]) -> str:
    """Where a build's time went: input validation, dedup, layers, marts, mart validation, publish."""
    summary = stage.get("summary") or {}
    if not isinstance(summary, dict) or "validation" not in summary:
        return ""
    v = summary["validation"]
    marts = v.get("marts", {}) if isinstance(v, dict) else {}
    t = marts.get("timings", {}) if isinstance(marts, dict) else {}
    inputs = sum(float(v.get(k, {}).get("seconds", 0) or 0) for k in ("raw", "normalised"))
    parts = [f"validate inputs {inputs:.1f}"] + [
        f"{k.removesuffix('_s')} {val:.1f}" for k, val in t.items() if k != "total_s"
    ]
    return ", ".join(parts)


def render(report: dict[str, Any]) -> str:
    n = report["n"]
    lines = [
        f"jobtrends bench: N={n:,} postings in {report['files']} JSONL files "
        f"({report['generate']['bytes'] / 1e6:,.0f} MB, generated in {report['generate']['seconds']:.1f} s, "
        f"{n / max(report['generate']['seconds'], 1e-9):,.0f} rows/s)",
        "",
        f"{'stage':<12}{'seconds':>10}{'rows/s':>14}{'peak RSS MB':>14}{'worker MB':>11}  note",
    ]
    for name, s in report["stages"].items():
        if "error" in s:
            lines.append(f"{name:<12}{'-':>10}{'-':>14}{'-':>14}  ERROR {s['error'][:150]}")
            continue
        if "skipped" in s:
            lines.append(
                f"{name:<12}{'-':>10}{'-':>14}{s.get('peak_rss_mb', 0):>14,.0f}  skipped: {s['skipped']}"
            )
            continue
        seconds = float(s.get("seconds", 0))
        rate = f"{n / seconds:,.0f}" if seconds and name not in {"queries"} else "-"
        worker = f"{s['peak_child_rss_mb']:,.0f}" if s.get("peak_child_rss_mb") else "-"
        lines.append(
            f"{name:<12}{seconds:>10.2f}{rate:>14}{s.get('peak_rss_mb', 0):>14,.0f}{worker:>11}  {_note(s)}"
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
    lines += ["", f"targets (time targets scaled from 1M to N={n:,}):"]
    for c in report["checks"]:
        value = "-" if c["value"] is None else c["value"]
        lines.append(
            f"  {c['result']:<5} {c['check']}: {value} (target {'≥' if 'speed' in c['check'] else '≤'} {c['target']})"
        )
    lines += [f"  note: {note}" for note in report.get("notes", [])]
    return "\n".join(lines)


def run_bench(
    n: int,
    *,
    files: int = DEFAULT_FILES,
    work_dir: Path | None = None,
    runs: int = 50,
    seed: int = 7,
    keep: bool = False,
    stages: Sequence[str] = STAGES,
) -> dict[str, Any]:
    """Generate, run every stage in a subprocess, evaluate the targets; return the report dict."""
    owned = work_dir is None
    root = Path(tempfile.mkdtemp(prefix="jobtrends-bench-")) if work_dir is None else Path(work_dir)
    root.mkdir(parents=True, exist_ok=True)
    data_dir = root / "data"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    try:
        t0 = time.perf_counter()
        dumps = generate_dumps(root / "dumps", n, files=files, seed=seed, workers=min(2, os.cpu_count() or 1))
        gen = {"seconds": round(time.perf_counter() - t0, 2), "bytes": sum(p.stat().st_size for p in dumps)}
        results: dict[str, dict[str, Any]] = {}
        for name in stages:
            results[name] = _run_child(name, root, dumps, runs, n)
            print(
                f"  {name}: {results[name].get('seconds', results[name].get('error', '?'))}", file=sys.stderr
            )
        notes = [s["skipped"] for s in results.values() if "skipped" in s]
        if n < TARGET_ROWS:
            notes.append(
                f"time targets were scaled linearly from 1M to N={n:,}; fixed costs (imports, GX context, "
                "schema creation) dominate small runs, so judge the targets at N=1,000,000"
            )
        report = {
            "n": n,
            "files": len(dumps),
            "work_dir": str(root),
            "generate": gen,
            "stages": results,
            "checks": evaluate(n, results),
            "targets_at_1m": TARGETS,
            "notes": notes,
        }
        return report
    finally:
        if owned and not keep:
            shutil.rmtree(root, ignore_errors=True)


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
    p.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    p.add_argument(
        "--json", dest="json_out", type=Path, default=None, help="also write the report as JSON here"
    )


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m jobtrends.bench", description=__doc__.split("\n\n")[0])
    add_arguments(p)
    p.add_argument("--_stage", help=argparse.SUPPRESS)
    p.add_argument("--_dump", action="append", default=[], help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args._stage:
        result = _stage(
            args._stage, Path(args.dir) / "data", [Path(d) for d in args._dump], args.runs, args.n
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
    report = run_bench(
        args.n,
        files=args.files,
        work_dir=args.dir,
        runs=args.runs,
        seed=args.seed,
        keep=args.keep,
        stages=stages,
    )
    print(render(report))
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(report, indent=1, default=str))
    return 1 if any(c["result"] == "FAIL" for c in report["checks"]) else 0


if __name__ == "__main__":
    sys.exit(main())
