"""Vertex AI's error bodies as the hub error envelope, whatever the model's family.

Vertex's own front end (auth, quota, a model not found) answers Google's shape
``{"error": {"code", "message", "status"}}`` for every publisher (sometimes wrapped in a list);
Claude's own failures come in Anthropic's
``{"type": "error", "error": {"type", "message"}}``. Each shape goes to the mapper that knows it:
Gemini's (the ``google`` provider's) and Anthropic's, relabelled ``vertex-ai``."""

from __future__ import annotations

from typing import Any

from ...transform.events import MapContext
from .. import anthropic, google
from .relabel import relabel


def error_response(status: int, data: Any, text: str, ctx: MapContext) -> dict[str, Any]:
    if isinstance(data, dict) and data.get("type") == "error":
        return relabel(anthropic.error_response(status, data, text, ctx), anthropic.SLUG, ctx.provider)
    return google.CHAT.error(status, data, text, ctx)
