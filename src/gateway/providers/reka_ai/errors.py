"""Reka's errors (FastAPI's ``{"detail": ...}``, a string or a list of validation errors) and 2xx
bodies of the wrong shape, as the hub error envelope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import MapContext
from ...transform.json_values import compact
from ..hub_error import hub_error, invalid_response
from .api import SLUG


def envelope(message: str, kind: Any = None) -> dict[str, Any]:
    return hub_error(SLUG, message, kind)


def invalid(body: Any) -> dict[str, Any]:
    return invalid_response(SLUG, body)


def _detail_text(detail: Any) -> str:
    """A string detail as it is; FastAPI's validation list as ``loc: msg`` items (what a user needs)."""
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list) and detail and all(isinstance(d, Mapping) and "msg" in d for d in detail):
        return "; ".join(f"{'.'.join(str(p) for p in d.get('loc') or [])}: {d['msg']}".lstrip(": ") for d in detail)
    return compact(detail)


def error_response(status: int, data: Any, text: str, ctx: MapContext) -> dict[str, Any]:
    if isinstance(data, Mapping) and "detail" in data:
        return envelope(f"{SLUG} error: {_detail_text(data['detail'])}")
    error = data.get("error") if isinstance(data, Mapping) else None
    if isinstance(error, Mapping) and isinstance(error.get("message"), str):
        return envelope(f"{SLUG} error: {error['message']}", error.get("type"))
    if isinstance(error, str):
        return envelope(f"{SLUG} error: {error}")
    return envelope(f"{SLUG} error: {text}")
