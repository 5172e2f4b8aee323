"""The one package that talks to DuckDB.

Everything else goes through :func:`connect` (or the helpers here); SQL lives in ``sql/``:

- ``sql/ddl/*.sql`` — tables the pipeline appends to (raw, ops, normalised), created if missing;
- ``sql/staging`` → ``sql/intermediate`` → ``sql/marts`` — one model per file, each a single
  ``select``; the file name is the table name and the folder the schema.

Marts are built into the ``marts_next`` schema and published into ``marts`` in one transaction,
so a reader sees either the previous marts or the new ones, never a half-built set.

Callers use ``warehouse.X``; the modules hold:

- :mod:`.connection` — schema names, errors, :func:`connect`, Arrow writes, :func:`transaction`;
- :mod:`.migrations` — :func:`ensure_schema` and the migrations of older warehouses;
- :mod:`.models` — the dbt-like model runner: :class:`Model`, :func:`build_layers`, :func:`build_marts`,
  :func:`publish_marts`, the build cache, rejected marts;
- :mod:`.facts` and :mod:`.additive` — the incremental refresh of ``int_posting_stable_facts`` and of the
  aggregates that add up over its rows (``int_skill_months``);
- :mod:`.read` — the ``jobtrends query`` sandbox (:func:`query`, :func:`assert_read_only`),
  :func:`table_fingerprint`, :func:`arrow`, :func:`scalar`;
- :mod:`.raw` — raw posting columns, :func:`content_hash_sql`, the landing ledger, raw batches,
  quarantine and run records;
- :mod:`.native` — :func:`load_file_dumps_native` (file dumps through DuckDB's own readers);
- :mod:`.normalised` — normaliser I/O (rows still to normalise, rule errors) and reference FX rates.
"""

from jobtrends.warehouse.connection import (
    BUILD_SCHEMA,
    LAYERS,
    REJECTED_SCHEMA,
    SANDBOX_CONFIG,
    Transaction,
    WarehouseBusyError,
    WarehouseError,
    WarehouseOpenInProcessError,
    bounded_memory,
    connect,
    in_transaction,
    insert_arrow,
    registered,
    restart_transaction,
    set_memory_limit,
    transaction,
    upsert_arrow,
)
from jobtrends.warehouse.migrations import ensure_schema
from jobtrends.warehouse.models import (
    BUILD_CACHE_PREFIX,
    Model,
    build_layers,
    build_marts,
    discover_models,
    drop_build_cache,
    keep_rejected_marts,
    needs_vacuum,
    publish_marts,
    vacuum_on_commit,
)
from jobtrends.warehouse.native import load_file_dumps_native
from jobtrends.warehouse.normalised import (
    NORMALISER_INPUT,
    ROW_GROUP_ROWS,
    SIGNATURE_ROWS,
    Unnormalised,
    count_unnormalised,
    find_unnormalised,
    fx_monthly_usd,
    fx_rates_summary,
    insert_new_normalised,
    insert_normalise_errors,
    iter_unnormalised,
    iter_unnormalised_streams,
    replace_normalise_errors,
    store_signatures,
    upsert_fx_rates,
)
from jobtrends.warehouse.raw import (
    CONTENT_HASH_FUNCTION,
    CONTENT_HASH_VERSION,
    QUARANTINE_COLUMNS,
    RAW_POSTING_TYPES,
    content_hash_sql,
    content_text_sql,
    fast_content_hash_sql,
    insert_quarantine,
    insert_raw_batch,
    insert_source_runs,
    landing_key,
    loaded_landing_files,
    loaded_run_records,
    record_landing_file,
    record_run,
    register_content_hash,
    sha256_prefixes,
)
from jobtrends.warehouse.read import (
    READ_STATEMENT_TYPES,
    arrow,
    assert_read_only,
    query,
    scalar,
    table_fingerprint,
)

__all__ = [
    "BUILD_CACHE_PREFIX",
    "BUILD_SCHEMA",
    "CONTENT_HASH_FUNCTION",
    "CONTENT_HASH_VERSION",
    "LAYERS",
    "NORMALISER_INPUT",
    "QUARANTINE_COLUMNS",
    "RAW_POSTING_TYPES",
    "READ_STATEMENT_TYPES",
    "REJECTED_SCHEMA",
    "ROW_GROUP_ROWS",
    "SANDBOX_CONFIG",
    "SIGNATURE_ROWS",
    "Model",
    "WarehouseBusyError",
    "WarehouseError",
    "WarehouseOpenInProcessError",
    "arrow",
    "assert_read_only",
    "build_layers",
    "build_marts",
    "connect",
    "content_hash_sql",
    "content_text_sql",
    "fast_content_hash_sql",
    "register_content_hash",
    "sha256_prefixes",
    "count_unnormalised",
    "find_unnormalised",
    "Unnormalised",
    "discover_models",
    "drop_build_cache",
    "ensure_schema",
    "fx_monthly_usd",
    "fx_rates_summary",
    "in_transaction",
    "restart_transaction",
    "set_memory_limit",
    "bounded_memory",
    "registered",
    "transaction",
    "Transaction",
    "insert_arrow",
    "insert_new_normalised",
    "insert_normalise_errors",
    "insert_quarantine",
    "insert_raw_batch",
    "insert_source_runs",
    "iter_unnormalised",
    "iter_unnormalised_streams",
    "keep_rejected_marts",
    "landing_key",
    "load_file_dumps_native",
    "loaded_landing_files",
    "loaded_run_records",
    "publish_marts",
    "query",
    "record_landing_file",
    "record_run",
    "replace_normalise_errors",
    "scalar",
    "store_signatures",
    "table_fingerprint",
    "upsert_arrow",
    "upsert_fx_rates",
    "needs_vacuum",
    "vacuum_on_commit",
]
