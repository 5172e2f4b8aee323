"""Everything that reaches into Great Expectations internals, in one place, for the GX versions in
:data:`SUPPORTED_GX` (checked when GX is first imported: :func:`check_gx_version`).

- one ephemeral GX context per process with a pandas datasource, and a file-backed one for Data Docs;
- GX's ``V1Validator`` driven directly (``Batch.validate`` loads and fingerprints the frame twice);
- GX's full-frame md5 batch fingerprint swapped, while validating, for a cheap one;
- GX results translated into :class:`~jobtrends.quality.outcomes.ExpectationOutcome` (and trimmed), the
  results of one suite's column groups merged into one, and Data Docs rendered from stored results.

A GX upgrade starts here: widen :data:`SUPPORTED_GX` only after the quality tests pass on the new version.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import importlib.util
import inspect
import json
import logging
import math
import os
import re
import sys
import threading
import time
import types
import uuid
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from jobtrends.quality.outcomes import (
    _BULKY_RESULT_KEYS,
    DOCS_SUBDIR,
    MAX_OBSERVED_CHARS,
    PARTIAL_UNEXPECTED,
    ExpectationOutcome,
    _BatchRun,
    _Job,
    _SuiteRun,
)
from jobtrends.quality.suites import (
    UNIQUENESS_TYPES,
    _expectation_columns,
    _is_critical,
    _is_structural,
    expectation_label,
)
from jobtrends.settings import Settings

log = logging.getLogger(__name__)


# ----------------------------------------------------------------------------- GX plumbing

_GX: dict[str, Any] = {}

#: GX versions this adapter supports, ``(from, to)`` as (major, minor), ``to`` excluded: the private API used
#: here changes between minor releases (``pyproject.toml`` pins the same range).
SUPPORTED_GX: tuple[tuple[int, int], tuple[int, int]] = ((1, 24), (1, 25))


class UnsupportedGXVersionError(RuntimeError):
    """The installed Great Expectations is not a version this adapter supports."""


def check_gx_version(version: str) -> None:
    """Raise :class:`UnsupportedGXVersionError` unless ``version`` is within :data:`SUPPORTED_GX`."""
    numbers = re.findall(r"\d+", version)
    found = (int(numbers[0]), int(numbers[1])) if len(numbers) >= 2 else None
    low, high = SUPPORTED_GX
    if found is None or not low <= found < high:
        raise UnsupportedGXVersionError(
            f"great_expectations {version} is not supported: jobtrends.quality.gx_adapter uses GX internals "
            f"tested on {low[0]}.{low[1]} up to (not including) {high[0]}.{high[1]}; install "
            f"great-expectations>={low[0]}.{low[1]},<{high[0]}.{high[1]} or adapt gx_adapter first"
        )


#: Modules GX imports at start-up for expectations our suites never use (KL divergence and KS tests: altair
#: for their charts, scipy.stats): ~1/3 of the time of ``import great_expectations``.
_DEFERRED_IMPORTS = ("altair", "scipy.stats")


class _DeferredModule(types.ModuleType):
    """Stands for a module while GX is imported: GX's own modules keep it, and the first attribute read
    imports the real module (once) and makes this one its copy."""

    def __getattr__(self, attr: str) -> Any:
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        real = importlib.import_module(name)
        self.__dict__.update(real.__dict__)
        return getattr(real, attr)


@contextlib.contextmanager
def _deferred_imports(names: Sequence[str]) -> Iterator[None]:
    """Within the block, ``import name`` of a module not loaded yet binds a :class:`_DeferredModule`.

    Only GX is imported in the block; after it ``sys.modules`` is as it was (anyone else importing those
    modules later gets the real ones). GX only reads them inside the functions of expectations we do not
    use: they load if one ever runs. No thread is started; nothing changes for forked workers.
    """
    placed: dict[str, _DeferredModule] = {}
    for name in names:
        if name in sys.modules:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None:
            continue
        stub = _DeferredModule(name)
        stub.__spec__ = spec
        placed[name] = sys.modules[name] = stub
    try:
        yield
    finally:
        for name, stub in placed.items():
            if sys.modules.get(name) is stub:
                del sys.modules[name]


#: GX's optional integrations that jobtrends never uses (SQL datasources, S3 stores): while GX is imported
#: they look absent, as in an install without those extras, which GX supports (each import sits in a
#: ``try/except ImportError`` of ``great_expectations.compatibility``): ~1/4 of the import time. A module
#: already loaded (Airflow loads sqlalchemy) is left alone; after GX, ``sys.modules`` is as it was.
_ABSENT_DURING_IMPORT = ("sqlalchemy", "boto3", "botocore")

# _gx() and _context() may run in the background thread of preload() and in the caller at the same time
_GX_LOCK = threading.RLock()
_PRELOAD: dict[str, threading.Thread] = {}


@contextlib.contextmanager
def _absent(names: Sequence[str]) -> Iterator[None]:
    """Within the block, ``import name`` of a module not loaded yet raises ImportError."""
    hidden = [name for name in names if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # the import system's "not found" marker
    try:
        yield
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


def _gx() -> Any:
    """Import GX once, quietly (no analytics, no progress bars)."""
    module = _GX.get("module")
    if module is not None:
        return module
    with _GX_LOCK:
        if "module" not in _GX:
            os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
            started = time.perf_counter()
            with (
                warnings.catch_warnings(),
                _deferred_imports(_DEFERRED_IMPORTS),
                _absent(_ABSENT_DURING_IMPORT),
            ):
                warnings.simplefilter("ignore")
                import great_expectations as gx
            check_gx_version(gx.__version__)
            logging.getLogger("great_expectations").setLevel(logging.ERROR)
            _GX["import_s"] = time.perf_counter() - started
            _GX["module"] = gx
    return _GX["module"]


def _context() -> Any:
    """One ephemeral GX context per process, with a pandas datasource."""
    context = _GX.get("context")
    if context is not None:
        return context
    with _GX_LOCK:
        if "context" not in _GX:
            gx = _gx()
            from great_expectations.data_context.types.base import ProgressBarsConfig

            ctx = gx.get_context(mode="ephemeral")
            ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
            _GX["datasource"] = ctx.data_sources.add_pandas("jobtrends")
            _GX["batch_definitions"] = {}
            _GX["context"] = ctx
    return _GX["context"]


def preload() -> None:
    """Import GX and make its context in a background thread, unless done or under way: the caller meanwhile
    computes its validation frame in DuckDB (which releases the GIL), and the first :func:`_context` or
    :func:`_gx` waits for the thread instead of importing.

    Any ``fork`` of this process first waits for the thread (``os.register_at_fork``): a child never
    starts with GX half imported or the import locks held. A failed import is left for the caller's own
    :func:`_gx` to raise.
    """
    if "context" in _GX or "thread" in _PRELOAD:
        return
    with _GX_LOCK:
        if "context" in _GX or "thread" in _PRELOAD:
            return
        if "at_fork" not in _GX:
            os.register_at_fork(before=_wait_for_preload)
            _GX["at_fork"] = True
        thread = threading.Thread(target=_preload_quietly, name="jobtrends-gx-preload")
        _PRELOAD["thread"] = thread
        thread.start()


def _preload_quietly() -> None:
    try:
        _context()
    except BaseException as exc:  # the caller's own _gx() or _context() raises it again
        log.debug("background GX import failed: %s", exc)


def _wait_for_preload() -> None:
    thread = _PRELOAD.get("thread")
    if thread is not None and thread is not threading.current_thread():
        thread.join()


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


@contextlib.contextmanager
def _configurations_built_once() -> Iterator[None]:
    """While validating, an expectation's ``configuration`` is built once, not at every read.

    GX's ``Expectation.configuration`` is a property that dumps the pydantic model and builds a new
    ``ExpectationConfiguration`` each time, and validating one expectation reads it dozens of times
    (for each domain, success and runtime keyword): ~1/4 of the time of a small batch. The expectations
    are not changed while they are validated, so every read gives an equal configuration; GX copies it
    (``deepcopy``) where it changes one. Scoped and restored; a GX without the property is left alone.
    """
    try:
        from great_expectations.expectations.expectation import Expectation
    except ImportError:  # pragma: no cover
        yield
        return
    built = Expectation.__dict__.get("configuration")
    if not isinstance(built, property) or built.fget is None:  # pragma: no cover
        yield
        return
    build = built.fget
    memo: dict[int, tuple[Any, Any]] = {}

    def configuration(self: Any) -> Any:
        hit = memo.get(id(self))
        if hit is not None and hit[0] is self:  # the instance is kept in the memo: its id is not reused
            return hit[1]
        value = build(self)
        memo[id(self)] = (self, value)
        return value

    Expectation.configuration = property(configuration, doc=built.__doc__)  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        Expectation.configuration = built  # type: ignore[method-assign,assignment]


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
    """One column group of a suite (or several joined, on a small frame), validated on a frame of just
    the columns they read."""
    _context()
    gx = _gx()
    from great_expectations.validator.v1_validator import Validator as V1Validator

    reads = [_expectation_columns(e.configuration.kwargs) for e in exps]
    columns = list(dict.fromkeys(c for cols in reads for c in cols))
    present = [c for c in columns if c in job.frame.column_names]
    # table-level expectations (row count, column set) see the whole frame
    narrow = job.frame.select(present) if present and all(reads) else job.frame
    coded = all(e.configuration.type in UNIQUENESS_TYPES for e in exps)
    with _cheap_batch_fingerprint(), _configurations_built_once():
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
    with _stored_suites(ctx, docs_root) as store_suite:
        for suite, _ in results:
            store_suite(suite)
    for suite, result in results:
        suite_id = ExpectationSuiteIdentifier(name=result.suite_name)
        key = ValidationResultIdentifier(
            expectation_suite_identifier=suite_id,
            run_id=RunIdentifier(run_name=run_id, run_time=now),
            batch_identifier=suite.name,
        )
        ctx.validation_results_store.set(key, result)
        identifiers += [key, suite_id]
    try:
        with _cached_index_entries(ctx, docs_root, identifiers), _shared_template_bytecode():
            ctx.build_data_docs(site_names=[site], resource_identifiers=identifiers)
    except Exception as exc:  # docs are a by-product: never fail a validation because of them
        log.warning("data docs could not be rendered: %s", exc)
        return None
    return docs_root / DOCS_SUBDIR / "index.html"


def _read_json_object(path: Path) -> dict[str, Any]:
    """The JSON object a cache file holds; empty when it is missing, unreadable or not an object (a cache
    is rebuilt, never trusted)."""
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


#: Digest of each suite last stored in the docs context (beside :data:`INDEX_CACHE`).
SUITE_DIGESTS = Path("gx") / "jobtrends_suite_digests.json"


@contextlib.contextmanager
def _stored_suites(ctx: Any, docs_root: Path) -> Iterator[Callable[[Any], None]]:
    """Yield ``store(suite)``: it writes the suite into the docs context's store unless the store holds it
    already, as recorded by a digest of its JSON (:data:`SUITE_DIGESTS`).

    GX's ``add_or_update`` loads the stored suite and compares it expectation by expectation through
    pydantic: ~0.5 s for a build's 11 suites, every build, though suites change only with the code. A
    digest of the JSON costs a fifth of that. A suite missing from the store is written whatever its digest.
    """
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    path = docs_root / SUITE_DIGESTS
    digests: dict[str, str] = _read_json_object(path)
    before = dict(digests)

    def store(suite: Any) -> None:
        # the ids GX gives a suite and its expectations when it stores them are not content
        content = suite.to_json_dict()
        content.pop("id", None)
        for exp in content.get("expectations", []):
            exp.pop("id", None)
        digest = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()
        stored = ctx.expectations_store.has_key(ExpectationSuiteIdentifier(name=suite.name))
        if digests.get(suite.name) != digest or not stored:
            ctx.suites.add_or_update(suite)
            digests[suite.name] = digest

    yield store
    if digests != before:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(digests, indent=1, sort_keys=True))


class _MemoryBytecodeCache:
    """Jinja's compiled templates kept in memory, for :func:`_shared_template_bytecode`."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._jinja: Any = None

    def get(self) -> Any:
        if self._jinja is None:
            import jinja2

            store = self._code

            class Cache(jinja2.BytecodeCache):
                def load_bytecode(self, bucket: Any) -> None:
                    data = store.get(bucket.key)
                    if data is not None:
                        bucket.bytecode_from_string(data)  # ignored when the source's checksum differs

                def dump_bytecode(self, bucket: Any) -> None:
                    store[bucket.key] = bucket.bytecode_to_string()

            self._jinja = Cache()
        return self._jinja


_TEMPLATE_BYTECODE = _MemoryBytecodeCache()


@contextlib.contextmanager
def _shared_template_bytecode() -> Iterator[None]:
    """While rendering Data Docs, GX's Jinja views share compiled templates.

    GX makes a new ``jinja2.Environment`` for every view (each page, section and component), so every
    view parsed and compiled the same templates again (~1/3 of a site build). A Jinja bytecode cache,
    shared by those environments (all configured alike), compiles each template once per process; Jinja
    checks the template source's checksum before using it. The pages are the same. Scoped and restored.
    """
    try:
        from great_expectations.render.view.view import DefaultJinjaView
    except ImportError:  # pragma: no cover
        yield
        return
    original = DefaultJinjaView.__init__
    cache = _TEMPLATE_BYTECODE.get()

    @functools.wraps(original)
    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        env = getattr(self, "env", None)
        if env is not None and env.bytecode_cache is None:
            env.bytecode_cache = cache

    # GX builds views from config with the arguments that inspect.getfullargspec finds in __init__
    init.__signature__ = inspect.signature(original)  # type: ignore[attr-defined]

    DefaultJinjaView.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        DefaultJinjaView.__init__ = original  # type: ignore[method-assign]


#: What GX's site index reads from each stored validation result (``DefaultSiteIndexBuilder``): its
#: success and these ``meta`` entries (batch kwargs/spec, and the asset name from the batch definition).
_INDEX_META = ("batch_kwargs", "batch_spec", "active_batch_definition")
#: The index entries of past results, kept beside the GX stores (``<docs_dir>/gx/``).
INDEX_CACHE = Path("gx") / "jobtrends_index_cache.json"


@contextlib.contextmanager
def _cached_index_entries(ctx: Any, docs_root: Path, fresh: Sequence[Any]) -> Iterator[None]:
    """While building Data Docs, let the site index read each past result's entry from a small cache.

    GX's index builder loads and deserialises *every* stored validation result to list it (success,
    batch, asset): a site that keeps every nightly run then costs more each night (~0.1 s a run). The
    index needs only :data:`_INDEX_META` and the success of each result, which never change once stored:
    they are kept in :data:`INDEX_CACHE` and given back as a result with those fields (and no expectation
    results, which the index does not read). Entries of the results written now (``fresh``) are read
    again. The index page is the same; the result pages are rendered from the full results as before.
    """
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    path = docs_root / INDEX_CACHE
    cache: dict[str, Any] = _read_json_object(path)

    def cache_key(key: Any) -> str:
        return json.dumps([str(part) for part in key.to_tuple()])

    for key in fresh:
        if isinstance(key, ValidationResultIdentifier):
            cache.pop(cache_key(key), None)
    original = ctx.get_validation_result

    def lookup(
        expectation_suite_name: str,
        run_id: Any = None,
        batch_identifier: Any = None,
        validation_results_store_name: Any = None,
        failed_only: bool = False,
    ) -> Any:
        def load() -> Any:
            return original(
                expectation_suite_name=expectation_suite_name,
                run_id=run_id,
                batch_identifier=batch_identifier,
                validation_results_store_name=validation_results_store_name,
                failed_only=failed_only,
            )

        if run_id is None or batch_identifier is None or failed_only:
            return load()
        key = cache_key(
            ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=expectation_suite_name),
                run_id=run_id,
                batch_identifier=batch_identifier,
            )
        )
        entry = cache.get(key)
        if isinstance(entry, dict) and isinstance(entry.get("meta"), dict):
            return ExpectationSuiteValidationResult(
                success=bool(entry.get("success")),
                results=[],
                suite_name=expectation_suite_name,
                meta=json.loads(json.dumps(entry["meta"])),
            )
        result = load()
        if isinstance(result, ExpectationSuiteValidationResult):
            meta: dict[str, Any] = dict(result.meta or {})
            entry = {"success": result.success, "meta": {k: meta[k] for k in _INDEX_META if k in meta}}
            try:
                # only what comes back unchanged from JSON is kept (else the index would differ)
                if json.loads(json.dumps(entry)) == entry:
                    cache[key] = entry
            except (TypeError, ValueError):
                pass
        return result

    ctx.get_validation_result = lookup  # an instance attribute: the method is back once it is deleted
    try:
        yield
    finally:
        del ctx.get_validation_result
        try:
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(json.dumps(cache, sort_keys=True))
            os.replace(tmp, path)
        except OSError as exc:  # the cache only saves time: without it the next index reads the results
            log.warning("data docs index cache not written: %s", exc)
