"""The HTTP transport port with the limits a broken provider could otherwise push past.

Why at the port: every upstream call (sends, retries, token exchanges, streams, error bodies)
goes through it, on both runtimes, so one wrapper bounds them all without each caller knowing:
  * no answer (headers) within the idle limit: ``TransportError`` (the leaf's network error);
  * no body byte within the idle limit while the gateway waits for one: the upstream request is
    closed and the read fails with ``TransportError``; the stream layer (``translation.py``) turns
    that into the client's visible error event, as for any broken stream;
  * more than ``max_response_bytes`` streamed, or ``max_read_bytes`` read whole: cut off with a
    ``TransportError`` naming the bound.

The idle watchdog costs one timer per response, re-armed only when it fires, and two attribute
writes per chunk (a per-chunk ``asyncio.timeout`` measured 4.5 µs a chunk against 0.2 µs): the
clock runs only while the gateway is waiting on the provider, so a slow client never counts as
a stalled provider.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from .http import Body, Headers
from .limits import Limits
from .ports import HttpTransport, TransportError, UpstreamResponse

_SLACK = 0.01
"""Seconds of tolerance in the watchdog. workerd's clock stands still between I/O events (a Spectre
mitigation), so a re-check due in microseconds would find the same time again and re-arm forever; a
stall is declared up to 10 ms early instead, and a re-check is never sooner than 10 ms."""


class BoundedTransport:
    def __init__(self, inner: HttpTransport, limits: Limits) -> None:
        self.inner = inner
        self.limits = limits

    async def send(self, method: str, url: str, headers: Headers, body: Body | None) -> UpstreamResponse:
        idle = self.limits.upstream_idle_seconds
        try:
            async with asyncio.timeout(idle):
                upstream = await self.inner.send(method, url, headers, body)
        except TimeoutError:
            raise TransportError(f"the provider sent no answer within {idle:g} s") from None
        return BoundedResponse(upstream, self.limits)

    async def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if close is not None:
            await close()


class BoundedResponse:
    """An upstream response whose body reads are watched for silence and counted against the caps."""

    def __init__(self, inner: UpstreamResponse, limits: Limits) -> None:
        self.inner = inner
        self.status = inner.status
        self.headers = inner.headers
        self._limits = limits
        self._waiting_since: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._stalled = False
        self._closing: asyncio.Task[None] | None = None

    def stream(self) -> AsyncIterator[bytes]:
        return self._bounded(self._limits.max_response_bytes)

    async def read(self) -> bytes:
        chunks = [chunk async for chunk in self._bounded(self._limits.max_read_bytes)]
        return b"".join(chunks)

    async def close(self) -> None:
        self._disarm()
        await self.inner.close()

    async def _bounded(self, cap: int) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        chunks = self.inner.stream().__aiter__()
        size = 0
        self._arm(loop)
        try:
            while True:
                self._waiting_since = loop.time()
                try:
                    chunk = await chunks.__anext__()
                except StopAsyncIteration:
                    if self._stalled:  # a transport whose close ends the body quietly
                        raise self._stall_error() from None
                    return
                except TransportError:
                    if self._stalled:
                        raise self._stall_error() from None
                    raise
                self._waiting_since = None
                size += len(chunk)
                if size > cap:
                    raise TransportError(f"the answer is larger than {cap} bytes; cut off there")
                yield chunk
        finally:
            self._waiting_since = None
            self._disarm()

    def _stall_error(self) -> TransportError:
        return TransportError(f"the provider sent nothing for {self._limits.upstream_idle_seconds:g} s")

    def _arm(self, loop: asyncio.AbstractEventLoop, delay: float | None = None) -> None:
        self._timer = loop.call_later(self._limits.upstream_idle_seconds if delay is None else delay,
                                      self._check, loop)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check(self, loop: asyncio.AbstractEventLoop) -> None:
        """The watchdog: close the upstream if it has been silent for the whole idle limit while
        the gateway waited on it, else look again when the limit could next be reached."""
        idle = self._limits.upstream_idle_seconds
        since = self._waiting_since
        now = loop.time()
        if since is not None and now - since >= idle - _SLACK:
            self._stalled = True
            self._timer = None
            self._closing = loop.create_task(self.inner.close())  # wakes the pending read
            return
        self._arm(loop, idle if since is None else max(since + idle - now, _SLACK))
