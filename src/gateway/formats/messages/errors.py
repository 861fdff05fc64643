"""Hub errors as Anthropic's error body and its ``error`` stream event."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ...transform.events import Event
from ...transform.json_values import as_dict

_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 402: "billing_error",
                403: "permission_error", 404: "not_found_error", 408: "timeout_error", 413: "request_too_large",
                429: "rate_limit_error", 504: "timeout_error", 529: "overloaded_error"}


def error(status: int, envelope: Mapping[str, Any]) -> dict[str, Any]:
    """A hub error envelope as Anthropic's error body, which the SDKs map to their exception
    classes by status and Claude Code reads by ``error.type``."""
    envelope = as_dict(envelope)
    kind = _error_type(status, envelope)
    body: dict[str, Any] = {"type": "error", "error": {"type": kind, "message": _error_message(envelope)}}
    if envelope.get("provider"):
        body["provider"] = envelope["provider"]
    return body


def _error_type(status: int, envelope: dict[str, Any]) -> str:
    """By status, as Anthropic's API does; an overloaded provider (often a 503) is
    ``overloaded_error``, which Claude Code retries."""
    if _overloaded(envelope):
        return "overloaded_error"
    if status in _ERROR_TYPES:
        return _ERROR_TYPES[status]
    return "invalid_request_error" if 400 <= status < 500 else "api_error"


def _overloaded(envelope: dict[str, Any]) -> bool:
    return "overloaded" in str(as_dict(envelope.get("error")).get("type") or "")


def _error_message(envelope: dict[str, Any]) -> str:
    """The message wherever the envelope keeps it: OpenAI's ``error.message``, the gateway's
    ``{"status": "failure", "message"}``, a non-JSON upstream's ``html-message``; else the JSON."""
    inner = envelope.get("error")
    if isinstance(inner, dict) and isinstance(inner.get("message"), str):
        return inner["message"]
    if isinstance(inner, str):
        return inner
    for key in ("message", "html-message"):
        if isinstance(envelope.get(key), str):
            return str(envelope[key])
    return json.dumps(envelope, ensure_ascii=False)


def error_event(data: Any) -> Event:
    """A hub error as Anthropic's ``error`` event, on which the SDKs raise."""
    envelope = as_dict(data)
    kind = "overloaded_error" if _overloaded(envelope) else "api_error"
    return Event({"type": "error", "error": {"type": kind, "message": _error_message(envelope)}}, "error")
