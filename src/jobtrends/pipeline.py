"""Pipeline stages shared by the CLI and the Airflow DAGs.

Each stage takes :class:`~jobtrends.settings.Settings` and returns a JSON-serialisable summary,
so Airflow passes references (paths, counts) through XCom rather than data. Only :func:`load`,
:func:`normalise` and :func:`build` write the warehouse; :func:`ingest_source` only writes landing
files, so mapped fetch tasks can run in parallel.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

from ingest.base import ParseContext, SourceSpec
from ingest.landing import SourceChanged, land_file, write_landing
from ingest.storage import exports_location, landing_location
from jobtrends import warehouse
from jobtrends.errors import UserError
from jobtrends.progress import report_count
from jobtrends.providers import provider_for
from jobtrends.settings import Settings
from jobtrends.writelock import writer_lock

log = logging.getLogger("jobtrends.pipeline")

NORMALISE_CHUNK_ROWS = warehouse.ROW_GROUP_ROWS
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def writing(settings: Settings) -> contextlib.AbstractContextManager[None]:
    """The writer lock every stage that writes the warehouse or the exports holds (CLI and DAG tasks
    alike); reentrant, so :func:`run` holds it across its stages. See :mod:`jobtrends.writelock`."""
    return writer_lock(settings.warehouse_path, wait_s=settings.lock_wait_s)


# ----------------------------------------------------------------------------- sources


def source_specs(settings: Settings, as_of: date | None = None) -> list[SourceSpec]:
    """Enabled sources of the settings' provider (see :mod:`jobtrends.providers`): the sources file's,
    or the synthetic sample's (its career pages open on ``as_of``)."""
    return provider_for(settings).specs(as_of)


def list_sources(settings: Settings) -> list[str]:
    return [spec.name for spec in source_specs(settings)]


def ingest_source(
    settings: Settings,
    source_name: str,
    run_date: date,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, Any]:
    """Fetch one configured source and land its payloads; never raises for a source failure."""
    from ingest.runner import fetch_to_landing

    specs = {spec.name: spec for spec in source_specs(settings, as_of=run_date)}
    if source_name not in specs:
        raise UserError(f"unknown source {source_name!r}; configured: {', '.join(sorted(specs)) or 'none'}")
    transport, clock = provider_for(settings).fetch_setup(run_date, transport)
    record = fetch_to_landing(
        specs[source_name], settings.fetch_settings(), run_date, transport=transport, clock=clock
    )
    return _record_dict(record)


def _record_dict(record: Any) -> dict[str, Any]:
    data = asdict(record) if not isinstance(record, dict) else dict(record)
    return json.loads(json.dumps(data, default=str))


def ingest(
    settings: Settings,
    run_date: date,
    *,
    transport: httpx.BaseTransport | None = None,
    sources: Sequence[SourceSpec] | None = None,
    progress: Progress = _quiet,
) -> dict[str, Any]:
    """Fetch every source (each isolated from the others) into the landing zone."""
    from ingest.runner import fetch_to_landing

    specs = list(sources) if sources is not None else source_specs(settings, as_of=run_date)
    transport, clock = provider_for(settings).fetch_setup(run_date, transport)
    records = []
    for i, spec in enumerate(specs, 1):
        record = _record_dict(
            fetch_to_landing(spec, settings.fetch_settings(), run_date, transport=transport, clock=clock)
        )
        records.append(record)
        progress(
            f"  [{i}/{len(specs)}] {spec.name}: {record.get('status')} ({record.get('postings_seen')} postings)"
        )
        report_count(progress, "fetch", i, len(specs), "sources")
    failed = [r["source_name"] for r in records if r.get("status") == "failed"]
    return {
        "run_date": run_date.isoformat(),
        "sources": len(records),
        "failed": failed,
        "postings_seen": sum(int(r.get("postings_seen") or 0) for r in records),
    }


def import_file(
    settings: Settings,
    path: str | Path,
    mapping: dict[str, str] | None = None,
    fmt: str | None = None,
    run_date: date | None = None,
    source_name: str | None = None,
) -> dict[str, Any]:
    """Land a file dump (CSV, JSON, JSONL, Parquet) unchanged, with the column mapping to read it."""
    src = Path(path)
    if not src.is_file():
        raise UserError(f"no such file: {src}")
    fmt = (fmt or src.suffix.lstrip(".")).lower()
    if fmt not in {"csv", "json", "jsonl", "ndjson", "parquet"}:
        raise UserError(f"unsupported file format {fmt!r} (csv, json, jsonl, parquet)")
    run_date = run_date or date.today()
    try:
        landed = land_file(
            landing_location(settings),
            "file",
            src,
            run_date=run_date,
            fetched_at=datetime.now(UTC),
            ext=fmt,
            board=source_name or src.stem,
            url=src.resolve().as_uri(),
            options={"format": fmt, "mapping": mapping or "identity", "source_name": source_name or src.stem},
        )
    except SourceChanged as exc:
        raise UserError(str(exc)) from exc
    return {
        "landing_file": landed.location,
        "run_date": run_date.isoformat(),
        "bytes": landed.meta.size_bytes,
    }


def import_files(
    settings: Settings,
    paths: Sequence[str | Path],
    mapping: dict[str, str] | None = None,
    fmt: str | None = None,
    run_date: date | None = None,
    source_name: str | None = None,
) -> list[dict[str, Any]]:
    """:func:`import_file` for several files, ``settings.workers`` at a time (hashing releases the GIL,
    so the files are hashed on every core), in the order given."""
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise UserError(f"no such file: {', '.join(missing)}")
    with ThreadPoolExecutor(max_workers=max(1, min(settings.workers, len(paths)))) as pool:
        futures = [pool.submit(import_file, settings, p, mapping, fmt, run_date, source_name) for p in paths]
        return [f.result() for f in futures]


# ----------------------------------------------------------------------------- FX reference rates


def update_fx(
    settings: Settings,
    *,
    file: str | Path | None = None,
    run_date: date | None = None,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, Any]:
    """Refresh ``ref.fx_rates``: fetch the ECB history (source ``fx``) or land a downloaded zip/CSV
    (``file``), then load every fx landing file not loaded yet. Raises :class:`UserError` when nothing
    usable came in."""
    from ingest import sources
    from ingest.landing import iter_landing
    from ingest.runner import fetch_to_landing
    from jobtrends.loader import load_fx_files

    run_date = run_date or date.today()
    if file is not None:
        src = Path(file)
        if not src.is_file():
            raise UserError(f"no such file: {src}")
        payload = src.read_bytes()
        check = sources.get("fx").parse(payload, ParseContext(fetched_at=datetime.now(UTC), raw_ref=str(src)))
        if check.errors:
            raise UserError(f"{src}: {check.errors[0].reason}")
        write_landing(
            landing_location(settings), "fx", payload, run_date=run_date, fetched_at=datetime.now(UTC),
            ext="zip" if payload[:2] == b"PK" else "csv", board="ecb", url=src.resolve().as_uri(),
        )  # fmt: skip
        origin = str(src)
    else:
        spec = provider_for(settings).fx_spec() or SourceSpec(kind="fx", name="fx:ecb", board="ecb")
        record = fetch_to_landing(spec, settings.fetch_settings(), run_date, transport=transport)
        if record.status == "failed":
            raise UserError(
                f"could not fetch the ECB rates: {record.error}; "
                "download eurofxref-hist.zip elsewhere and run `jobtrends fx update --file PATH`"
            )
        origin = f"ECB ({record.status})"
    with writing(settings), warehouse.connect(settings.warehouse_path) as con:
        warehouse.ensure_schema(con, settings.sql_dir)
        done = warehouse.loaded_landing_files(con)
    pending = [lf for lf in iter_landing(landing_location(settings), "fx") if str(lf.path) not in done]
    loaded = load_fx_files(settings, pending)
    with warehouse.connect(settings.warehouse_path) as con:
        table = warehouse.fx_rates_summary(con)
    return {"origin": origin, **loaded, "table": table}


# ----------------------------------------------------------------------------- load


def load(settings: Settings, *, progress: Progress = _quiet) -> dict[str, Any]:
    """Landing zone → raw layer (idempotent); see :mod:`jobtrends.loader`."""
    from jobtrends.loader import load as load_landing

    with writing(settings):
        return load_landing(settings, progress=progress)


# ----------------------------------------------------------------------------- normalise


def normalise(
    settings: Settings, *, progress: Progress = _quiet, run_id: str | None = None
) -> dict[str, Any]:
    """Normalise raw rows not yet normalised under the current taxonomy version.

    Pay is converted to USD with the ECB rates in ``ref.fx_rates`` where loaded (bundled table otherwise).
    Exceptions inside normaliser rules are counted per rule (``ops.normalise_errors``, and
    ``rule_errors`` in the summary), never hidden.
    """
    from ingest.rule_errors import RuleErrors
    from transform import fx
    from transform.batch import normalise_stream, skill_dictionary, split_signatures
    from transform.dedup import DEFAULT_NUM_PERM
    from transform.titles import TAXONOMY_VERSION

    run_id = run_id or new_run_id()
    started = time.perf_counter()
    done = 0
    errors = RuleErrors()
    with writing(settings), warehouse.connect(settings.warehouse_path) as con:
        warehouse.set_memory_limit(con, settings.normalise_memory_limit)
        warehouse.ensure_schema(con, settings.sql_dir)
        fx_table = activate_fx_rates(con, settings)
        pending = warehouse.find_unnormalised(con, TAXONOMY_VERSION)
        total = pending.rows
        # DuckDB's reads and appends here overlap with the normaliser's worker processes, which already
        # fill the cores: one DuckDB thread measured 10% faster at 1M rows than two (less contention)
        con.execute("set threads = 1")
        warehouse.upsert_arrow(con, "normalised.skill_dictionary", skill_dictionary())
        report_count(progress, "normalise", 0, total, "postings")
        # chunks come as small batches, written to the workers' input file as DuckDB makes them
        chunks = warehouse.iter_unnormalised_streams(con, TAXONOMY_VERSION, NORMALISE_CHUNK_ROWS, pending)
        # the workers also sign each description for the build's near-duplicate step while they hold it:
        # the build then reads no description to sign (at 1M, ~3 GB read and ~6 s of signing moved here)
        stream = normalise_stream(chunks, settings.workers, errors=errors, sign=DEFAULT_NUM_PERM)
        for signed in stream:
            postings, signatures = split_signatures(signed)
            warehouse.insert_arrow(con, "normalised.postings", postings)
            if signatures is not None:
                warehouse.store_signatures(
                    con, signatures, num_perm=DEFAULT_NUM_PERM, posting_keys=postings["posting_key"]
                )
            done += postings.num_rows
            report_count(progress, "normalise", done, total, "postings")
        warehouse.insert_normalise_errors(con, run_id, errors)
    for rule, count in sorted(errors.counts.items()):
        example, error = errors.examples.get(rule, ("", ""))
        progress(f"  rule errors: {rule}: {count:,} (first: {error} on {example[:60]!r})")
    return {
        "normalised": done,
        "taxonomy_version": TAXONOMY_VERSION,
        "fx_table": fx_table or fx.bundled_table().label,
        "rule_errors": dict(sorted(errors.counts.items())),
        "seconds": round(time.perf_counter() - started, 2),
    }


def activate_fx_rates(con: Any, settings: Settings) -> str | None:
    """Make the warehouse's ECB rates the first FX table of this process (inherited by the normaliser's
    workers); the label of that table, or None when ``ref.fx_rates`` is empty (bundled table only)."""
    from transform import fx

    rows, newest = warehouse.fx_monthly_usd(con, settings.sql_dir)
    table = fx.ecb_table(rows, newest) if rows and newest else None
    fx.set_reference_table(table)
    return table.label if table else None


# ----------------------------------------------------------------------------- build


# validate raw, validate normalised, build + validate + publish marts, Data Docs
BUILD_STEPS = 4


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]


def build(
    settings: Settings, run_id: str | None = None, *, progress: Progress = _quiet, full: bool = False
) -> dict[str, Any]:
    """Validate the new raw + normalised batch, build the marts without the quarantined rows, validate
    them, then publish (or keep the old ones).

    Rows failing a row-level critical check are quarantined (``ops.quarantine``) and left out; the build
    stops (:class:`ValidationFailed`) only on a structural failure or when the quarantined share of the
    new batch exceeds ``settings.max_quarantine_share``. A build over the inputs of the last published
    build publishes nothing new (``status`` ``unchanged``: its marts stay). ``full``: validate every row,
    not the new batch, recompute the dedup step for every block and always build the marts.
    """
    from jobtrends import marts, quality

    run_id = run_id or new_run_id()
    started = time.perf_counter()
    outcomes: dict[str, Any] = {}
    validated: list[Any] = []
    with writing(settings), warehouse.connect(settings.warehouse_path) as con:
        warehouse.set_memory_limit(con, settings.build_memory_limit)
        warehouse.ensure_schema(con, settings.sql_dir)
        for layer in ("raw", "normalised"):
            # Data Docs of the inputs are rendered with the marts' after publishing: one site build
            with warehouse.bounded_memory(con, settings.scan_memory_limit):
                outcome = quality.validate_layer(
                    con, layer, run_id=run_id, settings=settings, incremental=not full, docs="defer"
                )
            validated.append(outcome)
            verdict = outcome.verdict(max_share=settings.max_quarantine_share, min_rows=settings.min_base)
            outcomes[layer] = {**outcome.summary(), "verdict": verdict.kind}
            progress(f"  validated {layer}: {outcome.summary_line()}")
            report_count(progress, "build", 1 if layer == "raw" else 2, BUILD_STEPS, "steps")
            if not verdict.blocked and not outcome.success:
                progress(
                    f"  {layer}: rows failing row-level checks are in quarantine, left out; the rest goes on"
                )
            if verdict.blocked:
                quality.render_deferred_docs_together(validated, settings)
                raise ValidationFailed(layer, verdict.message, kind=verdict.kind)
            for batch in outcome.batches.values():
                quality.accept_batch(con, run_id, batch)
        # Data Docs of the marts checks are rendered after publishing: a report on the build, not part of it
        validator = quality.marts_validator(settings, run_id, docs="defer")
        result: dict[str, Any] = marts.build_and_publish(
            con, settings, run_id=run_id, validate=validator, full=full
        )
        report_count(progress, "build", 3, BUILD_STEPS, "steps")
        t0 = time.perf_counter()
        quality.render_deferred_docs_together([*validated, validator.last_outcome], settings)
        result.setdefault("timings", {})["docs_after_publish_s"] = round(time.perf_counter() - t0, 3)
        outcomes["marts"] = result
        progress(f"  marts: {result.get('status')} ({len(result.get('marts', []))} marts)")
        report_count(progress, "build", BUILD_STEPS, BUILD_STEPS, "steps")
        if result.get("status") not in ("published", "unchanged"):
            detail = validator.last_outcome.summary_line() if validator.last_outcome else ""
            raise ValidationFailed(
                "marts", str(result.get("reason", "marts not published")) + (f": {detail}" if detail else "")
            )
    quarantined = {
        layer: outcomes[layer]["batches"][layer]["quarantined"]
        for layer in ("raw", "normalised")
        if layer in outcomes[layer].get("batches", {})
    }
    return {
        "run_id": run_id,
        "validation": outcomes,
        "quarantined_rows": quarantined,
        "seconds": round(time.perf_counter() - started, 2),
    }


class ValidationFailed(RuntimeError):
    """Nothing new was published: a structural check failed (``kind`` ``structural``), or too large a
    share of the new batch was quarantined (``quarantine_share``)."""

    def __init__(self, layer: str, detail: str, *, kind: str = "structural") -> None:
        what = (
            "validation blocked publishing" if kind == "quarantine_share" else "critical validation failure"
        )
        super().__init__(f"{what} in the {layer} layer: {detail}; previous marts kept")
        self.layer = layer
        self.kind = kind


def export(settings: Settings, run_date: date) -> dict[str, Any]:
    from jobtrends.export import export_marts

    with writing(settings):
        return export_marts(settings, run_date)


def dashboard(settings: Settings, out_dir: Path | None = None) -> dict[str, Any]:
    """The offline HTML dashboard of the published marts (read-only): ``<data_dir>/dashboard/index.html``."""
    from jobtrends.dashboard import write_dashboard

    return write_dashboard(settings, out_dir)


# ----------------------------------------------------------------------------- run


def run(
    settings: Settings,
    run_date: date | None = None,
    *,
    progress: Progress = print,
    full: bool = False,
) -> dict[str, Any]:
    """The whole pipeline: ingest → load → normalise → validate → build marts → export.

    ``full``: validate every row of raw and normalised, not only the new batch.
    """
    with writing(settings):
        return _run_locked(settings, run_date, progress, full=full)


def _run_locked(
    settings: Settings, run_date: date | None, progress: Progress, *, full: bool = False
) -> dict[str, Any]:
    run_id = new_run_id()
    started = datetime.now(UTC)
    steps: list[dict[str, Any]] = []
    status = "failed"
    record: dict[str, Any] = {"steps": steps}
    try:
        last = _run_steps(settings, run_id, run_date, steps, progress, full=full)
        status = "ok"
        return {"run_id": run_id, "run_date": last.isoformat(), "steps": steps}
    except ValidationFailed as exc:
        status = "validation_failed"
        record.update(blocked_by=exc.kind, blocked_layer=exc.layer, reason=str(exc))
        raise
    finally:
        with contextlib.suppress(warehouse.WarehouseError), warehouse.connect(settings.warehouse_path) as con:
            warehouse.ensure_schema(con, settings.sql_dir)
            warehouse.record_run(con, run_id, "run", run_date, started, status, record)


def _run_steps(
    settings: Settings,
    run_id: str,
    run_date: date | None,
    steps: list[dict[str, Any]],
    progress: Progress,
    *,
    full: bool = False,
) -> date:
    def step(name: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        progress(f"▶ {name}")
        t0 = time.perf_counter()
        out = fn()
        out = {
            "step": name,
            "seconds": round(time.perf_counter() - t0, 2),
            **{k: v for k, v in out.items() if k != "seconds"},
        }
        steps.append(out)
        return out

    def ingest_at(day: date, specs: list[SourceSpec] | None, out: Progress) -> dict[str, Any]:
        return ingest(settings, day, sources=specs, progress=out)

    # the live sources ingest run_date (today); the sample replays its snapshots up to it
    last, ingest_step = provider_for(settings).plan_ingest(run_date, ingest_at, progress)
    step("ingest", ingest_step)
    step("load", lambda: load(settings, progress=progress))
    step("normalise", lambda: normalise(settings, progress=progress, run_id=run_id))
    step("validate + build marts", lambda: build(settings, run_id, progress=progress, full=full))
    step("export", lambda: export(settings, last))
    step("dashboard", lambda: dashboard(settings))
    return last


def iter_steps(summary: dict[str, Any]) -> Iterator[tuple[str, float]]:
    for s in summary.get("steps", []):
        yield s["step"], s["seconds"]


def render_summary(settings: Settings, summary: dict[str, Any]) -> str:
    """The final summary table of ``jobtrends run``: steps, volumes, quarantine, headline growth."""
    from jobtrends.tables import render_table

    lines = [render_table(["step", "seconds"], [[s, sec] for s, sec in iter_steps(summary)]), ""]
    lines += render_rule_errors(summary)
    counts = warehouse.query(settings.warehouse_path, _read_sql(settings, "summary_counts"))
    lines += [render_table(*counts), ""]
    columns, rows = warehouse.query(settings.warehouse_path, _read_sql(settings, "summary_growth"))
    if rows:
        lines += [
            "Role growth (unique roles, year over year, latest full year):",
            render_table(columns, rows),
            "",
        ]
    for s in summary.get("steps", []):
        quarantined = s.get("quarantined_rows") or {}
        if any(quarantined.values()):
            lines.append(
                "Left out of the marts (in quarantine after this run's validation): "
                + ", ".join(f"{n:,} {layer} rows" for layer, n in quarantined.items())
                + " — select * from ops.quarantine where stage = 'validate' and released_at is null"
            )
    lines.append(f"Warehouse: {settings.warehouse_path}   Exports: {_latest(exports_location(settings))}")
    board = next((s for s in summary.get("steps", []) if s.get("step") == "dashboard"), None)
    if board:
        lines.append(f"Dashboard: {board['path']}   (open it in a browser; works offline)")
    lines.append('Next: jobtrends report   |   jobtrends query "select * from marts.claims"')
    if provider_for(settings).synthetic:
        lines.append("Note: these figures come from the SYNTHETIC sample, not from real postings.")
    return "\n".join(lines)


def render_rule_errors(summary: dict[str, Any]) -> list[str]:
    """Lines of the run summary on the normalise step's rule errors (counts per rule) and FX table."""
    for s in summary.get("steps", []):
        if s.get("step") != "normalise":
            continue
        counts = s.get("rule_errors") or {}
        fx_line = f"FX table: {s['fx_table']}" if s.get("fx_table") else None
        if not counts:
            return ["Normaliser rule errors: none", *([fx_line] if fx_line else []), ""]
        from jobtrends.tables import render_table

        rows = [[rule, count] for rule, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        return [
            "Normaliser rule errors (bugs to fix; details in ops.normalise_errors):",
            render_table(["rule", "errors"], rows),
            *([fx_line] if fx_line else []),
            "",
        ]
    return []


def _latest(exports: Path | str) -> str:
    return str(exports / "latest") if isinstance(exports, Path) else f"{exports}/latest.json"


def _read_sql(settings: Settings, name: str) -> str:
    return (settings.sql_dir / "report" / f"{name}.sql").read_text()
