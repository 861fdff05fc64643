"""Stream framing: upstream bytes -> ``Event``s, and ``Event``s -> the client's bytes.

The core owns framing so that provider and client mappers never see bytes (DESIGN "one hub
format"). Decoders are incremental: ``feed`` takes whatever chunk the network delivered (an
event may be split anywhere, even inside a UTF-8 sequence or between ``\\r`` and ``\\n``) and
returns the events completed by it; ``end`` flushes what the upstream left unterminated.
A body that cannot be decoded raises ``FramingError`` so the stream can end with a visible error.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from typing import Any, Protocol

from .. import jsoncodec
from .events import DONE, Event

_JSON = json.JSONDecoder()


class FramingError(ValueError):
    """The upstream sent bytes that are not a well-formed event of its declared framing.
    ``events`` holds the good events decoded before the bad one, so none of them is lost."""

    events: list[Event] = []


def _decode_all(parts: list[str], parse: Callable[[str], Event | None]) -> list[Event]:
    events: list[Event] = []
    for part in parts:
        try:
            event = parse(part)
        except FramingError as error:
            error.events = events
            raise
        if event is not None:
            events.append(event)
    return events


def parse_data(data: str) -> Any:
    """An event's data: ``[DONE]`` stays the sentinel, anything else must be JSON."""
    if data == DONE:
        return DONE
    try:
        return json.loads(data)
    except ValueError:
        raise FramingError(f"invalid JSON in stream event: {data[:200]!r}") from None


class Decoder(Protocol):
    def feed(self, chunk: bytes) -> list[Event]: ...

    def end(self) -> list[Event]: ...


class SseBlocks:
    """SSE text split into complete event blocks, incrementally: lines may end in ``\\n``,
    ``\\r\\n`` or ``\\r`` (normalised to ``\\n``), and a blank line ends a block. Shared by the
    decoder below and by stream taps that pass the bytes on untouched."""

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""

    def feed(self, chunk: bytes) -> list[str]:
        text = self._pending + self._text.decode(chunk)
        if "\r" in text:
            held = text.endswith("\r")  # may be the first half of a \r\n split across chunks
            text = text[:-1] if held else text
            text = text.replace("\r\n", "\n").replace("\r", "\n") + ("\r" if held else "")
        blocks = text.split("\n\n")
        self._pending = blocks.pop()
        return blocks

    def rest(self) -> str:
        """What the stream left unterminated (flushes the UTF-8 decoder)."""
        tail, self._pending = (self._pending + self._text.decode(b"", final=True)).replace("\r", "\n"), ""
        return tail


class SseDecoder:
    """Server-sent events (WHATWG): lines end in ``\\n``, ``\\r\\n`` or ``\\r``; a blank line ends
    an event; ``event:`` names it, ``data:`` lines are joined with ``\\n``; comments (``:``),
    ``id:`` and ``retry:`` are ignored. Covers Portkey's ``\\n\\n`` and ``\\r\\n\\r\\n`` splits."""

    def __init__(self) -> None:
        self._blocks = SseBlocks()

    def feed(self, chunk: bytes) -> list[Event]:
        return _decode_all(self._blocks.feed(chunk), _sse_event)

    def end(self) -> list[Event]:
        return _decode_all(self._blocks.rest().split("\n\n"), _sse_event)


def _sse_event(block: str) -> Event | None:
    name: str | None = None
    data: list[str] = []
    for line in block.split("\n"):
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "data":
            data.append(value)
        elif field == "event":
            name = value
    if not data:
        return None
    return Event(parse_data("\n".join(data)), name)


class LinesDecoder:
    """One JSON value per line (NDJSON), as some providers stream; blank lines are skipped."""

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""

    def feed(self, chunk: bytes) -> list[Event]:
        lines = (self._pending + self._text.decode(chunk)).split("\n")
        self._pending = lines.pop()
        return _decode_all(lines, _line_event)

    def end(self) -> list[Event]:
        tail, self._pending = self._pending + self._text.decode(b"", final=True), ""
        return _decode_all([tail], _line_event)


def _line_event(line: str) -> Event | None:
    line = line.strip()
    if not line:
        return None
    return Event(parse_data(line[5:].lstrip() if line.startswith("data:") else line))


class JsonArrayDecoder:
    """A JSON array streamed element by element (``[{...},\\r\\n{...}]``, Gemini without
    ``alt=sse``): each complete element is an event as soon as its closing brace arrives."""

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")("replace")
        self._buffer = ""
        self._opened = False
        self._closed = False

    def feed(self, chunk: bytes) -> list[Event]:
        self._buffer += self._text.decode(chunk)
        events: list[Event] = []
        while True:
            rest = self._buffer.lstrip(" \t\r\n,")
            if not self._opened and rest[:1] == "[":
                self._opened, rest = True, rest[1:].lstrip(" \t\r\n,")
            if rest[:1] == "]":
                self._closed, rest = True, rest[1:]
            self._buffer = rest
            if not rest or self._closed:
                break
            if not self._opened:
                raise FramingError("a JSON-array stream must start with '['")
            try:
                value, used = _JSON.raw_decode(rest)
            except ValueError:
                break  # incomplete element: wait for more bytes
            events.append(Event(value))
            self._buffer = rest[used:]
        return events

    def end(self) -> list[Event]:
        events = self.feed(self._text.decode(b"", final=True).encode())
        if self._buffer.strip():
            raise FramingError(f"incomplete JSON element at the end of the stream: {self._buffer[:200]!r}")
        return events


class TextDecoder:
    """Plain text with no framing at all (Bytez streams generated text this way): the text of each
    chunk is one event (a ``str``). Such a body says it is complete only by ending cleanly, so
    ``end``, which runs only then, adds ``DONE``; a body that breaks never gets it."""

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")("replace")

    def feed(self, chunk: bytes) -> list[Event]:
        text = self._text.decode(chunk)
        return [Event(text)] if text else []

    def end(self) -> list[Event]:
        tail = self._text.decode(b"", final=True)
        return ([Event(tail)] if tail else []) + [Event(DONE)]


def _aws_eventstream() -> Decoder:
    """AWS's binary event-stream (Bedrock), loaded on first use: only AWS providers need it."""
    from .eventstream import EventStreamDecoder

    return EventStreamDecoder()


DECODERS: dict[str, Callable[[], Decoder]] = {
    "sse": SseDecoder,
    "lines": LinesDecoder,
    "json-array": JsonArrayDecoder,
    "text": TextDecoder,
    "aws-eventstream": _aws_eventstream,
}


def encode_openai(event: Event) -> bytes:
    """OpenAI's framing: unnamed ``data:`` events and the ``[DONE]`` sentinel."""
    if event.data == DONE:
        return b"data: [DONE]\n\n"
    return b"data: " + jsoncodec.dumps(event.data) + b"\n\n"


def encode_named(event: Event) -> bytes:
    """Anthropic's framing: every event carries its name (``event: message_start``)."""
    name = event.name or (event.data.get("type") if isinstance(event.data, dict) else None) or "message"
    return b"event: " + name.encode() + b"\ndata: " + jsoncodec.dumps(event.data) + b"\n\n"


ENCODERS: dict[str, Callable[[Event], bytes]] = {
    "openai-sse": encode_openai,
    "named-sse": encode_named,
}
