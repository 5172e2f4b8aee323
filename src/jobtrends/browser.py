"""Open a local HTML file in headless Chromium and report what happened (DevTools protocol).

Used by the dashboard's browser test and by ``jobtrends dashboard --check``: every request the page made,
console errors and uncaught exceptions, whether the page set ``data-rendered``, how many marks each chart
drew, and how long rendering took. Optionally saves a screenshot.

Chromium is started with ``--remote-debugging-port=0`` (it picks a free loopback port and writes it to
``DevToolsActivePort`` in its profile folder); a websocket client then drives one page target.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["BrowserReport", "ChromiumMissing", "find_chromium", "open_page"]

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    "--hide-scrollbars",
)

# Counts, per element with data-chart, the data marks Vega drew: children of SVG mark groups (axes, legends
# and titles have other roles), or canvases with a size when a chart uses the canvas renderer.
_MARKS_JS = """
JSON.stringify(Array.from(document.querySelectorAll('[data-chart]')).map(function (el) {
  var items = el.querySelectorAll('svg g.role-mark > *');
  var canvases = Array.from(el.querySelectorAll('canvas')).filter(function (c) { return c.width > 0; });
  return {id: el.getAttribute('data-chart'), marks: items.length, canvases: canvases.length,
          svg: el.querySelectorAll('svg').length};
}))
"""


class ChromiumMissing(RuntimeError):
    """No Chromium executable was found."""


@dataclass
class BrowserReport:
    """What one page load did."""

    url: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    rendered: str | None = None
    render_seconds: float | None = None
    page_render_ms: float | None = None
    """The page's own ``data-render-ms``: ``performance.now()`` when every chart had rendered."""
    charts: list[dict[str, Any]] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)

    def external_requests(self) -> list[str]:
        """Requests to anything but the file itself (and inline ``data:``/``blob:``/``about:`` URLs)."""
        own = self.url.split("#", 1)[0]
        return [
            u
            for u in self.requests
            if u.split("#", 1)[0] != own and not u.startswith(("data:", "blob:", "about:"))
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "rendered": self.rendered,
            "render_seconds": self.render_seconds,
            "page_render_ms": self.page_render_ms,
            "charts": self.charts,
            "console_errors": self.console_errors,
            "external_requests": self.external_requests(),
        }


def find_chromium() -> str | None:
    env = os.environ.get("JOBTRENDS_CHROMIUM")
    if env:
        return env if shutil.which(env) else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class _Cdp:
    """A minimal DevTools client: send commands, collect events, over one websocket."""

    def __init__(self, ws_url: str) -> None:
        from websockets.sync.client import connect

        self._ws = connect(ws_url, max_size=64 * 1024 * 1024, open_timeout=10)
        self._ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        self._ws.close()

    def send(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30) -> dict[str, Any]:
        msg_id = next(self._ids)
        self._ws.send(json.dumps({"id": msg_id, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no answer to {method} within {timeout}s")
            msg = json.loads(self._ws.recv(timeout=left))
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def pump(self, seconds: float) -> None:
        """Collect events for up to ``seconds``."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = json.loads(self._ws.recv(timeout=left))
            except TimeoutError:
                return
            if "method" in msg:
                self.events.append(msg)

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result.get("result", {}).get("value")


@contextlib.contextmanager
def _chromium(executable: str) -> Iterator[str]:
    """Start headless Chromium on a blank page; yield the DevTools HTTP base URL."""
    profile = tempfile.mkdtemp(prefix="jt-chromium-")
    proc = subprocess.Popen(
        [
            executable,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if proc.poll() is not None:
                raise RuntimeError(f"chromium exited with status {proc.returncode} before DevTools was ready")
            if time.monotonic() > deadline:
                raise TimeoutError("chromium did not open its DevTools port within 30 s")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


def _page_ws(base: str) -> str:
    with urllib.request.urlopen(f"{base}/json/list", timeout=10) as resp:  # loopback only
        targets = json.loads(resp.read())
    pages = [t for t in targets if t.get("type") == "page"]
    if not pages:
        raise RuntimeError("chromium has no page target")
    return pages[0]["webSocketDebuggerUrl"]


def open_page(
    path: Path,
    *,
    timeout: float = 30.0,
    settle: float = 0.3,
    screenshot: Path | None = None,
    width: int = 1366,
    height: int = 900,
    texts: dict[str, str] | None = None,
    executable: str | None = None,
) -> BrowserReport:
    """Load ``path`` (file URL) headless; wait until ``body[data-rendered]`` is set (or the load event for a
    page without it), then count each chart's marks and gather requests and console errors.

    ``texts`` maps a name to a CSS selector whose text content is returned (e.g. the sample banner).
    """
    executable = executable or find_chromium()
    if not executable:
        raise ChromiumMissing("no chromium executable (install Debian's `chromium` package)")
    url = Path(path).resolve().as_uri()
    report = BrowserReport(url=url)
    with _chromium(executable) as base:
        cdp = _Cdp(_page_ws(base))
        try:
            for domain in ("Page", "Runtime", "Network", "Log"):
                cdp.send(f"{domain}.enable")
            cdp.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            )
            started = time.monotonic()
            cdp.send("Page.navigate", {"url": url})
            deadline = started + timeout
            while time.monotonic() < deadline:
                state = cdp.evaluate(
                    "document.readyState + '|' + (document.body && document.body.getAttribute('data-rendered'))"
                )
                ready, _, rendered = str(state or "").partition("|")
                if rendered in ("ok", "error") or (ready == "complete" and rendered in ("null", "")):
                    report.rendered = None if rendered in ("null", "") else rendered
                    report.render_seconds = round(time.monotonic() - started, 3)
                    break
                cdp.pump(0.02)
            cdp.pump(settle)  # late console messages and requests
            report.charts = json.loads(cdp.evaluate(_MARKS_JS) or "[]")
            ms = cdp.evaluate("document.body && document.body.getAttribute('data-render-ms')")
            report.page_render_ms = float(ms) if ms else None
            for name, selector in (texts or {}).items():
                value = cdp.evaluate(
                    f"(function(){{var e=document.querySelector({json.dumps(selector)});"
                    "return e ? e.textContent : null;})()"
                )
                if value is not None:
                    report.texts[name] = value
            if screenshot is not None:
                shot = cdp.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False})
                Path(screenshot).write_bytes(base64.b64decode(shot["data"]))
        finally:
            cdp.close()
    for event in cdp.events:
        method, params = event["method"], event.get("params", {})
        if method == "Network.requestWillBeSent":
            report.requests.append(params["request"]["url"])
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            report.console_errors.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            desc = details.get("exception", {}).get("description") or details.get("text")
            report.console_errors.append(f"exception: {desc}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            report.console_errors.append(f"log: {entry.get('text')} {entry.get('url', '')}".strip())
    return report
