"""Landing zone: every fetched or imported payload, unchanged, in an immutable content-addressed file.

Layout: ``<landing>/<source>/dt=<run date>/<sha256[:24]>.<ext>`` with a sidecar
``<same name>.meta.json`` describing where the bytes came from. A file is written to a temporary
name and renamed, so a reader never sees half a payload; an existing file is never rewritten
(same name means same bytes).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

META_SUFFIX = ".meta.json"


@dataclass(frozen=True, slots=True)
class LandingMeta:
    """What the loader needs to know about a landed payload."""

    source: str
    """Connector kind whose ``parse`` reads this payload (``greenhouse``, ``file``...)."""
    sha256: str
    size_bytes: int
    fetched_at: str
    run_date: str
    board: str | None = None
    url: str | None = None
    content_type: str | None = None
    complete_listing: bool = False
    """True when the payload lists every open posting of the board (lets the loader close the rest)."""
    options: dict[str, Any] | None = None
    """Parser options (for file dumps: the column mapping and format)."""


@dataclass(frozen=True, slots=True)
class LandingFile:
    path: Path
    meta: LandingMeta

    @property
    def meta_path(self) -> Path:
        return self.path.with_name(self.path.name + META_SUFFIX)


def sha256_bytes(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


TEMP_SUFFIX = ".tmp"
#: A temp file older than this is stale whoever wrote it (a writer on another host, an older name).
STALE_TEMP_SECONDS = 3600.0
_HOST = socket.gethostname().replace(".", "_")  # no dots: the temp name is split on them


def _temp_name(name: str) -> str:
    return f".{name}.{_HOST}-{os.getpid()}{TEMP_SUFFIX}"


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(_temp_name(path.name))
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_landing(
    landing_dir: Path,
    source: str,
    payload: bytes,
    *,
    run_date: date,
    fetched_at: datetime,
    ext: str = "json",
    board: str | None = None,
    url: str | None = None,
    content_type: str | None = None,
    complete_listing: bool = False,
    options: dict[str, Any] | None = None,
) -> LandingFile:
    """Write ``payload`` unchanged; return the landing file (existing one if the bytes were landed before)."""
    digest = sha256_bytes(payload)
    folder = landing_dir / source / f"dt={run_date.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest[:24]}.{ext.lstrip('.')}"
    meta = LandingMeta(
        source=source,
        sha256=digest,
        size_bytes=len(payload),
        fetched_at=fetched_at.isoformat(),
        run_date=run_date.isoformat(),
        board=board,
        url=url,
        content_type=content_type,
        complete_listing=complete_listing,
        options=options,
    )
    landed = LandingFile(path=path, meta=meta)
    if not path.exists():
        _atomic_write(path, payload)
    if not landed.meta_path.exists():
        # The meta file is written last: its presence marks the landing as durable.
        _atomic_write(landed.meta_path, json.dumps(asdict(meta), indent=1, sort_keys=True).encode())
    return landed


def read_meta(path: Path) -> LandingMeta:
    data = json.loads(path.with_name(path.name + META_SUFFIX).read_text())
    return LandingMeta(**data)


def iter_landing(landing_dir: Path, source: str | None = None) -> Iterator[LandingFile]:
    """Every durable landing file (payload plus meta), in a stable order."""
    pattern = f"{source}/dt=*/*{META_SUFFIX}" if source else f"*/dt=*/*{META_SUFFIX}"
    for meta_path in sorted(landing_dir.glob(pattern)):
        payload_path = meta_path.with_name(meta_path.name[: -len(META_SUFFIX)])
        if payload_path.exists():
            yield LandingFile(path=payload_path, meta=LandingMeta(**json.loads(meta_path.read_text())))


def _writer_alive(name: str) -> bool:
    """Whether the process that named a temp file ``.<file>.<host>-<pid>.tmp`` still runs on this host
    (unknown host or name: assumed alive, left to the age rule)."""
    host, _, pid = name[: -len(TEMP_SUFFIX)].rpartition(".")[2].rpartition("-")
    if host != _HOST or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return int(pid) != 0


def sweep_temp_files(landing_dir: Path, *, stale_after_s: float = STALE_TEMP_SECONDS) -> int:
    """Remove temp files that a writer killed mid-write left behind (its process is gone, or the file is
    older than ``stale_after_s``); return how many. A live writer's temp file is left alone."""
    removed = 0
    now = time.time()
    for tmp in Path(landing_dir).glob(f"*/dt=*/.*{TEMP_SUFFIX}"):
        try:
            stale = not _writer_alive(tmp.name) or now - tmp.stat().st_mtime > stale_after_s
            if stale:
                tmp.unlink()
                removed += 1
        except FileNotFoundError:  # its writer renamed it into place meanwhile
            continue
    return removed
