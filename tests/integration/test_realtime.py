"""``/v1/realtime`` under local_dev over real sockets: uvicorn's WebSocket on the client side, the
``websockets`` library on the upstream side, and the loopback mock realtime server
(``tests/support/mock_realtime.py``) as the provider. Clients are the official ``openai`` SDK's
realtime client and a raw ``websockets`` client."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Iterator
from typing import Any, TypeVar

import httpx
import openai
import pytest
import websockets
from websockets.asyncio.client import connect

from gateway.access import hash_token
from tests.support.mock_realtime import MockRealtime
from tests.support.servers import GatewayServer, free_port

T = TypeVar("T")
TOKEN = "gw-realtime-token"


@pytest.fixture(scope="module")
def realtime_mock() -> Iterator[MockRealtime]:
    server = MockRealtime().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fresh_mock(realtime_mock: MockRealtime) -> None:
    realtime_mock.reset()


@pytest.fixture(scope="module")
def tight_gateway() -> Iterator[GatewayServer]:
    """A gateway with a 1 s idle limit and a 0.5 s handshake limit."""
    server = GatewayServer({"REALTIME_IDLE_TIMEOUT": "1", "REALTIME_HANDSHAKE_TIMEOUT": "0.5"}).start()
    yield server
    server.stop()


def run(coro: Awaitable[T], timeout: float = 20) -> T:
    return asyncio.run(asyncio.wait_for(coro, timeout))  # type: ignore[arg-type]


def ws_url(gateway: GatewayServer, query: str = "model=gpt-realtime") -> str:
    return gateway.url.replace("http://", "ws://") + "/v1/realtime" + (f"?{query}" if query else "")


def headers(mock: MockRealtime, key: str = "sk-test", provider: str = "openai", **directives: Any) -> dict[str, str]:
    return {"x-portkey-provider": provider, "x-portkey-custom-host": mock.url(**directives),
            "authorization": f"Bearer {key}"}


async def refusal(url: str, extra: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """Status and JSON body of an upgrade the gateway answers with HTTP."""
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with connect(url, additional_headers=extra, open_timeout=10):
            pass
    response = refused.value.response
    assert response.headers["content-type"] == "application/json"
    return response.status_code, json.loads(response.body)


# --------------------------------------------------------------------------- the openai SDK


# The SDK's own sync socket warns about how it calls websockets.
@pytest.mark.filterwarnings("ignore:connect\\(\\) must be used as a context manager:DeprecationWarning")
def test_openai_sdk_realtime_session(gateway: GatewayServer, realtime_mock: MockRealtime) -> None:
    client = openai.OpenAI(base_url=gateway.url + "/v1", api_key="sk-sdk",
                           default_headers={"x-portkey-provider": "openai",
                                            "x-portkey-custom-host": realtime_mock.url()})
    with client.realtime.connect(model="gpt-realtime") as connection:
        created = connection.recv()
        connection.conversation.item.create(item={"type": "message", "role": "user",
                                                  "content": [{"type": "input_text", "text": "Hi"}]})
        item = connection.recv()
        connection.response.create()
        events = [connection.recv() for _ in range(5)]
        connection.close(code=4003, reason="sdk done")

    assert created.type == "session.created" and created.session.model == "gpt-realtime"  # type: ignore[union-attr]
    assert item.type == "conversation.item.created"
    assert [e.type for e in events] == ["response.created", *["response.output_text.delta"] * 3, "response.done"]
    assert "".join(e.delta for e in events[1:4]) == "Hello from mock"  # type: ignore[union-attr]
    seen = realtime_mock.wait_sessions(1, ended=True)[0]
    assert seen.path == "/v1/realtime" and seen.query["model"] == ["gpt-realtime"]
    assert seen.headers["authorization"] == "Bearer sk-sdk"
    assert not any(name.startswith("x-portkey") for name in seen.headers)
    assert [json.loads(m)["type"] for m in seen.received] == ["conversation.item.create", "response.create"]
    assert (seen.close_code, seen.close_reason) == (4003, "sdk done")


def test_openai_async_sdk_realtime_session(gateway: GatewayServer, realtime_mock: MockRealtime) -> None:
    async def session() -> list[str]:
        client = openai.AsyncOpenAI(base_url=gateway.url + "/v1", api_key="sk-async",
                                    default_headers={"x-portkey-provider": "openai",
                                                     "x-portkey-custom-host": realtime_mock.url()})
        async with client.realtime.connect(model="gpt-realtime-mini") as connection:
            kinds = [(await connection.recv()).type]
            await connection.response.create()
            kinds += [(await connection.recv()).type for _ in range(5)]
        return kinds

    kinds = run(session())
    assert kinds[0] == "session.created" and kinds[-1] == "response.done"
    assert realtime_mock.wait_sessions(1)[0].query["model"] == ["gpt-realtime-mini"]


# --------------------------------------------------------------------------- frames and closes


def test_events_and_binary_frames_both_ways_in_order(gateway: GatewayServer, realtime_mock: MockRealtime) -> None:
    audio = bytes(range(256)) * 512  # 128 KiB, not UTF-8

    async def session() -> list[Any]:
        async with connect(ws_url(gateway), additional_headers=headers(realtime_mock), max_size=None) as ws:
            got: list[Any] = [json.loads(await ws.recv())]
            await ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": "AAAA"}))
            got.append(json.loads(await ws.recv()))
            await ws.send(audio)
            got.append(await ws.recv())
            await ws.send("not json")
            got.append(await ws.recv())
            await ws.send(json.dumps({"type": "mock.burst", "n": 200}))
            got.append([json.loads(await ws.recv())["seq"] for _ in range(200)])
            for i in range(50):
                await ws.send(json.dumps({"type": "seq", "i": i}))
            got.append([json.loads(await ws.recv())["event"]["i"] for _ in range(50)])
        return got

    created, echo, binary, text, burst, sent = run(session())
    assert created["type"] == "session.created"
    assert echo == {"type": "mock.echo", "event": {"type": "input_audio_buffer.append", "audio": "AAAA"}}
    assert isinstance(binary, bytes) and binary == audio
    assert text == "not json"
    assert burst == list(range(200)) and sent == list(range(50))
    received = realtime_mock.wait_sessions(1, ended=True)[0].received
    assert received[1] == audio and received[2] == "not json"


def test_upstream_close_code_and_reason_reach_the_client(gateway: GatewayServer,
                                                          realtime_mock: MockRealtime) -> None:
    async def session() -> Any:
        async with connect(ws_url(gateway), additional_headers=headers(realtime_mock)) as ws:
            await ws.recv()
            await ws.send(json.dumps({"type": "mock.close", "code": 4001, "reason": "upstream says bye"}))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            return closed.value.rcvd

    close = run(session())
    assert (close.code, close.reason) == (4001, "upstream says bye")


def test_client_close_code_and_reason_reach_the_upstream(gateway: GatewayServer,
                                                          realtime_mock: MockRealtime) -> None:
    async def session() -> Any:
        async with connect(ws_url(gateway), additional_headers=headers(realtime_mock)) as ws:
            await ws.recv()
            await ws.close(4002, "client says bye")
            return ws.protocol.close_rcvd

    echo = run(session())
    seen = realtime_mock.wait_sessions(1, ended=True)[0]
    assert (seen.close_code, seen.close_reason) == (4002, "client says bye")
    assert echo is not None and echo.code == 4002  # the closing handshake completed with the client


def test_close_without_status_becomes_a_normal_closure(gateway: GatewayServer, realtime_mock: MockRealtime) -> None:
    """1005 (a close frame without a code) cannot be sent: the other side gets 1000."""
    async def session() -> Any:
        async with connect(ws_url(gateway), additional_headers=headers(realtime_mock)) as ws:
            await ws.recv()
            await ws.send(json.dumps({"type": "mock.close", "code": 1005}))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            return closed.value.rcvd

    close = run(session())
    assert close.code == 1000


def test_vanished_upstream_closes_the_client_with_1011(gateway: GatewayServer, realtime_mock: MockRealtime) -> None:
    async def session() -> Any:
        async with connect(ws_url(gateway), additional_headers=headers(realtime_mock)) as ws:
            await ws.recv()
            await ws.send(json.dumps({"type": "mock.drop"}))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            return closed.value.rcvd

    close = run(session())
    assert close.code == 1011 and "lost" in close.reason


def test_vanished_client_closes_the_upstream_leg_within_2s(gateway: GatewayServer,
                                                            realtime_mock: MockRealtime) -> None:
    async def session() -> float:
        ws = await connect(ws_url(gateway), additional_headers=headers(realtime_mock))
        await ws.recv()
        ws.transport.abort()  # no close frame: the TCP connection just goes away
        return time.monotonic()

    left = run(session())
    seen = realtime_mock.wait_sessions(1, ended=True, timeout=5)[0]
    assert seen.ended_at is not None and seen.ended_at - left < 2.0
    assert seen.close_code == 1001


def test_idle_session_is_closed(tight_gateway: GatewayServer, realtime_mock: MockRealtime) -> None:
    async def session() -> tuple[Any, float]:
        async with connect(ws_url(tight_gateway), additional_headers=headers(realtime_mock)) as ws:
            await ws.recv()
            started = time.monotonic()
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            return closed.value.rcvd, time.monotonic() - started

    close, waited = run(session())
    assert close.code == 1001 and "no frames for 1 s" in close.reason
    assert 0.8 < waited < 3
    assert realtime_mock.wait_sessions(1, ended=True)[0].close_code == 1000


def test_many_sessions_at_once(gateway: GatewayServer, realtime_mock: MockRealtime) -> None:
    sessions, messages = 60, 20

    async def one(n: int) -> list[int]:
        async with connect(ws_url(gateway, f"model=m{n}"), additional_headers=headers(realtime_mock)) as ws:
            created = json.loads(await ws.recv())
            assert created["session"]["model"] == f"m{n}"
            got = []
            for i in range(messages):
                await ws.send(json.dumps({"session": n, "i": i}))
                event = json.loads(await ws.recv())["event"]
                assert event["session"] == n
                got.append(event["i"])
            return got

    async def all_at_once() -> list[list[int]]:
        return await asyncio.gather(*(one(n) for n in range(sessions)))

    results = run(all_at_once(), timeout=60)
    assert results == [list(range(messages))] * sessions
    assert len(realtime_mock.wait_sessions(sessions, ended=True)) == sessions


def test_session_summary_is_logged_without_keys(gateway: GatewayServer, realtime_mock: MockRealtime,
                                                caplog: pytest.LogCaptureFixture) -> None:
    async def session() -> None:
        async with connect(ws_url(gateway), additional_headers=headers(realtime_mock, key="sk-secret-123")) as ws:
            await ws.recv()
            await ws.send(b"\x00" * 10)
            await ws.recv()
            await ws.close(4004, "done")

    with caplog.at_level(logging.INFO, logger="gateway.realtime"):
        run(session())
        realtime_mock.wait_sessions(1, ended=True)
        deadline = time.monotonic() + 5
        while not any("client=4004" in r.getMessage() for r in caplog.records) and time.monotonic() < deadline:
            time.sleep(0.02)
    lines = [r.getMessage() for r in caplog.records if "client=4004" in r.getMessage()]  # not earlier tests' lines
    assert len(lines) == 1 and lines[0].startswith("realtime session ")
    assert "openai ws://127.0.0.1" in lines[0] and "ended by client" in lines[0]
    assert "client->upstream 1 frames (1 binary), 10 bytes" in lines[0]
    assert "upstream->client 2 frames (1 binary)" in lines[0]
    assert "client=4004 'done'" in lines[0]
    assert "sk-secret-123" not in caplog.text and "gpt-realtime" not in lines[0]


# --------------------------------------------------------------------------- errors before the upgrade


def test_refused_upstream_answers_its_status_as_json(gateway: GatewayServer, realtime_mock: MockRealtime) -> None:
    status, body = run(refusal(ws_url(gateway), headers(realtime_mock, key="bad")))
    assert status == 401
    assert body["provider"] == "openai" and body["error"]["code"] == "invalid_api_key"
    assert body["error"]["message"] == "openai error: Incorrect API key provided"
    status, body = run(refusal(ws_url(gateway), headers(realtime_mock, refuse=403)))
    assert status == 403 and body["error"]["code"] == "mock_403"
    assert realtime_mock.sessions == []


def test_redirect_is_not_followed(gateway: GatewayServer, realtime_mock: MockRealtime) -> None:
    status, body = run(refusal(ws_url(gateway), headers(realtime_mock, redirect=1)))
    assert status == 502 and "redirects are not followed" in body["error"]["message"]
    assert realtime_mock.sessions == []


def test_unreachable_upstream_is_503(gateway: GatewayServer) -> None:
    extra = {"x-portkey-provider": "openai", "authorization": "Bearer sk-test",
             "x-portkey-custom-host": f"http://127.0.0.1:{free_port()}/v1"}
    started = time.monotonic()
    status, body = run(refusal(ws_url(gateway), extra))
    assert status == 503 and body["error"]["type"] == "network_error" and body["provider"] == "openai"
    assert time.monotonic() - started < 5


def test_slow_handshake_is_504_within_the_limit(gateway: GatewayServer, tight_gateway: GatewayServer,
                                                realtime_mock: MockRealtime) -> None:
    started = time.monotonic()
    status, body = run(refusal(ws_url(tight_gateway), headers(realtime_mock, delay=3)))
    assert status == 504 and body["error"]["type"] == "timeout_error" and "0.5 s" in body["error"]["message"]
    assert time.monotonic() - started < 2
    extra = {**headers(realtime_mock, delay=3), "x-portkey-request-timeout": "300"}  # per request, in ms
    started = time.monotonic()
    status, body = run(refusal(ws_url(gateway), extra))
    assert status == 504 and "0.3 s" in body["error"]["message"] and time.monotonic() - started < 2


@pytest.mark.parametrize(("extra", "status", "message"), [
    ({}, 400, "x-portkey-config or x-portkey-provider header is required"),
    ({"x-portkey-provider": "nope"}, 400, "Invalid provider passed"),
    ({"x-portkey-provider": "groq"}, 400, "realtime is not supported by groq"),
    ({"x-portkey-provider": "palm"}, 501, "not implemented by this gateway"),
    ({"x-portkey-provider": "openai", "x-portkey-custom-host": "http://169.254.169.254/v1"}, 400,
     "Invalid custom host"),
    ({"x-portkey-config": json.dumps({"strategy": {"mode": "fallback"},
                                      "targets": [{"provider": "openai", "api_key": "a"},
                                                  {"provider": "openai", "api_key": "b"}]})},
     400, "Realtime takes one provider"),
    ({"x-portkey-provider": "azure-openai", "x-portkey-azure-resource-name": "res"}, 400, "needs a deployment"),
])
def test_bad_requests_are_http_errors(gateway: GatewayServer, extra: dict[str, str], status: int,
                                      message: str) -> None:
    got_status, body = run(refusal(ws_url(gateway, "" if "azure" in str(extra) else "model=x"), extra))
    assert got_status == status and message in body["message"]


def test_plain_get_is_426(gateway: GatewayServer) -> None:
    response = httpx.get(gateway.url + "/v1/realtime?model=x", headers={"x-portkey-provider": "openai"})
    assert response.status_code == 426 and response.headers["upgrade"] == "websocket"
    assert "WebSocket" in response.json()["message"]


def test_websocket_on_another_path_is_404(gateway: GatewayServer) -> None:
    status, body = run(refusal(gateway.url.replace("http", "ws") + "/v1/chat/completions", {}))
    assert status == 404 and "/v1/realtime only" in body["message"]


# --------------------------------------------------------------------------- providers and routing


def test_openai_beta_header_and_flat_config(gateway: GatewayServer, realtime_mock: MockRealtime) -> None:
    config = {"provider": "openai", "api_key": "sk-config", "custom_host": realtime_mock.url()}

    async def session(extra: dict[str, str]) -> None:
        async with connect(ws_url(gateway, "model=gpt-4o-realtime-preview&foo=bar"), additional_headers=extra) as ws:
            await ws.recv()

    run(session({"x-portkey-config": json.dumps(config), "openai-beta": "realtime=v1"}))
    run(session({**headers(realtime_mock), "x-portkey-openai-beta": "realtime=v1"}))
    first, second = realtime_mock.wait_sessions(2)
    assert first.headers["authorization"] == "Bearer sk-config" and first.headers["openai-beta"] == "realtime=v1"
    assert first.query == {"model": ["gpt-4o-realtime-preview"], "foo": ["bar"]}
    assert second.headers["openai-beta"] == "realtime=v1"


def test_azure_openai_preview_and_v1_urls(gateway: GatewayServer, realtime_mock: MockRealtime) -> None:
    azure = {"x-portkey-provider": "azure-openai", "x-portkey-custom-host": realtime_mock.url("/openai"),
             "authorization": "Bearer azure-key", "x-portkey-azure-resource-name": "res",
             "x-portkey-azure-deployment-id": "my-realtime"}

    async def session(extra: dict[str, str], query: str) -> None:
        async with connect(ws_url(gateway, query), additional_headers=extra) as ws:
            await ws.recv()

    run(session({**azure, "x-portkey-azure-api-version": "2025-04-01-preview"}, "model=gpt-realtime"))
    run(session({**azure, "x-portkey-azure-api-version": "v1"}, "model=gpt-realtime"))
    preview, ga = realtime_mock.wait_sessions(2)
    assert preview.path == "/openai/realtime"
    assert preview.query == {"api-version": ["2025-04-01-preview"], "deployment": ["my-realtime"]}
    assert preview.headers["api-key"] == "azure-key" and "authorization" not in preview.headers
    assert ga.path == "/openai/v1/realtime" and ga.query == {"model": ["my-realtime"]}


def test_azure_ai_realtime(gateway: GatewayServer, realtime_mock: MockRealtime) -> None:
    extra = {"x-portkey-provider": "azure-ai", "x-portkey-custom-host": realtime_mock.url("/models"),
             "authorization": "Bearer foundry-key", "x-portkey-azure-api-version": "2025-05-01-preview"}

    async def session() -> None:
        async with connect(ws_url(gateway), additional_headers=extra) as ws:
            await ws.recv()

    run(session())
    seen = realtime_mock.wait_sessions(1)[0]
    assert seen.path == "/models/realtime"
    assert seen.query == {"model": ["gpt-realtime"], "api-version": ["2025-05-01-preview"]}
    assert seen.headers["api-key"] == "foundry-key" and seen.headers["authorization"] == "Bearer foundry-key"


def test_browser_subprotocols_carry_the_key(gateway: GatewayServer, realtime_mock: MockRealtime) -> None:
    """What OpenAI's browser clients send, since a browser WebSocket cannot set headers."""
    protocols = ["realtime", "openai-insecure-api-key.sk-browser", "openai-beta.realtime-v1"]
    extra = {"x-portkey-provider": "openai", "x-portkey-custom-host": realtime_mock.url()}

    async def session() -> str | None:
        async with connect(ws_url(gateway), additional_headers=extra, subprotocols=protocols) as ws:  # type: ignore[arg-type]
            await ws.recv()
            return ws.subprotocol

    assert run(session()) == "realtime"
    seen = realtime_mock.wait_sessions(1)[0]
    assert seen.headers["authorization"] == "Bearer sk-browser" and seen.headers["openai-beta"] == "realtime-v1"
    assert "sec-websocket-protocol" not in seen.headers


def test_server_held_key_needs_a_gateway_token(realtime_mock: MockRealtime) -> None:
    """Model-string routing with the server's own key, the way a browser reaches it: the gateway token as
    the subprotocol key, ``?model=openai/<model>``; without the token, 401 before anything goes upstream."""
    document = {"providers": {"openai": {"api_key": "sk-server-held", "custom_host": realtime_mock.url()}}}
    server = GatewayServer({"GATEWAY_CONFIGS": json.dumps(document), "GATEWAY_TOKENS": hash_token(TOKEN)}).start()
    try:
        url = ws_url(server, "model=openai/gpt-realtime")

        async def session() -> None:
            async with connect(url, subprotocols=["realtime", f"openai-insecure-api-key.{TOKEN}"]) as ws:  # type: ignore[list-item]
                await ws.recv()

        run(session())
        seen = realtime_mock.wait_sessions(1)[0]
        assert seen.headers["authorization"] == "Bearer sk-server-held" and seen.query == {"model": ["gpt-realtime"]}
        status, body = run(refusal(url, {"authorization": "Bearer wrong"}))
        assert status == 401 and body["message"] == "Invalid gateway token"
        status, body = run(refusal(url, {"authorization": f"Bearer {TOKEN}",
                                         "x-portkey-custom-host": realtime_mock.url()}))
        assert status == 400 and "custom-host" in body["message"]
        assert len(realtime_mock.sessions) == 1
    finally:
        server.stop()
