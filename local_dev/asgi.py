"""ASGI application: converts ASGI messages to the core's Request and back.

Streaming responses are sent chunk by chunk; a watcher on ``receive`` notices the client
going away and cancels the stream, which closes the upstream request (DESIGN rule 4).
"""

from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import AsyncIterator, Mapping
from typing import Any

from gateway.app import Gateway
from gateway.clock import Clock
from gateway.http import Headers, Request, Response
from gateway.settings import Settings

from .transport import AiohttpTransport

Scope = dict[str, Any]


async def _body(receive: Any) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        chunk = message.get("body", b"")
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


def _request(scope: Scope, receive: Any) -> Request:
    headers = Headers((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"])
    return Request(scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1"),
                   headers, _body(receive))


async def _close(response: Response) -> None:
    body = response.body
    if not isinstance(body, bytes):
        await body.aclose()  # type: ignore[attr-defined]
    if response.on_close is not None:
        result = response.on_close()
        if inspect.isawaitable(result):
            await result


async def _stream(response: Response, send: Any, receive: Any) -> None:
    async def pump() -> None:
        async for chunk in response.body:  # type: ignore[union-attr]
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def watch(task: asyncio.Task[None]) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        task.cancel()

    task = asyncio.ensure_future(pump())
    watcher = asyncio.ensure_future(watch(task))
    try:
        await task
    except asyncio.CancelledError:
        if not task.cancelled():
            raise
    finally:
        watcher.cancel()
        await _close(response)


class GatewayApp:
    """The ASGI callable. One Gateway and one upstream session per process."""

    def __init__(self, env: Mapping[str, str] | None = None, clock: Clock | None = None) -> None:
        self.transport = AiohttpTransport()
        settings = Settings.from_mapping(os.environ if env is None else env)
        self.gateway = Gateway(settings, self.transport, clock)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)
        else:  # websocket: realtime lands in its own issue
            await send({"type": "websocket.close", "code": 1011, "reason": "Realtime is not implemented yet"})

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.transport.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Any, send: Any) -> None:
        response = await self.gateway.handle(_request(scope, receive))
        raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()]
        if isinstance(response.body, bytes):
            raw_headers.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": raw_headers})
        if isinstance(response.body, bytes):
            body = b"" if scope["method"] == "HEAD" else response.body
            await send({"type": "http.response.body", "body": body, "more_body": False})
            return
        await _stream(response, send, receive)


def create_app(env: Mapping[str, str] | None = None, clock: Clock | None = None) -> GatewayApp:
    """Build the app; tests pass their own env and a clock whose sleep returns at once."""
    return GatewayApp(env, clock)
