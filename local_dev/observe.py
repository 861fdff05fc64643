"""local_dev's observability wiring: the core's sinks (metrics, live log, OTLP spans) plus one of its
own, a JSON line per request on stdout (``REQUEST_LOG=json``) for users to ship to their log stack."""

from __future__ import annotations

import asyncio
import sys
import time
from typing import TextIO

from gateway.clock import Clock
from gateway.observe import Observability, Sink, Trace
from gateway.ports import HttpTransport
from gateway.settings import Settings

FLUSH_SECONDS = 0.1


class JsonLines:
    """One JSON object per finished request, the live log's summary fields (no headers, no bodies).

    Lines are flushed at most ``FLUSH_SECONDS`` after they are written, not one write(2) per request:
    under load one flush carries many lines, and a line is never more than a tenth of a second late."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._flush_due = False
        self._second, self._stamp = -1, ""

    def record(self, trace: Trace) -> None:
        second = int(trace.start_time)
        if second != self._second:  # formatting the date costs more than the rest of the line
            self._second, self._stamp = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        millis = int(trace.start_time * 1000) % 1000
        head = f'{{"ts":"{self._stamp}.{millis:03d}Z","level":"info","event":"request",'
        self.stream.write(head + trace.summary_json()[1:] + "\n")  # the summary is encoded once for all sinks
        if not self._flush_due:
            try:
                asyncio.get_running_loop().call_later(FLUSH_SECONDS, self._flush)
            except RuntimeError:  # no event loop (a direct call): flush now
                self.stream.flush()
                return
            self._flush_due = True

    def _flush(self) -> None:
        self._flush_due = False
        self.stream.flush()


def observability(settings: Settings, transport: HttpTransport, clock: Clock, stream: TextIO | None = None,
                  heartbeat: float = 15.0) -> Observability:
    sinks: tuple[Sink, ...] = ()
    if settings.observe.request_log == "json":
        sinks = (JsonLines(stream or sys.stdout),)
    return Observability.build(settings.observe, transport, clock, "local_dev", sinks,
                               tuple(settings.server.configs), heartbeat=heartbeat)
