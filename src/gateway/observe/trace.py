"""The facts of one request, gathered as the pipeline learns them.

The pipeline touches a ``Trace`` in two places only: each upstream attempt goes through
``trace.attempt(...)``, and features that decide something about a request report it here
(``trace.cache(status)``, ``trace.guardrail(check, verdict)``). Everything else (status, provider,
target path, retries, cache status) is read from the answer's own ``x-portkey-*`` headers when it is
sent, and the token counts from its body. Sinks (metrics, live log, JSON lines, OTLP spans) read a
finished trace; none of them is called while the request is in flight.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable
from functools import cache
from json.encoder import encode_basestring as _text  # type: ignore[attr-defined]
from typing import Any

from ..http import Headers, Request
from ..routes import ROUTES
from .encode import number, text
from .usage import UsageScan


@cache
def _templates() -> dict[str, str]:
    """Route name -> path template (``/v1/files/{id}``), from the route table."""
    out: dict[str, str] = {}
    for route in ROUTES:
        path = re.sub(r"\(\?P<(\w+)>\[\^/\]\+\)", r"{\1}", route.pattern.pattern.strip("^$"))
        out.setdefault(route.fn, path.replace("/.+", "/*"))
    return out


@cache
def _route_json(fn: str) -> str:
    """The route's label as a JSON string (route names are a fixed set)."""
    return _text(route_template(fn))


def route_template(fn: str) -> str:
    """The label a route is counted and logged under: its template, never the raw path (ids in paths
    would make one series per file)."""
    if fn == "proxy":
        return "/v1/*"
    return _templates().get(fn, fn or "unmatched")


class Attempt:
    """One upstream request: which provider, where, how it ended and how long it took."""

    __slots__ = ("provider", "url", "target", "model", "stream", "started", "start_time", "duration_ms",
                 "status", "error", "span_id")

    def __init__(self, prepared: Any, target: str, started: float, start_time: float) -> None:
        self.provider: str = prepared.provider.slug
        self.url: str = (prepared.url or "").split("?", 1)[0]  # query strings may carry keys (?key=)
        self.target = target
        ctx = getattr(prepared.plan, "ctx", None)
        self.model: str | None = getattr(ctx, "model", None)
        self.stream: bool = bool(getattr(prepared, "streaming", False))
        self.started = started
        self.start_time = start_time
        self.duration_ms = 0.0
        self.status: int | None = None
        self.error: str | None = None
        self.span_id = ""

    def to_json(self) -> str:
        model, status, error = self.model, self.status, self.error
        return (f'{{"provider":{_text(self.provider)},"url":{_text(self.url)},"target":{text(self.target)},'
                f'"model":{"null" if model is None else _text(model)},'
                f'"status":{"null" if status is None else status},'
                f'"error":{"null" if error is None else _text(error)},'
                f'"duration_ms":{number(self.duration_ms)}}}')


class Trace:
    """One request to ``/v1/*``. ``recorded`` is False for requests no sink wants (health, 404s)."""

    __slots__ = ("request", "monotonic", "start", "start_time", "id", "recorded", "status", "provider", "target",
                 "retries", "cache_status", "exception", "ttfb_ms", "duration_ms", "stream", "aborted",
                 "usage", "attempts", "guardrails", "response_headers", "response_head", "capture", "fn",
                 "trace_id", "span_id", "parent_span_id", "sampled", "_encoded")

    def __init__(self, request: Request, monotonic: Any, start_time: float, recorded: bool,
                 capture: int = 0) -> None:
        self.request = request
        self.monotonic = monotonic
        self.start: float = monotonic()
        self.start_time = start_time
        self.fn = ""
        """The route's name (``chatComplete``), set by the pipeline once the route is known."""
        self.recorded = recorded
        self.capture = capture
        self.id = 0
        self.status = 0
        self.provider: str | None = None
        self.target: str | None = None
        self.retries = 0
        self.cache_status: str | None = None
        self.exception = False
        self.ttfb_ms: float | None = None
        self.duration_ms = 0.0
        self.stream = False
        self.aborted = False
        self.usage = UsageScan()
        self.attempts: list[Attempt] = []
        self.guardrails: list[tuple[str, str]] = []
        self.response_headers: Headers | None = None
        self.response_head = bytearray()
        self.trace_id = ""
        self.span_id = ""
        self.parent_span_id = ""
        self.sampled = False
        self._encoded: str | None = None

    # --- what the pipeline and features report -------------------------------------------------
    async def attempt(self, prepared: Any, target: str, work: Awaitable[Any]) -> Any:
        """Await one upstream attempt (``work``) and note its provider, URL, status and time."""
        attempt = Attempt(prepared, target, self.monotonic(), self.start_time)
        attempt.start_time += attempt.started - self.start
        self.attempts.append(attempt)
        try:
            outcome = await work
        except BaseException as error:
            attempt.error = type(error).__name__
            raise
        finally:
            attempt.duration_ms = (self.monotonic() - attempt.started) * 1000
        attempt.status = outcome.status
        return outcome

    def cache(self, status: str) -> None:
        """The response cache's verdict for this request: ``HIT``, ``MISS``, ``REFRESH``, ``DISABLED``."""
        self.cache_status = status

    def guardrail(self, check: str, verdict: str) -> None:
        """One check's verdict (``pass``, ``fail``, ``deny``, ``error``). ``check`` is the check's name
        (``default.regexMatch``), not the client's hook id, so metric labels stay bounded."""
        self.guardrails.append((check, verdict))

    def hooks(self, results: list[dict[str, Any]]) -> None:
        """Every check verdict of one guardrail run (the hook results the runner returns, each with its
        ``checks``): ``pass``, ``error`` (it could not run), ``deny`` (failed in a denying hook) or ``fail``."""
        for hook in results:
            for check in hook.get("checks") or ():
                if check.get("verdict"):
                    verdict = "pass"
                elif "error" in check:
                    verdict = "error"
                else:
                    verdict = "deny" if hook.get("deny") else "fail"
                self.guardrail(str(check.get("id") or "unknown"), verdict)

    # --- what the sinks read -------------------------------------------------------------------
    @property
    def route(self) -> str:
        return route_template(self.fn)

    @property
    def model(self) -> str | None:
        return self.attempts[0].model if self.attempts else None

    @property
    def retry_count(self) -> int:
        """Attempts beyond the first at each target tried."""
        return len(self.attempts) - len({a.target for a in self.attempts})

    @property
    def fallbacks(self) -> int:
        """Targets tried after the first one."""
        return max(0, len({a.target for a in self.attempts}) - 1)

    def summary_json(self) -> str:
        """The fields of the live log's table and of the JSON request log, as compact JSON, encoded once
        however many sinks write it (sinks read a finished trace). The ``text`` / ``number`` helpers are
        inlined: this runs for every request while the console or the JSON log is on."""
        if self._encoded is None:
            request, usage = self.request, self.usage
            attempts = ",".join([a.to_json() for a in self.attempts]) if self.attempts else ""
            checks = ",".join([f'{{"check":{_text(c)},"verdict":{_text(v)}}}' for c, v in self.guardrails]) \
                if self.guardrails else ""
            ttfb, inp, out = self.ttfb_ms, usage.input, usage.output
            self._encoded = (
                f'{{"id":{self.id},"time":{number(self.start_time, 3)},"method":{_text(request.method)},'
                f'"path":{_text(request.path)},"route":{_route_json(self.fn)},"status":{self.status},'
                f'"duration_ms":{number(self.duration_ms)},'
                f'"ttfb_ms":{"null" if ttfb is None else number(ttfb)},'
                f'"provider":{"null" if self.provider is None else _text(self.provider)},'
                f'"model":{text(self.attempts[0].model) if self.attempts else "null"},'
                f'"target":{"null" if self.target is None else _text(self.target)},'
                f'"retries":{self.retries},"cache":{"null" if self.cache_status is None else _text(self.cache_status)},'
                f'"stream":{"true" if self.stream else "false"},"aborted":{"true" if self.aborted else "false"},'
                f'"tokens":{{"input":{"null" if inp is None else number(inp)},'
                f'"output":{"null" if out is None else number(out)}}},"attempts":[{attempts}],"guardrails":[{checks}],'
                f'"trace_id":{_text(self.trace_id) if self.trace_id else "null"}}}')
        return self._encoded

    def summary(self) -> dict[str, Any]:
        return json.loads(self.summary_json())  # type: ignore[no-any-return]
