"""The translated path of one leaf: which endpoint goes upstream, how the body is mapped, and
how the answer and its stream come back in the client's format (DESIGN "one hub format").

A ``Plan`` is decided per leaf, so one fallback config can mix a native provider and a
translated one. Three shapes:
  * passthrough: the provider speaks the route's format (OpenAI-shaped chat, Anthropic on
    ``/v1/messages``): bytes flow through untouched, only a broken stream gets an error event;
  * provider translation: the provider has a ``Translation`` for the endpoint (Anthropic chat);
  * client translation: the route has a client format the provider lacks (``/v1/messages`` on
    OpenAI): client -> hub -> provider, and back. Both translations may apply at once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from . import jsoncodec
from .errors import GatewayError, openai_error
from .formats import ClientFormat, client_format
from .ports import TransportError, UpstreamResponse
from .providers.base import Provider, Translation
from .transform.events import DONE, Event, MapContext, StreamMapper
from .transform.framing import DECODERS, ENCODERS, FramingError

MAX_TRANSLATED_BODY = 64 << 20
"""A translated answer is read whole to be mapped; past this the provider is cut off (502)."""
ESTIMATE_HEADER = "x-portkey-token-count"
log = logging.getLogger("gateway.translation")

# Passthrough streams whose last bytes must carry their terminator, else they were cut short.
_TERMINATORS = {"chatComplete": b"[DONE]", "complete": b"[DONE]", "messages": b"message_stop"}


@dataclass(frozen=True)
class Plan:
    """How one leaf's call maps between the client, the hub and the provider."""

    provider_fn: str
    translation: Translation | None
    client: ClientFormat | None
    ctx: MapContext
    estimate: bool = False

    @property
    def passthrough(self) -> bool:
        return self.translation is None and self.client is None

    @property
    def route_format(self) -> ClientFormat | None:
        """The client's format when it is not the hub's: translated to (``client``), or spoken
        natively by the provider's endpoint (Messages on Anthropic or Bedrock)."""
        return self.client or client_format(self.provider_fn)


def plan_for(provider: Provider, fn: str, ctx: MapContext) -> Plan:
    """Pick the endpoint to call: the route's own when the provider has it (for this model), else
    the hub's through the route's client format; a count the provider cannot do becomes an estimate."""
    if provider.supports(fn, ctx.model):
        return Plan(fn, provider.translations.get(fn), None, ctx)
    fmt = client_format(fn)
    if fmt is not None and provider.supports(fmt.hub_fn, ctx.model):
        if fn == fmt.count_fn:
            return Plan(fn, None, fmt, ctx, estimate=True)
        return Plan(fmt.hub_fn, provider.translations.get(fmt.hub_fn), fmt, ctx)
    raise GatewayError(f"{fn} is not supported by {provider.slug}", 400, exception=False)


def hub_params(plan: Plan, params: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """The client's body in the provider-facing shape, with ``override_params`` applied last
    (they name the provider's parameters, so they apply after the client format's mapping)."""
    if plan.client is not None and not plan.estimate:
        hub = plan.client.request(params, plan.ctx)
        return {**hub, **overrides} if overrides else hub
    return {**params, **overrides} if overrides else params


def estimate_outcome_body(plan: Plan, params: dict[str, Any]) -> bytes:
    assert plan.client is not None and plan.client.estimate is not None
    return jsoncodec.dumps({"input_tokens": plan.client.estimate(params)})


# --- errors ----------------------------------------------------------------------------------
def _loads(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def hub_error(plan: Plan, status: int, raw: bytes, fallback: Callable[[bytes], bytes]) -> dict[str, Any]:
    """The provider's error body as the hub's envelope."""
    slug = plan.ctx.provider
    if plan.translation is not None:
        return plan.translation.error(status, _loads(raw), raw.decode("utf-8", "replace"), plan.ctx)
    data = _loads(fallback(raw))
    return data if isinstance(data, dict) else {**openai_error(f"{slug} error"), "provider": slug}


def _in_route_format(fn: str, status: int, message: str, slug: str) -> dict[str, Any]:
    """A gateway-made error (a broken stream, a non-JSON error page) in the route's format."""
    envelope = {**openai_error(f"{slug} error: {message}" if slug not in message else message,
                               "stream_error"), "provider": slug}
    fmt = client_format(fn)
    return fmt.error(status, envelope) if fmt is not None else envelope


def client_error_body(plan: Plan, status: int, raw: bytes, fallback: Callable[[bytes], bytes]) -> bytes:
    """An upstream error in the client's format. A native Messages provider's own error body is
    kept as is (it already is Anthropic's shape); anything else goes through the hub."""
    if plan.passthrough and client_format(plan.provider_fn) is not None:  # a native Messages provider
        data = _loads(raw)
        if isinstance(data, dict) and data.get("type") == "error":
            return raw
        text = raw.decode("utf-8", "replace")
        return jsoncodec.dumps(_in_route_format(plan.provider_fn, status, text, plan.ctx.provider))
    if plan.passthrough:
        return fallback(raw)
    envelope = hub_error(plan, status, raw, fallback)
    fmt = plan.route_format
    return jsoncodec.dumps(fmt.error(status, envelope) if fmt is not None else envelope)


def bad_gateway(plan: Plan, reason: str) -> tuple[int, bytes]:
    """A 2xx whose body is not what the provider's API promises: 502 naming the provider."""
    slug = plan.ctx.provider
    envelope = {**openai_error(f"{slug} error: invalid response from the provider: {reason}",
                               "invalid_response"), "provider": slug}
    fmt = plan.route_format
    return 502, jsoncodec.dumps(fmt.error(502, envelope) if fmt is not None else envelope)


# --- whole answers ---------------------------------------------------------------------------
def translate_body(plan: Plan, raw: bytes) -> tuple[int, bytes]:
    """A provider's 2xx JSON answer -> (status, the client's JSON)."""
    data = _loads(raw)
    if not isinstance(data, dict):
        return bad_gateway(plan, f"not a JSON object: {raw[:200].decode('utf-8', 'replace')!r}")
    hub = plan.translation.response(data, plan.ctx) if plan.translation is not None else data
    if "error" in hub and "choices" not in hub:
        return bad_gateway(plan, str(hub["error"].get("message") if isinstance(hub["error"], dict) else hub))
    out = plan.client.response(hub, plan.ctx) if plan.client is not None else hub
    return 200, jsoncodec.dumps(out)


# --- streams ---------------------------------------------------------------------------------
class _Chain:
    """provider events -> hub events -> client events, remembering whether the stream finished
    (a ``DONE``) or already reported an error, so the end of the stream is never a lie.

    A provider endpoint that speaks a non-hub route format natively (Messages on Bedrock) maps
    straight to that format's events and marks completion with ``DONE``, which is not encoded
    there (Anthropic's framing has no sentinel; its ``message_stop`` came before)."""

    def __init__(self, plan: Plan) -> None:
        self.provider: StreamMapper | None = plan.translation.stream(plan.ctx) if plan.translation else None
        self.client: StreamMapper | None = plan.client.stream(plan.ctx) if plan.client else None
        self.native = plan.route_format if plan.client is None else None
        self.encode = ENCODERS[plan.route_format.framing if plan.route_format else "openai-sse"]
        self.done = False
        self.failed = False

    def feed(self, events: list[Event]) -> bytes:
        hub: list[Event] = []
        for event in events:
            if self.provider is not None:
                hub += self.provider.feed(event)
            else:
                hub.append(_as_hub(event))
        return self._emit(hub)

    def finish(self) -> bytes:
        hub = self.provider.end() if self.provider is not None else []
        out = self._emit(hub)
        if self.client is not None:
            out += b"".join(self.encode(e) for e in self.client.end())
        return out

    def fail(self, message: str, slug: str) -> bytes:
        envelope = {**openai_error(f"{slug} error: {message}", "stream_error"), "provider": slug}
        if self.native is not None:
            self.failed = True
            return self.encode(Event(self.native.error(502, envelope), "error"))
        return self._emit([Event(envelope, "error")])

    def _emit(self, hub: list[Event]) -> bytes:
        out: list[Event] = []
        for event in hub:
            if self.done or self.failed:
                break
            if event.name == "error":
                self.failed = True
            elif event.data == DONE:
                self.done = True
                if self.native is not None:
                    continue
            out += self.client.feed(event) if self.client is not None else [event]
        return b"".join(self.encode(e) for e in out)


def _as_hub(event: Event) -> Event:
    """An OpenAI-shaped provider's event is already hub-shaped; its in-band error becomes the
    hub's error event."""
    data = event.data
    if isinstance(data, dict) and "error" in data and "choices" not in data:
        return Event(data, "error")
    return event


async def translate_stream(plan: Plan, upstream: UpstreamResponse) -> AsyncIterator[bytes]:
    """Decode, map and encode one stream event by event; each upstream chunk's events leave as
    soon as they are mapped. A break, a corrupt event or a missing end becomes an error event."""
    chain = _Chain(plan)
    decoder = DECODERS[plan.translation.framing if plan.translation else "sse"]()
    slug = plan.ctx.provider
    problem: str | None = None
    try:
        async for chunk in upstream.stream():
            out = chain.feed(decoder.feed(chunk))
            if out:
                yield out
            if chain.done or chain.failed:
                break
        else:
            out = chain.feed(decoder.end()) + chain.finish()
            if out:
                yield out
    except TransportError as error:
        problem = f"the stream broke: {error}"
    except FramingError as error:
        problem = str(error)
        out = chain.feed(error.events)
        if out:
            yield out
    finally:
        await upstream.close()
    if problem is None and not (chain.done or chain.failed):
        problem = "the stream ended before the answer was complete"
    if problem is not None and not chain.failed:
        log.warning("%s stream ended early: %s", slug, problem)
        yield chain.fail(problem, slug)


async def passthrough_stream(upstream: UpstreamResponse, fn: str, slug: str) -> AsyncIterator[bytes]:
    """Pass an SSE body on as it arrives, byte for byte. If it breaks, or a chat stream ends
    without its terminator, append one error event in the route's dialect (the openai and
    anthropic SDKs raise on it) instead of a silent cut that looks like a finished answer."""
    terminator = _TERMINATORS.get(fn)
    tail = b""
    problem: str | None = None
    reported = False  # the provider already sent an in-band error event
    try:
        async for chunk in upstream.stream():
            tail = (tail + chunk)[-64:]
            reported = reported or b'"error"' in chunk
            yield chunk
    except TransportError as error:
        problem = f"the stream broke: {error}"
    finally:
        await upstream.close()
    if problem is None and terminator is not None and terminator not in tail and not reported:
        problem = "the stream ended before the answer was complete"
    if problem is not None:
        log.warning("%s stream ended early: %s", slug, problem)
        separator = b"" if tail.endswith(b"\n\n") or not tail else b"\n\n"
        yield separator + stream_error_event(fn, slug, problem)


def stream_error_event(fn: str, slug: str, problem: str) -> bytes:
    """The error event a broken passthrough stream ends with, in the route's own framing."""
    data = _in_route_format(fn, 502, problem, slug)
    fmt = client_format(fn)
    return ENCODERS[fmt.framing if fmt else "openai-sse"](Event(data, "error"))
