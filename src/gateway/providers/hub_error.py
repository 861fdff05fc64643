"""The hub's error envelope for what a provider answered: OpenAI's error object plus ``provider``.
Every translated provider reports its failures so; only the message, type and code differ."""

from __future__ import annotations

from typing import Any

from ..transform.json_values import compact


def hub_error(slug: str, message: str, kind: Any = None, code: Any = None) -> dict[str, Any]:
    """``{"error": {message, type, param, code}, "provider": slug}``; ``type`` only when the provider
    gave a string (anything else would not be OpenAI's shape), ``code`` as the caller made it."""
    error = {"message": message, "type": kind if isinstance(kind, str) else None, "param": None, "code": code}
    return {"error": error, "provider": slug}


def invalid_response(slug: str, body: Any) -> dict[str, Any]:
    """A 2xx body of the wrong shape (the core answers 502 with it), quoted as compact JSON."""
    return hub_error(slug, f"Invalid response received from {slug}: {compact(body)}")
