"""Data quality with Great Expectations: validate a layer, keep the results, quarantine bad rows.

How it runs
    Each layer's suites are code in ``expectations/`` (a top-level folder, not part of the installed
    package). They are loaded *by path* from ``settings.expectations_dir`` with
    ``importlib.util.spec_from_file_location`` as a private package, so a deployment can point at its
    own copy without reinstalling and the suites need no ``sys.path`` tricks.

    GX 1.24's SQL datasources fail on DuckDB (``MetricResolutionError: list index out of range``,
    GX issues #10738 and #11579), so every suite runs on GX's pandas datasource: DuckDB computes a
    narrow validation frame (only the columns the expectations need; big text reduced to sizes, row
    checks that GX does row-by-row in Python turned into derived columns) → Arrow → pandas (Arrow-backed
    strings) → whole-dataframe batches. Speed (1M normalised rows, 18 expectations: ~4 s on 2 cores):

    - expectations are validated in groups by the columns they read, each group on a frame of just
      those columns — GX's pandas engine filters the *whole* frame for every metric;
    - GX's ``V1Validator`` is driven directly (``Batch.validate`` loads and fingerprints the frame twice);
    - GX's full-frame md5 fingerprint is swapped, while validating, for a cheap one
      (:func:`_cheap_batch_fingerprint`);
    - uniqueness checks see exact dictionary codes of string keys instead of the strings.

    One ephemeral GX context per process is reused (creating it costs ~10 ms; importing GX costs
    seconds, once). Data Docs are rendered by a second, file-backed context rooted in
    ``settings.docs_dir`` (its stores in ``<docs_dir>/gx/``), so the site keeps every run.

What is kept
    - every expectation result → ``ops.validation_results`` (run, suite, expectation, column, success,
      critical, observed value, unexpected count);
    - rows violating a *critical row-level* expectation of the raw or normalised layer →
      ``ops.quarantine`` (stage ``validate``, check name, reason, posting key, the record as JSON);
      :func:`quarantine_keys` lists them so the pipeline can leave them out of the marts;
    - GX Data Docs (static HTML) under ``settings.docs_dir / "data_docs"``; unexpected-row lists are
      trimmed to the partial list before rendering, so rendering stays cheap on big failures.

Severity lives in each expectation's ``meta`` (see ``expectations/__init__.py``): a critical failure
makes :attr:`ValidationOutcome.success` false; a warning only reports.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import json
import logging
import math
import os
import re
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from jobtrends import warehouse
from jobtrends.settings import Settings
from transform.forking import can_fork, forked_pool

log = logging.getLogger(__name__)

LAYERS: tuple[str, ...] = ("raw", "normalised", "marts", "drift")
ROW_LEVEL_LAYERS: tuple[str, ...] = ("raw", "normalised")
DOCS_SUBDIR = "data_docs"
STAGE = "validate"
MAX_OBSERVED_CHARS = 2000
PARTIAL_UNEXPECTED = 20
_BULKY_RESULT_KEYS = (
    "unexpected_list",
    "unexpected_index_list",
    "partial_unexpected_index_list",
    "unexpected_index_query",
)


# ----------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's result, as stored in ``ops.validation_results``."""

    suite: str
    expectation: str  # "<gx type>(<columns>)" plus "[variant]" where a suite has two of a kind
    column: str | None
    success: bool
    critical: bool
    observed_value: str | None = None
    unexpected_count: int | None = None
    element_count: int | None = None
    reason: str = ""
    skipped: bool = False
    quarantined: int = 0  # rows of this check's failure kept in ops.quarantine (left out of the marts)
    structural: bool = False  # a check of the layer's shape (keys, grain): never quarantines, blocks

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class BatchInfo:
    """What one row-level layer's validation covered: the new batch, and what it quarantined.

    ``new_rows`` are the rows added since the last accepted batch (all rows in a full validation);
    ``rechecked_rows`` the others validated with them (rows still in quarantine, and rows sharing a key
    with a new one, so a duplicate across batches is found). ``quarantined_new`` counts the distinct new
    rows that failed a row-level check (the share that can block publishing); ``quarantined`` every row
    failing one now; ``released`` the quarantined rows that pass now (a rule or parser fix) and come back.
    """

    layer: str
    full: bool
    since: datetime | None
    suite_hash: str
    new_rows: int = 0
    rechecked_rows: int = 0
    quarantined_new: int = 0
    quarantined: int = 0
    released: int = 0
    validated_through: datetime | None = None
    table_rows: int = 0
    excluded_rows: int = 0  # rows of the layer in quarantine after this validation

    @property
    def share(self) -> float:
        return self.quarantined_new / self.new_rows if self.new_rows else 0.0

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["since"] = self.since.isoformat() if self.since else None
        out["validated_through"] = self.validated_through.isoformat() if self.validated_through else None
        out["share"] = round(self.share, 6)
        return out


@dataclass(frozen=True)
class Verdict:
    """Whether a validated layer may be published: ``kind`` is ``ok``, ``structural`` or ``quarantine_share``."""

    kind: str
    message: str

    @property
    def blocked(self) -> bool:
        return self.kind != "ok"


@dataclass
class ValidationOutcome:
    """The result of validating one layer (or several, merged)."""

    layer: str
    run_id: str
    results: list[ExpectationOutcome] = field(default_factory=list)
    quarantined: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # validated rows per suite
    docs_path: Path | None = None
    seconds: float = 0.0
    #: GX results kept for :func:`render_deferred_docs` when validated with ``docs="defer"``.
    pending_docs: tuple[list[tuple[Any, Any]], datetime] | None = field(
        default=None, repr=False, compare=False
    )
    #: row-level layers validated: what the batch was and what it quarantined
    batches: dict[str, BatchInfo] = field(default_factory=dict)

    @property
    def critical_failures(self) -> list[ExpectationOutcome]:
        return [r for r in self.results if r.critical and not r.success]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [r for r in self.results if not r.critical and not r.success]

    @property
    def success(self) -> bool:
        """No critical failure (warnings allowed)."""
        return not self.critical_failures

    @property
    def publishable(self) -> bool:
        """Every critical failure is row-level and all its rows are quarantined.

        Then the layer minus :func:`quarantine_keys` is clean, and a pipeline may go on building the
        marts without those rows instead of stopping (``success`` is stricter: no critical failure at all).
        """
        return not self.structural_failures

    @property
    def structural_failures(self) -> list[ExpectationOutcome]:
        """Critical failures whose rows are not (all) quarantined: structural checks, checks that raised,
        aggregate checks. Any of them blocks publishing."""
        return [
            r for r in self.critical_failures if not (r.quarantined and r.quarantined == r.unexpected_count)
        ]

    def verdict(self, *, max_share: float, min_rows: int) -> Verdict:
        """Publish or block: blocked on a structural failure, on an empty layer (or one left empty by the
        quarantine), or when the quarantined share of the new batch exceeds ``max_share`` (judged on
        batches of at least ``min_rows`` rows: below that, one bad row is not a rate)."""
        if self.structural_failures:
            detail = "; ".join(
                f"{r.suite}: {r.reason or r.expectation}" for r in self.structural_failures[:3]
            )
            return Verdict("structural", f"structural check failed ({detail})")
        for b in self.batches.values():
            if not b.table_rows:
                return Verdict("structural", f"the {b.layer} layer is empty")
            if b.excluded_rows >= b.table_rows:
                return Verdict("structural", f"every row of the {b.layer} layer is in quarantine")
            if b.new_rows >= min_rows and b.share > max_share:
                return Verdict(
                    "quarantine_share",
                    f"{b.quarantined_new:,} of {b.new_rows:,} new {b.layer} rows quarantined "
                    f"({b.share:.2%}, above the {max_share:.2%} limit, JOBTRENDS_MAX_QUARANTINE_SHARE)",
                )
        return Verdict("ok", "publishable")

    def __bool__(self) -> bool:
        return self.success

    def summary_line(self) -> str:
        status = "ok" if self.success else "FAILED"
        text = (
            f"{status}: {len(self.results)} checks, {len(self.critical_failures)} critical failures, "
            f"{len(self.warnings)} warnings"
        )
        if self.quarantined:
            text += f", {self.quarantined} rows quarantined"
        for b in self.batches.values():
            scope = "full" if b.full else "batch"
            text += f"; {b.layer} {scope}: {b.new_rows:,} new rows, {b.quarantined_new:,} quarantined"
            if b.released:
                text += f", {b.released:,} released"
        if self.critical_failures:
            text += (
                " ("
                + "; ".join(f"{r.suite}: {r.reason or r.expectation}" for r in self.critical_failures[:3])
                + ")"
            )
        return text

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable (for XCom and run summaries)."""
        return {
            "layer": self.layer,
            "run_id": self.run_id,
            "success": self.success,
            "publishable": self.publishable,
            "checks": len(self.results),
            "critical_failures": [_brief(r) for r in self.critical_failures],
            "warnings": [_brief(r) for r in self.warnings],
            "quarantined": self.quarantined,
            "batches": {k: b.as_dict() for k, b in self.batches.items()},
            "rows": dict(self.rows),
            "docs_path": str(self.docs_path) if self.docs_path else None,
            "seconds": round(self.seconds, 2),
        }

    def by_suite(self) -> dict[str, list[ExpectationOutcome]]:
        out: dict[str, list[ExpectationOutcome]] = {}
        for r in self.results:
            out.setdefault(r.suite, []).append(r)
        return out

    @classmethod
    def merge(cls, layer: str, run_id: str, outcomes: Iterable[ValidationOutcome]) -> ValidationOutcome:
        merged = cls(layer=layer, run_id=run_id)
        for o in outcomes:
            merged.results.extend(o.results)
            merged.quarantined += o.quarantined
            merged.rows.update(o.rows)
            merged.batches.update(o.batches)
            merged.docs_path = o.docs_path or merged.docs_path
            merged.seconds += o.seconds
        return merged


def _brief(r: ExpectationOutcome) -> dict[str, Any]:
    return {
        "suite": r.suite,
        "expectation": r.expectation,
        "reason": r.reason,
        "observed": r.observed_value,
        "unexpected_count": r.unexpected_count,
    }


# ----------------------------------------------------------------------------- suites by path


def load_expectations(settings: Settings, layer: str) -> ModuleType:
    """The suite module of a layer, loaded by path from ``settings.expectations_dir``.

    The folder is loaded once per process as a private package (``_jt_expectations_<hash>``) so the
    layer modules can share helpers with relative imports.
    """
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; expected one of {', '.join(LAYERS)}")
    directory = Path(settings.expectations_dir).resolve()
    init = directory / "__init__.py"
    if not init.exists():
        raise FileNotFoundError(f"no expectation suites at {directory} (settings.expectations_dir)")
    package = "_jt_expectations_" + hashlib.sha1(str(directory).encode()).hexdigest()[:10]
    if package not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            package, init, submodule_search_locations=[str(directory)]
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[package] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[package]
            raise
    return importlib.import_module(f"{package}.{layer}")


# ----------------------------------------------------------------------------- GX plumbing

_GX: dict[str, Any] = {}


def _gx() -> Any:
    """Import GX once, quietly (no analytics, no progress bars)."""
    if "module" not in _GX:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import great_expectations as gx
        _GX["module"] = gx
        _GX["import_s"] = time.perf_counter() - started
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
    return _GX["module"]


def _context() -> Any:
    """One ephemeral GX context per process, with a pandas datasource."""
    if "context" not in _GX:
        gx = _gx()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        ctx = gx.get_context(mode="ephemeral")
        ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        _GX["context"] = ctx
        _GX["datasource"] = ctx.data_sources.add_pandas("jobtrends")
        _GX["batch_definitions"] = {}
    return _GX["context"]


def _batch_definition(asset_name: str) -> Any:
    _context()
    cache = _GX["batch_definitions"]
    if asset_name not in cache:
        asset = _GX["datasource"].add_dataframe_asset(asset_name)
        cache[asset_name] = asset.add_batch_definition_whole_dataframe("whole_frame")
    return cache[asset_name]


def _docs_context(docs_dir: Path) -> tuple[Any, str]:
    """A file-backed GX context rooted in ``settings.docs_dir`` (``gx/``), used only to render Data Docs.

    Validation runs on the ephemeral context; the rendered results and suites are kept on disk here
    (``<docs_dir>/gx/``) so the site index lists every past run — GX's index builder deletes pages whose
    result is missing from its store, so an in-memory store would wipe earlier runs.
    Returns the context and the name of the site that renders into ``<docs_dir>/data_docs``.
    """
    key = str(Path(docs_dir).resolve())
    cached = _GX.setdefault("docs_contexts", {})
    if key not in cached:
        gx = _gx()
        ctx = gx.get_context(mode="file", project_root_dir=key)
        site = "jobtrends"
        target = str(Path(key) / DOCS_SUBDIR)
        sites = ctx.list_data_docs_sites()
        if sites.get(site, {}).get("store_backend", {}).get("base_directory") != target:
            for name in list(sites):
                ctx.delete_data_docs_site(name)
            ctx.add_data_docs_site(
                site,
                {
                    "class_name": "SiteBuilder",
                    "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": target},
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                },
            )
        cached[key] = (ctx, site)
    return cached[key]


def _expectation_columns(kwargs: Mapping[str, Any]) -> list[str]:
    if kwargs.get("column"):
        return [kwargs["column"]]
    if kwargs.get("column_A"):
        return [kwargs["column_A"], kwargs["column_B"]]
    return list(kwargs.get("column_list") or [])


def expectation_label(
    expectation_type: str, kwargs: Mapping[str, Any], meta: Mapping[str, Any] | None
) -> str:
    """``expect_column_values_to_not_be_null(title)``; ``[variant]`` appended where set."""
    label = f"{expectation_type}({','.join(_expectation_columns(kwargs))})"
    variant = (meta or {}).get("variant")
    return f"{label}[{variant}]" if variant else label


def _is_critical(meta: Mapping[str, Any] | None) -> bool:
    return (meta or {}).get("severity", "critical") != "warning"  # untagged counts as critical


def _is_structural(meta: Mapping[str, Any] | None) -> bool:
    return (meta or {}).get("scope") == "structural"


@dataclass
class _Job:
    """One suite over one frame."""

    suite: Any  # gx.ExpectationSuite
    frame: pa.Table
    parameters: dict[str, Any] = field(default_factory=dict)
    quarantine: Any = None  # the layer module (QUARANTINE_COLUMNS, RECORD_SQL) for row-level layers
    batch: BatchInfo | None = None  # row-level layers: what the frame covers


@dataclass
class _SuiteRun:
    outcomes: list[ExpectationOutcome]
    failing_rows: list[tuple[ExpectationOutcome, list[int]]]  # critical row-level failures → frame positions
    gx_result: Any


UNIQUENESS_TYPES = frozenset(
    {
        "expect_compound_columns_to_be_unique",
        "expect_column_values_to_be_unique",
        "expect_select_column_values_to_be_unique_within_record",
    }
)


def _to_pandas(table: pa.Table, *, coded: bool = False) -> Any:
    """Arrow → pandas. Strings stay Arrow-backed (pandas ≥ 3), numbers and timestamps become numpy.

    ``coded``: string columns become their exact dictionary codes (``pyarrow.compute.dictionary_encode``),
    for uniqueness checks — equal codes ⇔ equal strings, and hashing/deduplicating int32 is ~10× faster
    than strings. Examples shown in results are decoded again from the Arrow frame.
    """
    if coded:
        import pyarrow.compute as pc

        columns = []
        for col in table.columns:
            if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
                col = pc.dictionary_encode(col.combine_chunks()).indices
            columns.append(col)
        table = pa.table(columns, names=table.column_names)
    return table.to_pandas(split_blocks=True)


@contextlib.contextmanager
def _cheap_batch_fingerprint() -> Iterator[None]:
    """While validating, replace GX's pandas batch fingerprint (an md5 over a full row hash of the frame
    *and* its index, ~30% of validation time at 1M rows) with one over shape, columns and a random nonce.

    The fingerprint only names the batch inside GX (we load every frame exactly once, so nothing is
    looked up by it). Scoped and restored; a GX without the hook is left alone.
    """
    try:
        from great_expectations.execution_engine import pandas_execution_engine as engine
    except ImportError:  # pragma: no cover
        yield
        return
    original = getattr(engine, "hash_pandas_dataframe", None)
    if original is None:  # pragma: no cover
        yield
        return

    def fingerprint(df: Any) -> str:
        text = f"{df.shape}|{list(df.columns)}|{uuid.uuid4().hex}"
        return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()

    engine.hash_pandas_dataframe = fingerprint
    try:
        yield
    finally:
        engine.hash_pandas_dataframe = original


#: Fewer validation batches than this run in the calling process: forking costs about what it saves.
_PARALLEL_MIN_BATCHES = 4
# Set in the parent before forking: the workers read their batches from here instead of unpickling frames.
_FORKED_BATCHES: Sequence[tuple[_Job, list[Any]]] = ()


@dataclass
class _BatchRun:
    """The results of one column group of one suite."""

    outcomes: list[ExpectationOutcome]
    failing_rows: list[tuple[ExpectationOutcome, list[int]]]
    gx_result: Any


def _run_forked_batch(index: int) -> _BatchRun:
    job, exps = _FORKED_BATCHES[index]
    return _validate_batch(job, exps)


def _run_suites(jobs: Sequence[_Job], workers: int) -> list[_SuiteRun]:
    """Every job's suite, results in job order. The unit of work is one column group of one suite
    (see :func:`_groups`); with ``workers`` > 1 and enough of them, they run in forked processes, the
    costliest first: GX spends its time in Python, one core per process, and its pandas frames then
    never grow the caller's heap."""
    global _FORKED_BATCHES
    plans = [_plan(job) for job in jobs]
    batches = [(job, exps) for job, (_, groups) in zip(jobs, plans, strict=True) for exps in groups]
    workers = min(workers, len(batches))
    if workers < 2 or len(batches) < _PARALLEL_MIN_BATCHES or not can_fork():
        done = [_validate_batch(job, exps) for job, exps in batches]
    else:
        order = sorted(range(len(batches)), key=lambda i: -_batch_cost(*batches[i]))
        _context()  # import GX and make its context here, once: every pool's workers inherit them
        _FORKED_BATCHES = batches
        try:
            with forked_pool(workers) as pool:
                by_index = dict(zip(order, pool.imap(_run_forked_batch, order, chunksize=1), strict=True))
        finally:
            _FORKED_BATCHES = ()
        done = [by_index[i] for i in range(len(batches))]
    runs: list[_SuiteRun] = []
    position = 0
    for skipped, groups in plans:
        runs.append(_merge(skipped, done[position : position + len(groups)]))
        position += len(groups)
    return runs


def _batch_cost(job: _Job, exps: list[Any]) -> int:
    columns = {c for e in exps for c in _expectation_columns(e.configuration.kwargs)}
    return job.frame.num_rows * max(1, len(columns)) * len(exps)


def _groups(expectations: Sequence[Any]) -> list[list[Any]]:
    """Expectations grouped by the columns they read (suite order kept).

    GX's pandas engine filters the *whole* dataframe for every metric (``df[mask]``), so a batch
    holding only the columns an expectation reads is several times faster than one wide batch.
    """
    out: dict[tuple[str, ...], list[Any]] = {}
    for exp in expectations:
        out.setdefault(tuple(_expectation_columns(exp.configuration.kwargs)), []).append(exp)
    return list(out.values())


def _plan(job: _Job) -> tuple[list[ExpectationOutcome], list[list[Any]]]:
    """Outcomes of the expectations skipped on a small frame (``meta.min_rows``); groups of the others."""
    n_rows = job.frame.num_rows
    kept, skipped = [], []
    for exp in job.suite.expectations:
        min_rows = int((exp.meta or {}).get("min_rows") or 0)
        (skipped if n_rows < min_rows else kept).append(exp)
    outcomes: list[ExpectationOutcome] = []
    for exp in skipped:
        cfg = exp.configuration
        outcomes.append(
            ExpectationOutcome(
                suite=job.suite.name,
                expectation=expectation_label(cfg.type, cfg.kwargs, exp.meta),
                column=",".join(_expectation_columns(cfg.kwargs)) or None,
                success=True,
                critical=_is_critical(exp.meta),
                observed_value=f"skipped: {n_rows} rows, needs {exp.meta.get('min_rows')}",
                element_count=n_rows,
                reason=str(exp.meta.get("reason", "")),
                skipped=True,
            )
        )
    return outcomes, _groups(kept)


def _merge(skipped: list[ExpectationOutcome], parts: Sequence[_BatchRun]) -> _SuiteRun:
    """One suite's run from its column groups' runs (in suite order): one GX result for Data Docs."""
    outcomes = list(skipped)
    failing_rows: list[tuple[ExpectationOutcome, list[int]]] = []
    merged: Any = None
    for part in parts:
        outcomes.extend(part.outcomes)
        failing_rows.extend(part.failing_rows)
        if merged is None:
            merged = part.gx_result
        else:
            merged.results.extend(part.gx_result.results)
    if merged is not None:
        evaluated = len(merged.results)
        successful = sum(1 for r in merged.results if r.success)
        merged.success = evaluated == successful
        merged.statistics = {
            "evaluated_expectations": evaluated,
            "successful_expectations": successful,
            "unsuccessful_expectations": evaluated - successful,
            "success_percent": 100.0 * successful / evaluated if evaluated else None,
        }
    return _SuiteRun(outcomes, failing_rows, merged)


def _validate_batch(job: _Job, exps: list[Any]) -> _BatchRun:
    """One column group of a suite, validated on a frame of just those columns."""
    _context()
    gx = _gx()
    from great_expectations.validator.v1_validator import Validator as V1Validator

    columns = _expectation_columns(exps[0].configuration.kwargs)
    present = [c for c in columns if c in job.frame.column_names]
    # table-level expectations (row count, column set) see the whole frame
    narrow = job.frame.select(present) if present else job.frame
    coded = all(e.configuration.type in UNIQUENESS_TYPES for e in exps)
    with _cheap_batch_fingerprint():
        # V1Validator is what ``Batch.validate`` wraps; used directly it loads (and fingerprints) the
        # dataframe once instead of twice, and needs no suite saved per column group.
        validator = V1Validator(
            batch_definition=_batch_definition(job.suite.name),
            batch_parameters={"dataframe": _to_pandas(narrow, coded=coded)},
            result_format={
                "result_format": "COMPLETE",
                "partial_unexpected_count": PARTIAL_UNEXPECTED,
                "return_unexpected_index_query": False,
            },
        )
        result = validator.validate_expectation_suite(
            gx.ExpectationSuite(
                name=job.suite.name, expectations=[e.copy() for e in exps], meta=job.suite.meta
            ),
            expectation_parameters=job.parameters or None,
        )
    outcomes: list[ExpectationOutcome] = []
    failing_rows: list[tuple[ExpectationOutcome, list[int]]] = []
    for r in result.results:
        outcome, positions = _outcome(job, r, narrow if coded else None)
        if (
            outcome.critical
            and not outcome.success
            and not outcome.structural
            and job.quarantine is not None
            and positions
        ):
            outcome = replace(outcome, quarantined=len(positions))
            failing_rows.append((outcome, positions))
        outcomes.append(outcome)
    return _BatchRun(outcomes, failing_rows, result)


def _outcome(job: _Job, r: Any, coded_frame: pa.Table | None) -> tuple[ExpectationOutcome, list[int]]:
    """Our record of one GX result; also the frame positions of its unexpected rows (then trimmed)."""
    cfg = r.expectation_config
    meta = cfg.meta or {}
    res = r.result if r.result is not None else {}
    exc = r.exception_info or {}
    raised = bool(exc.get("raised_exception")) or any(
        isinstance(v, Mapping) and v.get("raised_exception") for v in exc.values()
    )
    positions = [int(i) for i in res.get("unexpected_index_list") or []]
    if coded_frame is not None and "partial_unexpected_list" in res:  # decode examples back to strings
        sample = coded_frame.take(pa.array(positions[:PARTIAL_UNEXPECTED], pa.int64())).to_pylist()
        res["partial_unexpected_list"] = [
            tuple(row.values()) if len(row) > 1 else next(iter(row.values())) for row in sample
        ]
    outcome = ExpectationOutcome(
        suite=job.suite.name,
        expectation=expectation_label(cfg.type, cfg.kwargs, meta),
        column=",".join(_expectation_columns(cfg.kwargs)) or None,
        success=bool(r.success) and not raised,
        critical=_is_critical(meta),
        structural=_is_structural(meta),
        observed_value=_observed(res, exc if raised else None),
        unexpected_count=_int_or_none(res.get("unexpected_count")),
        element_count=_int_or_none(res.get("element_count")),
        reason=str(meta.get("reason", "")),
    )
    for key in _BULKY_RESULT_KEYS:  # keep the stored/rendered result small
        res.pop(key, None)
    return outcome, positions


def _int_or_none(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "item"):  # numpy scalars
        try:
            return value.item()
        except (TypeError, ValueError):
            pass
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)


def _observed(res: Mapping[str, Any], exc: Mapping[str, Any] | None) -> str | None:
    if exc:
        message = exc.get("exception_message") or next(
            (
                v.get("exception_message")
                for v in exc.values()
                if isinstance(v, Mapping) and v.get("exception_message")
            ),
            "expectation raised",
        )
        return f"error: {message}"[:MAX_OBSERVED_CHARS]
    if res.get("observed_value") is not None:
        value = res["observed_value"]
    elif res.get("unexpected_count") is not None:
        value = {
            "unexpected": res.get("unexpected_count"),
            "of": res.get("element_count"),
            "examples": list(res.get("partial_unexpected_list") or [])[:5],
        }
    else:  # e.g. distinct-values checks report missing_count / partial_missing_list instead
        value = {k: v for k, v in res.items() if k not in _BULKY_RESULT_KEYS and v is not None}
        if not value:
            return None
    text = value if isinstance(value, str) else json.dumps(value, default=_jsonable, ensure_ascii=False)
    return text[:MAX_OBSERVED_CHARS]


# ----------------------------------------------------------------------------- frames per layer


def _arrow(con: Any, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> pa.Table:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # DuckDB: "Arrow output on a DB-API result makes a copy"
        cur = con.execute(sql, params) if params is not None else con.execute(sql)
        return cur.to_arrow_table()


def _rows(con: Any, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> list[tuple]:
    cur = con.execute(sql, params) if params is not None else con.execute(sql)
    return cur.fetchall()


def _setting(settings: Settings, key: str, default: float) -> float:
    value = (settings.extra or {}).get(f"quality.{key}")
    return float(value) if value not in (None, "") else default


def _row_level_jobs(con: Any, settings: Settings, layer: str, now: datetime, incremental: bool) -> list[_Job]:
    module = load_expectations(settings, layer)
    suite = module.build_suite(min_base=settings.min_base)
    params: dict[str, Any] = {}
    if layer == "normalised":
        params["max_posted_at"] = now + timedelta(days=1)
    suite_hash = _suite_hash(settings, layer)
    since = _last_accepted(con, layer, suite_hash) if incremental else None
    batch = BatchInfo(layer=layer, full=since is None, since=since, suite_hash=suite_hash)
    where = None if since is None else _batch_where(module, layer, since)
    frame = _arrow(con, module.frame_sql(where) if where is not None else module.FRAME_SQL)
    added = frame.column("_added_at")
    if since is None:
        batch.new_rows = frame.num_rows
    else:
        batch.new_rows = int(pc.sum(pc.greater(added, pa.scalar(since, added.type))).as_py() or 0)
    batch.rechecked_rows = frame.num_rows - batch.new_rows
    newest = _max_timestamp(added)
    batch.validated_through = max(filter(None, (newest, since)), default=None)
    batch.table_rows = int(_rows(con, f"select count(*) from {module.TABLE}")[0][0])
    return [_Job(suite=suite, frame=frame, parameters=params, quarantine=module, batch=batch)]


def _max_timestamp(column: Any) -> datetime | None:
    return pc.max(column).as_py() if len(column) else None


def _suite_hash(settings: Settings, layer: str) -> str:
    """The suite a batch was judged by: its module's source, the shared helpers and the parameters.

    A changed suite (a new or stricter check) makes the next run validate the whole layer again.
    """
    directory = Path(settings.expectations_dir)
    digest = hashlib.sha256()
    for name in ("__init__.py", f"{layer}.py"):
        path = directory / name
        digest.update(path.read_bytes() if path.exists() else b"")
    digest.update(f"min_base={settings.min_base}".encode())
    return digest.hexdigest()[:16]


def _last_accepted(con: Any, layer: str, suite_hash: str) -> datetime | None:
    """Where the last accepted batch of ``layer`` ended; None (validate everything) when there is none,
    or when it was judged by another suite."""
    rows = _rows(
        con,
        "select validated_through, suite_hash from ops.validation_batches where layer = ? "
        "order by accepted_at desc limit 1",
        [layer],
    )
    if not rows or rows[0][1] != suite_hash or rows[0][0] is None:
        return None
    return rows[0][0]


def _batch_where(module: ModuleType, layer: str, since: datetime) -> str:
    """Rows of the frame in an incremental validation (on the frame's table alias): those sharing a key
    with a row added after ``since`` (the new rows and any duplicate of theirs) and those in quarantine."""
    alias = "r" if layer == "raw" else "n"
    key = ", ".join(f"{alias}.{c}" for c in module.ROW_KEY)
    cols = ", ".join(module.ROW_KEY)
    stamp = since.isoformat()
    return f"""(
        ({key}) in (select {cols} from {module.TABLE} where {module.ADDED_AT} > timestamptz '{stamp}')
        or ({key}) in (
            select {cols} from ops.quarantine
            where stage = '{STAGE}' and layer = '{layer}' and released_at is null
        )
    )"""


def _drift_jobs(con: Any, settings: Settings, now: datetime, sources: Sequence[str] | None) -> list[_Job]:
    m = load_expectations(settings, "drift")
    volume = _arrow(con, m.VOLUME_SQL, {"window": m.TRAILING_WINDOW, "min_history": m.MIN_HISTORY})
    rates = _arrow(con, m.RATES_SQL, {"min_base": settings.min_base})
    fresh = _arrow(con, m.FRESHNESS_SQL, {"now": now, "sources": list(sources or [])})
    return [
        _Job(suite=m.build_volume_suite(), frame=volume),
        _Job(suite=m.build_rates_suite(), frame=rates),
        _Job(
            suite=m.build_freshness_suite(max_days=_setting(settings, "freshness_days", m.FRESHNESS_DAYS)),
            frame=fresh,
        ),
    ]


def _mart_tables(con: Any, schema: str) -> dict[str, dict[str, str]]:
    rows = _rows(
        con,
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = ? order by table_name, ordinal_position",
        [schema],
    )
    tables: dict[str, dict[str, str]] = {}
    for table, column, dtype in rows:
        tables.setdefault(table, {})[column] = str(dtype)
    return tables


def _marts_jobs(
    con: Any, settings: Settings, schema: str, names: Sequence[str] | None, claims_on_connection: bool = False
) -> tuple[list[_Job], list[ExpectationOutcome]]:
    m = load_expectations(settings, "marts")
    tables = _mart_tables(con, schema)
    missing: list[ExpectationOutcome] = []
    if names is not None:
        for name in names:
            if name not in tables:
                missing.append(
                    ExpectationOutcome(
                        suite=m.SUITE_PREFIX + name,
                        expectation="mart_exists",
                        column=None,
                        success=False,
                        critical=True,
                        observed_value=f"no table {schema}.{name}",
                        reason=f"mart {name} was not built",
                    )
                )
        tables = {t: c for t, c in tables.items() if t in set(names)}
    jobs: list[_Job] = []
    for table, column_types in tables.items():
        plan = m.plan(table, column_types)
        params: dict[str, Any] = {}
        if plan.checks_gaps:
            params[f"expected_periods__{table}"] = [
                r[0] for r in _rows(con, m.expected_periods_sql(schema, plan))
            ]
        jobs.append(
            _Job(suite=m.build_suite(plan), frame=_arrow(con, m.frame_sql(schema, plan)), parameters=params)
        )
    # the claims re-run last: inside the build's transaction a claim whose SQL fails aborts the
    # transaction, and every later query on it fails too (the build is then rejected and rolled back)
    if m.CLAIMS_TABLE in tables:
        columns = list(tables[m.CLAIMS_TABLE])
        frame = _claims_frame(con, m, schema, columns, claims_on_connection)
        jobs.append(_Job(suite=m.build_claims_suite(), frame=frame))
    return jobs, missing


def _claims_frame(
    con: Any, m: ModuleType, schema: str, columns: list[str], on_connection: bool = False
) -> pa.Table:
    """Re-run every claim's SQL against ``schema`` (``marts.`` references rewritten) and compare."""
    id_col, value_col, sql_col = m.claims_columns(columns)
    ids: list[str] = []
    values: list[float | None] = []
    recomputed: list[float | None] = []
    ok: list[bool] = []
    errors: list[str | None] = []
    if value_col and sql_col:
        key = f'"{id_col}"::varchar' if id_col else "row_number() over ()::varchar"
        claims = _rows(con, f'select {key}, "{value_col}", "{sql_col}" from {schema}.{m.CLAIMS_TABLE}')
        reruns = _rerun_claims(con, [sql for _, _, sql in claims], schema, on_connection=on_connection)
        for (claim_id, value, _), (got, error) in zip(claims, reruns, strict=True):
            ids.append(str(claim_id))
            expected = _as_float(value)
            values.append(expected)
            recomputed.append(got)
            errors.append(error)
            ok.append(error is None and m.reproduces(expected, got))
    return pa.table(
        {
            "claim_id": pa.array(ids, pa.string()),
            "value": pa.array(values, pa.float64()),
            "reproduced_value": pa.array(recomputed, pa.float64()),
            "reproduces": pa.array(ok, pa.bool_()),
            "error": pa.array(errors, pa.string()),
        }
    )


def _rerun_claims(
    con: Any, sqls: Sequence[str | None], schema: str, *, on_connection: bool = False
) -> list[tuple[float | None, str | None]]:
    """``(value, error)`` of each claim's SQL run against ``schema``, in order. Two cursors share the
    queries: each is a millisecond of planning and Python, and DuckDB lets the other run meanwhile.
    ``on_connection``: run them on ``con`` itself, one after the other — a cursor is another connection,
    which cannot see the tables of ``con``'s open transaction (the marts build)."""

    def rerun(part: Sequence[str | None], own: bool = False) -> list[tuple[float | None, str | None]]:
        cursor = con if own else con.cursor()
        out: list[tuple[float | None, str | None]] = []
        try:
            for sql in part:
                try:
                    if not sql:
                        raise ValueError("claim has no sql")
                    rewritten = re.sub(r"\bmarts\.", f"{schema}.", str(sql))
                    warehouse.assert_read_only(rewritten)
                    # fetchall: DuckDB 2 keeps a half-read result open
                    rows = cursor.execute(rewritten).fetchall()
                    out.append((_as_float(rows[0][0]) if rows else None, None))
                except Exception as exc:  # a claim that cannot run is a failed claim, not a crash
                    out.append((None, f"{type(exc).__name__}: {exc}"[:500]))
        finally:
            if not own:
                cursor.close()
        return out

    if on_connection:
        return rerun(sqls, own=True)
    if len(sqls) < 2:
        return rerun(sqls)
    half = (len(sqls) + 1) // 2
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(rerun, [sqls[:half], sqls[half:]])
    return first + second


def _as_float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


# ----------------------------------------------------------------------------- storing


def _store_results(con: Any, run_id: str, outcomes: Sequence[ExpectationOutcome]) -> None:
    if not outcomes:
        return
    table = pa.table(
        {
            "run_id": pa.array([run_id] * len(outcomes), pa.string()),
            "suite": pa.array([o.suite for o in outcomes], pa.string()),
            "expectation": pa.array([o.expectation for o in outcomes], pa.string()),
            "column_name": pa.array([o.column for o in outcomes], pa.string()),
            "success": pa.array([o.success for o in outcomes], pa.bool_()),
            "critical": pa.array([o.critical for o in outcomes], pa.bool_()),
            "observed_value": pa.array([o.observed_value for o in outcomes], pa.string()),
            "unexpected_count": pa.array([o.unexpected_count for o in outcomes], pa.int64()),
        }
    )
    warehouse.insert_arrow(con, "ops.validation_results", table)


def _quarantine(con: Any, run_id: str, job: _Job, failing: list[tuple[ExpectationOutcome, list[int]]]) -> int:
    """Bring ``ops.quarantine`` in line with this validation of the job's frame; returns the (row, check)
    failures behind it now (a row failing two checks counts twice, as it has two quarantine rows).

    - a (row version, check) failing now and not yet in quarantine → a new row (stage ``validate``, the
      layer, the row's key, the check, the reason, the record as JSON);
    - one already in quarantine stays as it is (a row failing every night is kept once, not per run);
    - a quarantined (row version, check) whose row was validated now and passed → released
      (``released_at``, ``released_run_id``): a rule or parser fix brings the row back by itself.
    """
    module = job.quarantine
    frame = job.frame
    batch = job.batch
    layer = batch.layer if batch is not None else module.SUITE_NAME
    row_key = tuple(getattr(module, "ROW_KEY", ("posting_key",)))
    columns = {c: frame.column(c) for c in ("_rowid", *module.QUARANTINE_COLUMNS) if c in frame.column_names}
    columns.update({c: frame.column(c) for c in row_key if c in frame.column_names})
    parts = []
    for outcome, positions in failing:
        idx = pa.array(positions, pa.int64())
        part = {c: col.take(idx) for c, col in columns.items()}
        n = len(positions)
        part["check_name"] = pa.array([outcome.expectation] * n, pa.string())
        part["reason"] = pa.array([outcome.reason or outcome.expectation] * n, pa.string())
        parts.append(pa.table(part))
    empty = {c: pa.array([], col.type) for c, col in columns.items()}
    rows = (
        pa.concat_tables(parts)
        if parts
        else pa.table({**empty, "check_name": pa.array([], pa.string()), "reason": pa.array([], pa.string())})
    )
    keys = [c for c in ("posting_key", "content_hash", "taxonomy_version") if c in row_key]
    same_row = " and ".join(f"q.{c} = f.{c}" for c in keys)
    version = "f.taxonomy_version" if "taxonomy_version" in keys else "null"
    con.register("_jt_quarantine", rows)
    con.register("_jt_validated", frame.select(keys))
    try:
        keep = {"posting_key", "source", "landing_file"} & set(rows.column_names)
        source = "f.source" if "source" in keep else "split_part(f.posting_key, ':', 1)"
        landing = "f.landing_file" if "landing_file" in keep else "null"
        active = f"q.stage = '{STAGE}' and q.layer = ? and q.released_at is null"
        released = _release(con, run_id, layer, keys, active, same_row)
        if batch is not None:
            batch.released = released
        if rows.num_rows:
            _insert_quarantine(con, run_id, layer, module, source, landing, version, active, same_row)
    finally:
        con.unregister("_jt_quarantine")
        con.unregister("_jt_validated")
    if batch is not None:
        _count_quarantined(con, batch, frame, failing)
    return rows.num_rows


def _release(con: Any, run_id: str, layer: str, keys: Sequence[str], active: str, same_row: str) -> int:
    """Release the quarantined (row, check) pairs whose row was validated now (``_jt_validated``) and
    did not fail that check (``_jt_quarantine``); returns how many."""
    if not _rows(con, f"select count(*) from ops.quarantine as q where {active}", [layer])[0][0]:
        return 0  # nothing in quarantine, the common case: no need to match the frame's keys
    rows = con.execute(
        f"""
        update ops.quarantine as q
        set released_at = current_timestamp, released_run_id = ?
        where {active}
          and ({", ".join("q." + c for c in keys)}) in (select {", ".join(keys)} from _jt_validated)
          and not exists (select 1 from _jt_quarantine as f where {same_row} and f.check_name = q.check_name)
        """,
        [run_id, layer],
    ).fetchall()
    return int(rows[0][0]) if rows else 0


def _insert_quarantine(
    con: Any,
    run_id: str,
    layer: str,
    module: ModuleType,
    source: str,
    landing: str,
    version: str,
    active: str,
    same_row: str,
) -> None:
    """The failures in ``_jt_quarantine`` not in quarantine yet → ``ops.quarantine``, with their records."""
    con.execute(
        f"""
            insert into ops.quarantine (run_id, stage, layer, source, landing_file, pointer, posting_key,
                                        content_hash, taxonomy_version, check_name, reason, record)
            select ?, '{STAGE}', ?, {source}, {landing}, null, f.posting_key, f.content_hash, {version},
                   f.check_name, f.reason, to_json(r)::varchar
            from _jt_quarantine as f
            left join ({module.RECORD_SQL}) as r on r._rowid = f._rowid
            where not exists (select 1 from ops.quarantine as q where {active} and {same_row}
                              and q.check_name = f.check_name)
            """,
        [run_id, layer, layer],
    )


def _count_quarantined(
    con: Any, batch: BatchInfo, frame: pa.Table, failing: list[tuple[ExpectationOutcome, list[int]]]
) -> None:
    """Distinct failing rows of the frame, those of the new batch, and the layer's rows in quarantine."""
    positions = pa.array(sorted({i for _, pos in failing for i in pos}), pa.int64())
    batch.quarantined = len(positions)
    if batch.since is None or not len(positions):
        batch.quarantined_new = len(positions)
    else:
        added = frame.column("_added_at").take(positions)
        batch.quarantined_new = int(
            pc.sum(pc.greater(added, pa.scalar(batch.since, added.type))).as_py() or 0
        )
    batch.excluded_rows = int(
        _rows(
            con,
            "select count(*) from (select distinct posting_key, content_hash, taxonomy_version "
            f"from ops.quarantine where stage = '{STAGE}' and layer = ? and released_at is null)",
            [batch.layer],
        )[0][0]
    )


def accept_batch(con: Any, run_id: str, batch: BatchInfo) -> None:
    """Record that ``batch`` was accepted: the next incremental validation of its layer starts after it."""
    con.execute(
        """
        insert into ops.validation_batches (layer, run_id, validated_through, suite_hash, full_validation,
            batch_rows, rechecked_rows, quarantined_rows, released_rows)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            batch.layer,
            run_id,
            batch.validated_through,
            batch.suite_hash,
            batch.full,
            batch.new_rows,
            batch.rechecked_rows,
            batch.quarantined_new,
            batch.released,
        ],
    )


def quarantine_keys(con: Any, run_id: str) -> frozenset[str]:
    """Posting keys quarantined by validation in ``run_id`` (to leave out of the marts).

    SQL equivalent: ``select posting_key from ops.quarantine where run_id = ? and stage = 'validate'``.
    """
    rows = _rows(
        con,
        "select distinct posting_key from ops.quarantine where run_id = ? and stage = ? and posting_key is not null",
        [run_id, STAGE],
    )
    return frozenset(r[0] for r in rows)


def _render_docs(
    settings: Settings, run_id: str, runs: Sequence[tuple[Any, Any]], now: datetime
) -> Path | None:
    """Render the (trimmed) GX results into Data Docs under ``settings.docs_dir / data_docs``."""
    results = [(suite, r) for suite, r in runs if r is not None]
    if not results:
        return None
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    docs_root = Path(settings.docs_dir)
    docs_root.mkdir(parents=True, exist_ok=True)
    ctx, site = _docs_context(docs_root)
    identifiers: list[Any] = []
    for suite, result in results:
        ctx.suites.add_or_update(suite)
        suite_id = ExpectationSuiteIdentifier(name=result.suite_name)
        key = ValidationResultIdentifier(
            expectation_suite_identifier=suite_id,
            run_id=RunIdentifier(run_name=run_id, run_time=now),
            batch_identifier=suite.name,
        )
        ctx.validation_results_store.set(key, result)
        identifiers += [key, suite_id]
    try:
        ctx.build_data_docs(site_names=[site], resource_identifiers=identifiers)
    except Exception as exc:  # docs are a by-product: never fail a validation because of them
        log.warning("data docs could not be rendered: %s", exc)
        return None
    return docs_root / DOCS_SUBDIR / "index.html"


# ----------------------------------------------------------------------------- public API


def render_deferred_docs(outcome: ValidationOutcome | None, settings: Settings) -> Path | None:
    """Render the Data Docs of an outcome validated with ``docs="defer"`` (once); returns the index path."""
    if outcome is None or outcome.pending_docs is None:
        return outcome.docs_path if outcome is not None else None
    rendered, now = outcome.pending_docs
    outcome.pending_docs = None
    outcome.docs_path = _render_docs(settings, outcome.run_id, rendered, now)
    return outcome.docs_path


def validate_layer(
    con: Any,
    layer: str,
    *,
    run_id: str,
    settings: Settings,
    marts: Sequence[str] | None = None,
    marts_schema: str = warehouse.BUILD_SCHEMA,
    sources: Sequence[str] | None = None,
    now: datetime | None = None,
    docs: bool | str = True,
    incremental: bool = False,
    results_con: Any = None,
    claims_on_connection: bool = False,
) -> ValidationOutcome:
    """Validate one layer (``raw``, ``normalised``, ``marts``, ``drift``, or ``all``) and keep the results.

    - results → ``ops.validation_results``; critical row-level failures (raw, normalised) → ``ops.quarantine``;
    - ``marts``: validates the tables in ``marts_schema`` (default ``marts_next``), only ``marts`` if given
      (a named mart that is missing is a critical failure);
    - ``drift``: ``sources`` restricts (and completes) the freshness check to the configured sources;
    - ``now``: the validation clock (future dates, freshness), UTC now by default;
    - ``docs``: render GX Data Docs into ``settings.docs_dir / "data_docs"``; ``"defer"`` keeps the results
      for :func:`render_deferred_docs` (the marts build renders them after publishing);
    - ``incremental`` (raw, normalised): validate the rows added since the last accepted batch
      (:func:`accept_batch`), the rows still in quarantine and rows sharing a key with a new one, instead
      of the whole table (a first run, or a changed suite, validates everything);
    - ``results_con``: where the results are stored (default ``con``): the marts build validates inside
      its transaction, and the results of a rejected build must outlive its rollback;
    - ``claims_on_connection``: re-run the claims on ``con`` itself (inside a build transaction other
      cursors cannot see ``marts_next``).
    """
    if layer == "all":
        parts = [
            validate_layer(
                con,
                name,
                run_id=run_id,
                settings=settings,
                marts=marts,
                marts_schema=marts_schema,
                sources=sources,
                now=now,
                docs=docs,
                incremental=incremental,
                results_con=results_con,
                claims_on_connection=claims_on_connection,
            )
            for name in LAYERS
        ]
        return ValidationOutcome.merge("all", run_id, parts)
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; expected one of {', '.join((*LAYERS, 'all'))}")
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    outcome = ValidationOutcome(layer=layer, run_id=run_id)
    if layer in ROW_LEVEL_LAYERS:
        jobs = _row_level_jobs(con, settings, layer, now, incremental)
    elif layer == "drift":
        jobs = _drift_jobs(con, settings, now, sources)
    else:
        jobs, missing = _marts_jobs(con, settings, marts_schema, marts, claims_on_connection)
        outcome.results.extend(missing)
    rendered: list[tuple[Any, Any]] = []
    workers = int(_setting(settings, "workers", min(2, os.cpu_count() or 1)))
    for job, run in zip(jobs, _run_suites(jobs, workers), strict=True):
        outcome.results.extend(run.outcomes)
        outcome.rows[job.suite.name] = job.frame.num_rows
        if job.quarantine is not None:  # also with no failure: quarantined rows that pass now come back
            outcome.quarantined += _quarantine(con, run_id, job, run.failing_rows)
        if job.batch is not None:
            outcome.batches[job.batch.layer] = job.batch
        rendered.append((job.suite, run.gx_result))
    _store_results(results_con if results_con is not None else con, run_id, outcome.results)
    if docs == "defer":
        outcome.pending_docs = (rendered, now)
    elif docs:
        outcome.docs_path = _render_docs(settings, run_id, rendered, now)
    outcome.seconds = time.perf_counter() - started
    for r in outcome.warnings:
        log.warning(
            "validation warning [%s] %s: %s (observed %s)", r.suite, r.expectation, r.reason, r.observed_value
        )
    return outcome


class MartsValidator:
    """``validator(con, mart_names) -> bool``: validate the built marts (``marts_next``) before publishing.

    Keeps the last :class:`ValidationOutcome` in :attr:`last_outcome` for logging and tests.
    """

    def __init__(
        self,
        settings: Settings,
        run_id: str,
        *,
        schema: str = warehouse.BUILD_SCHEMA,
        docs: bool | str = True,
    ):
        self.settings = settings
        self.run_id = run_id
        self.schema = schema
        self.docs = docs
        self.last_outcome: ValidationOutcome | None = None

    def __call__(self, con: Any, mart_names: Sequence[str]) -> bool:
        # the build validates inside its transaction: the claims re-run on ``con`` (a cursor would not
        # see ``marts_next``), and the results go through a cursor (its own transaction) so that they
        # outlive the rollback of a rejected build
        results = con.cursor()
        try:
            self.last_outcome = validate_layer(
                con,
                "marts",
                run_id=self.run_id,
                settings=self.settings,
                marts=list(mart_names),
                marts_schema=self.schema,
                docs=self.docs,
                results_con=results,
                claims_on_connection=True,
            )
        finally:
            results.close()
        return self.last_outcome.success


def marts_validator(settings: Settings, run_id: str, *, docs: bool | str = True) -> MartsValidator:
    """The callable the marts builder runs on ``marts_next`` before publishing (see :class:`MartsValidator`)."""
    return MartsValidator(settings, run_id, docs=docs)


def docs_index(settings: Settings) -> Path:
    return Path(settings.docs_dir) / DOCS_SUBDIR / "index.html"


# ----------------------------------------------------------------------------- benchmark


def validate_batch_benchmark(n_rows: int, *, seed: int = 7) -> dict[str, Any]:
    """Time the normalised suite on an ``n_rows`` synthetic batch (DuckDB → Arrow → pandas → GX).

    Builds ``normalised.postings`` (and the matching ``raw.postings`` dates) in a temporary warehouse,
    then times the same path :func:`validate_layer` takes (frame query → Arrow → pandas → GX → results
    stored); data docs are not rendered. Returns seconds for each step; ``validate_s`` (wall) is the
    number to hold to ≤ 10 s at 1,000,000 rows, ``validate_cpu_s`` shows how much of it was CPU.
    """
    from jobtrends.settings import PROJECT_ROOT, load_settings

    first_import = "module" not in _GX
    _gx()
    import_s = _GX["import_s"] if first_import else 0.0
    started = time.perf_counter()
    _context()
    context_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="jt-qbench-") as tmp:
        settings = load_settings(
            tmp, sql_dir=PROJECT_ROOT / "sql", expectations_dir=PROJECT_ROOT / "expectations"
        )
        with warehouse.connect(Path(tmp) / "bench.duckdb") as con:
            con.execute("set enable_progress_bar = false")
            warehouse.ensure_schema(con, settings.sql_dir)
            t0 = time.perf_counter()
            _synthetic_normalised(con, n_rows, seed)
            build_s = time.perf_counter() - t0
            m = load_expectations(settings, "normalised")
            t0 = time.perf_counter()
            frame = _arrow(con, m.FRAME_SQL)
            frame_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            _to_pandas(frame)
            pandas_s = time.perf_counter() - t0
            t0, c0 = time.perf_counter(), time.process_time()
            outcome = validate_layer(con, "normalised", run_id="bench", settings=settings, docs=False)
            validate_s, validate_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    return {
        "n_rows": n_rows,
        "expectations": len(outcome.results),
        "success": outcome.success,
        "gx_import_s": round(import_s, 3),
        "context_s": round(context_s, 3),
        "build_synthetic_s": round(build_s, 3),
        "frame_s": round(frame_s, 3),
        "to_pandas_s": round(pandas_s, 3),
        "validate_s": round(validate_s, 3),
        "validate_cpu_s": round(validate_cpu_s, 3),  # all threads; wall ≫ cpu means a busy machine
        "rows_per_s": round(n_rows / validate_s) if validate_s else None,
    }


def _synthetic_normalised(con: Any, n_rows: int, seed: int) -> None:
    """A clean synthetic batch: ~15% `other`, ~40% with pay, a few currencies and countries."""
    con.execute("select setseed(?)", [1.0 / (seed + 1)])
    con.execute(
        """
        insert into raw.postings (posting_key, source, source_id, content_hash, title, posted_at, fetched_at,
                                  landing_file, run_date)
        select 'src' || (i % 7) || ':' || i, 'src' || (i % 7), i::varchar, 'h' || i, 'Engineer ' || i,
               timestamptz '2026-01-01' + to_days((i % 300)::integer), timestamptz '2026-11-01',
               'landing/bench.jsonl', date '2026-11-01'
        from range(?) as t(i)
        """,
        [n_rows],
    )
    con.execute(
        """
        insert into normalised.postings (posting_key, content_hash, taxonomy_version, title_clean, role, seniority,
            is_ai_role, role_confidence, role_rule, salary_min, salary_max, salary_currency, salary_period,
            annual_min, annual_max, annual_min_usd, annual_max_usd, fx_rate_month, salary_source,
            salary_is_estimate, country, work_mode)
        select 'src' || (i % 7) || ':' || i, 'h' || i, '1.0.0', 'engineer',
               roles[1 + (i % 20)::integer], seniorities[1 + (i % 7)::integer], (i % 20) < 9, 0.9, 'bench',
               case when has_pay then lo end, case when has_pay then lo * 1.3 end,
               case when has_pay then currencies[1 + (i % 4)::integer] end, case when has_pay then 'year' end,
               case when has_pay then lo end, case when has_pay then lo * 1.3 end,
               case when has_pay then lo end, case when has_pay then lo * 1.3 end,
               case when has_pay then '2026-01' end, case when has_pay then 'structured' end,
               case when has_pay then false end,
               countries[1 + (i % 5)::integer], modes[1 + (i % 3)::integer]
        from (
            select i, random() < 0.4 as has_pay, 60000 + (i % 1000) * 100.0 as lo,
                   ['ai_ml_engineer', 'mlops_engineer', 'prompt_engineer', 'ai_governance',
                    'forward_deployed_engineer', 'data_scientist', 'research_scientist', 'data_annotator',
                    'ai_product_manager', 'software_engineer', 'data_engineer', 'data_analyst',
                    'devops_engineer', 'product_manager', 'other', 'other', 'other', 'software_engineer',
                    'data_engineer', 'devops_engineer'] as roles,
                   ['intern', 'entry', 'mid', 'senior', 'staff_principal', 'manager', 'unspecified'] as seniorities,
                   ['USD', 'EUR', 'GBP', 'CAD'] as currencies,
                   ['US', 'GB', 'DE', 'CA', 'FR'] as countries,
                   ['remote', 'hybrid', 'onsite'] as modes
            from range(?) as t(i)
        )
        """,
        [n_rows],
    )
