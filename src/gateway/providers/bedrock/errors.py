"""Bedrock's errors as the hub's: an HTTP error body, an ``exception`` frame in a stream (as a hub
error event, or as Anthropic's ``error`` event on native Messages), a 2xx body of the wrong shape.

AWS answers ``{"message": "..."}`` (some services ``Message``) with the error's type in the
``x-amzn-errortype`` header, which a translation does not see; a body that carries ``__type``
(AWS's JSON protocol) gives the type too. The HTTP status is kept by the core (a 403
``InvalidSignatureException`` stays a 403)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import Event, MapContext
from ...transform.json_values import compact
from ..hub_error import hub_error, invalid_response
from .api import SLUG

# exception type -> Anthropic's error type, for native Messages streams
_ANTHROPIC_TYPES = {"throttlingexception": "rate_limit_error", "serviceunavailableexception": "overloaded_error",
                    "validationexception": "invalid_request_error", "accessdeniedexception": "permission_error",
                    "modeltimeoutexception": "timeout_error", "resourcenotfoundexception": "not_found_error"}


def _type(data: Any) -> str | None:
    """``__type`` without its namespace (``com.amazon.coral.service#ThrottlingException``)."""
    kind = data.get("__type") if isinstance(data, Mapping) else None
    return kind.rsplit("#", 1)[-1].split(":", 1)[0] if isinstance(kind, str) and kind else None


def _message(data: Any) -> str | None:
    if isinstance(data, Mapping):
        for key in ("message", "Message"):
            if isinstance(data.get(key), str):
                return str(data[key])
    return None


def envelope(message: str, kind: str | None) -> dict[str, Any]:
    return hub_error(SLUG, message, kind)


def invalid(body: Any) -> dict[str, Any]:
    return invalid_response(SLUG, body)


def error_response(status: int, data: Any, text: str, ctx: MapContext) -> dict[str, Any]:
    """AWS's error body -> the hub envelope; a body of another shape is quoted as it came."""
    message = _message(data)
    return envelope(f"{SLUG} error: {message if message is not None else text}", _type(data))


def hub_error_event(data: Any) -> Event:
    """An ``exception`` frame (``{"__type", "message"}``, see transform/eventstream) -> the hub's
    error event; no ``DONE`` follows it."""
    message = _message(data) or compact(data)
    return Event({"error": envelope(f"{SLUG} error: {message}", _type(data))["error"]}, "error")


def anthropic_error_event(data: Any) -> Event:
    """The same frame as Anthropic's ``error`` event, for a native Messages stream."""
    kind = (_type(data) or "").lower()
    message = f"{SLUG} error: {_message(data) or compact(data)}"
    return Event({"type": "error", "error": {"type": _ANTHROPIC_TYPES.get(kind, "api_error"), "message": message}},
                 "error")
