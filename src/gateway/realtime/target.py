"""Where a realtime session goes: the provider's WebSocket URL and headers, decided from the
client's ``x-portkey-*`` headers (or a flat config with ``provider``, or the server's routing)
before anything is opened (reference §9).

Realtime takes one provider: targets, retries, fallback and hooks do not apply to a socket that
cannot be replayed, so a config with ``targets`` is refused rather than half-applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..access import require_token
from ..config import HeaderOverrides, P, build_config
from ..errors import GatewayError, ValidationError, json_response
from ..http import Headers, Request, Response
from ..providers.base import Provider
from ..serverconfig import ServerRoute
from ..serverroute import headerless, refuse_redirects
from ..settings import Settings
from ..upstream import resolve_provider

_WS_SCHEMES = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}
_CLIENT_CREDENTIALS = ("authorization", "x-api-key", "api-key")
_HANDSHAKE = ("host", "connection", "upgrade", "sec-websocket-key", "sec-websocket-version",
              "sec-websocket-extensions", "sec-websocket-protocol")
"""The client's own handshake headers: the upstream leg makes its own, so they are never forwarded."""
_KEY_PROTOCOL = "openai-insecure-api-key."
_BETA_PROTOCOL = "openai-beta."


@dataclass(frozen=True)
class Target:
    slug: str
    url: str
    """``ws://`` or ``wss://``."""
    headers: Headers
    subprotocol: str | None
    """The subprotocol to accept the client with (browsers fail a handshake that picks none)."""
    handshake_seconds: float
    server_held: bool = False
    """The session spends a key the server holds (its errors are scrubbed of server secrets)."""


def upgrade_required() -> Response:
    """A plain HTTP request on ``/v1/realtime``."""
    message = "/v1/realtime is a WebSocket endpoint: connect with 'Upgrade: websocket' (ws:// or wss://)"
    response = json_response(426, {"status": "failure", "message": message})
    response.headers["upgrade"] = "websocket"
    return response


def browser_headers(headers: Headers) -> tuple[Headers, str | None]:
    """A browser's ``WebSocket`` cannot set headers, so OpenAI's browser clients send the key and the
    beta flag as subprotocols (``realtime``, ``openai-insecure-api-key.<key>``,
    ``openai-beta.realtime-v1``). They count as ``Authorization`` and ``openai-beta`` when those
    headers are absent; ``realtime`` is the subprotocol accepted."""
    offered = [p.strip() for p in (headers.get("sec-websocket-protocol") or "").split(",") if p.strip()]
    if not offered:
        return headers, None
    out = headers.copy()
    for protocol in offered:
        if protocol.startswith(_KEY_PROTOCOL) and "authorization" not in out:
            out["authorization"] = "Bearer " + protocol[len(_KEY_PROTOCOL):]
        elif protocol.startswith(_BETA_PROTOCOL) and "openai-beta" not in out:
            out["openai-beta"] = protocol[len(_BETA_PROTOCOL):]
    return out, "realtime" if "realtime" in offered else None


def _route(request: Request, headers: Headers, settings: Settings) -> tuple[ServerRoute, HeaderOverrides]:
    routing = build_config(headers, settings)
    if routing.root is not None:
        route = ServerRoute(routing.root, routing.server_held)
    else:  # no routing header: the model string in ?model=, else the server's default config
        model = dict(parse_qsl(request.query)).get("model")
        route = headerless({"model": model} if model else {}, headers, settings)
    if route.server_held:
        require_token(headers, settings.server.token_hashes)
        refuse_redirects(headers)
    return route, routing.overrides


def _leaf(root: dict[str, Any]) -> dict[str, Any]:
    if root.get("targets"):
        raise ValidationError("Realtime takes one provider: use x-portkey-provider or a config with 'provider' "
                              "(targets, fallback and load balancing do not apply to a WebSocket)")
    if not root.get("provider"):
        raise ValidationError("Either x-portkey-provider or a config with a provider is required")
    return root


def _options(provider: Provider, leaf: dict[str, Any], headers: Headers) -> dict[str, Any]:
    """The leaf's options, plus the provider's bare option headers (``openai-beta``) in config mode
    too: a realtime client sends them as headers whatever routes it."""
    extra = {}
    for name, option, bare in provider.option_headers:
        value = headers.get(P + name) or (headers.get(name) if bare else None)
        if bare and value and not leaf.get(option):
            extra[option] = value
    return {**leaf, **extra} if extra else leaf


def _query(query: str, leaf: dict[str, Any]) -> str:
    """The client's query, with ``model`` replaced when the route overrides it (``openai/<model>``
    model strings, ``override_params``)."""
    model = (leaf.get("override_params") or {}).get("model")
    if not isinstance(model, str):
        return query
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "model"]
    return urlencode([*pairs, ("model", model)])


def _ws_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    ws = _WS_SCHEMES.get(scheme.lower())
    if not sep or ws is None:
        raise GatewayError("The realtime URL must be http(s) or ws(s)", 400, exception=False)
    return f"{ws}://{rest}"


def _headers(provider: Provider, options: dict[str, Any], request: Headers, route: ServerRoute,
             forward: tuple[str, ...] | None) -> Headers:
    out = Headers(provider.request_headers(options, "realtime"))
    names = forward if forward is not None else tuple(h.lower() for h in options.get("forward_headers") or ())
    for name in names:
        value = request.get(name)
        if value is not None and name not in _HANDSHAKE and not (route.server_held and name in _CLIENT_CREDENTIALS):
            out[name] = value
    return out


def _handshake_seconds(overrides_ms: float | None, leaf: dict[str, Any], settings: Settings) -> float:
    timeout_ms = overrides_ms or leaf.get("request_timeout")
    if isinstance(timeout_ms, (int, float)) and timeout_ms > 0:
        return float(timeout_ms) / 1000
    return settings.realtime_handshake_seconds


def resolve(request: Request, settings: Settings) -> Target:
    """The session's upstream, or a ``GatewayError`` saying why there is none."""
    headers, subprotocol = browser_headers(request.headers)
    route, overrides = _route(request, headers, settings)
    leaf = _leaf(route.root)
    provider = resolve_provider(leaf)
    if provider.realtime is None:
        raise GatewayError(f"realtime is not supported by {provider.slug}", 400, exception=False)
    options = _options(provider, leaf, headers)
    host = overrides.custom_host or leaf.get("custom_host")
    if host:
        base = str(host).rstrip("/")
    else:
        base = provider.dynamic_base(options) if provider.dynamic_base is not None else provider.base_url
    if not base:
        raise GatewayError(f"{provider.slug} needs a custom host (x-portkey-custom-host or custom_host)", 400,
                           exception=False)
    url = _ws_url(provider.realtime(options, base, _query(request.query, leaf)))
    return Target(provider.slug, url, _headers(provider, options, headers, route, overrides.forward_headers),
                  subprotocol, _handshake_seconds(overrides.request_timeout, leaf, settings), route.server_held)


def display_url(url: str) -> str:
    """The URL for logs: no query string."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
