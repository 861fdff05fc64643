"""Tolerant reading of the JSON that clients and providers send (a value of the wrong type
reads as empty, so a mapper never raises on odd input), and compact JSON writing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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


def compact(value: Any) -> str:
    """JSON as ``JSON.stringify`` writes it, so tool arguments match upstream byte for byte."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
