"""ingest.http network policy: redirect origins, no https→http, credentials dropped across origins,
internal addresses refused, payload links kept on the source, one deadline per request, body caps
that hold after decompression. Real sockets go to a loopback server; redirect logic uses respx."""

from __future__ import annotations

import gzip
import json
import socket
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
import respx

from ingest.base import SourceSpec
from ingest.http import AddressPolicy, FetchError, HttpClient, address_problem
from ingest.sources import arbeitnow
from jobtrends.drills.loopback import LoopbackServer, Request

JSON = {"Content-Type": "application/json"}


def _ok(req: Request) -> None:
    req.send(200, b'{"jobs": []}', JSON)


@pytest.fixture()
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer({"/ok": _ok}) as srv:
        yield srv


def client(**kwargs) -> HttpClient:
    kwargs.setdefault("rate_per_host_s", 0.0)
    kwargs.setdefault("max_retries", 0)
    kwargs.setdefault("sleep", lambda _s: None)
    return HttpClient(**kwargs)


# -- addresses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ip",
    [
        "127.0.0.1",
        "127.5.5.5",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",
        "2002:7f00:1::1",
    ],
)
def test_internal_addresses_are_refused_by_default(ip: str) -> None:
    assert address_problem(ip) is not None
    assert AddressPolicy().refusal(ip, 80) is not None


@pytest.mark.parametrize("ip", ["8.8.8.8", "151.101.1.1", "2606:4700::1111"])
def test_global_addresses_pass(ip: str) -> None:
    assert address_problem(ip) is None


def test_the_allow_list_names_exact_addresses_ports_or_networks() -> None:
    policy = AddressPolicy.parse(["127.0.0.1:8080", "10.0.0.0/8", "[::1]:9000"])
    assert policy.refusal("127.0.0.1", 8080) is None
    assert policy.refusal("127.0.0.1", 8081) == "loopback"
    assert policy.refusal("10.9.9.9", 443) is None
    assert policy.refusal("::1", 9000) is None and policy.refusal("::1", 9001)
    assert policy.refusal("169.254.169.254", 80)
    with pytest.raises(ValueError, match="not an IP"):
        AddressPolicy.parse(["localhost:80"])


def test_loopback_is_refused_without_connecting(server: LoopbackServer) -> None:
    with client() as c, pytest.raises(FetchError) as info:
        c.get(server.url("/ok"))
    assert info.value.kind == "blocked" and "loopback" in str(info.value)
    assert server.hits("/ok") == 0


def test_an_allowed_loopback_address_is_fetched(server: LoopbackServer) -> None:
    with client(allow_private=[f"127.0.0.1:{server.port}"]) as c:
        assert c.get_json(server.url("/ok"))[1] == {"jobs": []}
    assert server.hits("/ok") == 1


def test_the_metadata_address_is_refused() -> None:
    with client(timeout_s=2) as c, pytest.raises(FetchError) as info:
        c.get("http://169.254.169.254/latest/meta-data/")
    assert info.value.kind == "blocked" and "link-local" in str(info.value)


def test_every_resolved_address_is_checked(server: LoopbackServer) -> None:
    def resolve(host, port, **_):
        # one global address and one internal one: a rebinding or split-horizon name
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    with client(resolve=resolve) as c, pytest.raises(FetchError) as info:
        c.get(f"http://mixed.example.test:{server.port}/ok")
    assert info.value.kind == "blocked" and "127.0.0.1 (loopback)" in str(info.value)
    assert server.hits("/ok") == 0


def test_a_name_is_connected_to_the_address_that_was_checked(server: LoopbackServer) -> None:
    calls: list[str] = []

    def resolve(host, port, **_):
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    with client(resolve=resolve, allow_private=[f"127.0.0.1:{server.port}"]) as c:
        assert c.get(f"http://jobs.example.test:{server.port}/ok").status == 200
    assert calls == ["jobs.example.test"]  # resolved once, by the policy
    assert server.log[-1][1]["host"] == f"jobs.example.test:{server.port}"


def test_a_redirect_to_another_loopback_port_is_refused(server: LoopbackServer) -> None:
    with LoopbackServer({"/secret": _ok}) as other:
        server.routes["/hop"] = lambda r: r.send(302, headers={"Location": other.url("/secret")})
        with client(allow_private=[f"127.0.0.1:{server.port}"]) as c, pytest.raises(FetchError) as info:
            c.get(server.url("/hop"))
        assert info.value.kind == "redirect"
        # even with the origin allowed, the address policy stops it
        with (
            client(allow_private=[f"127.0.0.1:{server.port}"], allowed_hosts={other.origin}) as c,
            pytest.raises(FetchError) as info,
        ):
            c.get(server.url("/hop"))
        assert info.value.kind == "blocked"
        assert other.hits("/secret") == 0


# -- redirects and credentials ---------------------------------------------------------------------

API = "https://api.example.test/jobs"


def test_https_to_http_is_refused_even_on_the_same_host() -> None:
    with respx.mock(assert_all_called=False) as router:
        router.get(API).mock(
            return_value=httpx.Response(301, headers={"Location": "http://api.example.test/jobs"})
        )
        plain = router.get("http://api.example.test/jobs").mock(return_value=httpx.Response(200, json=[]))
        with client() as c, pytest.raises(FetchError) as info:
            c.get(API)
    assert info.value.kind == "redirect" and "plain http" in str(info.value)
    assert not plain.called


def test_another_port_or_scheme_is_another_origin() -> None:
    with respx.mock() as router:
        router.get(API).mock(
            return_value=httpx.Response(302, headers={"Location": "https://api.example.test:8443/jobs"})
        )
        with client() as c, pytest.raises(FetchError) as info:
            c.get(API)
    assert info.value.kind == "redirect" and "https://api.example.test:8443" in str(info.value)


def test_http_may_upgrade_to_https_on_the_same_host() -> None:
    with respx.mock() as router:
        router.get("http://api.example.test/jobs").mock(
            return_value=httpx.Response(301, headers={"Location": API})
        )
        router.get(API).mock(return_value=httpx.Response(200, json=[1]))
        with client() as c:
            assert c.get_json("http://api.example.test/jobs")[1] == [1]


def test_an_allowed_origin_with_a_port_is_followed() -> None:
    target = "https://cdn.example.test:8443/x"
    with respx.mock() as router:
        router.get(API).mock(return_value=httpx.Response(302, headers={"Location": target}))
        router.get(target).mock(return_value=httpx.Response(200, json=[]))
        with client(allowed_hosts={"https://cdn.example.test:8443"}) as c:
            assert c.get(API).status == 200


SECRETS = {
    "Authorization-Key": "usajobs-key",
    "Authorization": "Bearer token",
    "Cookie": "session=1",
    "X-Api-Key": "k",
    "Accept": "application/json",
}


def test_credentials_are_dropped_on_a_cross_origin_hop_and_stay_dropped() -> None:
    with respx.mock() as router:
        router.get(API).mock(
            return_value=httpx.Response(
                302,
                headers={
                    "Location": "https://cdn.example.test/a",
                    "Set-Cookie": "jar=1; Domain=example.test; Path=/",
                },
            )
        )
        hop = router.get("https://cdn.example.test/a").mock(
            return_value=httpx.Response(302, headers={"Location": "https://api.example.test/back"})
        )
        back = router.get("https://api.example.test/back").mock(return_value=httpx.Response(200, json=[]))
        with client(allowed_hosts={"cdn.example.test"}) as c:
            c.get(API, headers=SECRETS)
    for route in (hop, back):
        sent = route.calls.last.request.headers
        for name in ("authorization-key", "authorization", "cookie", "x-api-key"):
            assert name not in sent, (route, name)
        assert sent["accept"] == "application/json"
        assert sent["user-agent"].startswith("jobtrends/")


def test_credentials_are_kept_on_a_same_origin_redirect() -> None:
    with respx.mock() as router:
        router.get(API).mock(return_value=httpx.Response(302, headers={"Location": "/v2/jobs"}))
        v2 = router.get("https://api.example.test/v2/jobs").mock(return_value=httpx.Response(200, json=[]))
        with client() as c:
            c.get(API, headers={"Authorization-Key": "usajobs-key"})
    assert v2.calls.last.request.headers["authorization-key"] == "usajobs-key"


# -- links from payloads -------------------------------------------------------------------------


def _page(next_url: str | None) -> dict:
    return {"data": [], "links": {"next": next_url}}


def test_arbeitnow_next_page_must_stay_on_the_api_host() -> None:
    spec = SourceSpec(kind="arbeitnow", name="arbeitnow", params={"max_pages": 3})
    with respx.mock(assert_all_called=False) as router:
        router.get(arbeitnow.API).mock(
            return_value=httpx.Response(200, json=_page("https://evil.example.test/p2"))
        )
        evil = router.get("https://evil.example.test/p2").mock(
            return_value=httpx.Response(200, json=_page(None))
        )
        with client() as c, pytest.raises(FetchError) as info:
            arbeitnow.fetch(c, spec)
    assert info.value.kind == "bad_payload" and "off the source" in str(info.value)
    assert not evil.called


def test_arbeitnow_next_page_on_the_api_host_is_followed() -> None:
    spec = SourceSpec(kind="arbeitnow", name="arbeitnow", params={"max_pages": 3})
    with respx.mock() as router:
        router.get(arbeitnow.API, params={"page": "2"}).mock(
            return_value=httpx.Response(200, json=_page(None))
        )
        router.get(arbeitnow.API).mock(
            return_value=httpx.Response(200, json=_page(arbeitnow.API + "?page=2"))
        )
        with client() as c:
            assert len(arbeitnow.fetch(c, spec)) == 2


# -- deadline ------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def test_a_retry_after_past_the_deadline_gives_up_without_waiting() -> None:
    clock = Clock()
    with respx.mock() as router:
        route = router.get(API).mock(return_value=httpx.Response(429, headers={"Retry-After": "30"}))
        with (
            HttpClient(sleep=clock.sleep, clock=clock, rate_per_host_s=0, deadline_s=20) as c,
            pytest.raises(FetchError) as info,
        ):
            c.get(API)
    assert clock.sleeps == [] and route.call_count == 1
    assert info.value.kind == "http" and "20s deadline" in str(info.value) and info.value.http_status == 429


def test_backoff_stops_at_the_deadline() -> None:
    clock = Clock()
    with respx.mock() as router:
        router.get(API).mock(return_value=httpx.Response(503))
        with (
            HttpClient(
                sleep=clock.sleep, clock=clock, jitter=lambda: 0.5, rate_per_host_s=0, deadline_s=5
            ) as c,
            pytest.raises(FetchError) as info,
        ):
            c.get(API)
    assert clock.sleeps == [1.0, 2.0]  # the next (4 s) would end after the 5 s deadline
    assert info.value.kind == "http" and "deadline" in str(info.value) and info.value.http_status == 503


def _trickle(req: Request) -> None:
    req.send(200, headers={**JSON, "Content-Length": "1000"}, length=False)
    for _ in range(200):
        if req.server.stopping.wait(0.2) or not req.write(b" "):
            return


def test_a_trickling_server_is_cut_off_at_the_deadline(server: LoopbackServer) -> None:
    server.routes["/trickle"] = _trickle
    with (
        client(allow_private=[f"127.0.0.1:{server.port}"], deadline_s=1.0, timeout_s=30) as c,
        pytest.raises(FetchError) as info,
    ):
        c.get(server.url("/trickle"))
    assert info.value.kind == "timeout" and "deadline" in str(info.value)


# -- body caps -----------------------------------------------------------------------------------


def _bomb(req: Request) -> None:
    body = gzip.compress(b"\0" * 20_000_000, compresslevel=9)  # ~20 KB on the wire
    req.send(200, body, {**JSON, "Content-Encoding": "gzip"})


def test_a_gzip_bomb_stops_at_the_decompressed_cap(server: LoopbackServer) -> None:
    server.routes["/bomb"] = _bomb
    with (
        client(allow_private=[f"127.0.0.1:{server.port}"], max_bytes=1_000_000) as c,
        pytest.raises(FetchError) as info,
    ):
        c.get(server.url("/bomb"))
    assert info.value.kind == "too_large" and "decompresses" in str(info.value)


@pytest.mark.parametrize(
    "encode",
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send it
        ("gzip", lambda b: gzip.compress(b[:10]) + gzip.compress(b[10:])),  # two gzip members
    ],
)
def test_compressed_bodies_within_the_cap_decode(server: LoopbackServer, encode) -> None:
    name, fn = encode
    payload = json.dumps({"jobs": [{"id": i, "title": "ML Engineer"} for i in range(200)]}).encode()
    server.routes["/z"] = lambda r: r.send(200, fn(payload), {**JSON, "Content-Encoding": name})
    with client(allow_private=[f"127.0.0.1:{server.port}"], max_bytes=1_000_000) as c:
        assert c.get(server.url("/z")).content == payload


def test_an_oversized_body_without_a_length_is_cut(server: LoopbackServer) -> None:
    def big(req: Request) -> None:
        req.send(200, headers=JSON, length=False)
        for _ in range(100):
            if not req.write(b"x" * 65536):
                return

    server.routes["/big"] = big
    with (
        client(allow_private=[f"127.0.0.1:{server.port}"], max_bytes=200_000) as c,
        pytest.raises(FetchError) as info,
    ):
        c.get(server.url("/big"))
    assert info.value.kind == "too_large"


def test_settings_carry_the_allow_list_and_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    from jobtrends.settings import load_settings

    monkeypatch.setenv("JOBTRENDS_HTTP_ALLOW_PRIVATE", "127.0.0.1:8080, 10.0.0.0/8")
    monkeypatch.setenv("JOBTRENDS_HTTP_DEADLINE_S", "42")
    settings = load_settings()
    assert settings.http_allow_private == ("127.0.0.1:8080", "10.0.0.0/8")
    with HttpClient(settings.http_config()) as c:
        assert c.deadline_s == 42 and c.policy.refusal("10.2.3.4", 1) is None


def test_the_sample_transport_is_not_subject_to_the_address_policy() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True}))
    with client(transport=transport, now=lambda: datetime(2026, 1, 1, tzinfo=UTC)) as c:
        assert c.get_json("http://127.0.0.1/anything")[1] == {"ok": True}
