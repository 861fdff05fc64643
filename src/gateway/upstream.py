"""One leaf target: build the provider request, send it once within the timeout, and turn the
upstream answer into an Outcome (reference §4.6, §10, §11).

Success bodies stream through untouched unless they are small and fully known (then they are
read so the client gets a Content-Length); error bodies are read and normalised.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any

from . import jsoncodec
from .errors import GatewayError, openai_error, timeout_response
from .http import Body, Headers
from .integrity import checked_answer
from .ports import HttpTransport, KeyValueStore, TransportError, UpstreamResponse
from .providers import get_provider
from .providers.base import AuthContext, Provider, SignRequest, render_path
from .providers.proxy_path import proxy_path
from .providers.unserved import REASONS
from .routing.context import Call, Outcome
from .transform.events import MapContext
from .transform.params import map_params
from .translation import (
    ESTIMATE_HEADER,
    MAX_TRANSLATED_BODY,
    Plan,
    client_error_body,
    estimate_outcome_body,
    hub_params,
    passthrough_stream,
    plan_for,
    translate_body,
    translate_stream,
)

SMALL_BODY = 1 << 20
log = logging.getLogger("gateway.upstream")
_HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host",
    "content-length", "expect", "proxy-connection", "accept-encoding",
})
_CLIENT_CREDENTIALS = ("authorization", "x-api-key", "api-key", "x-goog-api-key")
"""A client's credential headers: never forwarded when the server's own keys are used (the
client's bearer is then the gateway token)."""
_DROP_FROM_UPSTREAM = frozenset({"content-length", "content-encoding", "transfer-encoding",
                                 "connection", "keep-alive", "date"})


@dataclass(frozen=True)
class Prepared:
    """A provider request ready to send (and to resend on retry)."""

    provider: Provider
    method: str
    url: str
    headers: Headers
    body: Body | None
    plan: Plan
    streaming: bool = False
    options: dict[str, Any] = field(default_factory=dict)


def resolve_provider(target: dict[str, Any]) -> Provider:
    slug = target.get("provider")
    provider = get_provider(slug) if slug else None
    if provider is None:
        if slug:
            reason = REASONS.get(slug, "not implemented")
            raise GatewayError(f"Provider {slug} is not implemented by this gateway yet: {reason}", 501,
                               exception=False)
        raise GatewayError("Provider  not found")
    return provider


def _url(provider: Provider, call: Call, fn: str, options: dict[str, Any], host: str | None) -> str:
    if host:
        base = host.rstrip("/")
    elif provider.dynamic_base is not None:
        base = provider.dynamic_base(options)
    else:
        base = provider.base_url
    if not base:
        raise GatewayError(f"{provider.slug} needs a custom host (x-portkey-custom-host or "
                           "custom_host)", 400, exception=False)
    if provider.build_url is not None:
        return provider.build_url(provider, options, fn, base, call.path_params, call.query)
    if fn == "proxy":
        path = proxy_path(call.path)
    else:
        path = render_path(provider.endpoints[fn], call.path_params, options)
    keep_query = call.query and (call.fn == "proxy" or call.body_kind == "none")
    return base + path + (f"?{call.query}" if keep_query else "")


def _headers(provider: Provider, call: Call, fn: str, options: dict[str, Any], forward: tuple[str, ...],
             ignore: tuple[str, ...], streamed: bool) -> Headers:
    out = Headers()
    private = _CLIENT_CREDENTIALS if call.server_held else ()
    if call.fn == "proxy":
        for name, value in call.headers.items():
            if not (name.startswith("x-portkey-") or name in _HOP_BY_HOP or name in ignore or name in private):
                out[name] = value
        if call.body_kind == "none":
            out.pop("content-type")
    elif call.body_kind == "json":
        out["content-type"] = "application/json"
    elif call.body_kind == "raw" and call.headers.get("content-type"):
        out["content-type"] = call.headers["content-type"]
    length = call.headers.get("content-length")
    if streamed and length:
        out["content-length"] = length  # lets a streamed upload go out unchunked, as the client sent it
    for name, value in provider.request_headers(options, fn).items():
        out[name] = value
    for name in forward:
        forwarded = call.headers.get(name)
        if forwarded is not None and name not in private:
            out[name] = forwarded
    return out


def _body(provider: Provider, call: Call, plan: Plan, params: dict[str, Any],
          settings: dict[str, Any], options: dict[str, Any]) -> Body | None:
    if call.body_kind == "json":
        if plan.translation is not None:
            mapped = plan.translation.request(params, options, plan.ctx)
            if plan.translation.encode is not None:
                return _Encoded(*plan.translation.encode(mapped))
            return jsoncodec.dumps(mapped)
        spec = provider.params.get(plan.provider_fn)
        payload = map_params(spec, params, options) if spec is not None else params
        return jsoncodec.dumps(payload)
    if call.body_kind == "raw":
        overrides = settings.get("override_params")
        if call.fn == "proxy" and call.params and overrides:  # a JSON passthrough body
            return jsoncodec.dumps({**call.params, **overrides})
        return call.raw
    return None


class _Encoded(bytes):
    """A translated body that is not JSON (``Translation.encode``), carrying its content type."""

    content_type: str

    def __new__(cls, body: bytes, content_type: str) -> _Encoded:
        encoded = super().__new__(cls, body)
        encoded.content_type = content_type
        return encoded


def _context(provider: Provider, call: Call, settings: dict[str, Any], now: float) -> MapContext:
    strict = not (call.overrides.strict_open_ai_compliance is False
                  or settings.get("strict_open_ai_compliance") is False)
    model = (settings.get("override_params") or {}).get("model", call.params.get("model"))  # what goes upstream
    return MapContext(provider.slug, model if isinstance(model, str) else None, strict, int(now),
                      f"{provider.slug}-{int(now * 1000)}")


def _options(provider: Provider, target: dict[str, Any], headers: Headers) -> dict[str, Any]:
    extra = {option: headers[name] for name, option in provider.client_options.items()
             if name in headers and not target.get(option)}
    return {**target, **extra} if extra else target


def url_options(options: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """The options a URL is built from, plus the request's ``model``, ``user`` and ``stream`` (after
    ``override_params``): Gemini, Vertex AI and Bedrock name both in the path
    (``/models/{model}:streamGenerateContent``), so an endpoint template may use ``{model}`` and a
    ``build_url`` may read ``options["stream"]``; Predibase's documented tenant id travels in
    OpenAI's ``user`` field. Only the URL sees them, never headers or hooks."""
    facts: dict[str, Any] = {"stream": params.get("stream") is True}
    for name in ("model", "user"):
        value = params.get(name)
        if isinstance(value, str) and value:
            facts[name] = value
    return {**options, **facts}


def prepare(call: Call, target: dict[str, Any], settings: dict[str, Any],
            ignore: tuple[str, ...], now: float) -> Prepared:
    """Resolve the provider, decide how the call is translated, and build URL, headers and body
    for one leaf."""
    provider = resolve_provider(target)
    options = _options(provider, target, call.headers)
    plan = plan_for(provider, call.fn, _context(provider, call, settings, now))
    params = hub_params(plan, call.params, settings.get("override_params") or {})
    host = call.overrides.custom_host or settings.get("custom_host")
    forward = call.overrides.forward_headers
    if forward is None:
        forward = tuple(h.lower() for h in settings.get("forward_headers") or ())
    if plan.estimate:  # answered locally: no URL, no upstream call
        return Prepared(provider, call.method, "", Headers(), estimate_outcome_body(plan, params), plan)
    url = _url(provider, call, plan.provider_fn, url_options(options, params), host)
    body = _body(provider, call, plan, params, settings, options)
    streamed = not isinstance(body, (bytes, type(None)))
    headers = _headers(provider, call, plan.provider_fn, options, forward, ignore, streamed)
    if isinstance(body, _Encoded):
        headers["content-type"] = body.content_type
        body = bytes(body)
    return Prepared(provider, call.method, url, headers, body, plan, params.get("stream") is True, options)


def _error_body(slug: str, raw: bytes, content_type: str) -> bytes:
    """Normalise a provider error to ``{"error": {...}, "provider": slug}`` (reference §11)."""
    if "json" in content_type or raw[:1] in (b"{", b"["):
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if isinstance(data, dict) and "error" in data:
            err = data["error"]
            if isinstance(err, dict):
                message = err.get("message", "")
                detail = openai_error(f"{slug} error: {message}", err.get("type"),
                                      err.get("param"), err.get("code"))
            else:
                detail = openai_error(f"{slug} error: {err}")
            return jsoncodec.dumps({**detail, "provider": slug})
        if data is not None:
            return raw
    return jsoncodec.dumps({"html-message": raw.decode("utf-8", "replace")})


def _response_headers(upstream: UpstreamResponse) -> Headers:
    out = Headers()
    for name, value in upstream.headers.items():
        if name not in _DROP_FROM_UPSTREAM:
            out[name] = value
    return out


async def _read_capped(upstream: UpstreamResponse, limit: int) -> bytes:
    """Read a body that must be held whole, refusing one larger than ``limit``."""
    length = upstream.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) <= limit:
        try:  # the common case: one read, no chunk loop
            return await upstream.read()
        finally:
            await upstream.close()
    chunks, size = [], 0
    try:
        async for chunk in upstream.stream():
            size += len(chunk)
            if size > limit:
                raise TransportError(f"the answer is larger than {limit} bytes")
            chunks.append(chunk)
    finally:
        await upstream.close()
    return b"".join(chunks)


async def _read_error(upstream: UpstreamResponse) -> bytes:
    try:
        return await upstream.read()
    finally:
        await upstream.close()


async def _finish(prepared: Prepared, call: Call, upstream: UpstreamResponse) -> Outcome:
    headers = _response_headers(upstream)
    status = upstream.status
    slug = prepared.provider.slug
    plan = prepared.plan
    content_type = upstream.headers.get("content-type") or ""
    if status >= 400 and call.fn != "proxy":
        raw = await _read_error(upstream)
        if "json" not in content_type or not plan.passthrough:  # a JSON passthrough error keeps its header
            headers["content-type"] = "application/json"
        body = client_error_body(plan, status, raw, lambda data: _error_body(slug, data, content_type))
        return Outcome(status, headers, body, slug)
    if not plan.passthrough:
        return await _finish_translated(prepared, upstream, headers)
    length = upstream.headers.get("content-length")
    small = length is not None and length.isdigit() and int(length) <= SMALL_BODY
    if small and "event-stream" not in content_type:
        try:
            raw = await upstream.read()
        finally:
            await upstream.close()
        status, raw = checked_answer(plan, status, headers, raw, content_type)
        return Outcome(status, headers, raw, slug)
    if "event-stream" in content_type:
        stream = passthrough_stream(upstream, plan.provider_fn, slug)
    else:
        stream = _plain_stream(upstream)
    return Outcome(status, headers, stream, slug, closer=upstream.close)


async def _finish_translated(prepared: Prepared, upstream: UpstreamResponse, headers: Headers) -> Outcome:
    """A 2xx from a provider whose answer must be mapped into the client's format."""
    slug = prepared.provider.slug
    plan = prepared.plan
    if prepared.streaming:
        headers["content-type"] = "text/event-stream"
        headers["cache-control"] = "no-cache"
        return Outcome(200, headers, translate_stream(plan, upstream), slug, closer=upstream.close)
    try:
        raw = await _read_capped(upstream, MAX_TRANSLATED_BODY)
    except TransportError as error:
        raw_status, body = 502, jsoncodec.dumps({**openai_error(f"{slug} error: {error}", "invalid_response"),
                                                 "provider": slug})
    else:
        raw_status, body = translate_body(plan, raw)
    headers["content-type"] = "application/json"
    return Outcome(raw_status, headers, body, slug)


async def _plain_stream(upstream: UpstreamResponse) -> AsyncIterator[bytes]:
    """A large non-SSE body (a file, audio) passes on as it arrives. If it breaks (or is cut at
    ``MAX_RESPONSE_BYTES``) the error goes on to the adapter, which aborts the client's response:
    an unterminated body tells the client it is incomplete, where a clean end would pass for the
    whole file."""
    try:
        async for chunk in upstream.stream():
            yield chunk
    except TransportError as error:
        log.warning("upstream body ended early: %s", error)
        raise
    finally:
        await upstream.close()


def estimate_outcome(prepared: Prepared) -> Outcome:
    """``count_tokens`` on a provider without a counting API: an estimate, labelled as one."""
    headers = Headers({"content-type": "application/json", ESTIMATE_HEADER: "estimate"})
    body = prepared.body if isinstance(prepared.body, bytes) else b"{}"
    return Outcome(200, headers, body, prepared.provider.slug)


async def authorize(prepared: Prepared, transport: HttpTransport, store: KeyValueStore, now: float,
                    trusted_hosts: tuple[str, ...] = ()) -> Prepared:
    """Run the provider's credential and signing hooks on a prepared request."""
    provider = prepared.provider
    if prepared.plan.estimate or (provider.authorize is None and provider.sign is None):
        return prepared
    headers = prepared.headers.copy()
    options = prepared.options
    if provider.authorize is not None:
        context = AuthContext(options, prepared.plan.provider_fn, transport, store, now, trusted_hosts)
        for name, value in (await provider.authorize(context)).items():
            headers[name] = value
    if provider.sign is not None:
        body = prepared.body
        exact = b"" if body is None else body if isinstance(body, bytes) else None  # None: a streamed upload
        request = SignRequest(prepared.method, prepared.url, headers, exact, options, now)
        for name, value in provider.sign(request).items():
            headers[name] = value
    return replace(prepared, headers=headers)


def network_error(slug: str, error: TransportError) -> Outcome:
    """What a client sees when the upstream could not be reached after every try."""
    status = 503 if error.connect else 500
    body = {**openai_error(f"{slug} error: upstream request failed: {error}", "network_error"),
            "provider": slug}
    return Outcome(status, Headers({"content-type": "application/json"}),
                   jsoncodec.dumps(body), slug)


async def send_once(transport: HttpTransport, prepared: Prepared, call: Call,
                    timeout_ms: float | None) -> Outcome:
    """One attempt. A timeout cancels the upstream request and answers 408."""
    if prepared.plan.estimate:
        return estimate_outcome(prepared)

    async def attempt() -> Outcome:
        upstream = await transport.send(prepared.method, prepared.url, prepared.headers, prepared.body)
        return await _finish(prepared, call, upstream)

    if not timeout_ms:
        return await attempt()
    try:
        return await asyncio.wait_for(attempt(), timeout_ms / 1000)
    except TimeoutError:
        response = timeout_response(timeout_ms)
        return Outcome(408, response.headers, response.body, prepared.provider.slug)  # type: ignore[arg-type]
