"""A translation borrowed from another provider, whose answers name that provider, relabelled
with the provider that served the call: Claude on Vertex AI speaks Anthropic's Messages API, and
the Anthropic mappers write ``"provider": "anthropic"`` and ``"anthropic error: ..."``, while the
client must see ``vertex-ai`` (as upstream labels Vertex's Claude answers)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...transform.events import Event, MapContext, StreamMapper
from ..base import Translation


def relabel(out: dict[str, Any], origin: str, slug: str) -> dict[str, Any]:
    """``out`` (a hub answer, chunk or error envelope) with ``provider`` and the error message's
    ``<origin> error:`` / ``received from <origin>`` naming ``slug``. Edits in place: ``out`` is
    always a fresh dict the borrowed mapper just built."""
    if "provider" in out:
        out["provider"] = slug
    error = out.get("error")
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        message: str = error["message"]
        prefix = f"{origin} error: "
        if message.startswith(prefix):
            error["message"] = f"{slug} error: {message.removeprefix(prefix)}"
        else:
            error["message"] = message.replace(f"received from {origin}:", f"received from {slug}:", 1)
    return out


class _RelabelledStream:
    """The borrowed stream mapper, each event it emits relabelled."""

    __slots__ = ("_inner", "_origin", "_slug")

    def __init__(self, inner: StreamMapper, origin: str, slug: str) -> None:
        self._inner, self._origin, self._slug = inner, origin, slug

    def feed(self, event: Event) -> list[Event]:
        return self._fix(self._inner.feed(event))

    def end(self) -> list[Event]:
        return self._fix(self._inner.end())

    def _fix(self, events: list[Event]) -> list[Event]:
        for event in events:
            if isinstance(event.data, dict):
                relabel(event.data, self._origin, self._slug)
        return events


def relabelled(translation: Translation, origin: str) -> Translation:
    """``translation`` with every answer relabelled from ``origin`` to the calling provider
    (``MapContext.provider``). The request side is untouched."""
    response, error, stream = translation.response, translation.error, translation.stream

    def mapped_response(body: Any, ctx: MapContext) -> dict[str, Any]:
        return relabel(response(body, ctx), origin, ctx.provider)

    def mapped_error(status: int, data: Any, text: str, ctx: MapContext) -> dict[str, Any]:
        return relabel(error(status, data, text, ctx), origin, ctx.provider)

    def mapped_stream(ctx: MapContext) -> StreamMapper:
        return _RelabelledStream(stream(ctx), origin, ctx.provider)

    return replace(translation, response=mapped_response, error=mapped_error, stream=mapped_stream)
