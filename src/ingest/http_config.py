"""What :class:`ingest.http.HttpClient` is configured with, and the defaults of every knob.

Standard library only, so the application's settings can take their HTTP defaults from here without
importing ``httpx``; the application builds one from its own settings and passes it in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["HttpConfig"]


@dataclass(frozen=True)
class HttpConfig:
    """Network knobs of one client (identifying User-Agent, limits, the private-address allow list)."""

    user_agent: str = (
        "jobtrends/0.1 (+https://github.com/jobtrends/jobtrends; open-source job-market research)"
    )
    timeout_s: float = 20.0
    """One socket operation's time limit (connect, read, write)."""
    max_retries: int = 4
    max_bytes: int = 50_000_000
    """Body cap, on the bytes received and on the decompressed size."""
    rate_per_host_s: float = 1.0
    """Seconds between two requests to the same host."""
    deadline_s: float = 180.0
    """One request's overall time limit: every attempt, backoff and Retry-After wait together."""
    allow_private: tuple[str, ...] = ()
    """Non-global addresses the client may connect to anyway: ``IP``, ``IP:PORT`` or a CIDR (tests, drills)."""
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)
    """API keys by name for the sources that need one (``usajobs_api_key``, ``usajobs_email``)."""
