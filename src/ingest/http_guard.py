"""The network policy below :mod:`ingest.http`: which addresses may be connected to, and one deadline
capping every socket read and write of a request.

The host is resolved at connect time, every address it resolves to is checked (:func:`address_problem`,
:class:`AddressPolicy`), and the socket connects to a checked address (no second lookup to rebind).
Re-exported by :mod:`ingest.http`; callers import from there.
"""

from __future__ import annotations

import contextvars
import ipaddress
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "jobtrends_http_deadline", default=None
)
"""``time.monotonic()`` by which the current request must be done; every socket operation is capped by it."""


def _cap(timeout: float | None, error: type[Exception]) -> float | None:
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise error("the request's overall deadline has passed")
    return remaining if timeout is None else min(timeout, remaining)


class AddressRefused(Exception):
    """The network policy refuses to connect to an address a host resolved to."""


def _embedded_v4(addr: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr.sixtofour is not None:
        return addr.sixtofour
    if addr.teredo is not None:
        return addr.teredo[1]
    if addr in _NAT64:
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return None


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def address_problem(ip: str) -> str | None:
    """Why connecting to ``ip`` is refused by default (``None``: a global unicast address)."""
    addr: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address):
        addr = _embedded_v4(addr) or addr
    for label, flag in (
        ("loopback", addr.is_loopback),
        ("link-local (cloud metadata lives here)", addr.is_link_local),
        ("private", addr.is_private),
        ("multicast", addr.is_multicast),
        ("unspecified", addr.is_unspecified),
        ("reserved", addr.is_reserved),
    ):
        if flag:
            return label
    return None if addr.is_global else "not globally routable"


@dataclass(frozen=True)
class AddressPolicy:
    """Which non-global addresses may be connected to anyway (tests, the drills, an internal mirror)."""

    allow: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, int | None], ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AddressPolicy:
        """``IP``, ``IP:PORT``, ``[IPv6]:PORT`` or a CIDR (any port)."""
        allow = []
        for raw in entries:
            entry = raw.strip()
            if not entry:
                continue
            port: int | None = None
            if entry.startswith("["):
                host, _, rest = entry[1:].partition("]")
                port = int(rest[1:]) if rest.startswith(":") else None
            elif entry.count(":") == 1:
                host, _, port_text = entry.partition(":")
                port = int(port_text)
            else:
                host = entry
            try:
                allow.append((ipaddress.ip_network(host, strict=False), port))
            except ValueError:
                raise ValueError(
                    f"http_allow_private entry {raw!r} is not an IP address, IP:PORT or CIDR"
                ) from None
        return cls(tuple(allow))

    def refusal(self, ip: str, port: int) -> str | None:
        problem = address_problem(ip)
        if problem is None:
            return None
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
        for network, allowed_port in self.allow:
            if addr.version == network.version and addr in network and allowed_port in (None, port):
                return None
        return problem


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read and write is capped by the current request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _cap(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _cap(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> Any:
        return _DeadlineStream(
            self._inner.start_tls(ssl_context, server_hostname, _cap(timeout, httpcore.ConnectTimeout))
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


Resolver = Callable[..., list[Any]]


class GuardedBackend(httpcore.NetworkBackend):
    """Resolve the host once, refuse it if any address is one the policy refuses, then connect to a
    checked address (TLS still verifies and sends SNI for the host name)."""

    def __init__(self, policy: AddressPolicy, resolve: Resolver = socket.getaddrinfo) -> None:
        self.policy = policy
        self._resolve = resolve
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _cap(timeout, httpcore.ConnectTimeout)
        try:
            infos = self._resolve(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        refused = [(ip, why) for ip in addresses if (why := self.policy.refusal(ip, port))]
        if refused or not addresses:
            shown = ", ".join(f"{ip} ({why})" for ip, why in refused) or "no address"
            raise AddressRefused(
                f"{host}:{port} resolves to {shown}; connecting there is refused "
                "(set JOBTRENDS_HTTP_ALLOW_PRIVATE to allow an internal address)"
            )
        last: Exception | None = None
        for ip in addresses:
            try:
                stream = self._inner.connect_tcp(ip, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            return _DeadlineStream(stream)
        assert last is not None
        raise last

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> Any:
        raise AddressRefused("unix sockets are not used by the fetchers")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def guarded_transport(policy: AddressPolicy, resolve: Resolver = socket.getaddrinfo) -> httpx.HTTPTransport:
    """An ``httpx`` transport whose connections go through :class:`GuardedBackend`."""
    transport = httpx.HTTPTransport()
    # httpx does not take a network backend; its pool does (same settings as httpx's own defaults)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=100,
        max_keepalive_connections=20,
        keepalive_expiry=5.0,
        network_backend=GuardedBackend(policy, resolve),
    )
    return transport
