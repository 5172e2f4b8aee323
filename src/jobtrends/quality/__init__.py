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

    - an expectation's GX configuration is built once per batch (GX rebuilds it at every read).

    One ephemeral GX context per process is reused (creating it costs ~10 ms; importing GX costs
    ~1.5 s, once). :func:`validate_layer` imports GX in a background thread while DuckDB computes the
    frame (the suite modules load without GX; a fork waits for the thread), and GX's optional SQL and
    S3 integrations are not imported. Data Docs are rendered by a second, file-backed context rooted in
    ``settings.docs_dir`` (its stores in ``<docs_dir>/gx/``), so the site keeps every run; its views
    share compiled Jinja templates.

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

Callers use ``quality.X``; the modules hold:

- :mod:`.outcomes` — layer names and limits, :class:`ValidationOutcome` and the other result types;
- :mod:`.suites` — the suite registry (:func:`load_expectations`) and expectation labels/severities;
- :mod:`.gx_adapter` — every GX private-API workaround, and the check of the GX version it supports;
- :mod:`.runner` — suites split into column groups, run serially or in forked workers;
- :mod:`.frames` — the validation frame of each layer, built in DuckDB;
- :mod:`.store` — results, the validation quarantine and accepted batches in the warehouse;
- :mod:`.validate` — the public API: :func:`validate_layer`, :func:`marts_validator`, deferred Data Docs.

The benchmark lives in :mod:`jobtrends.bench.quality`.
"""

from jobtrends.quality.frames import BATCH_SOURCES
from jobtrends.quality.gx_adapter import (
    SUPPORTED_GX,
    UnsupportedGXVersionError,
    _gx,
    _validate_batch,
    check_gx_version,
)
from jobtrends.quality.outcomes import (
    DOCS_SUBDIR,
    LAYERS,
    MAX_OBSERVED_CHARS,
    PARTIAL_UNEXPECTED,
    ROW_LEVEL_LAYERS,
    STAGE,
    BatchInfo,
    ExpectationOutcome,
    ValidationOutcome,
    Verdict,
    _BatchRun,
    _Job,
)
from jobtrends.quality.runner import _PARALLEL_MIN_BATCHES, _run_suites
from jobtrends.quality.store import accept_batch, quarantine_keys
from jobtrends.quality.suites import UNIQUENESS_TYPES, expectation_label, load_expectations
from jobtrends.quality.validate import (
    MartsValidator,
    marts_validator,
    render_deferred_docs,
    render_deferred_docs_together,
    validate_layer,
)

__all__ = [
    "BATCH_SOURCES",
    "DOCS_SUBDIR",
    "LAYERS",
    "MAX_OBSERVED_CHARS",
    "PARTIAL_UNEXPECTED",
    "ROW_LEVEL_LAYERS",
    "STAGE",
    "SUPPORTED_GX",
    "UNIQUENESS_TYPES",
    "BatchInfo",
    "ExpectationOutcome",
    "MartsValidator",
    "UnsupportedGXVersionError",
    "ValidationOutcome",
    "Verdict",
    "_PARALLEL_MIN_BATCHES",
    "_BatchRun",
    "_Job",
    "_gx",
    "_run_suites",
    "_validate_batch",
    "accept_batch",
    "check_gx_version",
    "expectation_label",
    "load_expectations",
    "marts_validator",
    "quarantine_keys",
    "render_deferred_docs",
    "render_deferred_docs_together",
    "validate_layer",
]
