"""ASGI application: converts ASGI messages to the core's Request and back.

One watcher per request listens for ``http.disconnect`` once the request body has been read
and cancels the work in flight, whether the gateway is still waiting on the provider or
streaming its answer; cancelling closes the upstream request (DESIGN rule 4), so a client
that hangs up stops paying for tokens.
"""

from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

from gateway.app import Gateway
from gateway.clock import Clock
from gateway.http import Headers, Request, Response
from gateway.ports import TransportError
from gateway.serverconfig import ServerConfigError
from gateway.settings import Settings

from .observe import observability
from .realtime import serve_websocket
from .transport import AiohttpTransport

if TYPE_CHECKING:
    from .redis_store import RedisStore

Scope = dict[str, Any]


class Inbox:
    """Owns ASGI ``receive``: body chunks go to the core; after the last one, the only message
    left to wait for is the disconnect, so the watcher may take over ``receive`` safely."""

    def __init__(self, receive: Any, headers: Headers) -> None:
        self._receive = receive
        self.body_read = asyncio.Event()
        if headers.get("content-length") in (None, "0") and "transfer-encoding" not in headers:
            self.body_read.set()

    async def body(self) -> AsyncIterator[bytes]:
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            if not message.get("more_body", False):
                self.body_read.set()
            if chunk:
                yield chunk
            if self.body_read.is_set():
                return

    async def cancel_on_disconnect(self, work: asyncio.Future[None]) -> None:
        await self.body_read.wait()
        while (await self._receive())["type"] != "http.disconnect":
            pass
        work.cancel()


def _request(scope: Scope, headers: Headers, inbox: Inbox) -> Request:
    query = scope.get("query_string", b"").decode("latin-1")
    body = inbox.body() if not inbox.body_read.is_set() else b""
    return Request(scope["method"], scope["path"], query, headers, body)


async def _close(response: Response) -> None:
    body = response.body
    if not isinstance(body, bytes):
        await body.aclose()  # type: ignore[attr-defined]
    if response.on_close is not None:
        result = response.on_close()
        if inspect.isawaitable(result):
            await result


async def _send(response: Response, send: Any, head_only: bool) -> None:
    raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()]
    if isinstance(response.body, bytes):
        raw_headers.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": b"" if head_only else response.body})
        return
    await send({"type": "http.response.start", "status": response.status, "headers": raw_headers})
    try:
        async for chunk in response.body:
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    except TransportError:
        return  # the upstream broke mid-body (logged): left unfinished, uvicorn aborts it and the client knows
    finally:
        await _close(response)


def load_settings(env: Mapping[str, str]) -> Settings:
    """Settings from the environment plus the server-side config file named by
    ``GATEWAY_CONFIG_FILE`` (JSON, or TOML by its ``.toml`` suffix). Raises ``ServerConfigError``
    with the reason when the file is missing or invalid: the server must not start on a guess."""
    path = env.get("GATEWAY_CONFIG_FILE")
    if not path:
        return Settings.from_mapping(env)
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as error:
        raise ServerConfigError(f"GATEWAY_CONFIG_FILE {path}: {error.strerror or error}") from None
    return Settings.from_mapping(env, text, "toml" if path.endswith(".toml") else "json")


def _store(env: Mapping[str, str]) -> RedisStore | None:
    """Redis when ``REDIS_URL`` is set (processes and machines share the cache), else None: the
    core's bounded in-memory store."""
    url = (env.get("REDIS_URL") or "").strip()
    if not url:
        return None
    from .redis_store import RedisStore  # the redis client loads only when it is used

    return RedisStore(url)


class GatewayApp:
    """The ASGI callable. One Gateway and one upstream session per process."""

    def __init__(self, env: Mapping[str, str] | None = None, clock: Clock | None = None) -> None:
        self.transport = AiohttpTransport()
        env = os.environ if env is None else env
        settings = load_settings(env)
        clock = clock or Clock()
        self.store = _store(env)
        self.gateway = Gateway(settings, self.transport, clock, store=self.store,
                               observe=observability(settings, self.transport, clock))

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)
        else:  # websocket: /v1/realtime, bridged in local_dev/realtime.py
            with self.gateway.observe.realtime_session():  # gateway_realtime_sessions while it is open
                await serve_websocket(scope, receive, send, self.gateway)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.gateway.observe.close()  # ends live-log feeds, sends queued spans
                await self.transport.close()
                if self.store is not None:
                    await self.store.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Any, send: Any) -> None:
        headers = Headers((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"])
        inbox = Inbox(receive, headers)
        work = asyncio.ensure_future(self._answer(scope, headers, inbox, send))
        watcher = asyncio.ensure_future(inbox.cancel_on_disconnect(work))
        try:
            await work
        except asyncio.CancelledError:
            if not work.cancelled() or not watcher.done():
                raise  # the server cancelled us, not the client's hang-up
        finally:
            watcher.cancel()

    async def _answer(self, scope: Scope, headers: Headers, inbox: Inbox, send: Any) -> None:
        response = await self.gateway.handle(_request(scope, headers, inbox))
        await _send(response, send, head_only=scope["method"] == "HEAD")


def create_app(env: Mapping[str, str] | None = None, clock: Clock | None = None) -> GatewayApp:
    """Build the app; tests pass their own env and a clock whose sleep returns at once."""
    return GatewayApp(env, clock)
