"""Cloudflare's API envelope (``{"success": false, "errors": [{code, message}]}``) as the hub's error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import MapContext
from ...transform.json_values import dicts
from ..hub_error import hub_error, invalid_response
from .api import SLUG


def envelope(message: str, code: Any = None) -> dict[str, Any]:
    return hub_error(SLUG, f"{SLUG} error: {message}", None, code)


def invalid(body: Any) -> dict[str, Any]:
    """A 2xx body without the expected ``result``: the core answers 502 with this message."""
    return invalid_response(SLUG, body)


def error_response(status: int, data: Any, text: str, ctx: MapContext) -> dict[str, Any]:
    """Every entry of Cloudflare's ``errors`` list, as upstream joins them; the first code is kept
    as ``code``. A body of another shape (an HTML page from the edge) is quoted as it came."""
    errors = dicts(data.get("errors")) if isinstance(data, Mapping) else []
    if errors:
        message = ", ".join(f"Error {e.get('code')}: {e.get('message')}" for e in errors)
        return envelope(message, errors[0].get("code"))
    return envelope(text)
