"""The relay: frames both ways, each direction in order, until one side closes; that close is
passed to the other side (``closing.passed_on``), whose own close is then awaited briefly.

A session with no frame in either direction for ``idle_seconds`` is closed on both sides. The
idle timer costs nothing per frame: one ``asyncio.wait`` covers both directions and wakes only
when a direction ends or the idle deadline passes.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable

from ..ports import WebSocket, WebSocketClosed
from .closing import passed_on, trim_reason
from .summary import Direction, Summary

GRACE_SECONDS = 2.0
"""After one side closed, how long the other side may take to answer with its own close."""
log = logging.getLogger("gateway.realtime")


class Relay:
    def __init__(self, client: WebSocket, upstream: WebSocket, summary: Summary, idle_seconds: float,
                 monotonic: Callable[[], float]) -> None:
        self.client = client
        self.upstream = upstream
        self.summary = summary
        self.idle_seconds = idle_seconds
        self.monotonic = monotonic
        self.last_frame = monotonic()

    async def run(self) -> None:
        client_pump = asyncio.ensure_future(self._pump(self.client, self.upstream, self.summary.client_to_upstream))
        upstream_pump = asyncio.ensure_future(self._pump(self.upstream, self.client, self.summary.upstream_to_client))
        try:
            await self._until_closed(client_pump, upstream_pump)
        finally:
            for pump in (client_pump, upstream_pump):
                pump.cancel()
            await asyncio.gather(client_pump, upstream_pump, return_exceptions=True)

    async def _pump(self, source: WebSocket, sink: WebSocket, direction: Direction) -> WebSocketClosed:
        """Forward every frame from ``source`` to ``sink``; return ``source``'s close."""
        try:
            while True:
                message = await source.receive()
                if isinstance(message, WebSocketClosed):
                    return message
                self.last_frame = self.monotonic()
                direction.count(message)
                await sink.send(message)
        except Exception as error:  # noqa: BLE001 - an adapter failure ends the session, never the process
            log.warning("realtime relay failed: %s: %s", type(error).__name__, error)
            return WebSocketClosed(1006, "")

    async def _until_closed(self, client_pump: asyncio.Future[WebSocketClosed],
                            upstream_pump: asyncio.Future[WebSocketClosed]) -> None:
        pumps = {client_pump, upstream_pump}
        while True:
            left = self.last_frame + self.idle_seconds - self.monotonic()
            if left <= 0:
                await self._close_idle()
                return
            done, _ = await asyncio.wait(pumps, timeout=None if math.isinf(left) else left,
                                         return_when=asyncio.FIRST_COMPLETED)
            if done:
                break
        if client_pump in done:
            self.summary.ended_by = "client"
            close = client_pump.result()
            self.summary.client_close = (close.code, close.reason)
            await self.upstream.close(*passed_on(close, from_upstream=False))
            first, other, record = self.client, upstream_pump, "upstream_close"
        else:
            self.summary.ended_by = "upstream"
            close = upstream_pump.result()
            self.summary.upstream_close = (close.code, close.reason)
            await self.client.close(*passed_on(close, from_upstream=True))
            first, other, record = self.upstream, client_pump, "client_close"
        finished, _ = await asyncio.wait({other}, timeout=GRACE_SECONDS)
        if finished:
            reply = other.result()
            setattr(self.summary, record, (reply.code, reply.reason))
        # Only now answer the side that closed first: its closing handshake ends once the other leg's has (a
        # runtime that replies by itself, uvicorn, websockets, has already done so and this does nothing).
        await first.close(*passed_on(close, from_upstream=first is self.upstream))

    async def _close_idle(self) -> None:
        self.summary.ended_by = "idle"
        reason = trim_reason(f"no frames for {self.idle_seconds:g} s")
        await asyncio.gather(self.client.close(1001, reason), self.upstream.close(1000, reason))
