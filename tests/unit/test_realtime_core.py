"""The realtime bridge in the core, with fake sockets: where a session goes, what a failure
before the upgrade answers, how frames and closes cross, and the idle limit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest

from gateway.errors import GatewayError
from gateway.http import Headers, Request, Response
from gateway.ports import TransportError, WebSocketClosed, WebSocketRejected
from gateway.realtime import Realtime, Session, upgrade_required
from gateway.realtime.closing import passed_on, sendable, trim_reason
from gateway.realtime.target import resolve
from gateway.settings import Settings

T = TypeVar("T")


def run(coro: Awaitable[T]) -> T:
    return asyncio.run(asyncio.wait_for(coro, 5))  # type: ignore[arg-type]


@dataclass
class FakeSocket:
    """One leg: ``incoming`` is what the peer sends (a ``WebSocketClosed`` ends it)."""

    incoming: asyncio.Queue[Any] = field(default_factory=asyncio.Queue)
    sent: list[str | bytes] = field(default_factory=list)
    closes: list[tuple[int, str]] = field(default_factory=list)
    echo_close: bool = True
    """Answer our close with the same close, as a well-behaved peer does."""

    async def send(self, message: str | bytes) -> None:
        self.sent.append(message)

    async def receive(self) -> str | bytes | WebSocketClosed:
        return await self.incoming.get()  # type: ignore[no-any-return]

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closes.append((code, reason))
        if self.echo_close:
            self.incoming.put_nowait(WebSocketClosed(code, reason))


@dataclass
class FakeConnector:
    result: Any = None
    delay: float = 0.0
    calls: list[tuple[str, Headers]] = field(default_factory=list)

    async def connect(self, url: str, headers: Headers) -> Any:
        self.calls.append((url, headers))
        if self.delay:
            await asyncio.sleep(self.delay)
        if isinstance(self.result, Exception):
            raise self.result
        return self.result or FakeSocket()


def request(headers: dict[str, str], query: str = "model=gpt-realtime") -> Request:
    return Request("GET", "/v1/realtime", query, Headers(headers))


OPENAI = {"x-portkey-provider": "openai", "authorization": "Bearer sk-1"}


# --------------------------------------------------------------------------- targets


def test_openai_target_keeps_the_query_and_maps_the_scheme() -> None:
    target = resolve(request({**OPENAI, "openai-beta": "realtime=v1"}, "model=gpt-realtime&x=1"), Settings())
    assert target.url == "wss://api.openai.com/v1/realtime?model=gpt-realtime&x=1"
    assert target.headers.get("authorization") == "Bearer sk-1" and target.headers.get("openai-beta") == "realtime=v1"
    assert target.handshake_seconds == 10.0 and target.subprotocol is None


def test_custom_host_http_becomes_ws() -> None:
    target = resolve(request({**OPENAI, "x-portkey-custom-host": "http://127.0.0.1:9/v1/"}), Settings())
    assert target.url == "ws://127.0.0.1:9/v1/realtime?model=gpt-realtime"


@pytest.mark.parametrize(("version", "url"), [
    ("2025-04-01-preview", "wss://res.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=dep"),
    ("v1", "wss://res.openai.azure.com/openai/v1/realtime?model=dep"),
])
def test_azure_openai_targets(version: str, url: str) -> None:
    headers = {"x-portkey-provider": "azure-openai", "x-portkey-azure-resource-name": "res",
               "x-portkey-azure-deployment-id": "dep", "x-portkey-azure-api-version": version,
               "authorization": "Bearer az"}
    target = resolve(request(headers), Settings())
    assert target.url == url and target.headers.get("api-key") == "az"


def test_azure_openai_deployment_from_the_model_query() -> None:
    headers = {"x-portkey-provider": "azure-openai", "x-portkey-azure-resource-name": "res",
               "x-portkey-azure-api-version": "v1", "authorization": "Bearer az"}
    url = resolve(request(headers, "model=gpt-realtime"), Settings()).url
    assert url.endswith("/openai/v1/realtime?model=gpt-realtime")


def test_azure_ai_target_uses_the_foundry_url() -> None:
    headers = {"x-portkey-provider": "azure-ai", "x-portkey-azure-foundry-url": "https://r.services.ai.azure.com/models",
               "x-portkey-azure-api-version": "2025-05-01-preview", "authorization": "Bearer k"}
    target = resolve(request(headers), Settings())
    query = "model=gpt-realtime&api-version=2025-05-01-preview"
    assert target.url == f"wss://r.services.ai.azure.com/models/realtime?{query}"
    assert target.headers.get("api-key") == "k"


def test_flat_config_with_override_model_and_timeout() -> None:
    config = {"provider": "openai", "api_key": "sk-c", "override_params": {"model": "gpt-realtime-mini"},
              "request_timeout": 2500}
    target = resolve(request({"x-portkey-config": json.dumps(config)}, "model=other&y=2"), Settings())
    assert target.url == "wss://api.openai.com/v1/realtime?y=2&model=gpt-realtime-mini"
    assert target.headers.get("authorization") == "Bearer sk-c" and target.handshake_seconds == 2.5


def test_forward_headers_never_include_the_clients_handshake() -> None:
    headers = {**OPENAI, "x-portkey-forward-headers": "x-trace, sec-websocket-key", "x-trace": "t1",
               "sec-websocket-key": "abc"}
    target = resolve(request(headers), Settings())
    assert target.headers.get("x-trace") == "t1" and target.headers.get("sec-websocket-key") is None


def test_browser_subprotocols() -> None:
    headers = {"x-portkey-provider": "openai",
               "sec-websocket-protocol": "realtime, openai-insecure-api-key.sk-b, openai-beta.realtime-v1"}
    target = resolve(request(headers), Settings())
    assert target.subprotocol == "realtime"
    assert target.headers.get("authorization") == "Bearer sk-b" and target.headers.get("openai-beta") == "realtime-v1"


@pytest.mark.parametrize(("headers", "status"), [
    ({}, 400), ({"x-portkey-provider": "nope"}, 400), ({"x-portkey-provider": "groq"}, 400),
    ({"x-portkey-provider": "palm"}, 501), ({"x-portkey-provider": "azure-openai"}, 400),
    ({**OPENAI, "x-portkey-custom-host": "http://10.0.0.1/v1"}, 400),
])
def test_unroutable_sessions_raise_with_a_status(headers: dict[str, str], status: int) -> None:
    with pytest.raises(GatewayError) as raised:
        resolve(request(headers), Settings())
    assert raised.value.status == status


def test_plain_get_is_426_from_the_gateway() -> None:
    response = upgrade_required()
    assert response.status == 426 and response.headers.get("upgrade") == "websocket"


# --------------------------------------------------------------------------- opening


def _open(connector: FakeConnector, headers: dict[str, str] | None = None) -> Session | Response:
    return run(Realtime(Settings(realtime_handshake_seconds=0.05), connector).open(request(headers or OPENAI)))


def test_open_returns_a_session_with_the_upstream_leg() -> None:
    connector = FakeConnector()
    opened = _open(connector)
    assert isinstance(opened, Session)
    assert connector.calls[0][0] == "wss://api.openai.com/v1/realtime?model=gpt-realtime"


@pytest.mark.parametrize(("failure", "status", "kind"), [
    (WebSocketRejected(401, Headers(), b'{"error": {"message": "bad key", "code": "invalid_api_key"}}'), 401, None),
    (WebSocketRejected(404, Headers(), b"no such model"), 404, None),
    (WebSocketRejected(302, Headers({"location": "ws://169.254.169.254/"})), 502, None),
    (WebSocketRejected(200, Headers(), b"<html>"), 502, None),
    (TransportError("refused", connect=True), 503, "network_error"),
    (TransportError("reset"), 502, "network_error"),
])
def test_failures_before_the_upgrade_are_http(failure: Exception, status: int, kind: str | None) -> None:
    response = _open(FakeConnector(failure))
    assert isinstance(response, Response) and response.status == status
    body = json.loads(response.body)  # type: ignore[arg-type]
    assert body["provider"] == "openai" and body["error"]["message"].startswith("openai error: ")
    if kind:
        assert body["error"]["type"] == kind
    if status == 401:
        assert body["error"]["code"] == "invalid_api_key" and "bad key" in body["error"]["message"]


def test_slow_handshake_is_504() -> None:
    response = _open(FakeConnector(delay=1.0))
    assert isinstance(response, Response) and response.status == 504
    assert "0.05 s" in json.loads(response.body)["error"]["message"]  # type: ignore[arg-type]


# --------------------------------------------------------------------------- relaying


def _session(upstream: FakeSocket, idle: float = 60.0) -> Session:
    opened = run(Realtime(Settings(realtime_idle_seconds=idle), FakeConnector(upstream)).open(request(OPENAI)))
    assert isinstance(opened, Session)
    return opened


def test_frames_cross_in_order_and_the_client_close_reaches_upstream() -> None:
    client, upstream = FakeSocket(), FakeSocket()
    for message in ("a", b"\x00\x01", "c"):
        client.incoming.put_nowait(message)
    client.incoming.put_nowait(WebSocketClosed(4001, "bye"))
    upstream.incoming.put_nowait("from upstream")
    summary = asyncio.run(_session(upstream).run(client))
    assert upstream.sent == ["a", b"\x00\x01", "c"] and upstream.closes == [(4001, "bye")]
    assert client.closes == [(4001, "bye")]  # the client's close is answered once the upstream's leg closed
    assert summary.ended_by == "client" and summary.client_close == (4001, "bye")
    assert summary.upstream_close == (4001, "bye")
    assert summary.client_to_upstream.messages == 3 and summary.client_to_upstream.binary == 1


@pytest.mark.parametrize(("close", "to_client"), [
    (WebSocketClosed(4000, "x"), (4000, "x")),
    (WebSocketClosed(1005, ""), (1000, "")),
    (WebSocketClosed(1006, ""), (1011, "the upstream connection was lost")),
])
def test_upstream_close_reaches_the_client(close: WebSocketClosed, to_client: tuple[int, str]) -> None:
    client, upstream = FakeSocket(), FakeSocket()
    upstream.incoming.put_nowait(close)
    summary = asyncio.run(_session(upstream).run(client))
    assert client.closes == [to_client] and summary.ended_by == "upstream"


def test_vanished_client_is_going_away_for_the_upstream() -> None:
    client, upstream = FakeSocket(), FakeSocket()
    client.incoming.put_nowait(WebSocketClosed(1006, ""))
    asyncio.run(_session(upstream).run(client))
    assert upstream.closes == [(1001, "the client went away")]


def test_idle_session_is_closed_on_both_sides() -> None:
    client, upstream = FakeSocket(), FakeSocket()
    summary = asyncio.run(_session(upstream, idle=0.05).run(client))
    assert summary.ended_by == "idle"
    assert client.closes == [(1001, "no frames for 0.05 s")] and upstream.closes == [(1000, "no frames for 0.05 s")]


def test_a_failing_adapter_ends_the_session_cleanly() -> None:
    class Broken(FakeSocket):
        async def receive(self) -> str | bytes | WebSocketClosed:
            raise RuntimeError("adapter bug")

    client, upstream = Broken(), FakeSocket()
    summary = asyncio.run(_session(upstream).run(client))
    assert summary.client_close == (1006, "") and upstream.closes == [(1001, "the client went away")]


def test_abandon_closes_the_upstream_leg() -> None:
    upstream = FakeSocket()
    asyncio.run(_session(upstream).abandon())
    assert upstream.closes and upstream.closes[0][0] == 1001


def test_close_codes() -> None:
    assert [sendable(c) for c in (1000, 1004, 1005, 1006, 1011, 1014, 1015, 2999, 3000, 4999, 5000)] == \
        [True, False, False, False, True, True, False, False, True, True, False]
    assert passed_on(WebSocketClosed(1015, ""), from_upstream=False) == (1001, "the client went away")
    assert len(trim_reason("é" * 100).encode()) <= 123
    assert passed_on(WebSocketClosed(4000, "x" * 200), from_upstream=True)[1] == "x" * 123


def test_settings_refuse_a_bad_limit() -> None:
    from gateway.serverconfig import ServerConfigError

    assert Settings.from_mapping({"REALTIME_IDLE_TIMEOUT": "30"}).realtime_idle_seconds == 30
    with pytest.raises(ServerConfigError, match="REALTIME_HANDSHAKE_TIMEOUT"):
        Settings.from_mapping({"REALTIME_HANDSHAKE_TIMEOUT": "soon"})
