"""The cache's settings, read by ``Settings.from_mapping`` from the adapter's environment.

``CACHE_MAX_BYTES`` bounds the in-memory store (the default backend: least recently used entries go
first once the values reach it); ``CACHE_MAX_ENTRY_BYTES`` is the largest answer any backend keeps
(Workers KV allows 25 MiB a value; Redis is memory the operator pays for).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_MAX_BYTES = 64 << 20
DEFAULT_MAX_ENTRY_BYTES = 4 << 20


def _bytes(env: Mapping[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    try:
        value = int(raw) if raw else default
    except ValueError:
        value = -1
    if value <= 0:
        from ..serverconfig import ServerConfigError

        raise ServerConfigError(f"{name} must be a positive number of bytes, not {raw!r}")
    return value


@dataclass(frozen=True)
class CacheSettings:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_entry_bytes: int = DEFAULT_MAX_ENTRY_BYTES

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> CacheSettings:
        return cls(_bytes(env, "CACHE_MAX_BYTES", DEFAULT_MAX_BYTES),
                   _bytes(env, "CACHE_MAX_ENTRY_BYTES", DEFAULT_MAX_ENTRY_BYTES))
