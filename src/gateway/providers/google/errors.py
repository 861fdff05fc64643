"""Gemini's errors (an error body, an error inside a stream, a 2xx body of the wrong shape) as
the hub error envelope. The provider slug comes from the context, so Vertex AI's errors name it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import Event, MapContext
from ..hub_error import hub_error, invalid_response


def _envelope(slug: str, message: str, kind: Any = None, code: Any = None) -> dict[str, Any]:
    return hub_error(slug, message, kind, str(code) if isinstance(code, (int, str)) and not isinstance(code, bool)
                     else None)


def google_error(data: Any) -> Mapping[str, Any] | None:
    """The ``error`` object of Google's ``{"error": {code, message, status, details}}``, also
    when it comes wrapped in a JSON array (``:streamGenerateContent`` without ``alt=sse``)."""
    if isinstance(data, list) and data:
        data = data[0]
    error = data.get("error") if isinstance(data, Mapping) else None
    return error if isinstance(error, Mapping) else None


def invalid(body: Any, ctx: MapContext) -> dict[str, Any]:
    return invalid_response(ctx.provider, body)


def error_response(status: int, data: Any, text: str, ctx: MapContext) -> dict[str, Any]:
    """Google's message, ``type`` = its status string (``RESOURCE_EXHAUSTED``...), ``code`` = its
    numeric code as a string (OpenAI's ``code`` is a string). The core keeps the HTTP status. A
    body that is not Google's shape (an HTML page from a proxy) is quoted as it came."""
    error = google_error(data)
    if error is not None and isinstance(error.get("message"), str):
        return _envelope(ctx.provider, f"{ctx.provider} error: {error['message']}", error.get("status"),
                         error.get("code"))
    return _envelope(ctx.provider, f"{ctx.provider} error: {text}")


def error_event(error: Mapping[str, Any], ctx: MapContext) -> Event:
    """An error sent inside a stream becomes a hub error event; nothing follows it."""
    envelope = _envelope(ctx.provider, f"{ctx.provider} error: {error.get('message', '')}", error.get("status"),
                         error.get("code"))
    return Event({"error": envelope["error"]}, "error")
