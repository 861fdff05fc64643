"""What a provider is: data (base URL, auth headers, endpoint paths, parameter maps) plus
small pure functions. The pipeline owns everything else (SSE framing, retries, headers)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..http import Headers
from ..ports import HttpTransport, KeyValueStore
from ..transform.events import MapContext, StreamMapper
from ..transform.params import Options, ParamMap

HeaderBuilder = Callable[[Options, str], dict[str, str]]
UrlBuilder = Callable[["Provider", Options, str, str, Mapping[str, str], str], str]
"""(provider, options, fn, base_url, path_params, client_query) -> the full upstream URL."""
NativeCheck = Callable[[str, "str | None"], bool]
"""(fn, model) -> whether the provider serves fn itself for this model."""
RealtimeUrl = Callable[[Options, str, str], str]
"""(options, base URL, the client's query string) -> the http(s) URL of the provider's realtime
WebSocket (the core turns http into ws and https into wss)."""


def bearer_headers(options: Options, fn: str) -> dict[str, str]:
    """``Authorization: Bearer <api_key>``, the scheme of OpenAI and its look-alikes."""
    key = options.get("api_key")
    return {"authorization": f"Bearer {key}"} if key else {}


@dataclass(frozen=True)
class Translation:
    """How one endpoint of a provider that does not speak OpenAI's wire format maps to and from
    the hub (OpenAI's shape for that endpoint). Every function is pure; none sees bytes.

    ``request``: hub params (after ``override_params``) -> the provider's JSON body.
    ``response``: the provider's 2xx JSON -> the hub JSON (``chat.completion`` for chat).
    ``error``: (status, the provider's error JSON or None when it was not JSON, raw text) -> the hub
    error envelope ``{"error": {message, type, param, code}, "provider": slug}``.
    ``stream``: a fresh mapper per stream, provider events -> hub events (chunks, then ``DONE``
    when, and only when, the provider said the answer is complete). For an endpoint whose route
    format is not the hub's (``messages`` on a provider that serves Claude natively, e.g. Bedrock),
    request/response/stream speak that format instead (Anthropic's body and named events, then
    ``DONE``), while ``error`` still returns the hub envelope (the core shapes it for the route).
    ``framing``: how the core splits the provider's stream into events: ``sse`` (any of
    ``\\n\\n``, ``\\r\\n\\r\\n``), ``lines`` (one JSON per line), ``json-array`` or ``text`` (unframed
    text; its clean end is the ``DONE``)."""

    request: Callable[[Mapping[str, Any], Options, MapContext], dict[str, Any]]
    response: Callable[[Any, MapContext], dict[str, Any]]
    error: Callable[[int, Any, str, MapContext], dict[str, Any]]
    stream: Callable[[MapContext], StreamMapper]
    framing: str = "sse"
    encode: Callable[[dict[str, Any]], tuple[bytes, str]] | None = None
    """The mapped request's wire form when it is not JSON: (body, content-type). Stability's
    v2beta image endpoints take multipart form data only. None: compact JSON."""


@dataclass(frozen=True)
class AuthContext:
    """What an ``authorize`` hook may use to obtain credentials: the leaf's options, the HTTP
    transport (a token exchange), the key-value store (a token cache shared by processes) and
    the injected clock's wall time."""

    options: Options
    fn: str
    transport: HttpTransport
    store: KeyValueStore
    now: float
    trusted_hosts: tuple[str, ...] = ()
    """The gateway's trusted custom hosts, for a hook that must vet a URL it was given (a
    service account's ``token_uri``) with ``customhost.is_valid_custom_host``."""


@dataclass(frozen=True)
class SignRequest:
    """A request about to be sent, for a ``sign`` hook (AWS SigV4) to sign exactly as sent."""

    method: str
    url: str
    headers: Headers
    body: bytes | None
    """None for a streamed upload, which a signer must sign as an unsigned payload."""
    options: Options
    now: float


Authorizer = Callable[[AuthContext], Awaitable[dict[str, str]]]
Signer = Callable[[SignRequest], dict[str, str]]


@dataclass(frozen=True)
class ConfigRule:
    """What upstream's config schema asks of a config naming this provider (its zod refines):
    ``keyless`` says the config is complete without an ``api_key`` (a local server, a cloud with its
    own credentials); ``required`` must hold, else the config is refused with ``message``."""

    keyless: Callable[[Mapping[str, Any]], bool] | None = None
    required: Callable[[Mapping[str, Any]], bool] | None = None
    message: str = ""


def always(config: Mapping[str, Any]) -> bool:
    return True


@dataclass(frozen=True)
class Provider:
    """One upstream. ``endpoints`` maps an endpoint name (fn) to a path template; ``{id}``
    is filled from the client's route. ``params`` maps fn to its whitelist; a fn that has an
    endpoint but no map passes the body through unchanged (GET/DELETE, files, batches)."""

    slug: str
    base_url: str
    endpoints: Mapping[str, str]
    params: Mapping[str, ParamMap] = field(default_factory=dict)
    headers: HeaderBuilder = bearer_headers
    build_url: UrlBuilder | None = None
    dynamic_base: Callable[[Options], str] | None = None
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    translations: Mapping[str, Translation] = field(default_factory=dict)
    """Endpoints whose bodies are translated; any other endpoint passes through untouched."""
    authorize: Authorizer | None = None
    """Async credentials (an OAuth token from a service account): headers added to the request."""
    sign: Signer | None = None
    """Request signing over the final method, URL, headers and body: headers added last."""
    config_rule: ConfigRule = ConfigRule()
    option_headers: tuple[tuple[str, str, bool], ...] = ()
    """Header mode (reference §2.1): (header without ``x-portkey-``, option, bare header accepted
    too), read only when this provider is the one named by ``x-portkey-provider``."""
    client_options: Mapping[str, str] = field(default_factory=dict)
    """Client request header -> provider option, used when the target does not set the option
    (Anthropic's ``anthropic-beta`` from Claude Code reaches Anthropic in config mode too)."""
    native: NativeCheck | None = None
    """For a provider whose models differ in what they serve (Vertex AI serves ``messages`` for
    Claude, not Gemini): False makes the core plan that call as if fn were missing, i.e. through
    the hub (or a local estimate for a token count)."""

    realtime: RealtimeUrl | None = None
    """``/v1/realtime``: where this provider's realtime WebSocket lives under its base URL (the
    headers are ``headers(options, "realtime")``). None: the provider has no realtime API."""

    def supports(self, fn: str, model: str | None = None) -> bool:
        if fn == "proxy":
            return True
        return fn in self.endpoints and (self.native is None or self.native(fn, model))

    def request_headers(self, options: Options, fn: str) -> dict[str, str]:
        return {**self.extra_headers, **self.headers(options, fn)}


def render_path(template: str, path_params: Mapping[str, str], options: Options) -> str:
    """Fill ``{id}``-style holes from the route, then from the provider options."""
    values: dict[str, Any] = {**options, **path_params}
    try:
        return template.format_map(values)
    except KeyError as missing:
        from ..errors import GatewayError

        raise GatewayError(f"Missing provider option {missing} for this endpoint", 400) from None
