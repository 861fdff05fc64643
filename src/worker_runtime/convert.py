"""JS ``Request`` -> core ``Request`` and core ``Response`` -> JS ``Response``.

Why the split on content type: JSON (the chat/completions bodies) is parsed by the core, so it
is read whole; anything else (multipart audio/file uploads) is handed over as a stream so it
can be passed upstream without being held in memory.
"""

from __future__ import annotations

import inspect
from typing import Any
from urllib.parse import unquote, urlsplit

from js import Object
from js import Response as JsResponse
from pyodide.ffi import to_js

from gateway.http import Body, Request, Response

from . import headers as header_conv
from .streams import iter_readable_stream, readable_stream_from

_READ_WHOLE_TYPES = ("application/json", "application/x-www-form-urlencoded", "text/")
_NULL_BODY_STATUSES = frozenset({101, 204, 205, 304})


async def request_from_js(js_request: Any) -> Request:
    """Decode method, path (percent-decoded, like ASGI ``path``), raw query, headers, body."""
    url = urlsplit(str(js_request.url))
    headers = header_conv.from_js(js_request.headers)
    body: Body = b""
    if js_request.body is not None:
        content_type = (headers.get("content-type") or "").lower()
        if not content_type or content_type.startswith(_READ_WHOLE_TYPES) or "+json" in content_type:
            body = (await js_request.arrayBuffer()).to_bytes()
        else:
            body = iter_readable_stream(js_request.body)
    return Request(
        method=str(js_request.method).upper(),
        path=unquote(url.path) or "/",
        query=url.query,
        headers=headers,
        body=body,
    )


async def response_to_js(response: Response) -> Any:
    """Build the JS response; a streamed body becomes a pull-driven ``ReadableStream``."""
    init = to_js(
        {"status": response.status, "headers": header_conv.to_js(response.headers)},
        dict_converter=Object.fromEntries,
    )
    if response.streaming:
        return JsResponse.new(readable_stream_from(response.body, response.on_close), init)  # type: ignore[arg-type]
    # Whole body: nothing upstream is left open, so release it now.
    if response.on_close is not None:
        outcome = response.on_close()
        if inspect.isawaitable(outcome):
            await outcome
    body = response.body if response.status not in _NULL_BODY_STATUSES else b""
    return JsResponse.new(to_js(body) if body else None, init)
