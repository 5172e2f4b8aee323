"""Settings: one place, environment overrides, sensible local defaults.

Every setting is a field of :class:`Settings` with one default (here, or for the HTTP knobs in
:class:`ingest.http_config.HttpConfig`) and one environment variable in :data:`ENV_VARS`, documented in
``.env.example``. Airflow deployments set the same variables; DAGs may also pass values from Airflow
Variables/Connections into :func:`load_settings` overrides. ``ingest`` and ``transform`` never read
these settings: the pipeline hands them what they need (:meth:`Settings.fetch_settings`, ``workers``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.http_config import HttpConfig
from transform.forking import available_cores

if TYPE_CHECKING:
    from ingest.runner import FetchSettings

PROJECT_ROOT = Path(os.environ.get("JOBTRENDS_PROJECT_ROOT", Path(__file__).resolve().parents[2]))


@dataclass(frozen=True)
class Settings:
    """Paths and knobs for one pipeline invocation."""

    data_dir: Path
    """Folder of the warehouse, landing zone, exports and docs (their defaults: :data:`UNDER_DATA_DIR`)."""
    warehouse_path: Path
    landing_dir: Path
    export_dir: Path
    docs_dir: Path
    sources_file: Path = PROJECT_ROOT / "config" / "sources.yaml"
    sql_dir: Path = PROJECT_ROOT / "sql"
    expectations_dir: Path = PROJECT_ROOT / "expectations"
    user_agent: str = HttpConfig.user_agent
    http_timeout_s: float = HttpConfig.timeout_s
    http_max_retries: int = HttpConfig.max_retries
    http_max_bytes: int = HttpConfig.max_bytes
    http_rate_per_host_s: float = HttpConfig.rate_per_host_s
    http_deadline_s: float = HttpConfig.deadline_s
    """One request's overall time limit: every attempt, backoff and Retry-After wait together."""
    http_allow_private: tuple[str, ...] = HttpConfig.allow_private
    """Non-global addresses fetchers may connect to anyway: ``IP``, ``IP:PORT`` or a CIDR (tests, drills)."""
    min_base: int = 30
    """Changes and shares on a base below this are suppressed; also the smallest batch judged by rates."""
    repost_window_days: int = 45
    """A posting seen again within this many days of its group's last sighting is a repost, not new."""
    taxonomy_version: str | None = None
    """Taxonomy version the marts state; ``None``: the title normaliser's ``TAXONOMY_VERSION``."""
    freshness_days: float = 3.0
    """A configured source whose newest posting is older than this many days fails the freshness check."""
    workers: int = field(default_factory=available_cores)
    """Processes/threads for parsing, normalising, dedup and validation (default: the cores we may use)."""
    sample: bool = False
    """Offline mode: sources are the synthetic sample's, served by an in-process transport."""
    sample_seed: int = 7
    sample_scale: float = 1.0
    usajobs_api_key: str | None = field(default=None, repr=False)
    usajobs_email: str | None = None
    lock_wait_s: float = 0.0
    """How long a writer waits for another writer to finish before giving up (exit 75)."""
    sources_empty_runs: int = 3
    """A board listing 0 postings this many fetches in a row (or on its first fetch) is flagged "empty"."""
    max_quarantine_share: float = 0.01
    """Publishing stops when more than this share of a new batch is quarantined (batches of min_base+ rows)."""
    load_memory_limit: str = "2GB"
    """DuckDB ``memory_limit`` while loading file dumps (its default, 80% of RAM, let a 1M-posting load
    buffer 5 GB); written data is evicted to the warehouse file, not spilled."""
    build_memory_limit: str = "2.5GB"
    """DuckDB ``memory_limit`` while building (its default, 80% of RAM, let the build's in-memory tables and
    cached pages take the process past 4 GB; beyond the limit DuckDB evicts and spills)."""
    scan_memory_limit: str = "1GB"
    """DuckDB ``memory_limit`` for the build's steps that read the postings through once: validating the
    new raw and normalised rows, and signing descriptions for near-duplicates. Under the build's limit
    they filled it with cached pages nothing reads again, beside what Python holds (validation frames,
    ~0.3 KB of MinHash signature and keys a description): at 3M postings the process reached 5.1 GB."""
    normalise_memory_limit: str = "1.5GB"
    """DuckDB ``memory_limit`` while normalising: the appended rows stay cached in DuckDB's buffers
    (3.9 GB of them at 3M postings under the default, 80% of RAM) until a limit makes it evict them."""
    parts_url: str = ""
    """Where fanned-out normalise slices and parts live (a path or fsspec URL); empty = ``<data_dir>/parts``."""
    normalise_slice_rows: int = 122_880
    """Raw rows per slice when normalise fans out over Airflow workers (one mapped task per slice)."""
    landing_url: str | None = None
    """Landing zone as a URL: ``s3://bucket/prefix`` (object storage) or a local path; None: ``landing_dir``."""
    exports_url: str | None = None
    """Exports as a URL: ``s3://bucket/prefix`` (object storage) or a local path; None: ``export_dir``."""

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")

    def with_overrides(self, **kwargs: object) -> Settings:
        return replace(self, **kwargs)  # type: ignore[arg-type]

    def http_config(self) -> HttpConfig:
        """The HTTP client's configuration (``ingest`` does not read these settings itself)."""
        credentials = {"usajobs_api_key": self.usajobs_api_key, "usajobs_email": self.usajobs_email}
        return HttpConfig(
            user_agent=self.user_agent,
            timeout_s=self.http_timeout_s,
            max_retries=self.http_max_retries,
            max_bytes=self.http_max_bytes,
            rate_per_host_s=self.http_rate_per_host_s,
            deadline_s=self.http_deadline_s,
            allow_private=self.http_allow_private,
            credentials={k: v for k, v in credentials.items() if v},
        )

    def fetch_settings(self) -> FetchSettings:
        """What :mod:`ingest.runner` needs to fetch sources into the landing zone."""
        from ingest.runner import FetchSettings
        from ingest.storage import landing_location

        return FetchSettings(
            landing_dir=landing_location(self), empty_runs=self.sources_empty_runs, http=self.http_config()
        )


DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
UNDER_DATA_DIR = {
    "warehouse_path": "warehouse.duckdb",
    "landing_dir": "landing",
    "export_dir": "exports",
    "docs_dir": "docs",
}
"""Paths whose default is inside ``data_dir`` (an explicit ``data_dir`` beats their variables too)."""


def _path(value: str) -> Path:
    return Path(value).expanduser()


def _flag(value: str) -> bool:
    word = value.strip().lower()
    if word in {"1", "true", "yes", "on"}:
        return True
    if word in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected 1/true/yes/on or 0/false/no/off")


def _words(value: str) -> tuple[str, ...]:
    return tuple(value.replace(",", " ").split())


def _workers(value: str) -> int:
    n = int(value)
    if n < 1:
        raise ValueError("expected a whole number of at least 1")
    return n


ENV_VARS: dict[str, tuple[str, Callable[[str], object]]] = {
    "data_dir": ("JOBTRENDS_DATA_DIR", _path),
    "warehouse_path": ("JOBTRENDS_WAREHOUSE", _path),
    "landing_dir": ("JOBTRENDS_LANDING_DIR", _path),
    "export_dir": ("JOBTRENDS_EXPORT_DIR", _path),
    "docs_dir": ("JOBTRENDS_DOCS_DIR", _path),
    "sources_file": ("JOBTRENDS_SOURCES_FILE", _path),
    "sql_dir": ("JOBTRENDS_SQL_DIR", _path),
    "expectations_dir": ("JOBTRENDS_EXPECTATIONS_DIR", _path),
    "user_agent": ("JOBTRENDS_USER_AGENT", str),
    "http_timeout_s": ("JOBTRENDS_HTTP_TIMEOUT_S", float),
    "http_max_retries": ("JOBTRENDS_HTTP_MAX_RETRIES", int),
    "http_max_bytes": ("JOBTRENDS_HTTP_MAX_BYTES", int),
    "http_rate_per_host_s": ("JOBTRENDS_HTTP_RATE_PER_HOST_S", float),
    "http_deadline_s": ("JOBTRENDS_HTTP_DEADLINE_S", float),
    "http_allow_private": ("JOBTRENDS_HTTP_ALLOW_PRIVATE", _words),
    "min_base": ("JOBTRENDS_MIN_BASE", int),
    "repost_window_days": ("JOBTRENDS_REPOST_WINDOW_DAYS", int),
    "taxonomy_version": ("JOBTRENDS_TAXONOMY_VERSION", str),
    "freshness_days": ("JOBTRENDS_FRESHNESS_DAYS", float),
    "workers": ("JOBTRENDS_WORKERS", _workers),
    "sample": ("JOBTRENDS_SAMPLE", _flag),
    "sample_seed": ("JOBTRENDS_SAMPLE_SEED", int),
    "sample_scale": ("JOBTRENDS_SAMPLE_SCALE", float),
    "usajobs_api_key": ("USAJOBS_API_KEY", str),
    "usajobs_email": ("USAJOBS_EMAIL", str),
    "lock_wait_s": ("JOBTRENDS_LOCK_WAIT_S", float),
    "sources_empty_runs": ("JOBTRENDS_SOURCES_EMPTY_RUNS", int),
    "max_quarantine_share": ("JOBTRENDS_MAX_QUARANTINE_SHARE", float),
    "load_memory_limit": ("JOBTRENDS_LOAD_MEMORY_LIMIT", str),
    "build_memory_limit": ("JOBTRENDS_BUILD_MEMORY_LIMIT", str),
    "scan_memory_limit": ("JOBTRENDS_SCAN_MEMORY_LIMIT", str),
    "normalise_memory_limit": ("JOBTRENDS_NORMALISE_MEMORY_LIMIT", str),
    "parts_url": ("JOBTRENDS_PARTS_URL", str),
    "normalise_slice_rows": ("JOBTRENDS_NORMALISE_SLICE_ROWS", int),
    "landing_url": ("JOBTRENDS_LANDING_URL", str),
    "exports_url": ("JOBTRENDS_EXPORTS_URL", str),
}
"""Each setting's environment variable and the parser of its text; an empty variable counts as unset."""


def _from_env(name: str) -> object | None:
    env, parse = ENV_VARS[name]
    text = os.environ.get(env, "")
    if not text.strip():
        return None
    try:
        return parse(text.strip())
    except ValueError as exc:
        raise ValueError(f"{env}={text!r} is not a valid {name}: {exc}") from None


def load_settings(data_dir: str | Path | None = None, **overrides: object) -> Settings:
    """Build settings: ``overrides``, else the environment (:data:`ENV_VARS`), else the defaults.

    An explicit ``data_dir`` (the CLI's ``--data-dir``) puts every path of :data:`UNDER_DATA_DIR` under it
    and beats their environment variables.
    """
    values: dict[str, object] = {}
    for f in fields(Settings):
        if data_dir is not None and (f.name == "data_dir" or f.name in UNDER_DATA_DIR):
            continue
        value = _from_env(f.name)
        if value is not None:
            values[f.name] = value
    base = _path(str(data_dir)) if data_dir is not None else values.get("data_dir", DEFAULT_DATA_DIR)
    assert isinstance(base, Path)
    values["data_dir"] = base
    for name, leaf in UNDER_DATA_DIR.items():
        values.setdefault(name, base / leaf)
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
