"""Stability's errors (v1 ``{id, name, message}``, v2beta ``{id, name, errors: [...]}``) and 2xx
bodies of the wrong shape, as the hub error envelope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import MapContext
from ..hub_error import hub_error, invalid_response
from .api import SLUG


def envelope(message: str, kind: Any = None) -> dict[str, Any]:
    return hub_error(SLUG, message, kind)


def invalid(body: Any) -> dict[str, Any]:
    return invalid_response(SLUG, body)


def error_response(status: int, data: Any, text: str, ctx: MapContext) -> dict[str, Any]:
    """The error's ``name`` (``bad_request``, ``content_moderation``...) becomes the type."""
    if isinstance(data, Mapping):
        errors = data.get("errors")
        if isinstance(errors, list) and errors:
            return envelope(f"{SLUG} error: {', '.join(str(e) for e in errors)}", data.get("name"))
        if isinstance(data.get("message"), str):
            return envelope(f"{SLUG} error: {data['message']}", data.get("name"))
    return envelope(f"{SLUG} error: {text}")
