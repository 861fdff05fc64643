"""The core's three doors to the world: HTTP transport, key-value store, WebSocket connector.

Each runtime implements them (aiohttp / JS fetch / fakes in tests); native errors are
translated into ``TransportError`` at the seam so the core never sees a runtime exception.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from .http import Body, Headers


class TransportError(Exception):
    """An upstream could not be reached or broke mid-way (DNS, refused, reset, TLS)."""

    def __init__(self, message: str, *, connect: bool = False) -> None:
        super().__init__(message)
        self.connect = connect


class UpstreamResponse(Protocol):
    """Status and headers are known; the body is pulled as a byte stream and must be closed."""

    status: int
    headers: Headers

    def stream(self) -> AsyncIterator[bytes]: ...

    async def read(self) -> bytes: ...

    async def close(self) -> None: ...


class HttpTransport(Protocol):
    """Send one request. Cancelling the awaiting task must abort the upstream request."""

    async def send(self, method: str, url: str, headers: Headers, body: Body | None) -> UpstreamResponse: ...


class KeyValueStore(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def put(self, key: str, value: bytes, ttl_seconds: int | None = None) -> None: ...

    async def delete(self, key: str) -> None: ...


@dataclass(frozen=True)
class WebSocketClosed:
    """What ``WebSocket.receive`` answers once the peer has closed: its close code and reason as
    received, 1005 when its close frame had no code, 1006 when it vanished without one."""

    code: int = 1005
    reason: str = ""


class WebSocketRejected(TransportError):
    """The upstream answered the WebSocket upgrade with a plain HTTP response (not 101): its status,
    headers and (short) body, so the client can get the provider's own error before any upgrade."""

    def __init__(self, status: int, headers: Headers, body: bytes = b"") -> None:
        super().__init__(f"the upstream refused the WebSocket upgrade with HTTP {status}", connect=True)
        self.status = status
        self.headers = headers
        self.body = body


class WebSocket(Protocol):
    """One open WebSocket, either leg. Frames keep their type: ``str`` is a text frame, ``bytes`` a
    binary one. ``send`` after the peer closed does nothing (``receive`` reports the close);
    ``close`` is idempotent and never raises."""

    async def send(self, message: str | bytes) -> None: ...

    async def receive(self) -> str | bytes | WebSocketClosed: ...

    async def close(self, code: int = 1000, reason: str = "") -> None: ...


class WebSocketConnector(Protocol):
    """Open the upstream leg: the returned socket has completed its handshake. Raises
    ``WebSocketRejected`` for an HTTP answer, ``TransportError`` when unreachable; redirects are
    never followed (the SSRF guard checked only the first URL)."""

    async def connect(self, url: str, headers: Headers) -> WebSocket: ...
