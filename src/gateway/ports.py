"""The core's three doors to the world: HTTP transport, key-value store, WebSocket connector.

Each runtime implements them (aiohttp / JS fetch / fakes in tests); native errors are
translated into ``TransportError`` at the seam so the core never sees a runtime exception.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
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


class WebSocket(Protocol):
    async def send(self, message: str | bytes) -> None: ...

    async def receive(self) -> str | bytes | None: ...

    async def close(self, code: int = 1000, reason: str = "") -> None: ...


class WebSocketConnector(Protocol):
    async def connect(self, url: str, headers: Headers) -> WebSocket: ...
