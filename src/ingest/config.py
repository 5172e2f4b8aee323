"""Load ``config/sources.yaml`` into :class:`ingest.base.SourceSpec` objects with clear errors.

Two entry forms::

    sources:
      - kind: greenhouse            # shorthand: one source per board
        boards: [anthropic, {board: scaleai, company: Scale AI}]
      - name: hn-who-is-hiring      # a single source
        kind: hn
        enabled: false
        params: {months: 1}

Names default to ``<kind>:<board>`` (or the kind). Unknown kinds, duplicate names, missing boards,
unknown keys and wrong types are reported with the entry's position.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ingest.base import Connector, SourceSpec

ENTRY_KEYS = frozenset({"name", "kind", "board", "boards", "company", "params", "enabled"})
BOARD_KEYS = frozenset({"name", "board", "company", "params", "enabled"})


class ConfigError(ValueError):
    """The sources file is invalid; the message names the file and the entry."""


def _kinds() -> dict[str, Connector]:
    from ingest.sources import REGISTRY

    return REGISTRY


def _spec(where: str, kind: str, raw: dict[str, Any], defaults: dict[str, Any]) -> SourceSpec:
    module = _kinds()[kind]
    params = {**(defaults.get("params") or {}), **(raw.get("params") or {})}
    if not isinstance(params, dict):
        raise ConfigError(f"{where}: params must be a mapping")
    board = raw.get("board")
    if board is not None and not isinstance(board, str | int):
        raise ConfigError(f"{where}: board must be a string, got {type(board).__name__}")
    board = str(board).strip() if board is not None else None
    if module.NEEDS_BOARD and not board:
        raise ConfigError(f"{where}: kind {kind!r} needs a board (the board token / site / company slug)")
    pattern = module.BOARD_PATTERN
    if board and pattern and not re.fullmatch(pattern, board):
        raise ConfigError(
            f"{where}: {board!r} is not a valid {kind} board name ({module.BOARD_RULE or pattern})"
        )
    enabled = raw.get("enabled", defaults.get("enabled", True))
    if not isinstance(enabled, bool):
        raise ConfigError(f"{where}: enabled must be true or false, got {enabled!r}")
    name = raw.get("name") or (f"{kind}:{board}" if board else kind)
    return SourceSpec(
        kind=kind,
        name=str(name),
        board=board,
        company=str(raw["company"]) if raw.get("company") is not None else None,
        params=params,
        enabled=enabled,
    )


def parse_sources(data: Any, origin: str = "sources") -> list[SourceSpec]:
    """Validate an already-loaded YAML document (see module docstring)."""
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        raise ConfigError(f"{origin}: expected a mapping with a 'sources:' list")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ConfigError(f"{origin}: defaults must be a mapping")
    known = _kinds()
    specs: list[SourceSpec] = []
    seen: dict[str, str] = {}
    for i, entry in enumerate(data["sources"]):
        where = f"{origin}: sources[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: each source must be a mapping, got {entry!r}")
        unknown = sorted(set(entry) - ENTRY_KEYS)
        if unknown:
            raise ConfigError(f"{where}: unknown keys {unknown} (allowed: {', '.join(sorted(ENTRY_KEYS))})")
        kind = entry.get("kind")
        if kind not in known:
            raise ConfigError(f"{where}: unknown kind {kind!r} (known: {', '.join(sorted(known))})")
        if "boards" in entry:
            if "board" in entry or "name" in entry:
                raise ConfigError(f"{where}: use either 'boards' (a list) or 'board'/'name', not both")
            if not isinstance(entry["boards"], list) or not entry["boards"]:
                raise ConfigError(f"{where}: boards must be a non-empty list")
            shared: dict[str, Any] = {
                "params": entry.get("params") or {},
                "enabled": entry.get("enabled", defaults.get("enabled", True)),
            }
            for j, item in enumerate(entry["boards"]):
                raw = {"board": item} if isinstance(item, str | int) else item
                if not isinstance(raw, dict):
                    raise ConfigError(
                        f"{where}.boards[{j}]: expected a board token or a mapping, got {item!r}"
                    )
                bad = sorted(set(raw) - BOARD_KEYS)
                if bad:
                    raise ConfigError(f"{where}.boards[{j}]: unknown keys {bad}")
                raw = {**raw, "params": {**shared["params"], **(raw.get("params") or {})}}
                raw.setdefault("enabled", shared["enabled"])
                specs.append(_spec(f"{where}.boards[{j}]", kind, raw, defaults))
        else:
            specs.append(_spec(where, kind, entry, defaults))
        for spec in specs[len(seen) :]:
            if spec.name in seen:
                raise ConfigError(
                    f"{origin}: duplicate source name {spec.name!r} ({seen[spec.name]} and {where})"
                )
            seen[spec.name] = where
    return specs


def load_sources(path: str | Path) -> list[SourceSpec]:
    """Read and validate a sources YAML file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read sources file {path}: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    return parse_sources(data, str(path))
