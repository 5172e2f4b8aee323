"""Source connectors, one module per kind; see :mod:`ingest.base` for the contract.

``REGISTRY`` maps a kind (``greenhouse``) to its module; :func:`get` looks one up with a clear error.
"""

from __future__ import annotations

from types import ModuleType

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

REGISTRY: dict[str, ModuleType] = {
    module.KIND: module
    for module in (
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
}


def get(kind: str) -> ModuleType:
    """The source module for ``kind``; ``KeyError`` naming the known kinds otherwise."""
    try:
        return REGISTRY[kind]
    except KeyError:
        raise KeyError(f"unknown source kind {kind!r} (known: {', '.join(sorted(REGISTRY))})") from None


__all__ = ["REGISTRY", "get"]
