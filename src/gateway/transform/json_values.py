"""Tolerant reading of the JSON that clients and providers send (a value of the wrong type
reads as empty, so a mapper never raises on odd input), and compact JSON writing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness, which upstream's config refinements use (``[]`` and ``{}`` are truthy)."""
    if value is None or value is False or value == "":
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value != 0 and value == value  # NaN is falsy
    return True


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """An int or a float, not a bool (JSON's true would pass ``isinstance(value, int)``)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def as_int(value: Any) -> int:
    """A token count, 0 when absent or not an integer."""
    return value if is_int(value) else 0


def obj(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a JSON object, else a read-only empty one: lookups chain without checks."""
    return value if isinstance(value, Mapping) else _EMPTY


def as_dict(value: Any) -> dict[str, Any]:
    """Like ``obj``, for callers that need a ``dict`` (a fresh empty one when not a dict)."""
    return value if isinstance(value, dict) else {}


def dicts(value: Any) -> list[dict[str, Any]]:
    """The dict items of a list (a client may send anything; a non-dict block is skipped)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def strings(value: Any) -> list[str]:
    """A string or a list (OpenAI's ``stop``) as the list of its non-empty strings; anything else is ``[]``."""
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [item for item in items if isinstance(item, str) and item]


def arguments_object(raw: Any) -> dict[str, Any]:
    """A tool call's arguments as a JSON object. OpenAI sends them as a JSON string; Anthropic,
    Converse, Gemini and Reka want the object. An object passes as it is; anything unparsable, or
    JSON that is not an object, becomes ``{}`` (the mapper never raises on a client's odd input)."""
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        value = json.loads(raw) if isinstance(raw, str) and raw else {}
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def compact(value: Any) -> str:
    """JSON as ``JSON.stringify`` writes it, so tool arguments match upstream byte for byte."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
