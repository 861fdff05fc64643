"""Anthropic's errors (an error body, a mid-stream ``error`` event, a 2xx body of the wrong shape)
as the hub error envelope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import Event, MapContext
from ...transform.json_values import obj
from ..hub_error import hub_error, invalid_response
from .api import SLUG


def _envelope(message: str, kind: Any) -> dict[str, Any]:
    return hub_error(SLUG, message, kind)


def invalid(body: Any) -> dict[str, Any]:
    return invalid_response(SLUG, body)


def error_response(status: int, data: Any, text: str, ctx: MapContext) -> dict[str, Any]:
    """Anthropic's ``{"type":"error","error":{type,message}}`` -> the hub envelope; a body that is
    not that shape (HTML from a proxy, plain text) is quoted as it came."""
    error = data.get("error") if isinstance(data, Mapping) else None
    if isinstance(error, Mapping) and isinstance(error.get("message"), str):
        return _envelope(f"{SLUG} error: {error['message']}", error.get("type"))
    return _envelope(f"{SLUG} error: {text}", None)


def error_event(data: Mapping[str, Any]) -> Event:
    """A mid-stream ``error`` event becomes a hub error event; no ``DONE`` follows it."""
    error = obj(data.get("error"))
    envelope = _envelope(f"{SLUG} error: {error.get('message', '')}", error.get("type"))
    return Event({"error": envelope["error"]}, "error")
