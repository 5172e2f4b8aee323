"""ingest.http.HttpClient: retries, Retry-After, rate limit, conditional requests, caps, redirects, robots."""

from __future__ import annotations

import httpx
import pytest
import respx

from ingest.http import FetchError, HttpClient

URL = "https://api.example.test/jobs"


class Clock:
    """Fake monotonic clock advanced by the fake sleep, so nothing really waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def make_client(clock: Clock | None = None, **kwargs) -> HttpClient:
    clock = clock or Clock()
    kwargs.setdefault("rate_per_host_s", 0.0)
    return HttpClient(sleep=clock.sleep, clock=clock, jitter=lambda: 0.5, **kwargs)


def test_user_agent_is_identifying_and_json_is_decoded():
    with respx.mock() as router:
        route = router.get(URL).mock(return_value=httpx.Response(200, json={"jobs": []}))
        with make_client(user_agent="jobtrends-test/1 (+https://example.test)") as client:
            resp, data = client.get_json(URL)
    assert data == {"jobs": []} and resp.status == 200
    assert route.calls.last.request.headers["user-agent"] == "jobtrends-test/1 (+https://example.test)"


def test_429_with_retry_after_is_honoured_then_succeeds():
    clock = Clock()
    with respx.mock() as router:
        router.get(URL).mock(
            side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json=[1])]
        )
        with make_client(clock) as client:
            _, data = client.get_json(URL)
    assert data == [1]
    assert clock.sleeps == [7.0]


def test_500_then_success_backs_off_exponentially():
    clock = Clock()
    with respx.mock() as router:
        router.get(URL).mock(
            side_effect=[httpx.Response(500), httpx.Response(503), httpx.Response(200, json={"ok": True})]
        )
        with make_client(clock) as client:
            _, data = client.get_json(URL)
    assert data == {"ok": True}
    assert clock.sleeps == [1.0, 2.0]  # base * 2**attempt * (0.5 + jitter 0.5)


def test_persistent_500_gives_readable_error_after_max_retries():
    with respx.mock() as router:
        router.get(URL).mock(return_value=httpx.Response(502))
        with make_client(max_retries=2) as client, pytest.raises(FetchError) as info:
            client.get(URL)
    err = info.value
    assert err.kind == "http" and err.http_status == 502
    assert "HTTP 502" in str(err) and "3 attempts" in str(err) and URL in str(err)


def test_timeouts_are_retried_then_reported():
    with respx.mock() as router:
        route = router.get(URL).mock(side_effect=httpx.ReadTimeout("slow"))
        with make_client(max_retries=1, timeout_s=3) as client, pytest.raises(FetchError) as info:
            client.get(URL)
    assert route.call_count == 2
    assert info.value.kind == "timeout" and "timed out after 3s" in str(info.value)


def test_retry_after_too_long_fails_fast():
    clock = Clock()
    with respx.mock() as router:
        router.get(URL).mock(return_value=httpx.Response(429, headers={"Retry-After": "86400"}))
        with make_client(clock) as client, pytest.raises(FetchError) as info:
            client.get(URL)
    assert clock.sleeps == []
    assert "Retry-After 86400s" in str(info.value) and info.value.http_status == 429


def test_404_is_not_retried():
    with respx.mock() as router:
        route = router.get(URL).mock(return_value=httpx.Response(404, text="Not Found"))
        with make_client() as client, pytest.raises(FetchError) as info:
            client.get(URL)
    assert route.call_count == 1
    assert info.value.http_status == 404 and "Not Found" in str(info.value)


def test_html_where_json_expected_is_a_bad_payload():
    with respx.mock() as router:
        router.get(URL).mock(
            return_value=httpx.Response(
                200, text="<!DOCTYPE html><html>Login</html>", headers={"content-type": "text/html"}
            )
        )
        with make_client() as client, pytest.raises(FetchError) as info:
            client.get_json(URL)
    assert (
        info.value.kind == "bad_payload"
        and "expected JSON" in str(info.value)
        and "text/html" in str(info.value)
    )


def test_truncated_json_is_a_bad_payload():
    with respx.mock() as router:
        router.get(URL).mock(
            return_value=httpx.Response(
                200, text='{"jobs": [{"id": 1', headers={"content-type": "application/json"}
            )
        )
        with make_client() as client, pytest.raises(FetchError) as info:
            client.get_json(URL)
    assert info.value.kind == "bad_payload" and "truncated" in str(info.value)


def test_per_host_rate_limit_spaces_requests():
    clock = Clock()
    with respx.mock() as router:
        router.get(URL).mock(return_value=httpx.Response(200, json=[]))
        router.get("https://other.example.test/x").mock(return_value=httpx.Response(200, json=[]))
        with make_client(clock, rate_per_host_s=2.0) as client:
            client.get(URL)
            client.get("https://other.example.test/x")  # other host: no wait
            client.get(URL)
    assert clock.sleeps == [2.0]


def test_conditional_request_sends_validators_and_304_is_not_modified():
    with respx.mock() as router:
        route = router.get(URL).mock(
            side_effect=[
                httpx.Response(
                    200, json=[1], headers={"ETag": '"v1"', "Last-Modified": "Tue, 01 Sep 2026 10:00:00 GMT"}
                ),
                httpx.Response(304),
            ]
        )
        with make_client() as client:
            with client.conditional_scope({}) as scope:
                first = client.get(URL, conditional=True)
            assert not first.not_modified
            assert scope.seen[URL] == {"etag": '"v1"', "last_modified": "Tue, 01 Sep 2026 10:00:00 GMT"}
            with client.conditional_scope(scope.seen):
                second = client.get(URL, conditional=True)
    assert second.not_modified and second.status == 304
    headers = route.calls.last.request.headers
    assert headers["if-none-match"] == '"v1"' and headers["if-modified-since"].startswith("Tue, 01 Sep 2026")


def test_response_size_cap_aborts_download():
    with respx.mock() as router:
        router.get(URL).mock(return_value=httpx.Response(200, content=b"x" * 5000))
        with make_client(max_bytes=1000) as client, pytest.raises(FetchError) as info:
            client.get(URL)
    assert info.value.kind == "too_large" and "1,000-byte cap" in str(info.value)


def test_redirect_to_same_host_is_followed():
    with respx.mock() as router:
        router.get(URL).mock(return_value=httpx.Response(301, headers={"Location": "/v2/jobs"}))
        router.get("https://api.example.test/v2/jobs").mock(return_value=httpx.Response(200, json={"v": 2}))
        with make_client() as client:
            resp, data = client.get_json(URL)
    assert data == {"v": 2} and resp.url == "https://api.example.test/v2/jobs"


def test_redirect_to_foreign_host_is_refused():
    with respx.mock() as router:
        router.get(URL).mock(return_value=httpx.Response(302, headers={"Location": "https://evil.test/x"}))
        with make_client() as client, pytest.raises(FetchError) as info:
            client.get(URL)
    assert (
        info.value.kind == "redirect" and "evil.test" in str(info.value) and "not allowed" in str(info.value)
    )


def test_redirect_to_allowed_host_is_followed():
    with respx.mock() as router:
        router.get(URL).mock(
            return_value=httpx.Response(302, headers={"Location": "https://cdn.example.test/x"})
        )
        router.get("https://cdn.example.test/x").mock(return_value=httpx.Response(200, json=[]))
        with make_client(allowed_hosts={"cdn.example.test"}) as client:
            assert client.get(URL).status == 200


def test_endless_redirect_gives_readable_error():
    with respx.mock() as router:
        router.get(URL).mock(return_value=httpx.Response(302, headers={"Location": URL}))
        with make_client(max_redirects=3) as client, pytest.raises(FetchError) as info:
            client.get(URL)
    assert info.value.kind == "redirect" and "too many redirects (more than 3)" in str(info.value)


def test_robots_txt_disallow_is_respected():
    page = "https://careers.example.test/private/job/1"
    with respx.mock() as router:
        router.get("https://careers.example.test/robots.txt").mock(
            return_value=httpx.Response(200, text="User-agent: *\nDisallow: /private/\n")
        )
        router.get("https://careers.example.test/jobs/2").mock(
            return_value=httpx.Response(200, text="<html></html>")
        )
        with make_client() as client:
            with pytest.raises(FetchError) as info:
                client.get(page, check_robots=True)
            assert client.get("https://careers.example.test/jobs/2", check_robots=True).status == 200
    assert info.value.kind == "robots" and "disallows" in str(info.value)


def test_missing_robots_txt_allows_everything():
    with respx.mock() as router:
        router.get("https://careers.example.test/robots.txt").mock(return_value=httpx.Response(404))
        router.get("https://careers.example.test/jobs/2").mock(return_value=httpx.Response(200, text="ok"))
        with make_client() as client:
            assert client.get("https://careers.example.test/jobs/2", check_robots=True).status == 200


def test_mock_transport_can_be_injected():
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"path": request.url.path}))
    with make_client(transport=transport) as client:
        assert client.get_json("https://anything.test/abc")[1] == {"path": "/abc"}
