"""The console's routes over real HTTP: the page, the admin rules, the live-log feed (SSE), redaction,
and /metrics read back with prometheus_client's parser."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.mock_openai import MockOpenAI
from tests.support.servers import GatewayServer

ADMIN = "admin-token-for-tests-0123456789"
METRICS = "metrics-token-for-tests-98765"
CLIENT_KEY = "sk-client-secret-abcdefghijklmnop"
INLINE_KEY = "sk-inline-config-secret-0987654321"
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture(scope="module")
def console() -> Iterator[GatewayServer]:
    server = GatewayServer({"ADMIN_TOKEN": ADMIN, "METRICS_TOKEN": METRICS, "LIVE_LOG_BODY_BYTES": "512"}).start()
    yield server
    server.stop()


def _chat(gateway: GatewayServer, mock: MockOpenAI, body: dict | None = None, **headers: str) -> httpx.Response:
    sent = {"x-portkey-provider": "openai", "x-portkey-custom-host": mock.url(),
            "authorization": f"Bearer {CLIENT_KEY}"}
    sent.update({k.replace("_", "-"): v for k, v in headers.items()})
    return httpx.post(gateway.url + "/v1/chat/completions", json=body or CHAT, headers=sent, timeout=10)


def _read_log(gateway: GatewayServer, count: int, **headers: str) -> tuple[list[dict], str]:
    """The first ``count`` log events of the feed (replayed ones included), and the raw text."""
    events, raw = [], ""
    with httpx.stream("GET", gateway.url + "/log/stream", headers=headers, timeout=10) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"] == "text/event-stream"
        for line in response.iter_lines():
            raw += line + "\n"
            if line.startswith("data: ") and "event: log" in raw.rsplit("\n\n", 1)[-1]:
                events.append(json.loads(line[6:]))
                if len(events) == count:
                    break
    return events, raw


def _sign_in(gateway: GatewayServer) -> httpx.Cookies:
    response = httpx.post(gateway.url + "/public/auth", json={"admin_token": ADMIN})
    assert response.status_code == 200 and response.json() == {"authenticated": True}
    return response.cookies


# --- the page ------------------------------------------------------------------------------------------
def test_public_redirects_and_the_page_loads_nothing_from_elsewhere(console: GatewayServer) -> None:
    redirect = httpx.get(console.url + "/public")
    assert redirect.status_code == 302 and redirect.headers["location"] == "/public/"
    page = httpx.get(console.url + "/public/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
    references = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert references and all(ref.startswith("/public/") for ref in references), references
    for name, kind in (("console.js", "text/javascript"), ("console.css", "text/css"), ("favicon.svg", "image/svg")):
        asset = httpx.get(f"{console.url}/public/{name}")
        assert asset.status_code == 200 and asset.headers["content-type"].startswith(kind)
        text = asset.text.replace('xmlns="http://www.w3.org/2000/svg"', "")  # a namespace name, not a fetch
        assert "http://" not in text and "https://" not in text  # nothing from the internet
    assert httpx.get(console.url + "/public/logs").text == page.text
    for path in ("/public/nope.js", "/public/..%2Fconsole%2F__init__.py", "/public/__init__.py"):
        assert httpx.get(console.url + path).status_code == 404, path


def test_without_an_admin_token_the_page_explains_and_the_feed_is_off(gateway: GatewayServer) -> None:
    session = httpx.get(gateway.url + "/public/auth/session").json()
    assert session["admin_token_set"] is False and session["live_log"] is False and session["runtime"] == "local_dev"
    assert "openai" in session["providers"]
    feed = httpx.get(gateway.url + "/log/stream")
    assert feed.status_code == 403 and "ADMIN_TOKEN" in feed.json()["message"]
    sign_in = httpx.post(gateway.url + "/public/auth", json={"admin_token": "anything"})
    assert sign_in.status_code == 403 and "ADMIN_TOKEN" in sign_in.json()["message"]
    metrics = httpx.get(gateway.url + "/metrics")
    assert metrics.status_code == 404 and "METRICS_TOKEN" in metrics.json()["message"]
    assert "ADMIN_TOKEN" in httpx.get(gateway.url + "/public/console.js").text  # the page says how


# --- who may read ----------------------------------------------------------------------------------------
def test_sign_in_sets_a_strict_cookie_that_opens_the_feed(console: GatewayServer) -> None:
    assert httpx.post(console.url + "/public/auth", json={"admin_token": "wrong"}).status_code == 401
    assert httpx.post(console.url + "/public/auth", content=b"not json").status_code == 400
    assert httpx.get(console.url + "/public/auth").status_code == 405
    response = httpx.post(console.url + "/public/auth", json={"admin_token": ADMIN})
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("portkey_admin_session=")
    for flag in ("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"):
        assert flag in cookie
    assert ADMIN not in cookie
    cookies = response.cookies
    assert httpx.get(console.url + "/public/auth/session", cookies=cookies).json()["authenticated"] is True
    assert httpx.get(console.url + "/log/stream").status_code == 401
    assert httpx.get(console.url + "/log/stream", headers={"authorization": "Bearer nope"}).status_code == 401
    value = cookies["portkey_admin_session"]
    forged = value.split(".")[0] + "." + "0" * 64
    assert httpx.get(console.url + "/log/stream", cookies={"portkey_admin_session": forged}).status_code == 401
    expiry_pushed = str(int(value.split(".")[0]) + 999) + "." + value.split(".")[1]
    assert httpx.get(console.url + "/log/stream", cookies={"portkey_admin_session": expiry_pushed}).status_code == 401
    with httpx.stream("GET", console.url + "/log/stream", cookies=cookies, timeout=5) as feed:
        assert feed.status_code == 200
        assert next(feed.iter_lines()) == "retry: 2000"
    logout = httpx.post(console.url + "/public/auth/logout", cookies=cookies)
    assert "Max-Age=0" in logout.headers["set-cookie"]


def test_the_metrics_token_opens_metrics_only(console: GatewayServer) -> None:
    bearer = {"authorization": f"Bearer {METRICS}"}
    assert httpx.get(console.url + "/metrics", headers=bearer).status_code == 200
    assert httpx.get(console.url + "/log/stream", headers=bearer).status_code == 401
    assert httpx.get(console.url + "/metrics").status_code == 401
    assert httpx.get(console.url + "/metrics", headers={"authorization": "Bearer wrong"}).status_code == 401
    assert httpx.get(console.url + "/metrics", headers={"authorization": f"Bearer {ADMIN}"}).status_code == 200
    assert httpx.get(console.url + "/metrics", cookies=_sign_in(console)).status_code == 200


# --- the live log ----------------------------------------------------------------------------------------
def test_the_feed_shows_each_request_with_credentials_redacted(console: GatewayServer, mock: MockOpenAI) -> None:
    config = json.dumps({"provider": "openai", "api_key": INLINE_KEY, "custom_host": mock.url()})
    long_prompt = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x" * 2000}]}
    assert _chat(console, mock, long_prompt).status_code == 200
    assert httpx.post(console.url + "/v1/chat/completions", json={**CHAT, "stream": True,
                      "stream_options": {"include_usage": True}}, headers={"x-portkey-config": config},
                      timeout=10).status_code == 200
    with httpx.stream("GET", console.url + "/log/stream", headers={"authorization": f"Bearer {ADMIN}"}) as feed:
        connected = json.loads([line for line in _lines(feed, 3) if line.startswith("data:")][0][5:])
    assert connected["capacity"] == 500
    events, raw = _read_log(console, connected["buffered"], authorization=f"Bearer {ADMIN}")
    assert "request" not in events[-1]  # the feed carries the table; the detail is fetched per entry
    plain, streamed = (_detail(console, event["id"]) for event in events[-2:])
    raw += json.dumps([plain, streamed])
    assert CLIENT_KEY not in raw and INLINE_KEY not in raw and ADMIN not in raw
    assert plain["route"] == "/v1/chat/completions" and plain["status"] == 200 and plain["provider"] == "openai"
    assert plain["target"] == "config" and plain["retries"] == 0 and plain["cache"] == "DISABLED"
    assert plain["tokens"] == {"input": 3, "output": 3} and plain["stream"] is False
    assert plain["request"]["headers"]["authorization"] == "[REDACTED]"
    assert plain["request"]["truncated"] is True and len(plain["request"]["body"]) <= 600
    assert plain["attempts"][0]["status"] == 200 and plain["duration_ms"] >= plain["attempts"][0]["duration_ms"]
    assert streamed["stream"] is True and streamed["tokens"] == {"input": 3, "output": 3}
    assert json.loads(streamed["request"]["headers"]["x-portkey-config"])["api_key"] == "[REDACTED]"
    assert streamed["response"]["body"].startswith("data: ")
    assert streamed["ttfb_ms"] <= streamed["duration_ms"]


def _detail(gateway: GatewayServer, entry_id: int) -> dict:
    response = httpx.get(f"{gateway.url}/log/entries/{entry_id}", headers={"authorization": f"Bearer {ADMIN}"})
    assert response.status_code == 200, response.text
    return response.json()


def test_entry_detail_needs_the_admin_token_and_a_known_id(console: GatewayServer) -> None:
    assert httpx.get(console.url + "/log/entries/1").status_code == 401
    missing = httpx.get(console.url + "/log/entries/999999", headers={"authorization": f"Bearer {ADMIN}"})
    assert missing.status_code == 404 and "buffer" in missing.json()["message"]
    assert httpx.get(console.url + "/log/entries/x", headers={"authorization": f"Bearer {ADMIN}"}).status_code == 404


def _lines(response: httpx.Response, count: int) -> list[str]:
    out = []
    for line in response.iter_lines():
        out.append(line)
        if len(out) == count:
            break
    return out


def test_a_new_request_reaches_a_connected_reader(console: GatewayServer, mock: MockOpenAI) -> None:
    with httpx.stream("GET", console.url + "/log/stream", headers={"authorization": f"Bearer {ADMIN}",
                                                                   "last-event-id": "999999"}, timeout=10) as feed:
        lines = feed.iter_lines()
        assert next(lines) == "retry: 2000"
        assert _chat(console, mock, {**CHAT, "model": "live-one"}).status_code == 200
        for line in lines:
            if line.startswith("data: {") and '"model":"live-one"' in line:
                break


# --- metrics -------------------------------------------------------------------------------------------
def _samples(text: str) -> dict[str, list[tuple[str, dict[str, str], float]]]:
    return {f.name: [(s.name, s.labels, s.value) for s in f.samples] for f in text_string_to_metric_families(text)}


def test_metrics_count_requests_attempts_retries_fallbacks_and_tokens(mock: MockOpenAI) -> None:
    server = GatewayServer({"METRICS_TOKEN": METRICS}).start()
    try:
        assert _chat(server, mock).status_code == 200
        with httpx.stream("POST", server.url + "/v1/chat/completions", json={**CHAT, "stream": True}, headers={
                "x-portkey-provider": "openai", "x-portkey-custom-host": mock.url(), "authorization": "Bearer k"}) as r:
            r.read()
        retry = json.dumps({"provider": "openai", "api_key": "k", "retry": {"attempts": 2},
                            "custom_host": mock.url(status=503, fail=1, key="metrics-retry")})
        assert httpx.post(server.url + "/v1/chat/completions", json=CHAT,
                          headers={"x-portkey-config": retry}).status_code == 200
        fallback = json.dumps({"strategy": {"mode": "fallback"}, "targets": [
            {"provider": "openai", "api_key": "k", "custom_host": mock.url(status=500)},
            {"provider": "groq", "api_key": "k", "custom_host": mock.url()}]})
        assert httpx.post(server.url + "/v1/chat/completions", json=CHAT,
                          headers={"x-portkey-config": fallback}).status_code == 200
        assert httpx.post(server.url + "/v1/chat/completions", content=b"{", headers={
            "x-portkey-provider": "openai", "content-type": "application/json"}).status_code == 400
        text = httpx.get(server.url + "/metrics", headers={"authorization": f"Bearer {METRICS}"})
        assert text.headers["content-type"].startswith("text/plain; version=0.0.4")
        samples = _samples(text.text)
    finally:
        server.stop()
    requests = {(s[1]["provider"], s[1]["status"]): s[2] for s in samples["gateway_requests"]}
    assert requests == {("openai", "200"): 3, ("groq", "200"): 1, ("none", "400"): 1}
    attempts = {(s[1]["provider"], s[1]["status"]): s[2] for s in samples["gateway_upstream_attempts"]}
    assert attempts == {("openai", "200"): 3, ("openai", "503"): 1, ("openai", "500"): 1, ("groq", "200"): 1}
    assert samples["gateway_upstream_retries"] == [("gateway_upstream_retries_total", {"provider": "openai"}, 1.0)]
    assert samples["gateway_fallbacks"] == [("gateway_fallbacks_total", {"route": "/v1/chat/completions"}, 1.0)]
    tokens = {(s[1]["provider"], s[1]["type"]): s[2] for s in samples["gateway_tokens"]}
    assert tokens[("openai", "input")] == 6 and tokens[("groq", "output")] == 3  # the plain stream has no usage
    counts = {s[1]["provider"]: s[2] for s in samples["gateway_time_to_first_byte_seconds"]
              if s[0].endswith("_count")}
    assert counts == {"openai": 3, "groq": 1, "none": 1}
    assert samples["gateway_open_streams"][0][2] == 0
    assert samples["gateway_realtime_sessions"][0][2] == 0


def test_headless_removes_the_console_but_not_metrics() -> None:
    server = GatewayServer({"CONSOLE": "off", "ADMIN_TOKEN": ADMIN}).start()
    try:
        for path in ("/public", "/public/", "/log/stream", "/public/auth/session"):
            assert httpx.get(server.url + path).status_code == 404, path
        assert httpx.get(server.url + "/metrics", headers={"authorization": f"Bearer {ADMIN}"}).status_code == 200
    finally:
        server.stop()


def test_a_client_that_hangs_up_before_the_answer_is_logged_as_499(console: GatewayServer, mock: MockOpenAI) -> None:
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(console.url + "/v1/chat/completions", json={**CHAT, "model": "gone-early"}, timeout=0.3, headers={
            "x-portkey-provider": "openai", "x-portkey-custom-host": mock.url(delay=1), "authorization": "Bearer k"})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        session = httpx.get(console.url + "/metrics", headers={"authorization": f"Bearer {ADMIN}"}).text
        if 'status="499"' in session:
            break
        time.sleep(0.05)
    events, _ = _read_log(console, len(console.app.gateway.observe.live_log.entries),  # type: ignore[union-attr]
                          authorization=f"Bearer {ADMIN}")
    gone = [e for e in events if e["model"] == "gone-early"]
    assert gone and gone[-1]["status"] == 499 and gone[-1]["aborted"] is True


def test_guardrail_verdicts_are_counted(mock: MockOpenAI) -> None:
    server = GatewayServer({"METRICS_TOKEN": METRICS}).start()
    config = json.dumps({"provider": "openai", "api_key": "k", "custom_host": mock.url(),
                         "input_guardrails": [{"default.contains": {"operator": "any", "words": ["hi"]},
                                               "default.wordCount": {"minWords": 5, "maxWords": 99}}]})
    try:
        response = httpx.post(server.url + "/v1/chat/completions", json=CHAT, headers={"x-portkey-config": config})
        assert response.status_code in (200, 246), response.text
        text = httpx.get(server.url + "/metrics", headers={"authorization": f"Bearer {METRICS}"}).text
    finally:
        server.stop()
    verdicts = {(s[1]["check"], s[1]["verdict"]): s[2] for s in _samples(text)["gateway_guardrail_verdicts"]}
    assert verdicts == {("default.contains", "pass"): 1, ("default.wordCount", "fail"): 1}


def test_open_realtime_sessions_are_a_gauge() -> None:
    import asyncio

    from websockets.asyncio.client import connect

    from tests.support.mock_realtime import MockRealtime

    def gauge(server: GatewayServer) -> float:
        text = httpx.get(server.url + "/metrics", headers={"authorization": f"Bearer {METRICS}"}).text
        return _samples(text)["gateway_realtime_sessions"][0][2]

    upstream = MockRealtime().start()
    server = GatewayServer({"METRICS_TOKEN": METRICS}).start()
    url = server.url.replace("http://", "ws://") + "/v1/realtime?model=gpt-realtime"
    headers = {"x-portkey-provider": "openai", "x-portkey-custom-host": upstream.url(), "authorization": "Bearer k"}

    async def session() -> float:
        async with connect(url, additional_headers=headers, open_timeout=10) as socket:
            await asyncio.wait_for(socket.recv(), 10)  # session.created: the bridge is up
            return await asyncio.to_thread(gauge, server)

    try:
        assert asyncio.run(session()) == 1
        deadline = time.monotonic() + 5
        while gauge(server) != 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gauge(server) == 0
    finally:
        server.stop()
        upstream.stop()
