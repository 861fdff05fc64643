"""``/v1/realtime`` under local_dev: the ASGI ``websocket`` scope on the client side, the
``websockets`` library on the upstream side, and the core's bridge in between.

Both legs are adapted to the core's ``WebSocket`` port here, so native exceptions never reach the
core: a closed connection is a ``WebSocketClosed`` value, a refused upgrade a ``WebSocketRejected``.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from gateway.app import Gateway
from gateway.errors import json_response
from gateway.http import Headers, Request, Response
from gateway.ports import TransportError, WebSocketClosed, WebSocketRejected
from gateway.realtime import Realtime
from gateway.routes import match

MAX_MESSAGE = 16 << 20
"""The largest frame taken from the provider: uvicorn's own limit for the client side."""
CLOSE_TIMEOUT = 2.0
"""How long closing the upstream leg waits for the provider's close reply."""
_MAX_ERROR_BODY = 64 << 10
DENIAL_SETTLE_SECONDS = 1.0


class _NoRedirects(connect):
    """A redirect answer is handed to the core as a refusal: following it would skip the SSRF
    guard, which checked only the URL the gateway built."""

    def process_redirect(self, exc: Exception) -> Exception | str:
        return exc


class WebsocketsConnector:
    """Opens the upstream leg with ``websockets``. No handshake timeout of its own (the core bounds
    it and cancels), no proxy from the environment and no compression, as the openai SDK does."""

    async def connect(self, url: str, headers: Headers) -> UpstreamSocket:
        try:
            connection = await _NoRedirects(
                url, additional_headers=headers.items(), user_agent_header=None, compression=None, proxy=None,
                open_timeout=None, close_timeout=CLOSE_TIMEOUT, max_size=MAX_MESSAGE)
        except InvalidStatus as refused:
            response = refused.response
            raise WebSocketRejected(response.status_code, Headers(response.headers.raw_items()),
                                    bytes(response.body or b"")[:_MAX_ERROR_BODY]) from None
        except OSError as error:
            raise TransportError(f"could not connect: {error}", connect=True) from None
        except (InvalidHandshake, InvalidURI, ValueError) as error:
            raise TransportError(f"the WebSocket handshake failed: {error}", connect=True) from None
        return UpstreamSocket(connection)


class UpstreamSocket:
    """The provider's side of a session."""

    def __init__(self, connection: ClientConnection) -> None:
        self._connection = connection

    async def send(self, message: str | bytes) -> None:
        try:
            await self._connection.send(message)
        except ConnectionClosed:
            pass  # the receiving side reports the close

    async def receive(self) -> str | bytes | WebSocketClosed:
        try:
            return await self._connection.recv()
        except ConnectionClosed as closed:
            if closed.rcvd is None:
                return WebSocketClosed(1006, "")
            return WebSocketClosed(closed.rcvd.code, closed.rcvd.reason)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        try:
            await self._connection.close(code, reason)
        except Exception:  # noqa: BLE001 - closing a broken connection has nothing left to report
            pass


class AsgiSocket:
    """The client's side of a session, over ASGI ``receive``/``send`` after ``websocket.accept``."""

    def __init__(self, receive: Any, send: Any) -> None:
        self._receive = receive
        self._send = send
        self._closed = False

    async def receive(self) -> str | bytes | WebSocketClosed:
        while True:
            message = await self._receive()
            if message["type"] == "websocket.receive":
                text = message.get("text")
                return text if text is not None else message.get("bytes") or b""
            if message["type"] == "websocket.disconnect":
                self._closed = True
                code = message.get("code", 1005)
                if code == 1005 and "reason" not in message:
                    code = 1006  # uvicorn reports a dropped connection as 1005 with no reason key
                return WebSocketClosed(code, message.get("reason") or "")

    async def send(self, message: str | bytes) -> None:
        if self._closed:
            return
        event = {"type": "websocket.send", "text": message} if isinstance(message, str) else \
            {"type": "websocket.send", "bytes": message}
        try:
            await self._send(event)
        except Exception:  # noqa: BLE001 - uvicorn's ClientDisconnected: the client left
            self._closed = True

    async def close(self, code: int = 1000, reason: str = "") -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await self._send({"type": "websocket.close", "code": code, "reason": reason})
        except Exception:  # noqa: BLE001
            pass


async def _deny(scope: dict[str, Any], receive: Any, send: Any, response: Response) -> None:
    """An HTTP answer instead of the upgrade (ASGI's WebSocket denial response); a server without
    that extension can only refuse with 403."""
    if "websocket.http.response" not in scope.get("extensions", {}):
        await send({"type": "websocket.close", "code": 1008})
        return
    body = response.body if isinstance(response.body, bytes) else b""
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "websocket.http.response.start", "status": response.status, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": body})
    await _until_gone(receive)


async def _until_gone(receive: Any) -> None:
    """Return only once the denied connection is gone. uvicorn's websockets-sansio protocol marks a
    denied handshake complete only when the connection is lost (its second ``websocket.disconnect``);
    returning earlier makes it log a false "ASGI callable returned without completing handshake"."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(DENIAL_SETTLE_SECONDS):
            for _ in range(2):
                await receive()


async def serve_websocket(scope: dict[str, Any], receive: Any, send: Any, gateway: Gateway) -> None:
    """One ASGI ``websocket`` connection: only ``/v1/realtime`` is a WebSocket route."""
    if (await receive())["type"] != "websocket.connect":
        return
    found = match("GET", scope["path"])
    if found is None or found.fn != "realtime":
        await _deny(scope, receive, send, json_response(404, {"status": "failure",
                                                     "message": "WebSockets are served on /v1/realtime only"}))
        return
    headers = Headers((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"])
    request = Request("GET", scope["path"], scope.get("query_string", b"").decode("latin-1"), headers)
    opened = await Realtime(gateway.settings, WebsocketsConnector(), gateway.clock).open(request)
    if isinstance(opened, Response):
        await _deny(scope, receive, send, opened)
        return
    try:
        await send({"type": "websocket.accept", "subprotocol": opened.subprotocol})
    except Exception:  # noqa: BLE001 - the client left during the upstream handshake
        await opened.abandon()
        return
    await opened.run(AsgiSocket(receive, send))
