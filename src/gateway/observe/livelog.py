"""The live log: the last N requests in a ring buffer, and a server-sent-events feed of new ones.

Memory stays flat however long the gateway runs: the buffer holds at most ``size`` entries, each with
bodies cut to a bound, and each subscriber's queue is bounded too. A subscriber that falls behind is
dropped; its browser's ``EventSource`` reconnects with ``Last-Event-ID`` and replays what it missed
from the buffer.

Cheap on the request path by design: recording an entry keeps references and two bounded byte slices;
the feed carries the table's summary (encoded once, only when someone reads it); the redacted detail
(headers, bodies) is built only when a reader opens one entry (``GET /log/entries/<id>``).
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from ..http import Headers
from .scrub import body_view, headers_view
from .trace import Trace

QUEUE_LIMIT = 4096
COALESCE_SECONDS = 0.05
"""After an entry arrives, the feed waits this long for more, so that under load one write carries many
entries instead of one each (a person watching the table cannot see 50 ms)."""


class _Subscriber:
    """One reader of the feed: the entries it has not read yet, and an event that wakes it once per batch
    (a plain deque append per entry on the request path, where an ``asyncio.Queue`` did a put per entry
    and its reader a get per entry)."""

    __slots__ = ("pending", "wake", "closed")

    def __init__(self) -> None:
        self.pending: deque[Entry] = deque()
        self.wake = asyncio.Event()
        self.closed = False

    def close(self) -> None:
        self.closed = True
        self.wake.set()


class Entry:
    """A finished request as the live log keeps it: the summary, and the raw material of its detail
    (never the whole request: the body is cut to the bound when the entry is made)."""

    __slots__ = ("id", "summary", "request_headers", "request_body", "response_headers", "response_body",
                 "_event")

    def __init__(self, trace: Trace, limit: int) -> None:
        self.id = trace.id
        self.summary = trace.summary_json()  # encoded once, shared with the JSON request log
        body = trace.request.body
        self.request_headers = trace.request.headers
        self.request_body: bytes | None = body[:limit + 1] if isinstance(body, bytes) else None
        self.response_headers = trace.response_headers or Headers()
        self.response_body = bytes(trace.response_head)
        self._event: bytes | None = None

    def event(self) -> bytes:
        if self._event is None:
            self._event = f"id: {self.id}\nevent: log\ndata: {self.summary}\n\n".encode()
        return self._event

    def detail(self, limit: int, secrets: tuple[str, ...]) -> dict[str, Any]:
        """The summary with the request's and the answer's headers and first ``limit`` bytes of each body,
        every credential masked (see ``scrub``)."""
        if self.request_body is None:
            body, cut = "[streamed upload, not kept]", False
        else:
            body, cut = body_view(self.request_body, limit, secrets)
        answer, answer_cut = body_view(self.response_body, limit, secrets)
        return {**json.loads(self.summary),
                "request": {"headers": headers_view(self.request_headers, secrets), "body": body, "truncated": cut},
                "response": {"headers": headers_view(self.response_headers, secrets), "body": answer,
                             "truncated": answer_cut or len(self.response_body) >= limit > 0}}


class LiveLog:
    def __init__(self, size: int, body_bytes: int, secrets: tuple[str, ...] = ()) -> None:
        self.entries: deque[Entry] = deque(maxlen=size)
        self.body_bytes = body_bytes
        self.secrets = secrets
        self._subscribers: set[_Subscriber] = set()

    def record(self, trace: Trace) -> None:
        entry = Entry(trace, self.body_bytes)
        self.entries.append(entry)
        slow: list[_Subscriber] | None = None
        for subscriber in self._subscribers:
            pending = subscriber.pending
            if len(pending) >= QUEUE_LIMIT - 1:
                slow = [*(slow or ()), subscriber]
            else:
                pending.append(entry)
                subscriber.wake.set()  # no-op while already set: one wake-up per batch
        if slow:
            for subscriber in slow:
                self._subscribers.discard(subscriber)  # too slow: it reconnects and replays from the buffer
                subscriber.close()

    def detail(self, entry_id: int) -> dict[str, Any] | None:
        """One entry's redacted detail, or None once it has left the buffer."""
        oldest = self.entries[0].id if self.entries else 0
        index = entry_id - oldest
        if 0 <= index < len(self.entries) and self.entries[index].id == entry_id:  # ids are consecutive
            return self.entries[index].detail(self.body_bytes, self.secrets)
        for entry in self.entries:
            if entry.id == entry_id:
                return entry.detail(self.body_bytes, self.secrets)
        return None

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def close(self) -> None:
        """End every feed (server shutting down)."""
        for subscriber in self._subscribers:
            subscriber.close()
        self._subscribers.clear()

    async def feed(self, last_id: int, heartbeat: float) -> AsyncIterator[bytes]:
        """SSE bytes: ``connected``, the buffered entries after ``last_id``, then each new one as it
        comes, with a comment line every ``heartbeat`` seconds so proxies keep the connection open."""
        subscriber = _Subscriber()
        pending, wake = subscriber.pending, subscriber.wake
        self._subscribers.add(subscriber)
        if last_id > (self.entries[-1].id if self.entries else 0):
            last_id = 0  # an id from before a restart: this process starts again at 1
        try:
            hello = json.dumps({"buffered": len(self.entries), "capacity": self.entries.maxlen})
            yield f"retry: 2000\nevent: connected\ndata: {hello}\n\n".encode()
            replay = [entry for entry in self.entries if entry.id > last_id]
            if replay:
                last_id = replay[-1].id
                yield b"".join(entry.event() for entry in replay)
            while True:
                if not pending and not subscriber.closed:
                    wake.clear()
                    try:
                        async with asyncio.timeout(heartbeat):
                            await wake.wait()
                    except TimeoutError:
                        yield b": heartbeat\n\n"
                        continue
                    if not subscriber.closed:
                        await asyncio.sleep(COALESCE_SECONDS)
                batch = list(pending)  # under load, one write carries every entry that is waiting
                pending.clear()
                events: list[bytes] = []
                for item in batch:
                    if item.id > last_id:  # not already replayed from the buffer
                        last_id = item.id
                        events.append(item.event())
                if events:
                    yield b"".join(events)
                if subscriber.closed:
                    return
        finally:
            self._subscribers.discard(subscriber)
