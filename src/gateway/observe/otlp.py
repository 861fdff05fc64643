"""OpenTelemetry trace export over OTLP/HTTP with the JSON encoding, standard library only.

Why JSON and not protobuf: the OTLP specification allows both on the same ``/v1/traces`` endpoint
(the Collector and most backends accept either), and JSON needs no protobuf runtime in the core, which
must load in Pyodide. Spans follow the GenAI semantic conventions: one SERVER span per request, one
CLIENT span per upstream attempt under it (``gen_ai.operation.name``, ``gen_ai.provider.name``,
``gen_ai.request.model``, ``gen_ai.usage.input_tokens`` / ``output_tokens``, ``server.address``...).

Spans are batched (``OTEL_BSP_*``) and sent through the gateway's own HTTP transport port, off the
request path: a request never waits for the exporter, and a collector that is down costs a warning,
not an error to any client. With no ``OTEL_EXPORTER_OTLP_*ENDPOINT`` set none of this exists.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from typing import Any

from ..clock import Clock
from ..http import Headers
from ..ports import HttpTransport
from .encode import text
from .settings import OtlpSettings
from .trace import Trace

log = logging.getLogger("gateway.otlp")
SERVER, CLIENT = 2, 3
STATUS_ERROR = 2
SCOPE = {"name": "portkey-py-gateway", "version": "0.1.0"}
OPERATIONS = {"chatComplete": "chat", "messages": "chat", "createModelResponse": "chat",
              "complete": "text_completion", "embed": "embeddings"}


def parse_traceparent(value: str | None) -> tuple[str, str, bool] | None:
    """(trace id, parent span id, sampled) from a W3C ``traceparent`` header, or None if malformed."""
    parts = (value or "").strip().lower().split("-")
    if len(parts) < 4 or len(parts[1]) != 32 or len(parts[2]) != 16 or len(parts[3]) != 2:
        return None
    try:
        int(parts[1], 16), int(parts[2], 16)
        flags = int(parts[3], 16)
    except ValueError:
        return None
    if parts[0] == "ff" or parts[1] == "0" * 32 or parts[2] == "0" * 16:
        return None
    return parts[1], parts[2], bool(flags & 1)


def start(trace: Trace, settings: OtlpSettings) -> None:
    """Give the trace its ids (joining the caller's trace when it sent ``traceparent``) and decide
    whether it is sampled."""
    parent = parse_traceparent(trace.request.headers.get("traceparent"))
    trace.span_id = os.urandom(8).hex()
    if parent is not None:
        trace.trace_id, trace.parent_span_id, parent_sampled = parent
        if settings.parent_based:
            trace.sampled = parent_sampled
            return
    else:
        trace.trace_id = os.urandom(16).hex()
    trace.sampled = int(trace.trace_id[16:], 16) < settings.ratio * (1 << 64)


def _attributes(pairs: dict[str, Any]) -> str:
    """OTLP/JSON ``attributes`` (``None`` values left out), written directly as JSON text: this runs twice
    per request while export is on, so it dispatches on the exact type rather than through isinstance."""
    out = []
    for key, value in pairs.items():
        kind = type(value)
        if value is None:
            continue
        if kind is str:
            out.append(f'{{"key":"{key}","value":{{"stringValue":{text(value)}}}}}')
        elif kind is int:
            out.append(f'{{"key":"{key}","value":{{"intValue":"{value}"}}}}')
        elif kind is bool:
            out.append(f'{{"key":"{key}","value":{{"boolValue":{"true" if value else "false"}}}}}')
        elif kind is float:
            out.append(f'{{"key":"{key}","value":{{"doubleValue":{value!r}}}}}')
        else:
            out.append(f'{{"key":"{key}","value":{{"stringValue":{text(str(value))}}}}}')
    return "[" + ",".join(out) + "]"


def _host_port(url: str) -> tuple[str | None, int | None]:
    """``server.address`` and ``server.port`` of an upstream URL (without urlsplit's cost)."""
    authority = url.partition("://")[2].partition("/")[0].rpartition("@")[2]
    if authority.startswith("["):
        host, _, rest = authority[1:].partition("]")
        port = rest.removeprefix(":")
    else:
        host, _, port = authority.partition(":")
    return host or None, int(port) if port.isdigit() else None


def _nanos(seconds: float) -> str:
    return str(int(seconds * 1e9))


def _span(trace_id: str, span_id: str, parent: str, name: str, kind: int, start_s: float, end_s: float,
          attributes: str, error: str | None) -> str:
    status = "{}" if error is None else f'{{"code":{STATUS_ERROR},"message":{text(error)}}}'
    parent_field = f'"parentSpanId":"{parent}",' if parent else ""
    return (f'{{"traceId":"{trace_id}","spanId":"{span_id}",{parent_field}"name":{text(name)},"kind":{kind},'
            f'"startTimeUnixNano":"{_nanos(start_s)}","endTimeUnixNano":"{_nanos(end_s)}",'
            f'"attributes":{attributes},"status":{status}}}')


def spans(trace: Trace) -> list[str]:
    """The request's SERVER span and one CLIENT span per upstream attempt, each as OTLP/JSON text."""
    operation = OPERATIONS.get(trace.fn, trace.fn or "request")
    end = trace.start_time + trace.duration_ms / 1000
    out = [_span(trace.trace_id, trace.span_id, trace.parent_span_id, f"{trace.request.method} {trace.route}",
                 SERVER, trace.start_time, end, _attributes({
            "http.request.method": trace.request.method, "url.path": trace.request.path, "http.route": trace.route,
            "http.response.status_code": trace.status, "gen_ai.operation.name": operation,
            "gen_ai.provider.name": trace.provider, "gen_ai.request.model": trace.model,
            "gen_ai.usage.input_tokens": trace.usage.input, "gen_ai.usage.output_tokens": trace.usage.output,
            "portkey.target": trace.target, "portkey.retry_count": trace.retries,
            "portkey.cache_status": trace.cache_status, "portkey.stream": trace.stream,
            "portkey.time_to_first_byte_ms": trace.ttfb_ms, "portkey.client_aborted": trace.aborted or None,
        }), f"HTTP {trace.status}" if trace.status >= 500 else None)]
    last = len(trace.attempts) - 1
    for index, attempt in enumerate(trace.attempts):
        host, port = _host_port(attempt.url)
        finish = end if index == last and trace.stream else attempt.start_time + attempt.duration_ms / 1000
        failed = attempt.error is not None or (attempt.status or 0) >= 400
        name = f"{operation} {attempt.model}" if attempt.model else operation
        out.append(_span(trace.trace_id, os.urandom(8).hex(), trace.span_id, name, CLIENT, attempt.start_time,
                         finish, _attributes({
                "gen_ai.operation.name": operation, "gen_ai.provider.name": attempt.provider,
                "gen_ai.system": attempt.provider, "gen_ai.request.model": attempt.model,
                "gen_ai.usage.input_tokens": trace.usage.input if index == last else None,
                "gen_ai.usage.output_tokens": trace.usage.output if index == last else None,
                "server.address": host, "server.port": port, "url.full": attempt.url,
                "http.response.status_code": attempt.status, "portkey.target": attempt.target,
                "error.type": attempt.error or (str(attempt.status) if failed else None),
            }), attempt.error or str(attempt.status) if failed else None))
    return out


class SpanExporter:
    """A batching span processor and OTLP/HTTP JSON exporter in one, as a trace sink."""

    def __init__(self, settings: OtlpSettings, transport: HttpTransport, clock: Clock) -> None:
        self.settings = settings
        self.transport = transport
        self.clock = clock
        self.queue: list[str] = []
        self.dropped = 0
        self.sent = 0
        self.failures = 0
        self._timer: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        resource = {"service.name": settings.service_name, "telemetry.sdk.name": "portkey-py-gateway",
                    "telemetry.sdk.language": "python", **dict(settings.resource)}
        self._envelope = ('{"resourceSpans":[{"resource":{"attributes":' + _attributes(resource) + '},'
                          '"scopeSpans":[{"scope":' + json.dumps(SCOPE) + ',"spans":[')

    def record(self, trace: Trace) -> None:
        if not trace.sampled:
            return
        batch = spans(trace)
        if len(self.queue) + len(batch) > self.settings.queue_size:
            self.dropped += len(batch)
            return
        self.queue.extend(batch)
        if len(self.queue) >= self.settings.batch_size:
            self._spawn(self.flush())
        elif self._timer is None:
            self._timer = self._spawn(self._flush_later())

    def _spawn(self, work: Any) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _flush_later(self) -> None:
        try:
            await self.clock.sleep(self.settings.delay_ms / 1000)
        finally:
            self._timer = None
        await self.flush()

    async def flush(self) -> None:
        while self.queue:
            size = self.settings.batch_size
            batch, self.queue = self.queue[:size], self.queue[size:]
            await self._send(batch)

    def body(self, batch: list[str]) -> bytes:
        return (self._envelope + ",".join(batch) + "]}]}]}").encode()

    async def _send(self, batch: list[str]) -> None:
        headers = Headers({"content-type": "application/json", **dict(self.settings.headers)})
        try:
            async with asyncio.timeout(self.settings.timeout_ms / 1000):
                answer = await self.transport.send("POST", self.settings.url, headers, self.body(batch))
                try:
                    await answer.read()
                finally:
                    await answer.close()
        except Exception as error:  # noqa: BLE001 - a collector that is down must never hurt a request
            self._failed(len(batch), f"{type(error).__name__}: {error}")
            return
        if answer.status >= 300:
            self._failed(len(batch), f"HTTP {answer.status}")
        else:
            self.sent += len(batch)

    def _failed(self, count: int, reason: str) -> None:
        self.failures += 1
        self.dropped += count
        if self.failures == 1 or self.failures % 100 == 0:
            log.warning("OTLP export to %s failed (%s); %d spans dropped so far", self.settings.url, reason,
                        self.dropped)

    async def close(self) -> None:
        """Send what is queued (server shutting down, or the end of a Worker request)."""
        if self._timer is not None:
            self._timer.cancel()
        pending = [task for task in self._tasks if task is not self._timer]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        await self.flush()
