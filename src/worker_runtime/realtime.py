"""``/v1/realtime`` in a Worker: the upstream leg is a ``fetch`` with ``Upgrade: websocket`` (a JS
``WebSocket`` cannot send the auth headers), the client leg the server half of a ``WebSocketPair``
that is accepted only once the provider has accepted; the core's bridge relays between them.

At the edge the bridge runs in the ``RealtimeBridge`` Durable Object, one per session
(``src/entry.py``); without that binding (the offline legacy runtime has no Python Durable
Objects) it runs in the Worker itself, which is how the workerd tests exercise this module.
"""

from __future__ import annotations

import asyncio
import json
import traceback
from typing import Any

from js import AbortController, Object, Promise, WebSocketPair, fetch
from js import Response as JsResponse
from pyodide.ffi import JsException, create_once_callable, create_proxy, to_js

from gateway.http import Headers, Response
from gateway.ports import TransportError, WebSocketClosed, WebSocketRejected
from gateway.realtime import Realtime
from gateway.realtime.closing import sendable
from gateway.serverconfig import ServerConfigError
from gateway.settings import Settings

from . import headers as header_conv
from .convert import request_from_js, response_to_js
from .env import EnvVars

_MAX_ERROR_BODY = 64 << 10


def is_realtime_upgrade(js_request: Any) -> bool:
    """``GET /v1/realtime`` asking for a WebSocket (anything else is plain HTTP for the gateway)."""
    upgrade = js_request.headers.get("upgrade")
    if not upgrade or str(upgrade).lower() != "websocket":
        return False
    path = str(js_request.url).split("?", 1)[0].split("://", 1)[-1].partition("/")[2]
    return "/" + path.rstrip("/") == "/v1/realtime"


async def open_realtime(js_request: Any, env: Any, ctx: Any = None) -> Any:
    """A session goes to a fresh ``RealtimeBridge`` Durable Object when the Worker has the
    ``REALTIME`` binding, else it is bridged here."""
    namespace = _binding(env, "REALTIME")
    if namespace is None:
        return await bridge(js_request, env, ctx)
    try:
        stub = namespace.get(namespace.newUniqueId())
        return await stub.fetch(js_request)
    except JsException:
        traceback.print_exc()
        return _failure(500, "The realtime Durable Object could not be reached")


async def bridge(js_request: Any, env: Any, ctx: Any = None) -> Any:
    """Open the upstream leg, then answer 101 with the client half of a ``WebSocketPair`` and relay
    in the background; any failure before that is an HTTP answer with a JSON body. ``ctx`` (the
    request's or the Durable Object's) keeps the relay alive with ``waitUntil`` until both legs have
    closed: without it the runtime may stop the relay once the client's side is gone, before the
    provider's leg has finished closing."""
    js_request = getattr(js_request, "js_object", js_request)
    try:
        settings = Settings.from_mapping(EnvVars(env))
    except ServerConfigError as error:
        return _failure(500, f"The gateway's server-side configuration is invalid: {error}")
    try:
        return await _bridge(js_request, settings, ctx)
    except Exception:  # the core answers its own errors; this only catches adapter bugs, so log loudly
        traceback.print_exc()
        return _failure(500, "Internal error in the Workers adapter")


async def _bridge(js_request: Any, settings: Settings, ctx: Any) -> Any:
    opened = await Realtime(settings, JsWebSocketConnector()).open(await request_from_js(js_request))
    if isinstance(opened, Response):
        return await response_to_js(opened)
    client, server = WebSocketPair.new().object_values()
    server.accept()
    client_leg = JsWebSocket(server)
    # The JS event listeners hold client_leg, so holding the task there keeps it from being collected.
    client_leg.session = asyncio.ensure_future(opened.run(client_leg))
    if ctx is not None:
        ctx.waitUntil(_settled(client_leg.session))
    headers = Headers({"sec-websocket-protocol": opened.subprotocol} if opened.subprotocol else {})
    init = {"status": 101, "webSocket": client, "headers": header_conv.to_js(headers)}
    return JsResponse.new(None, to_js(init, dict_converter=Object.fromEntries))


class JsWebSocketConnector:
    """The upstream leg: ``fetch`` with ``Upgrade: websocket``; redirects are not followed."""

    async def connect(self, url: str, headers: Headers) -> JsWebSocket:
        http_url = "http" + url[2:] if url.startswith(("ws://", "wss://")) else url
        js_headers = header_conv.to_js(headers)
        js_headers.set("upgrade", "websocket")
        controller = AbortController.new()
        init = {"method": "GET", "headers": js_headers, "signal": controller.signal, "redirect": "manual"}
        try:
            response = await fetch(http_url, to_js(init, dict_converter=Object.fromEntries))
        except asyncio.CancelledError:  # the handshake took too long: stop it
            controller.abort()
            raise
        except JsException as error:
            raise TransportError(f"could not connect: {getattr(error, 'message', None) or error}", connect=True) \
                from None
        socket = response.webSocket
        if socket is None:
            body = (await response.arrayBuffer()).to_bytes()[:_MAX_ERROR_BODY]
            raise WebSocketRejected(int(response.status), header_conv.from_js(response.headers), body)
        socket.accept()
        return JsWebSocket(socket)


class JsWebSocket:
    """An accepted workerd ``WebSocket`` as the core's port: its events (JS callbacks) go into a
    queue that ``receive`` awaits, so frames keep their order."""

    def __init__(self, socket: Any) -> None:
        self._socket = socket
        self._queue: asyncio.Queue[str | bytes | WebSocketClosed] = asyncio.Queue()
        self._close_sent = False
        self._finished = False
        self.session: asyncio.Future[Any] | None = None
        self._proxies = [create_proxy(self._on_message), create_proxy(self._on_close), create_proxy(self._on_error)]
        for event, proxy in zip(("message", "close", "error"), self._proxies, strict=True):
            socket.addEventListener(event, proxy)

    def _on_message(self, event: Any) -> None:
        data = event.data
        self._queue.put_nowait(data if isinstance(data, str) else data.to_bytes())

    def _on_close(self, event: Any) -> None:
        """The peer's close. workerd (before the 2026-04-07 ``web_socket_auto_reply_to_close`` default)
        waits for the application to answer it: the relay does, with ``close``, once the other leg is
        closed too, so the client's request (and with it the upstream fetch) lives until then."""
        self._finish(WebSocketClosed(int(event.code), str(event.reason or "")))
        asyncio.get_event_loop().call_soon(self._release)

    def _on_error(self, _event: Any) -> None:
        self._finish(WebSocketClosed(1006, ""))

    def _finish(self, close: WebSocketClosed) -> None:
        if not self._finished:
            self._finished = True
            self._queue.put_nowait(close)

    def _release(self) -> None:
        """Drop the message and close listeners once closed. The error listener stays: workerd reports
        the peer's TCP close after the closing handshake as an ``error`` event ("Network connection
        lost"), which would otherwise be logged as an uncaught error."""
        for event, proxy in zip(("message", "close"), self._proxies[:2], strict=True):
            try:
                self._socket.removeEventListener(event, proxy)
                proxy.destroy()
            except Exception:  # noqa: BLE001
                pass
        del self._proxies[:2]

    async def receive(self) -> str | bytes | WebSocketClosed:
        return await self._queue.get()

    async def send(self, message: str | bytes) -> None:
        if self._finished or self._close_sent:
            return  # the relay's pumps stop at the close; a frame after it has nowhere to go
        try:
            self._socket.send(message if isinstance(message, str) else to_js(message))
        except JsException:
            self._finish(WebSocketClosed(1006, ""))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        if self._close_sent:
            return
        self._close_sent = True
        try:
            self._socket.close(code if sendable(code) else 1000, reason)
        except JsException:
            pass


def _settled(task: asyncio.Future[Any]) -> Any:
    """A JS promise that resolves when ``task`` is done."""
    def executor(resolve: Any, _reject: Any) -> None:
        task.add_done_callback(lambda _done: resolve())

    return Promise.new(create_once_callable(executor))


def _binding(env: Any, name: str) -> Any:
    try:
        return getattr(env, name)
    except (AttributeError, JsException):
        return None


def _failure(status: int, message: str) -> Any:
    init = {"status": status, "headers": header_conv.to_js(Headers({"content-type": "application/json"}))}
    return JsResponse.new(json.dumps({"status": "failure", "message": message}),
                          to_js(init, dict_converter=Object.fromEntries))
