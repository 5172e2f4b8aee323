"""Per-source incremental state: ``<landing>/_state/<source name>.json``.

Holds the HTTP validators (ETag / Last-Modified per URL), a source-specific cursor (e.g. HN's
newest thread) and the short fetch history that flagging needs (so a fetch does not list and read every
run record of the landing zone, which grows by one per source and night). The runner saves it only
after ``write_landing`` returned for every payload, so a crash never skips data: at worst the next run
fetches it again. On an object-store landing zone (:mod:`ingest.storage`) the state is the object
``_state/<source name>.json`` under the same prefix, so fetch workers on other hosts share it.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.storage import open_storage

log = logging.getLogger(__name__)

STATE_DIR = "_state"


def safe_name(name: str) -> str:
    """A file-name-safe form of a source name (``greenhouse:anthropic`` → ``greenhouse_anthropic``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "source"


@dataclass
class SourceState:
    source_name: str
    cursor: dict[str, Any] = field(default_factory=dict)
    validators: dict[str, dict[str, str]] = field(default_factory=dict)
    updated_at: str | None = None
    history: list[dict[str, Any]] | None = None
    """The recent fetches (``started_at``, ``status``, ``postings_seen``), oldest first, that flag the
    next one (:func:`ingest.runner.kept_history`). None when the state predates it: the runner then reads
    the source's run records once."""


def state_key(source_name: str) -> str:
    return f"{STATE_DIR}/{safe_name(source_name)}.json"


def state_path(landing_dir: Path, source_name: str) -> Path:
    return Path(landing_dir) / state_key(source_name)


def load_state(landing_dir: Path | str, source_name: str) -> SourceState:
    """The saved state, or an empty one (a corrupt file is logged and ignored: a full re-fetch is safe).
    ``landing_dir``: a local folder or an object-store URL."""
    store = open_storage(landing_dir)
    key = state_key(source_name)
    try:
        data = json.loads(store.read_bytes(key).decode("utf-8"))
        return SourceState(
            source_name=source_name,
            cursor=dict(data.get("cursor") or {}),
            validators={str(k): dict(v) for k, v in (data.get("validators") or {}).items()},
            updated_at=data.get("updated_at"),
            history=_history(data.get("history")),
        )
    except FileNotFoundError:
        return SourceState(source_name)
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        log.warning("ignoring unreadable state file %s: %s", store.url(key), exc)
        return SourceState(source_name)


def _history(value: Any) -> list[dict[str, Any]] | None:
    if not isinstance(value, list):
        return None
    return [dict(entry) for entry in value if isinstance(entry, dict)]


def save_state(landing_dir: Path | str, state: SourceState) -> str:
    """Write the state atomically (temp file + rename locally, one PUT on object storage); its location."""
    store = open_storage(landing_dir)
    state.updated_at = datetime.now(UTC).isoformat()
    body = {
        "source_name": state.source_name,
        "cursor": state.cursor,
        "validators": state.validators,
        "updated_at": state.updated_at,
        "history": state.history,
    }
    key = state_key(state.source_name)
    store.write_bytes(key, json.dumps(body, indent=1, sort_keys=True, default=str).encode("utf-8"))
    return store.url(key)
