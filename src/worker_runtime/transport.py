"""``HttpTransport`` over the Workers ``fetch``: the only way out of a Worker.

Why a class per response: the core owns the upstream body as a byte stream and must be able
to drop it early (client gone, retry on another target), so each response keeps its
``AbortController`` and aborting is how the TCP work upstream stops.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from js import AbortController, FixedLengthStream, Object, fetch
from pyodide.ffi import JsException, create_once_callable, to_js

from gateway.http import Body, Headers
from gateway.ports import TransportError

from . import headers as header_conv
from .streams import iter_readable_stream, readable_stream_from

# workerd decodes these transparently when the body is read (fetch's encodeBody "automatic"),
# so passing the header on would make the client try to decode plain bytes a second time.
_DECODED_BY_RUNTIME = frozenset({"gzip", "x-gzip", "br"})
_NO_BODY_METHODS = frozenset({"GET", "HEAD"})


class JsFetchTransport:
    """Send requests with JS ``fetch``; JS errors become ``TransportError``."""

    async def send(self, method: str, url: str, headers: Headers, body: Body | None) -> JsUpstreamResponse:
        controller = AbortController.new()
        init: dict[str, Any] = {
            "method": method,
            "headers": header_conv.to_js(headers),
            "signal": controller.signal,
        }
        if method.upper() not in _NO_BODY_METHODS and body is not None:
            if isinstance(body, (bytes, bytearray)):
                if body:
                    init["body"] = to_js(bytes(body))
            else:
                init["body"] = _upload_stream(body, headers.get("content-length"))
        try:
            js_response = await fetch(url, to_js(init, dict_converter=Object.fromEntries))
        except asyncio.CancelledError:
            controller.abort()
            raise
        except JsException as exc:
            raise TransportError(f"fetch {method} {url} failed: {_message(exc)}", connect=True) from None
        return JsUpstreamResponse(js_response, controller)


class JsUpstreamResponse:
    """Status and headers now, body pulled chunk by chunk; ``close`` aborts what is left."""

    def __init__(self, js_response: Any, controller: Any) -> None:
        self._js_response = js_response
        self._controller = controller
        self._closed = False
        self.status: int = int(js_response.status)
        self.headers: Headers = _upstream_headers(js_response.headers)

    def stream(self) -> AsyncIterator[bytes]:
        body = self._js_response.body
        if body is None:
            return _empty()
        return self._guarded(iter_readable_stream(body, on_error=_mid_stream_error))

    async def _guarded(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        try:
            async for chunk in chunks:
                yield chunk
        except asyncio.CancelledError:
            self._abort()
            raise

    async def read(self) -> bytes:
        parts = [chunk async for chunk in self.stream()]
        return b"".join(parts)

    async def close(self) -> None:
        self._abort()

    def _abort(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                self._controller.abort()
            except JsException:
                pass


def _upload_stream(chunks: AsyncIterator[bytes], content_length: str | None) -> Any:
    """A streamed request body. With a known length it goes through workerd's
    ``FixedLengthStream`` so the upstream gets ``Content-Length`` (some providers refuse
    chunked uploads); otherwise fetch sends it chunked."""
    stream = readable_stream_from(chunks)
    if not content_length or not content_length.strip().isdigit():
        return stream
    fixed = FixedLengthStream.new(int(content_length))
    # A failing source errors ``fixed.readable`` and so the fetch; the pipe's own rejection is noise.
    stream.pipeTo(fixed.writable).catch(create_once_callable(lambda _error: None))
    return fixed.readable


def _upstream_headers(js_headers: Any) -> Headers:
    headers = header_conv.from_js(js_headers)
    encoding = (headers.get("content-encoding") or "").strip().lower()
    if encoding in _DECODED_BY_RUNTIME:
        headers.pop("content-encoding")
        headers.pop("content-length")
    return headers


def _mid_stream_error(exc: JsException) -> Exception:
    return TransportError(f"upstream body failed: {_message(exc)}", connect=False)


def _message(exc: JsException) -> str:
    return str(getattr(exc, "message", None) or exc)


async def _empty() -> AsyncIterator[bytes]:
    return
    yield b""  # pragma: no cover - makes this an async generator
