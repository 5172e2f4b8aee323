"""A small HTTP server on 127.0.0.1 for tests and drills: routes are functions, every request is logged.

It binds an ephemeral port, serves from a daemon thread, and stops when the ``with`` block ends (a
handler that trickles bytes checks :attr:`LoopbackServer.stopping` so nothing outlives the block).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Handler = Callable[["Request"], None]


@dataclass
class Request:
    """What a route sees: the request, and ``send`` to answer."""

    handler: BaseHTTPRequestHandler
    server: LoopbackServer
    path: str
    headers: dict[str, str] = field(default_factory=dict)

    def send(
        self, status: int, body: bytes = b"", headers: dict[str, str] | None = None, *, length: bool = True
    ) -> None:
        h = self.handler
        h.send_response(status)
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        if length:
            h.send_header("Content-Length", str(len(body)))
        h.send_header("Connection", "close")
        h.end_headers()
        if body:
            h.wfile.write(body)

    def write(self, data: bytes) -> bool:
        """Write part of a body; False once the client went away."""
        try:
            self.handler.wfile.write(data)
            self.handler.wfile.flush()
            return True
        except OSError:
            return False


class LoopbackServer:
    def __init__(self, routes: dict[str, Handler] | None = None, *, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Handler] = dict(routes or {})
        self.log: list[tuple[str, dict[str, str]]] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                headers = {k.lower(): v for k, v in self.headers.items()}
                with server._lock:
                    server.log.append((self.path, headers))
                route = server.routes.get(path)
                request = Request(self, server, self.path, headers)
                if route is None:
                    request.send(404, b'{"error": "no such route"}', {"Content-Type": "application/json"})
                    return
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    route(request)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return None

        self._httpd = ThreadingHTTPServer((host, 0), _Handler)
        self._httpd.daemon_threads = True
        self.host, self.port = str(self._httpd.server_address[0]), int(self._httpd.server_address[1])
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.origin + path

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for p, _ in self.log if p.split("?", 1)[0] == path)

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(10)
