"""What a leaf's ``cache`` setting asks for, and the reads and writes it makes.

Statuses (``x-portkey-cache-status``): ``DISABLED`` when the leaf has no cache config or its
endpoint is not cacheable, ``HIT``/``MISS`` after a lookup, ``REFRESH`` when the request carries
``x-portkey-cache-force-refresh`` (no lookup; a success is stored again), and ``MISS`` for
``semantic`` mode, which this gateway does not offer (nothing is looked up or stored).

A store that fails (Redis down) reads as a miss and drops the write: a cache never fails a request.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..clock import Clock
from ..ports import KeyValueStore
from .entry import Entry, decode, encode

CACHEABLE_FNS = frozenset({"chatComplete", "complete", "embed", "messages", "messagesCountTokens",
                           "imageGenerate", "createModelResponse"})
"""JSON endpoints whose answer depends only on the request. Files, batches, fine-tunes, uploads and
image edits create or read server-side state, as upstream's exclusion list says."""
STREAMABLE_FNS = frozenset({"chatComplete", "complete", "messages"})
"""Endpoints whose streams are assembled into a stored answer and replayed from one."""
DEFAULT_MAX_AGE = 86400
REFRESH_HEADER = "x-portkey-cache-force-refresh"
log = logging.getLogger("gateway.cache")


@dataclass(frozen=True)
class CachePolicy:
    mode: str
    max_age: float
    refresh: bool

    @property
    def active(self) -> bool:
        """Whether this request reads or writes the cache at all."""
        return self.mode == "simple" and self.max_age > 0


def policy_for(cache: Any, fn: str, body_kind: str, streaming: bool, headers: Mapping[str, Any] | Any) -> \
        CachePolicy | None:
    """The policy of a leaf whose inherited ``cache`` setting is ``cache``, or None (``DISABLED``)."""
    if not isinstance(cache, Mapping) or not cache.get("mode"):
        return None
    if fn not in CACHEABLE_FNS or body_kind != "json" or (streaming and fn not in STREAMABLE_FNS):
        return None
    raw = cache.get("max_age")
    max_age = float(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else DEFAULT_MAX_AGE
    return CachePolicy(str(cache["mode"]), max_age, headers.get(REFRESH_HEADER) is not None)


class ResponseCache:
    """Reads and writes of answers through the key-value port, with the expiry inside the entry."""

    def __init__(self, store: KeyValueStore, clock: Clock, max_entry_bytes: int) -> None:
        self.store = store
        self.clock = clock
        self.max_entry_bytes = max_entry_bytes

    async def get(self, key: str) -> Entry | None:
        try:
            raw = await self.store.get(key)
        except Exception as error:  # noqa: BLE001 - a cache read never fails a request
            log.warning("cache read failed, treated as a miss: %s", error)
            return None
        return decode(raw, self.clock.time()) if raw is not None else None

    async def put(self, key: str, body: bytes, content_type: str, max_age: float) -> None:
        if len(body) > self.max_entry_bytes:
            return
        entry = Entry(body, content_type, self.clock.time() + max_age)
        try:
            await self.store.put(key, encode(entry), max(1, math.ceil(max_age)))
        except Exception as error:  # noqa: BLE001 - a cache write never fails a request
            log.warning("cache write failed, answer not cached: %s", error)
