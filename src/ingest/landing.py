"""Landing zone: every fetched or imported payload, unchanged, in an immutable content-addressed file.

Layout: ``<landing>/<source>/dt=<run date>/<sha256[:24]>.<ext>`` with a sidecar
``<same name>.meta.json`` describing where the bytes came from. A file is written to a temporary
name and renamed, so a reader never sees half a payload; an existing file is never rewritten
(same name means same bytes).

The landing zone may also be an object-store prefix (``s3://bucket/prefix``, see :mod:`ingest.storage`):
the same keys, each object written in one PUT, the payload first and its metadata object last, so a
reader that lists metadata objects never sees a payload that is not complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import time
from collections.abc import Callable, Container, Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ingest.storage import Storage, is_remote, open_storage

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
    """The payload's local path; on object storage its landing-relative key (the object is at ``url``)."""
    meta: LandingMeta
    url: str | None = None
    """The payload's URL when the landing zone is an object store (``s3://…``); None on local disk."""

    @property
    def meta_path(self) -> Path:
        return self.path.with_name(self.path.name + META_SUFFIX)

    @property
    def location(self) -> str:
        """Where the payload is: its URL on object storage, else its local path."""
        return self.url or str(self.path)


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


NAME_DIGEST_CHARS = 24
"""A payload's name is this many leading hex digits of its sha256."""


def payload_key(source: str, run_date: date, digest: str, ext: str) -> str:
    """The landing-relative name of a payload: ``<source>/dt=<run date>/<sha256[:24]>.<ext>``."""
    return f"{source}/dt={run_date.isoformat()}/{digest[:NAME_DIGEST_CHARS]}.{ext.lstrip('.')}"


def names_its_content(key: str, sha256: str) -> bool:
    """Whether ``key`` is the name :func:`payload_key` gives content with this ``sha256``."""
    return key.rpartition("/")[2].partition(".")[0] == sha256[:NAME_DIGEST_CHARS]


class SourceChanged(RuntimeError):
    """A file changed while it was being landed: what landed may not be the bytes its name hashes."""


def _meta(
    source: str, digest: str, size: int, run_date: date, fetched_at: datetime, **extra: Any
) -> LandingMeta:
    return LandingMeta(
        source=source,
        sha256=digest,
        size_bytes=size,
        fetched_at=fetched_at.isoformat(),
        run_date=run_date.isoformat(),
        **extra,
    )


def write_landing(
    landing_dir: Path | str,
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
    """Write ``payload`` unchanged; return the landing file (existing one if the bytes were landed before).

    ``landing_dir`` is a local folder or an object-store URL (``s3://bucket/prefix``)."""
    digest = sha256_bytes(payload)
    key = payload_key(source, run_date, digest, ext)
    meta = _meta(
        source,
        digest,
        len(payload),
        run_date,
        fetched_at,
        board=board,
        url=url,
        content_type=content_type,
        complete_listing=complete_listing,
        options=options,
    )
    if is_remote(landing_dir):
        store = open_storage(landing_dir)
        return _write_remote(store, key, meta, lambda: store.write_bytes(key, payload))
    return _write_local(Path(landing_dir) / key, meta, lambda path: _atomic_write(path, payload))


def land_file(
    landing_dir: Path | str,
    source: str,
    src: Path,
    *,
    run_date: date,
    fetched_at: datetime,
    ext: str,
    board: str | None = None,
    url: str | None = None,
    options: dict[str, Any] | None = None,
) -> LandingFile:
    """Land the file ``src`` unchanged, as :func:`write_landing` lands bytes, without reading it into
    memory (a dump of any size lands in constant memory).

    On disk the file is copied by the kernel into a temp name first and that copy is hashed, so the name
    is always the hash of the bytes landed, even if ``src`` is rewritten meanwhile. On object storage it
    is hashed, then uploaded; :class:`SourceChanged` is raised (before the metadata object, so nothing
    becomes durable) if its size, mtime or inode moved in between."""
    extra: dict[str, Any] = {"board": board, "url": url, "options": options}
    store = open_storage(landing_dir)
    if is_remote(landing_dir):
        before = _identity(src)
        with open(src, "rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        key = payload_key(source, run_date, digest, ext)

        def upload() -> None:
            store.put_file(src, key)
            if _identity(src) != before:
                raise SourceChanged(f"{src} changed while it was landed; land it again once it is complete")

        return _write_remote(
            store, key, _meta(source, digest, before[0], run_date, fetched_at, **extra), upload
        )
    # the key's folder is known before the hash: the temp copy sits beside its final name
    folder = store.path(payload_key(source, run_date, "x", ext).rpartition("/")[0])
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / _temp_name(f"import-{os.urandom(4).hex()}")
    try:
        shutil.copyfile(src, tmp)  # sendfile/copy_file_range: no pass through Python buffers
        with open(tmp, "rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
            os.fsync(fh.fileno())
            size = os.fstat(fh.fileno()).st_size
        key = payload_key(source, run_date, digest, ext)
        meta = _meta(source, digest, size, run_date, fetched_at, **extra)
        return _write_local(store.path(key), meta, lambda path: os.replace(tmp, path))
    finally:
        tmp.unlink(missing_ok=True)


def _identity(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns, st.st_ino


def _write_local(path: Path, meta: LandingMeta, write: Callable[[Path], None]) -> LandingFile:
    path.parent.mkdir(parents=True, exist_ok=True)
    landed = LandingFile(path=path, meta=meta)
    if not path.exists():
        write(path)
    if not landed.meta_path.exists():
        # The meta file is written last: its presence marks the landing as durable.
        _atomic_write(landed.meta_path, _meta_bytes(meta))
    return landed


def _meta_bytes(meta: LandingMeta) -> bytes:
    return json.dumps(asdict(meta), indent=1, sort_keys=True).encode()


def _write_remote(store: Storage, key: str, meta: LandingMeta, write: Callable[[], None]) -> LandingFile:
    # One PUT per object: no temp names to sweep. The metadata object goes last, as on disk: a payload
    # without it (a writer killed in between) is invisible to readers and completed by the next write.
    # Its presence alone is checked (one request): a durable payload is never rewritten, and rewriting
    # one without metadata puts back the same bytes (the name is their hash).
    if not store.exists(key + META_SUFFIX):
        write()
        store.write_bytes(key + META_SUFFIX, _meta_bytes(meta))
    return LandingFile(path=Path(key), meta=meta, url=store.url(key))


def read_meta(path: Path) -> LandingMeta:
    data = json.loads(path.with_name(path.name + META_SUFFIX).read_text())
    return LandingMeta(**data)


def durable_keys(store: Storage, source: str | None = None) -> list[str]:
    """Keys of the payloads whose metadata object exists (the durable landings), sorted; a payload
    without its metadata (its writer was killed in between) is left out, as :func:`iter_landing` does."""
    keys = store.list_keys(source or "")
    present = set(keys)
    out = []
    for key in keys:
        if not key.endswith(META_SUFFIX):
            continue
        payload = key[: -len(META_SUFFIX)]
        parts = payload.split("/")
        if (
            len(parts) == 3
            and parts[1].startswith("dt=")
            and not parts[0].startswith("_")
            and payload in present
        ):
            out.append(payload)
    return out


def iter_landing(
    landing_dir: Path | str, source: str | None = None, *, known: Container[str] = frozenset()
) -> Iterator[LandingFile]:
    """Every durable landing file (payload plus meta), in a stable order. On object storage the files'
    ``path`` is their key and ``url`` their location (read them with :class:`ingest.storage.Storage`).
    Payloads whose key (``<source>/dt=<date>/<name>``) is in ``known`` are left out before their
    metadata is read: a loader that has them need not read the whole landing zone's metadata again."""
    if is_remote(landing_dir):
        store = open_storage(landing_dir)
        keys = [k for k in durable_keys(store, source) if k not in known]
        metas = store.read_many(k + META_SUFFIX for k in keys)
        for key in keys:
            if key + META_SUFFIX in metas:
                meta = LandingMeta(**json.loads(metas[key + META_SUFFIX]))
                yield LandingFile(path=Path(key), meta=meta, url=store.url(key))
        return
    landing_dir = Path(landing_dir)
    pattern = f"{source}/dt=*/*{META_SUFFIX}" if source else f"*/dt=*/*{META_SUFFIX}"
    for meta_path in sorted(landing_dir.glob(pattern)):
        payload_path = meta_path.with_name(meta_path.name[: -len(META_SUFFIX)])
        if "/".join(payload_path.parts[-3:]) in known:
            continue
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
