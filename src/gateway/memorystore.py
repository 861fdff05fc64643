"""The key-value port in process memory: the default store (one process, zero set-up).

Owned by the ``Gateway`` instance, never by a module, so two gateways never share state; entries
expire lazily on read against the injected clock, and the store is bounded so it cannot grow
without limit (the oldest entry goes first).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

MAX_ENTRIES = 10_000


class MemoryStore:
    def __init__(self, now: Callable[[], float], max_entries: int = MAX_ENTRIES) -> None:
        self._now = now
        self._max = max_entries
        self._items: OrderedDict[str, tuple[bytes, float | None]] = OrderedDict()

    async def get(self, key: str) -> bytes | None:
        item = self._items.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and self._now() >= expires:
            del self._items[key]
            return None
        return value

    async def put(self, key: str, value: bytes, ttl_seconds: int | None = None) -> None:
        expires = self._now() + ttl_seconds if ttl_seconds else None
        self._items[key] = (value, expires)
        self._items.move_to_end(key)
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    async def delete(self, key: str) -> None:
        self._items.pop(key, None)
