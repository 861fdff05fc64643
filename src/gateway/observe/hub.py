"""The observer port: the one object the pipeline reports to, and that fans finished requests out to
the sinks (metrics, live log, OTLP spans, and whatever the adapter adds, such as JSON lines).

The pipeline's whole contract is three calls: ``begin(request)`` when a request arrives,
``end(trace, response)`` when its answer is ready (a streamed answer is wrapped so the trace ends with
its last byte), and ``trace.attempt(...)`` around each upstream attempt. With no sink configured,
``end`` hands the response back untouched and nothing is counted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from ..clock import Clock
from ..http import Headers, Request, Response
from ..ports import HttpTransport
from .livelog import LiveLog
from .metrics import Metrics
from .ops import ConsoleRoutes
from .otlp import SpanExporter, start
from .settings import ObserveSettings
from .trace import Trace

log = logging.getLogger("gateway.observe")
_USAGE_TAIL = 64 << 10


class Sink(Protocol):
    """Something that wants every finished request (called once per request, after its last byte)."""

    def record(self, trace: Trace) -> None: ...


class Observability:
    def __init__(self, settings: ObserveSettings | None = None, clock: Clock | None = None,
                 sinks: tuple[Sink, ...] = (), live_log: LiveLog | None = None, metrics: Metrics | None = None,
                 exporter: SpanExporter | None = None, runtime: str = "this runtime",
                 configs: tuple[str, ...] = (), heartbeat: float = 15.0) -> None:
        self.settings = settings or ObserveSettings()
        self.clock = clock or Clock()
        self.live_log = live_log
        self.metrics = metrics
        self.exporter = exporter
        own = (metrics, *sinks, live_log, exporter)  # the JSON log before the live log: it encodes the summary
        self.sinks: tuple[Sink, ...] = tuple(s for s in own if s is not None)
        self.capture = self.settings.body_bytes if live_log is not None else 0
        self.routes = ConsoleRoutes(self.settings, runtime, live_log, metrics, self.clock.time, configs, heartbeat)
        self._count = 0

    @classmethod
    def build(cls, settings: ObserveSettings, transport: HttpTransport, clock: Clock, runtime: str,
              sinks: tuple[Sink, ...] = (), configs: tuple[str, ...] = (), long_lived: bool = True,
              heartbeat: float = 15.0) -> Observability:
        """What the settings ask for. ``long_lived`` is False where each request gets its own gateway
        (a Worker isolate): in-process counters and a ring buffer would mean nothing there."""
        live_log = metrics = None
        if long_lived and settings.console and settings.admin_digest is not None:
            live_log = LiveLog(settings.live_log_size, settings.body_bytes, settings.secrets)
        if long_lived and settings.metrics_on:
            metrics = Metrics()
        exporter = SpanExporter(settings.otlp, transport, clock) if settings.otlp is not None else None
        return cls(settings, clock, sinks, live_log, metrics, exporter, runtime, configs, heartbeat)

    # --- the pipeline's calls -------------------------------------------------------------------
    def route(self, request: Request) -> Awaitable[Response] | None:
        """The console's own paths (page, sign-in, log feed, metrics), or None for the pipeline's."""
        return self.routes.route(request)

    def begin(self, request: Request) -> Trace:
        recorded = bool(self.sinks) and request.path.startswith("/v1/")
        trace = Trace(request, self.clock.monotonic, self.clock.time(), recorded, self.capture)
        if recorded and self.exporter is not None:
            start(trace, self.exporter.settings)
        return trace

    async def answer(self, trace: Trace, work: Awaitable[Response]) -> Response:
        """Await the pipeline's answer and ``end`` the trace with it; a client that hangs up before the
        answer is ready is recorded as 499 (nginx's "client closed request") before the cancellation goes on."""
        try:
            response = await work
        except asyncio.CancelledError:
            if trace.recorded:
                trace.aborted = True
                self.end(trace, Response(499, Headers(), b""))
            raise
        return self.end(trace, response)

    def end(self, trace: Trace, response: Response) -> Response:
        if not trace.recorded:
            return response
        self._answered(trace, response)
        if response.streaming:
            trace.stream = True
            response.body = self._watch(trace, response.body)  # type: ignore[arg-type]
            return response
        body = response.body
        assert isinstance(body, bytes)
        trace.ttfb_ms = trace.duration_ms = (self.clock.monotonic() - trace.start) * 1000
        trace.usage.scan(body[-_USAGE_TAIL:])
        if trace.capture:
            trace.response_head += body[:trace.capture]
        self._finish(trace)
        return response

    # --- features that report outside a request ---------------------------------------------------
    @contextmanager
    def realtime_session(self) -> Iterator[None]:
        """Wrap a realtime WebSocket session so ``gateway_realtime_sessions`` counts it while open."""
        if self.metrics is not None:
            self.metrics.realtime.inc((), 1)
        try:
            yield
        finally:
            if self.metrics is not None:
                self.metrics.realtime.inc((), -1)

    async def close(self) -> None:
        """Shutting down: end the live-log feeds and send the spans still queued."""
        if self.live_log is not None:
            self.live_log.close()
        if self.exporter is not None:
            await self.exporter.close()

    # --- inside ------------------------------------------------------------------------------------
    def _answered(self, trace: Trace, response: Response) -> None:
        self._count += 1
        trace.id = self._count
        trace.status = response.status
        headers = response.headers
        get = headers._items.get  # names below are already lower case: skip Headers.get's lower()
        attempts = trace.attempts
        trace.provider = get("x-portkey-provider") or (attempts[-1].provider if attempts else None)
        trace.target = get("x-portkey-last-used-option-index")
        trace.retries = trace.retry_count if len(attempts) > 1 else 0
        trace.cache_status = trace.cache_status or get("x-portkey-cache-status")
        trace.exception = get("x-portkey-gateway-exception") == "true"
        if trace.capture:
            trace.response_headers = headers  # adapters only read it from here on

    async def _watch(self, trace: Trace, body: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """Pass a streamed answer on unchanged, noting its first byte, its token counts and its end
        (a client that hangs up ends it too)."""
        clock, usage, capture = self.clock.monotonic, trace.usage, trace.capture
        streams = self.metrics.streams if self.metrics is not None else None
        if streams is not None:
            streams.inc((), 1)
        finished = False
        try:
            async for chunk in body:
                if trace.ttfb_ms is None:
                    trace.ttfb_ms = (clock() - trace.start) * 1000
                usage.feed(chunk)
                if capture and len(trace.response_head) < capture:
                    trace.response_head += chunk[:capture - len(trace.response_head)]
                yield chunk
            finished = True
        finally:
            trace.aborted = not finished
            trace.duration_ms = (clock() - trace.start) * 1000
            if streams is not None:
                streams.inc((), -1)
            closer: Callable[[], Any] | None = getattr(body, "aclose", None)
            try:
                if closer is not None:
                    await closer()
            finally:
                self._finish(trace)

    def _finish(self, trace: Trace) -> None:
        for sink in self.sinks:
            try:
                sink.record(trace)
            except Exception:  # noqa: BLE001 - a sink's bug must never break a request
                log.exception("observability sink %s failed", type(sink).__name__)
