"""Tolerant readers of the JSON values a client or the hub sends: a value of the wrong type reads as empty."""

from __future__ import annotations

from typing import Any


def dicts(value: Any) -> list[dict[str, Any]]:
    """The dict items of a list (a client may send anything; a non-dict block is skipped)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else ""
