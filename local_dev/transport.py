"""HttpTransport over one shared aiohttp ClientSession.

Why aiohttp: on this 2-core machine httpx's own pool costs ~2.4 ms CPU per proxied request and
tops out near 400 req/s, aiohttp ~0.15 ms and 6k req/s (DESIGN.md speed table). Native errors
become ``TransportError`` here, so the core never sees an aiohttp exception.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp

from gateway.http import Body, Headers
from gateway.ports import TransportError

_DECODED = ("content-encoding", "content-length")


class AiohttpUpstream:
    """An upstream response whose body is pulled chunk by chunk as it arrives."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self.status = response.status
        self.headers = Headers(
            (k.lower(), v) for k, v in response.headers.items() if k.lower() not in _DECODED)
        if "content-encoding" not in response.headers and "content-length" in response.headers:
            self.headers["content-length"] = response.headers["content-length"]

    async def stream(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except (TimeoutError, aiohttp.ClientError) as error:
            raise TransportError(f"upstream stream broke: {error}") from None

    async def read(self) -> bytes:
        try:
            return await self._response.read()
        except (TimeoutError, aiohttp.ClientError) as error:
            raise TransportError(f"upstream body broke: {error}") from None

    async def close(self) -> None:
        self._response.release() if self._response.content.at_eof() else self._response.close()


class AiohttpTransport:
    """Created per event loop; the session is opened lazily and closed by the ASGI lifespan."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=300, keepalive_timeout=30)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=30),
                skip_auto_headers=("User-Agent",),
            )
        return self._session

    async def send(self, method: str, url: str, headers: Headers, body: Body | None) -> AiohttpUpstream:
        try:
            response = await self._client().request(
                method, url, headers=headers.items(), data=body, allow_redirects=False)
        except aiohttp.ClientConnectorError as error:
            raise TransportError(f"could not connect: {error.os_error or error}", connect=True) from None
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            raise TransportError(f"request failed: {type(error).__name__}: {error}") from None
        return AiohttpUpstream(response)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
