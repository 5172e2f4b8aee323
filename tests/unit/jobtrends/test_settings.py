"""jobtrends.settings: one default and one environment variable per setting, documented in .env.example."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import pytest

from jobtrends.settings import ENV_VARS, PROJECT_ROOT, Settings, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for env, _ in ENV_VARS.values():
        monkeypatch.delenv(env, raising=False)


def test_every_setting_has_an_env_var_documented_in_env_example() -> None:
    names = {f.name for f in dataclasses.fields(Settings)}
    assert names == set(ENV_VARS), "a Settings field without an env var, or an env var without a field"
    documented = set(
        re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (PROJECT_ROOT / ".env.example").read_text(), re.M)
    )
    missing = sorted(env for env, _ in ENV_VARS.values() if env not in documented)
    assert not missing, f"not documented in .env.example: {missing}"


def test_env_vars_are_parsed_into_typed_fields(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JOBTRENDS_WORKERS", "3")
    monkeypatch.setenv("JOBTRENDS_REPOST_WINDOW_DAYS", "60")
    monkeypatch.setenv("JOBTRENDS_FRESHNESS_DAYS", "1.5")
    monkeypatch.setenv("JOBTRENDS_TAXONOMY_VERSION", "v9")
    monkeypatch.setenv("JOBTRENDS_SAMPLE", "True")
    monkeypatch.setenv("JOBTRENDS_HTTP_ALLOW_PRIVATE", "127.0.0.1:8080, 10.0.0.0/8")
    monkeypatch.setenv("USAJOBS_API_KEY", "")  # empty lines of .env count as unset
    s = load_settings(tmp_path)
    assert (s.workers, s.repost_window_days, s.freshness_days, s.taxonomy_version) == (3, 60, 1.5, "v9")
    assert s.sample is True and s.usajobs_api_key is None
    assert s.http_allow_private == ("127.0.0.1:8080", "10.0.0.0/8")


def test_defaults_without_environment(tmp_path: Path) -> None:
    s = load_settings(tmp_path)
    assert (s.min_base, s.repost_window_days, s.taxonomy_version, s.sample) == (30, 45, None, False)
    assert s.warehouse_path == tmp_path / "warehouse.duckdb" and s.landing_dir == tmp_path / "landing"


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity on this OS")
def test_workers_default_to_the_cores_this_process_may_use(tmp_path: Path) -> None:
    assert load_settings(tmp_path).workers == len(os.sched_getaffinity(0))


@pytest.mark.parametrize(
    ("env", "value"),
    [("JOBTRENDS_WORKERS", "0"), ("JOBTRENDS_MIN_BASE", "thirty"), ("JOBTRENDS_SAMPLE", "maybe")],
)
def test_a_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch, env: str, value: str) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ValueError, match=env):
        load_settings()


def test_explicit_data_dir_beats_path_variables_but_not_the_others(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("JOBTRENDS_WAREHOUSE", str(tmp_path / "elsewhere.duckdb"))
    monkeypatch.setenv("JOBTRENDS_SOURCES_FILE", str(tmp_path / "mine.yaml"))
    assert load_settings(tmp_path / "d").warehouse_path == tmp_path / "d" / "warehouse.duckdb"
    assert load_settings(tmp_path / "d").sources_file == tmp_path / "mine.yaml"
    assert load_settings().warehouse_path == tmp_path / "elsewhere.duckdb"


def test_overrides_beat_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JOBTRENDS_MIN_BASE", "50")
    assert load_settings(tmp_path, min_base=10).min_base == 10
    assert load_settings(tmp_path).with_overrides(workers=1).workers == 1
    with pytest.raises(ValueError, match="workers"):
        load_settings(tmp_path, workers=0)


def test_ingest_gets_its_own_config(tmp_path: Path) -> None:
    s = load_settings(
        tmp_path, http_deadline_s=42.0, http_max_retries=1, usajobs_api_key="s3cr3t-key", sources_empty_runs=5
    )
    http = s.http_config()
    assert (http.deadline_s, http.max_retries, http.user_agent) == (42.0, 1, s.user_agent)
    assert dict(http.credentials) == {"usajobs_api_key": "s3cr3t-key"} and "s3cr3t" not in repr(http) + repr(
        s
    )
    fetch = s.fetch_settings()
    assert (fetch.landing_dir, fetch.empty_runs, fetch.http) == (tmp_path / "landing", 5, http)
