"""The request pipeline in one place: route, validate, read the body, walk the config's
targets, and stamp the response headers (reference §1, §2.2, §4)."""

from __future__ import annotations

import json
import logging
from typing import Any

from .access import require_token
from .clock import Clock
from .config import build_config
from .errors import GatewayError, json_response, not_found
from .http import Body, BodyTooLarge, Headers, Request, Response
from .memorystore import MemoryStore
from .ports import HttpTransport, KeyValueStore
from .redaction import redact
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
    "realtime": "Realtime is not implemented yet in this gateway",
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


def _lenient_json(raw: str | bytes) -> dict[str, Any]:
    """Metadata, or a passthrough body parsed for routing only: anything that is not a JSON
    object counts as ``{}``, as upstream does."""
    try:
        value = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


async def _json_params(request: Request) -> dict[str, Any]:
    raw = await request.read(MAX_JSON_BODY)
    try:
        params = json.loads(raw)
    except ValueError:
        raise GatewayError("Invalid request body: expected a JSON object", 400, exception=False) from None
    if not isinstance(params, dict):
        raise GatewayError("Invalid request body: expected a JSON object", 400, exception=False)
    return params


async def _read_body(request: Request, found: Match, root: dict[str, Any] | None) -> tuple[dict[str, Any], Body | None]:
    """(JSON params, raw body): JSON is parsed; an upload is buffered only when ``root`` may resend it."""
    if found.body == "json":
        return await _json_params(request), None
    if found.fn == "proxy" and _is_json(request.headers):
        raw = await request.read(MAX_JSON_BODY)  # routing and override_params may need it
        return _lenient_json(raw), raw
    if found.body == "raw":
        return {}, await request.read(MAX_BUFFERED_BODY) if _may_resend(root) else request.body
    return {}, None


class Gateway:
    """The runtime-neutral gateway. Adapters build one per process/isolate and call ``handle``."""

    def __init__(self, settings: Settings, transport: HttpTransport, clock: Clock | None = None,
                 store: KeyValueStore | None = None) -> None:
        self.settings = settings
        self.transport = transport
        self.clock = clock or Clock()
        self.store: KeyValueStore = store or MemoryStore(self.clock.time)

    async def handle(self, request: Request) -> Response:
        try:
            return await self._handle(request)
        except GatewayError as error:
            return error.to_response()
        except BodyTooLarge as error:
            return GatewayError(str(error), 413, exception=False).to_response()
        except Exception:  # noqa: BLE001 - the client gets a clean 500, never a traceback
            log.exception("unhandled error on %s %s", request.method, request.path)
            return GatewayError("Something went wrong").to_response()

    async def _handle(self, request: Request) -> Response:
        if request.method in ("GET", "HEAD") and request.path == "/":
            return Response(200, Headers({"content-type": "text/plain"}), HEALTH_TEXT)
        found = match(request.method, request.path)
        if found is None:
            return not_found()
        if found.fn in _NOT_BUILT:
            return json_response(501, {"status": "failure", "message": _NOT_BUILT[found.fn]})
        routing = build_config(request.headers, self.settings)
        server = self.settings.server
        if routing.root is None and request.method == "GET" and found.fn == "proxy" \
                and request.path.rstrip("/") == "/v1/models" and not server.empty:
            return json_response(200, models_list(server))
        if routing.server_held:  # known from the headers: refuse before reading any body
            self._check_access(request.headers)
        params, raw = await _read_body(request, found, routing.root or server.configs.get("default"))
        route = ServerRoute(routing.root, routing.server_held) if routing.root is not None else \
            headerless(params, request.headers, self.settings)
        if route.server_held and not routing.server_held:
            self._check_access(request.headers)
        call = Call(found.fn, request.method, request.path, request.query, found.path_params,
                    found.body, request.headers, params, raw, routing.overrides, _metadata(request.headers),
                    server_held=route.server_held)
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
            prepared = prepare(call, target, settings, self.settings.custom_headers_to_ignore, self.clock.time())
            timeout = call.overrides.request_timeout or settings.get("request_timeout")
            slug = prepared.provider.slug

            async def attempt() -> Outcome:  # credentials and signatures are fresh on every try
                ready = await authorize(prepared, self.transport, self.store, self.clock.time(),
                                        self.settings.trusted_custom_hosts)
                return await send_once(self.transport, ready, call, timeout)

            outcome = await with_retry(attempt, settings.get("retry"), self.clock,
                                       lambda error: network_error(slug, error))
            outcome.option_path = path
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
            headers["x-portkey-cache-status"] = "DISABLED"
        return Response(outcome.status, headers, outcome.body, on_close=outcome.closer)
