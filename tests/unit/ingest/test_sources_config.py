"""ingest.config.load_sources: the shipped sources file and readable errors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from ingest.config import ConfigError, load_sources

SOURCES_FILE = Path(__file__).resolve().parents[3] / "config" / "sources.yaml"


def test_shipped_sources_file():
    specs = load_sources(SOURCES_FILE)
    enabled = Counter(s.kind for s in specs if s.enabled)
    assert enabled["greenhouse"] + enabled["ashby"] + enabled["lever"] >= 40
    assert min(enabled["greenhouse"], enabled["ashby"], enabled["lever"]) >= 1
    disabled = {s.kind for s in specs if not s.enabled}
    assert {
        "remoteok",
        "remotive",
        "arbeitnow",
        "usajobs",
        "hn",
        "jsonld",
        "workday",
        "smartrecruiters",
        "workable",
    } <= disabled
    names = [s.name for s in specs]
    assert len(names) == len(set(names)) and "greenhouse:anthropic" in names and "ashby:openai" in names
    assert all(s.company for s in specs if s.kind in ("greenhouse", "ashby", "lever"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources:\n  - kind: greenhose\n    board: x\n", "unknown kind 'greenhose'"),
        ("sources:\n  - kind: greenhouse\n    boards: [a, a]\n", "duplicate source name 'greenhouse:a'"),
        ("sources:\n  - kind: lever\n", "kind 'lever' needs a board"),
        ("sources:\n  - kind: remoteok\n    colour: red\n", "unknown keys ['colour']"),
        ("sources:\n  - kind: remoteok\n    enabled: maybe\n", "enabled must be true or false"),
        ("sources: {a: 1}\n", "expected a mapping with a 'sources:' list"),
        ("sources: [\n", "invalid YAML"),
    ],
)
def test_errors_are_readable(tmp_path: Path, text: str, message: str):
    path = tmp_path / "sources.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_missing_file(tmp_path: Path):
    with pytest.raises(ConfigError, match="cannot read sources file"):
        load_sources(tmp_path / "nope.yaml")


def test_board_defaults_and_params_merge(tmp_path: Path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "sources:\n  - kind: greenhouse\n    params: {a: 1}\n    enabled: false\n"
        "    boards: [one, {board: two, name: custom, params: {b: 2}, enabled: true}]\n"
    )
    one, two = load_sources(path)
    assert (one.name, one.enabled, one.params) == ("greenhouse:one", False, {"a": 1})
    assert (two.name, two.enabled, two.params) == ("custom", True, {"a": 1, "b": 2})
