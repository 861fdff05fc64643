"""Translated endpoints whose provider answers in one piece (Nomic embeddings, Segmind images,
Triton's ``/generate``): a client that asks for a stream is told so before any upstream call,
instead of getting a JSON body where it waits for server-sent events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import GatewayError
from .events import Event, MapContext, StreamMapper


def refuse_stream(params: Mapping[str, Any], slug: str, what: str) -> None:
    """Raise a 400 when the client asked for ``stream: true`` on an endpoint that cannot stream."""
    if params.get("stream") is True:
        raise GatewayError(f"{slug} does not stream {what}; send the request without stream", 400,
                           exception=False)


class _Silent:
    """The stream mapper of an endpoint that never streams (the Translation type wants one). Where
    ``refuse_stream`` guards the request it is never used; were it reached, the stream would end
    with the core's "ended before the answer was complete" error, which is the truth."""

    def feed(self, event: Event) -> list[Event]:
        return []

    def end(self) -> list[Event]:
        return []


def no_stream(ctx: MapContext) -> StreamMapper:
    """``Translation.stream`` for embeddings and other one-piece answers (Gemini's, Vertex's, Nomic's...)."""
    return _Silent()
