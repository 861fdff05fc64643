"""Tolerant reading of the JSON values clients and Anthropic send, and compact JSON writing."""

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
    """``value`` when it is a JSON object, else an empty one: lets lookups chain without checks."""
    return value if isinstance(value, Mapping) else _EMPTY


def compact(value: Any) -> str:
    """JSON as ``JSON.stringify`` writes it, so tool arguments match upstream byte for byte."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
