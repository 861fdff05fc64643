"""``/v1/realtime`` inside real workerd (wrangler 3.92.0): the Workers adapter's socket code
(``worker_runtime/realtime.py``: fetch with ``Upgrade: websocket``, ``WebSocketPair``, the event
queue) and the core's bridge, against the loopback mock realtime server.

The legacy runtime has no Python Durable Objects, so the test entry's ``on_fetch`` -> ``handle``
finds no ``REALTIME`` binding and bridges inside the Worker. Only the dry-run bundle
(``test_deploy_dry_run.py``) covers what differs at the edge: ``Default.fetch`` and
``RealtimeBridge.fetch`` in ``src/entry.py`` and the Durable Object hand-off in
``worker_runtime.realtime.open_realtime`` (``REALTIME.get(newUniqueId()).fetch(request)``), and
``waitUntil`` on a Durable Object's ``ctx`` (here it is the request's).

workerd 1.20241106 logs "Uncaught (in response) Error: Network connection lost." once after a session
the client closes. Every close code and timing asserted here is as it should be; a minimal Worker that
relays the same closes with plain callbacks does not log it, and its cause was not found.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets
from websockets.asyncio.client import connect

from tests.support.mock_realtime import MockRealtime

pytestmark = pytest.mark.workerd


@pytest.fixture(scope="module")
def realtime_mock() -> Iterator[MockRealtime]:
    server = MockRealtime().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fresh_mock(realtime_mock: MockRealtime) -> None:
    realtime_mock.reset()


def _ws_url(worker: Any, query: str = "model=gpt-realtime") -> str:
    return worker.url.replace("http://", "ws://") + "/v1/realtime?" + query


def _headers(mock: MockRealtime, key: str = "sk-test", **directives: Any) -> dict[str, str]:
    return {"x-portkey-provider": "openai", "x-portkey-custom-host": mock.url(**directives),
            "authorization": f"Bearer {key}"}


def test_a_session_is_bridged_both_ways(worker: Any, realtime_mock: MockRealtime) -> None:
    async def session() -> tuple[list[Any], Any]:
        async with connect(_ws_url(worker), additional_headers=_headers(realtime_mock), open_timeout=30) as ws:
            got = [json.loads(await ws.recv())]
            await ws.send(json.dumps({"type": "ping", "n": 1}))
            got.append(json.loads(await ws.recv()))
            await ws.send(bytes(range(256)))
            got.append(await ws.recv())
            await ws.send(json.dumps({"type": "mock.burst", "n": 50}))
            got += [json.loads(await ws.recv()) for _ in range(50)]
            await ws.send(json.dumps({"type": "mock.close", "code": 4001, "reason": "bye"}))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            return got, closed.value.rcvd

    got, close = asyncio.run(asyncio.wait_for(session(), 30))
    assert got[0]["type"] == "session.created" and got[0]["session"]["model"] == "gpt-realtime"
    assert got[1] == {"type": "mock.echo", "event": {"type": "ping", "n": 1}}
    assert got[2] == bytes(range(256))
    assert [event["seq"] for event in got[3:]] == list(range(50))
    assert close is not None and (close.code, close.reason) == (4001, "bye")
    seen = realtime_mock.wait_sessions(1, ended=True)[0]
    assert seen.path == "/v1/realtime" and seen.query == {"model": ["gpt-realtime"]}
    assert seen.headers["authorization"] == "Bearer sk-test"


def test_client_close_code_reaches_the_upstream(worker: Any, realtime_mock: MockRealtime) -> None:
    async def session() -> None:
        async with connect(_ws_url(worker), additional_headers=_headers(realtime_mock), open_timeout=30) as ws:
            await ws.recv()
            await ws.close(4002, "client done")

    asyncio.run(asyncio.wait_for(session(), 30))
    seen = realtime_mock.wait_sessions(1, ended=True)[0]
    assert (seen.close_code, seen.close_reason) == (4002, "client done")


def test_refused_upstream_is_an_http_error(worker: Any, realtime_mock: MockRealtime) -> None:
    async def attempt() -> Any:
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with connect(_ws_url(worker), additional_headers=_headers(realtime_mock, key="bad"),
                               open_timeout=30):
                pass
        return refused.value.response

    response = asyncio.run(attempt())
    assert response.status_code == 401
    body = json.loads(response.body)
    assert body["provider"] == "openai" and body["error"]["code"] == "invalid_api_key"


def test_plain_get_and_bad_provider_are_http_errors(worker: Any) -> None:
    plain = httpx.get(worker.url + "/v1/realtime?model=x", headers={"x-portkey-provider": "openai"}, timeout=30)
    assert plain.status_code == 426 and "WebSocket" in plain.json()["message"]

    async def attempt() -> Any:
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with connect(_ws_url(worker), additional_headers={"x-portkey-provider": "groq"}, open_timeout=30):
                pass
        return refused.value.response

    response = asyncio.run(attempt())
    assert response.status_code == 400 and b"not supported by groq" in response.body


def test_vanished_client_closes_the_upstream_leg(worker: Any, realtime_mock: MockRealtime) -> None:
    async def session() -> float:
        ws = await connect(_ws_url(worker), additional_headers=_headers(realtime_mock), open_timeout=30)
        await ws.recv()
        ws.transport.abort()  # no close frame: the TCP connection just goes away
        return time.monotonic()

    left = asyncio.run(session())
    seen = realtime_mock.wait_sessions(1, ended=True, timeout=10)[0]
    assert seen.ended_at is not None and seen.ended_at - left < 2.0, seen


def test_vanished_upstream_closes_the_client_with_1011(worker: Any, realtime_mock: MockRealtime) -> None:
    async def session() -> Any:
        async with connect(_ws_url(worker), additional_headers=_headers(realtime_mock), open_timeout=30) as ws:
            await ws.recv()
            await ws.send(json.dumps({"type": "mock.drop"}))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            return closed.value.rcvd

    close = asyncio.run(asyncio.wait_for(session(), 30))
    assert close is not None and close.code == 1011
