"""Bytez's streamed text as ``chat.completion.chunk`` events."""

from __future__ import annotations

from typing import Any

from ...transform.end_once import EndOnceMapper
from ...transform.events import DONE, Event, MapContext
from .api import SLUG


class ChatStream(EndOnceMapper):
    """Each piece of text (the ``text`` framing) becomes one content delta, the first one with the
    role. The framing's ``DONE`` (the body ended cleanly) becomes the finish chunk, then ``DONE``."""

    __slots__ = ("_head", "_started")

    def __init__(self, ctx: MapContext) -> None:
        super().__init__()
        self._head = {"id": ctx.fallback_id, "object": "chat.completion.chunk", "created": ctx.created,
                      "model": ctx.model or "", "provider": SLUG}
        self._started = False

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> Event:
        return Event({**self._head, "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                                 "finish_reason": finish}]})

    def upstream_done(self) -> list[Event]:
        out = [] if self._started else [self._chunk({"role": "assistant", "content": ""})]
        return [*out, self._chunk({}, "stop"), Event(DONE)]

    def map_event(self, event: Event) -> list[Event]:
        data = event.data
        if not isinstance(data, str) or not data:
            return []
        delta = {"content": data} if self._started else {"role": "assistant", "content": data}
        self._started = True
        return [self._chunk(delta)]
