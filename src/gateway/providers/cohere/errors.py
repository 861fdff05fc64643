"""Cohere's errors (an error body, a failed generation, a 2xx body of the wrong shape, a failure
mid-stream) as the hub error envelope. Cohere's error body is ``{"message": "..."}`` (v2 adds an ``id``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import Event, MapContext
from ..hub_error import hub_error, invalid_response
from .api import SLUG


def envelope(message: str) -> dict[str, Any]:
    """The hub envelope. Cohere's errors carry no type or code, so both stay None (as upstream)."""
    return hub_error(SLUG, message)


def invalid(body: Any) -> dict[str, Any]:
    return invalid_response(SLUG, body)


def error_response(status: int, data: Any, text: str, ctx: MapContext) -> dict[str, Any]:
    """``{"message": ...}`` -> the hub envelope; a body of another shape (an HTML page from a proxy,
    plain text) is quoted as it came. The HTTP status is the core's to keep."""
    message = data.get("message") if isinstance(data, Mapping) else None
    return envelope(f"{SLUG} error: {message if isinstance(message, str) else text}")


def error_event(message: str) -> Event:
    """A mid-stream failure as a hub error event; no ``DONE`` follows it."""
    return Event({"error": envelope(f"{SLUG} error: {message}")["error"]}, "error")
