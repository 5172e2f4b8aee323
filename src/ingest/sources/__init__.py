"""Source connectors, one module per kind; each module is a :class:`ingest.base.Connector`.

``CONNECTORS`` lists them (typed, so the type checker verifies every module against the protocol);
``REGISTRY`` maps a kind (``greenhouse``) to its module; :func:`get` looks one up with a clear error.
"""

from __future__ import annotations

from ingest.base import Connector
from ingest.sources import (
    arbeitnow,
    ashby,
    file,
    fx,
    greenhouse,
    hn,
    jibe,
    jsonld,
    lever,
    pinpoint,
    remoteok,
    remotive,
    smartrecruiters,
    usajobs,
    workable,
    workday,
)

CONNECTORS: tuple[Connector, ...] = (
    greenhouse,
    lever,
    ashby,
    smartrecruiters,
    workable,
    workday,
    pinpoint,
    jibe,
    remoteok,
    remotive,
    arbeitnow,
    usajobs,
    hn,
    jsonld,
    file,
    fx,
)

REGISTRY: dict[str, Connector] = {connector.KIND: connector for connector in CONNECTORS}


def get(kind: str) -> Connector:
    """The source module for ``kind``; ``KeyError`` naming the known kinds otherwise."""
    try:
        return REGISTRY[kind]
    except KeyError:
        raise KeyError(f"unknown source kind {kind!r} (known: {', '.join(sorted(REGISTRY))})") from None


__all__ = ["CONNECTORS", "REGISTRY", "get"]
