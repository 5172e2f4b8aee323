"""Storage by URL: a local folder or an object-store prefix (``s3://bucket/prefix``), behind one small API.

:func:`open_storage` takes a local path (``data/landing``, ``file:///srv/landing``) or an fsspec URL
(``s3://bucket/prefix``; any fsspec protocol whose package is installed). Objects are named by *keys*:
POSIX paths relative to the root (``greenhouse/dt=2026-01-05/ab12….json``), the same on every backend,
so whatever derives names from keys (the loader's ledger, export pointers) gives the same answer locally
and on object storage.

Writes are all-or-nothing for readers: locally a temp file in the same folder, fsynced, then renamed
over the key; on an object store one PUT (or a multipart upload completed in one step), which is
atomic by design — an object is absent or complete, never half there.

S3 settings come from the standard AWS variables: ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``
(or any botocore credential source), ``AWS_ENDPOINT_URL_S3``/``AWS_ENDPOINT_URL`` for S3-compatible
stores such as MinIO, and ``AWS_REGION``/``AWS_DEFAULT_REGION``. The endpoint and region are passed to
the client explicitly: botocore (>= 1.31.58) reads ``AWS_ENDPOINT_URL`` itself, and s3fs 2026.9 with
aiobotocore 3.10 was checked to honour it, but older aiobotocore releases did not, and botocore never
reads ``AWS_REGION``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

__all__ = [
    "Storage",
    "is_remote",
    "landing_location",
    "exports_location",
    "open_storage",
    "storage_options",
]

TEMP_SUFFIX = ".tmp"
_HOST = socket.gethostname().replace(".", "_")


def is_remote(location: str | Path) -> bool:
    """Whether ``location`` names an object store (a URL with a scheme other than ``file``)."""
    if isinstance(location, Path):
        return False
    scheme, sep, _ = str(location).partition("://")
    return bool(sep) and scheme.lower() not in {"", "file", "local"}


def landing_location(settings: Any) -> Path | str:
    """The landing zone of ``settings``: ``landing_url`` when set (a URL, or a local path), else ``landing_dir``."""
    return _location(getattr(settings, "landing_url", None), settings.landing_dir)


def exports_location(settings: Any) -> Path | str:
    """Where exports go: ``exports_url`` when set (a URL, or a local path), else ``export_dir``."""
    return _location(getattr(settings, "exports_url", None), settings.export_dir)


def _location(url: str | None, default: Path | str) -> Path | str:
    if not url:
        return default if is_remote(default) else Path(default)
    if is_remote(url):
        return url.rstrip("/")
    return _local_path(url)


def _local_path(location: str | Path) -> Path:
    text = str(location)
    if text.startswith("file://"):
        text = text[len("file://") :]
    return Path(text).expanduser()


def storage_options(protocol: str) -> dict[str, Any]:
    """Client options for ``protocol`` from the environment (S3: endpoint and region); no listing cache,
    because other hosts write the same prefix and a cached listing would hide their objects."""
    options: dict[str, Any] = {"use_listings_cache": False}
    if protocol in {"s3", "s3a"}:
        client: dict[str, Any] = {}
        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        if endpoint:
            client["endpoint_url"] = endpoint
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if region:
            client["region_name"] = region
        if client:
            options["client_kwargs"] = client
    return options


def _check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in {"", ".", ".."} for p in parts):
        raise ValueError(f"not a storage key: {key!r} (a relative POSIX path without . or ..)")
    return key


class Storage:
    """A local folder or an object-store prefix; every method takes keys relative to the root."""

    def __init__(self, location: str | Path) -> None:
        self.is_local = not is_remote(location)
        self._root_path: Path | None = None
        if self.is_local:
            self._root_path = _local_path(location)
            self.root = str(self._root_path)
            self.protocol = "file"
            self._fs: Any = None
            self._read_kw: dict[str, Any] = {}
            self._base = ""
            return
        import fsspec

        text = str(location).rstrip("/")
        self.protocol, _, rest = text.partition("://")
        self.protocol = self.protocol.lower()
        self.root = f"{self.protocol}://{rest}"
        self._fs = fsspec.filesystem(self.protocol, **storage_options(self.protocol))
        self._base = rest.strip("/")
        # s3fs reads a whole object in parallel ranges when it may: a HEAD for the size first, one
        # request too many for small objects (metadata, run records), which are what is read whole here
        self._read_kw = {"max_concurrency": 1} if self.protocol in {"s3", "s3a"} else {}

    def __repr__(self) -> str:
        return f"Storage({self.root!r})"

    # ------------------------------------------------------------------ naming

    def url(self, key: str) -> str:
        """The full location of ``key``: a local path, or ``<scheme>://bucket/prefix/key``."""
        return str(self.path(key)) if self.is_local else f"{self.root}/{_check_key(key)}"

    def path(self, key: str | None = None) -> Path:
        """The local path of ``key``, or of the root without one (local storage only)."""
        if self._root_path is None:
            raise TypeError(f"{self.root} is not a local folder")
        return self._root_path if key is None else self._root_path / _check_key(key)

    def _remote(self, key: str) -> str:
        return f"{self._base}/{_check_key(key)}" if self._base else _check_key(key)

    def _key_of(self, remote_path: str) -> str:
        path = remote_path.strip("/")
        return path[len(self._base) + 1 :] if self._base else path

    # ------------------------------------------------------------------ reading

    def exists(self, key: str) -> bool:
        if self.is_local:
            return self.path(key).is_file()
        path = self._remote(key)
        if self.protocol in {"s3", "s3a"}:
            # one HEAD; s3fs's isfile adds a LIST on a miss (to tell a "directory")
            bucket, name, _ = self._fs.split_path(path)
            try:
                self._fs.call_s3("head_object", Bucket=bucket, Key=name)
            except FileNotFoundError:
                return False
            return True
        return bool(self._fs.isfile(path))

    def read_bytes(self, key: str) -> bytes:
        """The bytes of ``key``; :class:`FileNotFoundError` when there is no such object."""
        if self.is_local:
            return self.path(key).read_bytes()
        data: bytes = self._fs.cat_file(self._remote(key), **self._read_kw)
        return data

    def read_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The bytes of each key that exists (missing ones are left out); concurrent on object stores."""
        keys = list(keys)
        if self.is_local:
            out = {}
            for key in keys:
                try:
                    out[key] = self.path(key).read_bytes()
                except FileNotFoundError:
                    continue
            return out
        if not keys:
            return {}
        got = self._fs.cat([self._remote(k) for k in keys], on_error="omit", **self._read_kw)
        return {self._key_of(path): data for path, data in got.items()}

    def open(self, key: str) -> IO[bytes]:
        """A binary file object reading ``key`` (e.g. for ``pyarrow.parquet.read_table``)."""
        if self.is_local:
            return open(self.path(key), "rb")
        handle: IO[bytes] = self._fs.open(self._remote(key), "rb")
        return handle

    def list_keys(self, prefix: str = "", suffix: str = "") -> list[str]:
        """Every key under ``prefix`` (a folder key, recursively) ending with ``suffix``, sorted. Local
        temp files of writes in progress are not listed."""
        if self.is_local:
            base = self.path(prefix.rstrip("/")) if prefix else self.path()
            if not base.is_dir():
                return []
            root = self.path()
            keys = (
                p.relative_to(root).as_posix()
                for p in base.rglob("*")
                if p.is_file() and not (p.name.startswith(".") and p.name.endswith(TEMP_SUFFIX))
            )
            return sorted(k for k in keys if k.endswith(suffix))
        start = self._remote(prefix.rstrip("/")) if prefix else self._base
        try:
            found = self._fs.find(start) if start else []
        except FileNotFoundError:
            return []
        return sorted(k for k in (self._key_of(p) for p in found) if k.endswith(suffix))

    def glob(self, pattern: str) -> list[str]:
        """Keys matching a glob ``pattern`` (``*`` and ``?``, which stop at ``/``), sorted."""
        if self.is_local:
            root = self.path()
            return sorted(
                p.relative_to(root).as_posix()
                for p in root.glob(pattern)
                if p.is_file() and not (p.name.startswith(".") and p.name.endswith(TEMP_SUFFIX))
            )
        # one recursive listing of the fixed prefix, filtered here: fsspec's glob lists every matching
        # "folder" on its own (several requests per dt=… folder on S3)
        fixed = re.split(r"[*?\[]", pattern, maxsplit=1)[0].rpartition("/")[0]
        regex = re.compile(
            "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in pattern) + r"\Z"
        )
        return [k for k in self.list_keys(fixed) if regex.match(k)]

    # ------------------------------------------------------------------ writing

    def write_bytes(self, key: str, data: bytes) -> None:
        """Write ``data`` to ``key`` all-or-nothing (a reader sees the old object or the new one)."""
        if self.is_local:
            atomic_write(self.path(key), data)
        else:
            self._fs.pipe_file(self._remote(key), data)

    def put_file(self, local_path: str | Path, key: str) -> None:
        """Copy a local file to ``key`` all-or-nothing."""
        if self.is_local:
            target = self.path(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(_temp_name(target.name))
            try:
                shutil.copyfile(local_path, tmp)  # sendfile/copy_file_range: no pass through Python buffers
                fd = os.open(tmp, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
                os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
        else:
            self._fs.put_file(str(local_path), self._remote(key))

    def get_file(self, key: str, local_path: str | Path) -> None:
        """Copy ``key`` to a local file (its folder is created)."""
        Path(local_path).parent.mkdir(parents=True, exist_ok=True)
        if self.is_local:
            Path(local_path).write_bytes(self.path(key).read_bytes())
        else:
            self._fs.get_file(self._remote(key), str(local_path))

    def download(self, keys: Iterable[str], dest_dir: str | Path) -> list[Path]:
        """Copy ``keys`` to ``dest_dir/<key>`` (the same layout), concurrently on object stores; the paths."""
        keys = list(keys)
        targets = [Path(dest_dir) / _check_key(k) for k in keys]
        for target in {t.parent for t in targets}:
            target.mkdir(parents=True, exist_ok=True)
        if self.is_local:
            for key, target in zip(keys, targets, strict=True):
                shutil.copyfile(self.path(key), target)
        elif keys:
            self._fs.get([self._remote(k) for k in keys], [str(t) for t in targets])
        return targets

    def delete(self, keys: str | Iterable[str]) -> None:
        """Remove objects (missing ones are ignored)."""
        for key in [keys] if isinstance(keys, str) else list(keys):
            if self.is_local:
                self.path(key).unlink(missing_ok=True)
            else:
                try:
                    self._fs.rm_file(self._remote(key))
                except FileNotFoundError:
                    continue


def open_storage(location: str | Path) -> Storage:
    """:class:`Storage` for a local path or an object-store URL."""
    return Storage(location)


def _temp_name(name: str) -> str:
    # host and pid name the writer, so a sweep can tell a dead writer's leftovers from a live write
    return f".{name}.{_HOST}-{os.getpid()}{TEMP_SUFFIX}"


def atomic_write(path: Path, data: bytes) -> None:
    """Write a local file through a temp file in the same folder, fsynced, then renamed over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(_temp_name(path.name))
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
