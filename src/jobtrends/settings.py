"""Settings: one place, environment overrides (``JOBTRENDS_*``), sensible local defaults.

Airflow deployments set the same variables (see ``.env.example``); DAGs may also pass values
from Airflow Variables/Connections into :func:`load_settings` overrides.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("JOBTRENDS_PROJECT_ROOT", Path(__file__).resolve().parents[2]))


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


@dataclass(frozen=True)
class Settings:
    """Paths and knobs for one pipeline invocation."""

    data_dir: Path
    warehouse_path: Path
    landing_dir: Path
    export_dir: Path
    docs_dir: Path
    sources_file: Path
    sql_dir: Path = PROJECT_ROOT / "sql"
    expectations_dir: Path = PROJECT_ROOT / "expectations"
    user_agent: str = (
        "jobtrends/0.1 (+https://github.com/jobtrends/jobtrends; open-source job-market research)"
    )
    http_timeout_s: float = 20.0
    http_max_retries: int = 4
    http_max_bytes: int = 50_000_000
    http_rate_per_host_s: float = 1.0
    http_deadline_s: float = 180.0
    """One request's overall time limit: every attempt, backoff and Retry-After wait together."""
    http_allow_private: tuple[str, ...] = ()
    """Non-global addresses fetchers may connect to anyway: ``IP``, ``IP:PORT`` or a CIDR (tests, drills)."""
    min_base: int = 30
    sample: bool = False
    """Offline mode: sources are the synthetic sample's, served by an in-process transport."""
    sample_seed: int = 7
    sample_scale: float = 1.0
    usajobs_api_key: str | None = None
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
    extra: dict[str, str] = field(default_factory=dict)

    def with_overrides(self, **kwargs: object) -> Settings:
        return replace(self, **kwargs)  # type: ignore[arg-type]


def load_settings(data_dir: str | Path | None = None, **overrides: object) -> Settings:
    """Build settings from the environment.

    An explicit ``data_dir`` (the CLI's ``--data-dir``) puts every path under it and beats the
    per-path environment variables; otherwise ``JOBTRENDS_DATA_DIR`` and the per-path variables apply.
    """
    explicit = data_dir is not None
    base = (
        Path(data_dir).expanduser()
        if data_dir is not None
        else _env_path("JOBTRENDS_DATA_DIR", PROJECT_ROOT / "data")
    )

    def path(env: str, default: Path) -> Path:
        return default if explicit else _env_path(env, default)

    settings = Settings(
        data_dir=base,
        warehouse_path=path("JOBTRENDS_WAREHOUSE", base / "warehouse.duckdb"),
        landing_dir=path("JOBTRENDS_LANDING_DIR", base / "landing"),
        export_dir=path("JOBTRENDS_EXPORT_DIR", base / "exports"),
        docs_dir=path("JOBTRENDS_DOCS_DIR", base / "docs"),
        sources_file=_env_path("JOBTRENDS_SOURCES_FILE", PROJECT_ROOT / "config" / "sources.yaml"),
        user_agent=os.environ.get("JOBTRENDS_USER_AGENT", Settings.user_agent),
        min_base=int(os.environ.get("JOBTRENDS_MIN_BASE", Settings.min_base)),
        sample=os.environ.get("JOBTRENDS_SAMPLE", "") in {"1", "true", "yes"},
        sample_seed=int(os.environ.get("JOBTRENDS_SAMPLE_SEED", Settings.sample_seed)),
        sample_scale=float(os.environ.get("JOBTRENDS_SAMPLE_SCALE", Settings.sample_scale)),
        usajobs_api_key=os.environ.get("USAJOBS_API_KEY") or None,
        usajobs_email=os.environ.get("USAJOBS_EMAIL") or None,
        http_deadline_s=float(os.environ.get("JOBTRENDS_HTTP_DEADLINE_S", Settings.http_deadline_s)),
        http_allow_private=tuple(
            os.environ.get("JOBTRENDS_HTTP_ALLOW_PRIVATE", "").replace(",", " ").split()
        ),
        sources_empty_runs=int(os.environ.get("JOBTRENDS_SOURCES_EMPTY_RUNS", Settings.sources_empty_runs)),
        lock_wait_s=float(os.environ.get("JOBTRENDS_LOCK_WAIT_S", Settings.lock_wait_s)),
        max_quarantine_share=float(
            os.environ.get("JOBTRENDS_MAX_QUARANTINE_SHARE", Settings.max_quarantine_share)
        ),
        load_memory_limit=os.environ.get("JOBTRENDS_LOAD_MEMORY_LIMIT", Settings.load_memory_limit),
    )
    return replace(settings, **overrides) if overrides else settings  # type: ignore[arg-type]
