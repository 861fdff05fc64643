"""The key-value port in process memory: the default store (one process, zero set-up).

Owned by the ``Gateway`` instance, never by a module, so two gateways never share state; entries
expire lazily on read against the injected clock, and the store is bounded in entries and in bytes
(``CACHE_MAX_BYTES``) so it cannot grow without limit: the least recently used entry goes first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

MAX_ENTRIES = 10_000
MAX_BYTES = 64 << 20


class MemoryStore:
    def __init__(self, now: Callable[[], float], max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self._now = now
        self._max = max_entries
        self._max_bytes = max_bytes
        self._bytes = 0
        self._items: OrderedDict[str, tuple[bytes, float | None]] = OrderedDict()

    @property
    def size(self) -> int:
        """Bytes held in values (what ``max_bytes`` bounds)."""
        return self._bytes

    @property
    def count(self) -> int:
        """Entries held (no ``__len__``: an empty store must stay truthy in ``store or default``)."""
        return len(self._items)

    async def get(self, key: str) -> bytes | None:
        item = self._items.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and self._now() >= expires:
            self._drop(key)
            return None
        self._items.move_to_end(key)
        return value

    async def put(self, key: str, value: bytes, ttl_seconds: int | None = None) -> None:
        self._drop(key)
        if len(value) > self._max_bytes:
            return  # could never fit: keeping it would evict everything else
        expires = self._now() + ttl_seconds if ttl_seconds else None
        self._items[key] = (value, expires)
        self._bytes += len(value)
        while len(self._items) > self._max or self._bytes > self._max_bytes:
            _, (old, _) = self._items.popitem(last=False)
            self._bytes -= len(old)

    async def delete(self, key: str) -> None:
        self._drop(key)

    def _drop(self, key: str) -> None:
        item = self._items.pop(key, None)
        if item is not None:
            self._bytes -= len(item[0])
