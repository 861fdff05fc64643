"""Bytez's error envelope (``{"error": "<message>", "output": null}``) and 2xx bodies of the wrong
shape, as the hub error envelope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import MapContext
from ..hub_error import hub_error, invalid_response
from .api import SLUG


def envelope(message: str) -> dict[str, Any]:
    return hub_error(SLUG, message)


def invalid(body: Any) -> dict[str, Any]:
    return invalid_response(SLUG, body)


def error_response(status: int, data: Any, text: str, ctx: MapContext) -> dict[str, Any]:
    error = data.get("error") if isinstance(data, Mapping) else None
    if isinstance(error, str) and error:
        return envelope(f"{SLUG} error: {error}")
    if isinstance(error, Mapping) and isinstance(error.get("message"), str):
        return envelope(f"{SLUG} error: {error['message']}")
    return envelope(f"{SLUG} error: {text}")
