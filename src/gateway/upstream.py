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
from dataclasses import dataclass
from typing import Any

from . import jsoncodec
from .errors import GatewayError, openai_error, timeout_response
from .http import Body, Headers
from .ports import HttpTransport, TransportError, UpstreamResponse
from .providers import get_provider
from .providers.base import Provider, render_path
from .routing.context import Call, Outcome
from .transform.params import map_params

SMALL_BODY = 1 << 20
log = logging.getLogger("gateway.upstream")
_HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host",
    "content-length", "expect", "proxy-connection", "accept-encoding",
})
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


def resolve_provider(target: dict[str, Any], fn: str) -> Provider:
    slug = target.get("provider")
    provider = get_provider(slug) if slug else None
    if provider is None:
        if slug:
            raise GatewayError(f"Provider {slug} is not implemented by this gateway yet", 501, exception=False)
        raise GatewayError("Provider  not found")
    if not provider.supports(fn):
        raise GatewayError(f"{fn} is not supported by {slug}", 400, exception=False)
    return provider


def _url(provider: Provider, call: Call, options: dict[str, Any], host: str | None) -> str:
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
        return provider.build_url(provider, options, call.fn, base, call.path_params, call.query)
    if call.fn == "proxy":
        path = call.path.removeprefix("/v1/proxy").removeprefix("/v1")
    else:
        path = render_path(provider.endpoints[call.fn], call.path_params, options)
    keep_query = call.query and (call.fn == "proxy" or call.body_kind == "none")
    return base + path + (f"?{call.query}" if keep_query else "")


def _headers(provider: Provider, call: Call, options: dict[str, Any], forward: tuple[str, ...],
             ignore: tuple[str, ...], streamed: bool) -> Headers:
    out = Headers()
    if call.fn == "proxy":
        for name, value in call.headers.items():
            if not (name.startswith("x-portkey-") or name in _HOP_BY_HOP or name in ignore):
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
    for name, value in provider.request_headers(options, call.fn).items():
        out[name] = value
    for name in forward:
        forwarded = call.headers.get(name)
        if forwarded is not None:
            out[name] = forwarded
    return out


def _body(provider: Provider, call: Call, settings: dict[str, Any], options: dict[str, Any]) -> Body | None:
    if call.body_kind == "json":
        params = {**call.params, **(settings.get("override_params") or {})}
        spec = provider.params.get(call.fn)
        payload = map_params(spec, params, options) if spec is not None else params
        return jsoncodec.dumps(payload)
    if call.body_kind == "raw":
        overrides = settings.get("override_params")
        if call.fn == "proxy" and call.params and overrides:  # a JSON passthrough body
            return jsoncodec.dumps({**call.params, **overrides})
        return call.raw
    return None


def prepare(call: Call, target: dict[str, Any], settings: dict[str, Any],
            ignore: tuple[str, ...]) -> Prepared:
    """Resolve the provider and build URL, headers and body for one leaf."""
    provider = resolve_provider(target, call.fn)
    options = target
    host = call.overrides.custom_host or settings.get("custom_host")
    forward = call.overrides.forward_headers
    if forward is None:
        forward = tuple(h.lower() for h in settings.get("forward_headers") or ())
    url = _url(provider, call, options, host)
    body = _body(provider, call, settings, options)
    headers = _headers(provider, call, options, forward, ignore, streamed=not isinstance(body, (bytes, type(None))))
    return Prepared(provider, call.method, url, headers, body)


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


async def _stream(upstream: UpstreamResponse) -> AsyncIterator[bytes]:
    """Pass the upstream body on as it arrives. If the upstream breaks mid-way the status is
    already sent, so the stream just ends (no ``[DONE]``), as upstream Portkey does."""
    try:
        async for chunk in upstream.stream():
            yield chunk
    except TransportError as error:
        log.warning("upstream stream ended early: %s", error)
    finally:
        await upstream.close()


async def _finish(prepared: Prepared, call: Call, upstream: UpstreamResponse) -> Outcome:
    headers = _response_headers(upstream)
    status = upstream.status
    slug = prepared.provider.slug
    content_type = upstream.headers.get("content-type") or ""
    if status >= 400 and call.fn != "proxy":
        try:
            raw = await upstream.read()
        finally:
            await upstream.close()
        if "json" not in content_type:  # a text/html error becomes JSON; a JSON one keeps its header
            headers["content-type"] = "application/json"
        return Outcome(status, headers, _error_body(slug, raw, content_type), slug)
    length = upstream.headers.get("content-length")
    small = length is not None and length.isdigit() and int(length) <= SMALL_BODY
    if small and "event-stream" not in content_type:
        try:
            raw = await upstream.read()
        finally:
            await upstream.close()
        return Outcome(status, headers, raw, slug)
    return Outcome(status, headers, _stream(upstream), slug, closer=upstream.close)


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
