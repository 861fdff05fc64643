"""OCI's errors (``{"code": "NotAuthenticated", "message": ...}``) and 2xx bodies of the wrong shape,
as the hub error envelope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import MapContext
from ..hub_error import hub_error, invalid_response
from .api import SLUG


def envelope(message: str, code: Any = None) -> dict[str, Any]:
    kind = str(code) if code is not None else None
    return hub_error(SLUG, message, kind, kind)


def invalid(body: Any) -> dict[str, Any]:
    return invalid_response(SLUG, body)


def error_response(status: int, data: Any, text: str, ctx: MapContext) -> dict[str, Any]:
    """OCI's ``code`` is both the type and the code, as upstream reports it."""
    if isinstance(data, Mapping) and isinstance(data.get("message"), str):
        return envelope(f"{SLUG} error: {data['message']}", data.get("code"))
    return envelope(f"{SLUG} error: {text}")
