"""The request pipeline in one place: route, validate, read the body, walk the config's
targets, and stamp the response headers (reference §1, §2.2, §4)."""

from __future__ import annotations

import logging
from typing import Any

from .access import require_token
from .bounded import BoundedTransport
from .clock import Clock
from .config import build_config
from .errors import GatewayError, json_response, not_found
from .http import Body, BodyTooLarge, Headers, Request, Response
from .leafpolicy import LeafPolicy
from .limits import Limits, check_headers, parse_json
from .memorystore import MemoryStore
from .observe import Observability, Trace
from .ports import HttpTransport, KeyValueStore
from .redaction import redact
from .requestschema import validate_body
from .routes import Match, match
from .routing.context import Call, Outcome
from .routing.retry import with_retry
from .routing.targets import Leaf, Router
from .serverconfig import ServerRoute
from .serverroute import headerless, models_list, refuse_redirects
from .settings import Settings
from .upstream import authorize, network_error, prepare, send_once

HEALTH_TEXT = b"AI Gateway says hey!"
MAX_JSON_BODY = 32 << 20
"""JSON bodies are parsed in memory; anything larger than this is refused with 413."""
MAX_BUFFERED_BODY = 512 << 20
"""Uploads are buffered only when a retry or fallback may resend them."""
log = logging.getLogger("gateway")
_NOT_BUILT = {
    "prompts": "Prompt templates are a hosted Portkey feature; this gateway has no prompt store",
}


def _may_resend(node: Any) -> bool:
    """Whether some path through the config can send the body twice (retry or fallback)."""
    if not isinstance(node, dict):
        return False
    retry = node.get("retry")
    if isinstance(retry, dict) and (retry.get("attempts") or 0) > 0:
        return True
    if (node.get("strategy") or {}).get("mode") == "fallback":
        return True
    return any(_may_resend(child) for child in node.get("targets") or [])


def _metadata(headers: Headers) -> dict[str, Any]:
    return _lenient_json(headers.get("x-portkey-metadata") or "")


def _is_json(headers: Headers) -> bool:
    return (headers.get("content-type") or "").split(";")[0].strip().lower() == "application/json"


def _lenient_json(raw: str | bytes, max_depth: int = Limits.max_json_depth) -> dict[str, Any]:
    """Metadata, or a passthrough body parsed for routing only: anything that is not a JSON
    object counts as ``{}``, as upstream does."""
    try:
        value = parse_json(raw, max_depth) if raw.strip() else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


async def _json_params(request: Request, max_depth: int) -> dict[str, Any]:
    raw = await request.read(MAX_JSON_BODY)
    try:
        params = parse_json(raw, max_depth)
    except ValueError:
        raise GatewayError("Invalid request body: expected a JSON object", 400, exception=False) from None
    if not isinstance(params, dict):
        raise GatewayError("Invalid request body: expected a JSON object", 400, exception=False)
    return params


async def _read_body(request: Request, found: Match, root: dict[str, Any] | None,
                     max_depth: int) -> tuple[dict[str, Any], Body | None]:
    """(JSON params, raw body): JSON is parsed; an upload is buffered only when ``root`` may resend it."""
    if found.body == "json":
        return await _json_params(request, max_depth), None
    if found.fn == "proxy" and _is_json(request.headers):
        raw = await request.read(MAX_JSON_BODY)  # routing and override_params may need it
        return _lenient_json(raw, max_depth), raw
    if found.body == "raw":
        return {}, await request.read(MAX_BUFFERED_BODY) if _may_resend(root) else request.body
    return {}, None


class Gateway:
    """The runtime-neutral gateway. Adapters build one per process/isolate and call ``handle``."""

    def __init__(self, settings: Settings, transport: HttpTransport, clock: Clock | None = None,
                 store: KeyValueStore | None = None, observe: Observability | None = None) -> None:
        self.settings = settings
        self.transport = BoundedTransport(transport, settings.limits)  # idle and size bounds on every call
        self.clock = clock or Clock()
        self.store: KeyValueStore = store or MemoryStore(self.clock.time, max_bytes=settings.cache.max_bytes)
        self.observe = observe or Observability(settings.observe)  # no sinks: nothing recorded

    async def handle(self, request: Request) -> Response:
        console = self.observe.route(request)  # the console's page, live-log feed and /metrics
        if console is not None:
            return await console
        trace = self.observe.begin(request)
        return await self.observe.answer(trace, self._guarded(request, trace))

    async def _guarded(self, request: Request, trace: Trace) -> Response:
        try:
            return await self._handle(request, trace)
        except GatewayError as error:
            return error.to_response()
        except BodyTooLarge as error:
            return GatewayError(str(error), 413, exception=False).to_response()
        except Exception:  # noqa: BLE001 - the client gets a clean 500, never a traceback
            log.exception("unhandled error on %s %s", request.method, request.path)
            return GatewayError("Something went wrong").to_response()

    async def _handle(self, request: Request, trace: Trace) -> Response:
        check_headers(request.headers, self.settings.limits)  # 431/400 before any header is parsed
        if request.method in ("GET", "HEAD") and request.path == "/":
            return Response(200, Headers({"content-type": "text/plain"}), HEALTH_TEXT)
        if request.method in ("GET", "HEAD") and request.path == "/openapi.json":
            from .openapi import openapi_response

            return openapi_response()
        found = match(request.method, request.path)
        if found is None:
            return not_found()
        trace.fn = found.fn
        if found.fn in _NOT_BUILT:
            return json_response(501, {"status": "failure", "message": _NOT_BUILT[found.fn]})
        if found.fn == "realtime":  # a WebSocket upgrade never reaches here: adapters hand it to gateway.realtime
            from .realtime import upgrade_required

            return upgrade_required()
        routing = build_config(request.headers, self.settings)
        server = self.settings.server
        if routing.root is None and request.method == "GET" and found.fn == "proxy" \
                and request.path.rstrip("/") == "/v1/models" and not server.empty:
            return json_response(200, models_list(server))
        if routing.server_held:  # known from the headers: refuse before reading any body
            self._check_access(request.headers)
        params, raw = await _read_body(request, found, routing.root or server.configs.get("default"),
                                       self.settings.limits.max_json_depth)
        route = ServerRoute(routing.root, routing.server_held) if routing.root is not None else \
            headerless(params, request.headers, self.settings)
        if route.server_held and not routing.server_held:
            self._check_access(request.headers)
        validate_body(found.fn, params)  # 400 naming a mistyped field, before anything goes upstream
        call = Call(found.fn, request.method, request.path, request.query, found.path_params,
                    found.body, request.headers, params, raw, routing.overrides, _metadata(request.headers),
                    server_held=route.server_held, trace=trace)
        outcome = await Router(call, self._leaf_for(call), self.clock).walk(route.root, {}, "config")
        if route.server_held and server.secrets:
            outcome = redact(outcome, server.secrets)
        return self._respond(outcome, request.headers)

    def _check_access(self, headers: Headers) -> None:
        """A route that spends the server's keys needs a gateway token, and may not redirect them."""
        require_token(headers, self.settings.server.token_hashes)
        refuse_redirects(headers)

    def _leaf_for(self, call: Call) -> Leaf:
        """The upstream step for one call: prepare once, then send with retry and timeout."""
        async def leaf(target: dict[str, Any], settings: dict[str, Any], path: str) -> Outcome:
            policy = LeafPolicy(call, target, settings, self.transport, self.store, self.clock,
                                self.settings.trusted_custom_hosts, self.settings.cache.max_entry_bytes)
            early = await policy.before_hooks()  # guardrails: a deny answers 446 before any upstream call
            if early is None:
                prepared = prepare(policy.call, target, settings, self.settings.custom_headers_to_ignore,
                                   self.clock.time())
                early = await policy.lookup(prepared)  # the response cache
            if early is not None:
                early.option_path = path
                return early
            timeout = call.overrides.request_timeout or settings.get("request_timeout")
            slug = prepared.provider.slug

            async def attempt() -> Outcome:  # credentials and signatures are fresh on every try
                ready = await authorize(prepared, self.transport, self.store, self.clock.time(),
                                        self.settings.trusted_custom_hosts)
                sent = send_once(self.transport, ready, call, timeout)
                return await policy.finish(await (call.trace.attempt(ready, path, sent) if call.trace else sent))

            outcome = await with_retry(attempt, settings.get("retry"), self.clock,
                                       lambda error: network_error(slug, error))
            outcome.option_path = path
            outcome.cache_status = policy.status if outcome.cache_status is not None else None
            return outcome
        return leaf

    @staticmethod
    def _respond(outcome: Outcome, request_headers: Headers) -> Response:
        headers = outcome.headers
        if not outcome.exception:
            headers["x-portkey-provider"] = outcome.provider or ""
            headers["x-portkey-trace-id"] = request_headers.get("x-portkey-trace-id") or ""
            headers["x-portkey-last-used-option-index"] = outcome.option_path
            headers["x-portkey-retry-attempt-count"] = str(outcome.retry_count)
            if outcome.cache_status is not None:
                headers["x-portkey-cache-status"] = outcome.cache_status
        return Response(outcome.status, headers, outcome.body, on_close=outcome.closer)
