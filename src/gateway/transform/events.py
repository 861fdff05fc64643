"""Stream events and the contract every translation mapper follows (DESIGN "one hub format").

The core decodes an upstream's framing (SSE, JSON lines, a streamed JSON array) into ``Event``s
and encodes ``Event``s into the client's framing; mappers sit in between and never see bytes.
The hub is OpenAI chat: a hub stream is ``chat.completion.chunk`` dicts, then ``DONE``; a hub
error event is ``Event({"error": {...}}, "error")`` and is never followed by ``DONE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

DONE = "[DONE]"
"""The data of the terminal event: OpenAI's ``data: [DONE]``. Only a stream that really finished
carries it; a stream that broke ends with an error event instead."""


@dataclass(slots=True)
class Event:
    """One parsed stream event: ``data`` is the decoded JSON (or ``DONE``); ``name`` is the SSE
    ``event:`` field (Anthropic's ``message_start`` ...), ``None`` for OpenAI's unnamed events."""

    data: Any
    name: str | None = None


class StreamMapper(Protocol):
    """A small state object that maps one stream's events to another format's events.

    ``feed`` is called once per input event and returns the events to emit now (often none,
    sometimes several); ``end`` is called once when the input is exhausted, whether or not it
    finished properly, and returns what is still owed (a mapper must not invent a terminal
    event there: the core decides whether the stream completed)."""

    def feed(self, event: Event) -> list[Event]: ...

    def end(self) -> list[Event]: ...


@dataclass(frozen=True, slots=True)
class MapContext:
    """What a mapper may know about the request beyond the bodies it maps.

    ``created`` (unix seconds) and ``fallback_id`` come from the injected clock so that golden
    tests are deterministic; ``strict`` is ``x-portkey-strict-open-ai-compliance`` (default on:
    only OpenAI's own fields; off: provider extras such as ``content_blocks`` and raw
    ``finish_reason`` values, reference §10)."""

    provider: str
    model: str | None = None
    strict: bool = True
    created: int = 0
    fallback_id: str = ""
