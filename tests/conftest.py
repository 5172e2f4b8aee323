"""Shared fixtures: where ../shared is, and how tests that need it skip (or fail in CI)."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get("JOBTRENDS_SHARED_DIR", REPO_ROOT.parent / "shared"))
REQUIRE_SHARED = os.environ.get("JOBTRENDS_REQUIRE_SHARED") == "1"


def _shared_path(*parts: str) -> Path:
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        reason = f"{path} is absent (the shared data sets live beside the checkout in ../shared)"
        if REQUIRE_SHARED:
            pytest.fail(f"JOBTRENDS_REQUIRE_SHARED=1 but {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def realdata() -> Path:
    """``../shared/realdata``, read in place (never copied into the repository)."""
    return _shared_path("realdata")


@pytest.fixture(scope="session")
def labels() -> Path:
    """``../shared/labels``: labelled development sets."""
    return _shared_path("labels")


@pytest.fixture(scope="session")
def guide() -> Path:
    return _shared_path("guide")


# ----------------------------------------------------------------------------- object storage (S3)


def s3_test_env(endpoint: str) -> dict[str, str]:
    """AWS variables that point every S3 client at ``endpoint`` with fake credentials: no request can
    reach AWS (no instance metadata lookups, no user config or credentials files)."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A local S3 endpoint: moto's server on 127.0.0.1, a free port, for the whole session."""
    server_mod = pytest.importorskip("moto.server")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new, empty bucket on the local moto endpoint, the AWS variables set for it (subprocesses inherit
    them); returns ``s3://<bucket>``."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in s3_test_env(moto_endpoint).items():
        monkeypatch.setenv(name, value)
    import fsspec

    bucket = f"jobtrends-test-{uuid.uuid4().hex[:12]}"
    fsspec.filesystem("s3", client_kwargs={"endpoint_url": moto_endpoint}).mkdir(bucket)
    return f"s3://{bucket}"
