"""Prometheus metrics, counted in process and written in the text exposition format (0.0.4).

Why by hand and not ``prometheus_client``: the core must stay standard-library only (it runs in
Pyodide too), the format is small and stable, and on a single-threaded event loop a counter is a
dict increment, where the library takes a lock per update. The tests read our output with
``prometheus_client``'s own parser.

Labels are bounded on purpose: route templates (not raw paths), provider slugs from the registry,
status codes; never the model name or anything else a client may choose freely.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from .trace import Trace, route_template

MAX_CHECK_LABELS = 64
"""Check names come from configs, which clients may send: past this many, the rest count as ``other``."""
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
Labels = tuple[str, ...]
"""Label values only, in the order of the metric's ``names``: the per-request path builds one small tuple."""


class Counter:
    def __init__(self, name: str, help_text: str, names: tuple[str, ...] = (), kind: str = "counter") -> None:
        self.name, self.help, self.names, self.kind = name, help_text, names, kind
        self.values: dict[Labels, float] = {}

    def inc(self, labels: Labels, amount: float = 1) -> None:
        self.values[labels] = self.values.get(labels, 0) + amount

    def lines(self) -> Iterable[str]:
        for labels, value in self.values.items():
            yield f"{self.name}{_labels(self.names, labels)} {_number(value)}"


class Histogram:
    kind = "histogram"

    def __init__(self, name: str, help_text: str, names: tuple[str, ...],
                 buckets: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self.name, self.help, self.names, self.buckets = name, help_text, names, buckets
        self.values: dict[Labels, list[float]] = {}  # per bucket (not cumulative), then +Inf, sum, count

    def observe(self, labels: Labels, value: float) -> None:
        row = self.values.get(labels)
        if row is None:
            row = self.values[labels] = [0.0] * (len(self.buckets) + 3)
        row[bisect_left(self.buckets, value)] += 1
        row[-2] += value
        row[-1] += 1

    def lines(self) -> Iterable[str]:
        names = (*self.names, "le")
        for labels, row in self.values.items():
            running = 0.0
            for bound, count in zip((*self.buckets, float("inf")), row, strict=False):
                running += count
                le = "+Inf" if bound == float("inf") else _number(bound)
                yield f"{self.name}_bucket{_labels(names, (*labels, le))} {_number(running)}"
            yield f"{self.name}_sum{_labels(self.names, labels)} {_number(row[-2])}"
            yield f"{self.name}_count{_labels(self.names, labels)} {_number(row[-1])}"


_STATUS: dict[int | None, str] = {}


def _status(status: int | None) -> str:
    """An attempt's status label (``error``: no answer), remembered: statuses are a small set."""
    label = _STATUS[status] = "error" if status is None else str(status)
    return label


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(names: tuple[str, ...], values: Labels) -> str:
    if not names:
        return ""
    return "{" + ",".join(f'{name}="{_escape(value)}"' for name, value in zip(names, values, strict=True)) + "}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


class Metrics:
    """Every series the gateway exposes. ``record`` is the per-request cost: a handful of dict updates."""

    def __init__(self) -> None:
        route = ("route", "provider")
        self.requests = Counter("gateway_requests_total", "Requests to /v1/* answered, by route, provider and status.",
                                ("route", "provider", "status"))
        self.latency = Histogram("gateway_request_duration_seconds",
                                 "Time from the request to the end of the answer (streams: the last byte).", route)
        self.ttfb = Histogram("gateway_time_to_first_byte_seconds",
                              "Time from the request to the first byte of the answer's body.", route)
        self.attempts = Counter("gateway_upstream_attempts_total",
                                "Requests sent upstream, by provider and status (error: no answer).",
                                ("provider", "status"))
        self.retries = Counter("gateway_upstream_retries_total",
                               "Upstream attempts that repeated one at the same target.", ("provider",))
        self.fallbacks = Counter("gateway_fallbacks_total", "Targets tried after the first one, by route.", ("route",))
        self.cache = Counter("gateway_cache_requests_total", "Requests that looked in the response cache, by result.",
                             ("status",))
        self.guardrails = Counter("gateway_guardrail_verdicts_total",
                                  "Guardrail check verdicts, by check and verdict.", ("check", "verdict"))
        self.tokens = Counter("gateway_tokens_total",
                              "Tokens the answers reported, by provider and type (input, output).",
                              ("provider", "type"))
        self.streams = Counter("gateway_open_streams", "Streamed answers being sent right now.", kind="gauge")
        self.realtime = Counter("gateway_realtime_sessions", "Realtime WebSocket sessions open right now.",
                                kind="gauge")
        self.streams.inc((), 0)
        self.realtime.inc((), 0)
        self._labels: dict[tuple[str, str, int], tuple[Labels, Labels]] = {}
        """(route name, provider, status) -> the label tuples of the request counter and the histograms."""
        self.all = (self.requests, self.latency, self.ttfb, self.attempts, self.retries, self.fallbacks, self.cache,
                    self.guardrails, self.tokens, self.streams, self.realtime)

    def record(self, trace: Trace) -> None:
        provider = trace.provider or "none"
        status = trace.status
        key = (trace.fn, provider, status)
        labels = self._labels.get(key)
        if labels is None:  # bounded: route names, provider slugs and status codes are fixed sets
            path = route_template(trace.fn)
            labels = self._labels[key] = ((path, provider, str(status)), (path, provider))
        counts = self.requests.values
        counts[labels[0]] = counts.get(labels[0], 0) + 1
        pair = labels[1]
        self.latency.observe(pair, trace.duration_ms / 1000)
        if trace.ttfb_ms is not None:
            self.ttfb.observe(pair, trace.ttfb_ms / 1000)
        attempts = self.attempts.values
        for attempt in trace.attempts:
            name = (attempt.provider, _STATUS.get(attempt.status) or _status(attempt.status))
            attempts[name] = attempts.get(name, 0) + 1
        if trace.retries > 0:
            self.retries.inc((provider,), trace.retries)
        if len(trace.attempts) > 1 and trace.fallbacks:
            self.fallbacks.inc((pair[0],), trace.fallbacks)
        if trace.cache_status and trace.cache_status != "DISABLED":
            self.cache.inc((trace.cache_status.lower(),))
        for check, verdict in trace.guardrails:
            checks = (check, verdict)
            if checks not in self.guardrails.values and len(self.guardrails.values) >= MAX_CHECK_LABELS * 4:
                checks = ("other", verdict)
            self.guardrails.inc(checks)
        usage = trace.usage
        if usage.input is not None:
            self.tokens.inc((provider, "input"), usage.input)
        if usage.output is not None:
            self.tokens.inc((provider, "output"), usage.output)

    def text(self) -> bytes:
        out = []
        for metric in self.all:
            out.append(f"# HELP {metric.name} {metric.help}")
            out.append(f"# TYPE {metric.name} {metric.kind}")
            out.extend(metric.lines())
        return ("\n".join(out) + "\n").encode()
