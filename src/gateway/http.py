"""Request and response types shared by the core and every adapter.

Bodies are either bytes or an async iterator of bytes, so that uploads and SSE streams can
flow through the gateway without being held whole in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

Body = bytes | AsyncIterator[bytes]


class Headers:
    """Case-insensitive header map that keeps one value per name (last write wins).

    Why not a dict: HTTP names are case-insensitive and adapters hand us raw pairs.
    """

    __slots__ = ("_items",)

    def __init__(self, items: object = None) -> None:
        self._items: dict[str, str] = {}
        if items is None:
            return
        pairs = items.items() if isinstance(items, (dict, Headers)) else items
        for name, value in pairs:  # type: ignore[attr-defined]
            self._items[name.lower()] = value

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._items.get(name.lower(), default)

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __setitem__(self, name: str, value: str) -> None:
        self._items[name.lower()] = value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def pop(self, name: str, default: str | None = None) -> str | None:
        return self._items.pop(name.lower(), default)

    def items(self) -> list[tuple[str, str]]:
        return list(self._items.items())

    def copy(self) -> Headers:
        return Headers(self._items)

    def __repr__(self) -> str:
        return f"Headers({sorted(self._items)})"


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"Request body is larger than {limit} bytes")
        self.limit = limit


@dataclass
class Request:
    """An incoming client request, already decoded by the adapter.

    ``body`` is bytes when the adapter read it whole, else a stream the core may pass on
    untouched (multipart uploads); ``read()`` buffers it once so retries can replay it.
    """

    method: str
    path: str
    query: str = ""
    headers: Headers = field(default_factory=Headers)
    body: Body = b""

    async def read(self, limit: int | None = None) -> bytes:
        """Buffer the body once; past ``limit`` bytes raise ``BodyTooLarge`` instead of
        holding an unbounded upload in memory."""
        if not isinstance(self.body, bytes):
            chunks, size = [], 0
            async for chunk in self.body:
                size += len(chunk)
                if limit is not None and size > limit:
                    raise BodyTooLarge(limit)
                chunks.append(chunk)
            self.body = b"".join(chunks)
        elif limit is not None and len(self.body) > limit:
            raise BodyTooLarge(limit)
        return self.body


@dataclass
class Response:
    """What the core answers. A streamed body is an async iterator; ``on_close`` lets the
    adapter release upstream resources when the client has gone or the stream ended."""

    status: int
    headers: Headers = field(default_factory=Headers)
    body: Body = b""
    on_close: Callable[[], object] | None = None

    @property
    def streaming(self) -> bool:
        return not isinstance(self.body, bytes)
