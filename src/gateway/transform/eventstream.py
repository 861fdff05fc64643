"""AWS's binary event-stream framing (``application/vnd.amazon.eventstream``), what Bedrock's
ConverseStream and InvokeModelWithResponseStream send instead of SSE.

One message on the wire (all integers big-endian):

    prelude   total length (u32), headers length (u32), CRC32 of those 8 bytes (u32)
    headers   repeated: name length (u8), name (UTF-8), value type (u8), value
    payload   total length - headers length - 16 bytes (JSON for Bedrock)
    trailer   CRC32 of everything before it (u32)

Header value types: 0 true, 1 false (no value), 2 int8, 3 int16, 4 int32, 5 int64, 6 bytes and
7 string (u16 length + data), 8 timestamp (int64 ms), 9 UUID (16 bytes).

The decoder is incremental like the other framings: a message may arrive split anywhere. It
yields ``Event(payload JSON, :event-type)``; an ``exception`` or ``error`` message (a throttle or
a model failure after the 200) becomes ``Event({"__type": <type>, "message": ..., ...},
"exception")``, AWS's JSON error shape, so a provider mapper turns it into the hub's error event.
A corrupt message (a CRC mismatch, an impossible length, a cut-off message at the end) raises
``FramingError`` with the good events decoded before it.
"""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any

from .events import Event
from .framing import FramingError

EXCEPTION = "exception"
"""The name of the event an ``exception`` or ``error`` message decodes to."""

_PRELUDE = struct.Struct(">III")
_U32 = struct.Struct(">I")
_U16 = struct.Struct(">H")
_PRELUDE_LENGTH = 12
_MIN_LENGTH = 16  # prelude + trailer: a message with no headers and no payload
_MAX_HEADERS = 128 * 1024  # AWS's limits (botocore's eventstream uses the same)
_MAX_PAYLOAD = 24 * 1024 * 1024
_SEEN_LIMIT = 64  # distinct header blocks remembered per stream
_FIXED = {2: struct.Struct(">b"), 3: struct.Struct(">h"), 4: struct.Struct(">i"), 5: struct.Struct(">q"),
          8: struct.Struct(">q")}


def parse_headers(raw: bytes) -> dict[str, Any]:
    """The header block as a dict; values keep their wire type (bool, int, bytes, str)."""
    out: dict[str, Any] = {}
    at, end = 0, len(raw)
    try:
        while at < end:
            size = raw[at]
            name = raw[at + 1:at + 1 + size].decode()
            at += 1 + size
            kind = raw[at]
            at += 1
            value: Any
            if kind in (0, 1):
                value = kind == 0
            elif kind in _FIXED:
                fixed = _FIXED[kind]
                value = fixed.unpack_from(raw, at)[0]
                at += fixed.size
            elif kind in (6, 7):
                length = _U16.unpack_from(raw, at)[0]
                value = raw[at + 2:at + 2 + length]
                if len(value) != length:
                    raise FramingError("event-stream header value overruns its block")
                value = value.decode() if kind == 7 else value
                at += 2 + length
            elif kind == 9:
                value = raw[at:at + 16]
                at += 16
            else:
                raise FramingError(f"unknown event-stream header value type {kind}")
            out[name] = value
    except (IndexError, struct.error, UnicodeDecodeError):
        raise FramingError("malformed event-stream headers") from None
    if at != end:
        raise FramingError("event-stream headers overrun their block")
    return out


def _payload(raw: bytes) -> Any:
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise FramingError(f"invalid JSON in event-stream payload: {raw[:200]!r}") from None


def _event(message: bytes, headers_length: int, seen: dict[bytes, dict[str, Any]]) -> Event:
    """One checked message -> an event (see the module docstring). A stream repeats a handful of
    header blocks (one per event type), so each distinct block is parsed once per stream."""
    block = message[_PRELUDE_LENGTH:_PRELUDE_LENGTH + headers_length]
    headers = seen.get(block)
    if headers is None:
        headers = parse_headers(block)
        if len(seen) < _SEEN_LIMIT:
            seen[block] = headers
    data = _payload(message[_PRELUDE_LENGTH + headers_length:-4])
    kind = headers.get(":message-type", "event")
    if kind == "event":
        name = headers.get(":event-type")
        return Event(data, name if isinstance(name, str) else None)
    if kind == "exception":
        fields = data if isinstance(data, dict) else {"message": str(data)}
        return Event({"__type": headers.get(":exception-type"), **fields}, EXCEPTION)
    return Event({"__type": headers.get(":error-code"), "message": headers.get(":error-message")}, EXCEPTION)


class EventStreamDecoder:
    """Incremental: ``feed`` any chunk, get the messages it completed."""

    __slots__ = ("_buffer", "_seen")

    def __init__(self) -> None:
        self._buffer = b""
        self._seen: dict[bytes, dict[str, Any]] = {}

    def feed(self, chunk: bytes) -> list[Event]:
        buffer = self._buffer + chunk if self._buffer else chunk
        events: list[Event] = []
        start, size = 0, len(buffer)
        try:
            while size - start >= _PRELUDE_LENGTH:
                total, headers_length, crc = _PRELUDE.unpack_from(buffer, start)
                if zlib.crc32(buffer[start:start + 8]) != crc:
                    raise FramingError("event-stream prelude CRC mismatch")
                if total < _MIN_LENGTH or headers_length > _MAX_HEADERS \
                        or not 0 <= total - _MIN_LENGTH - headers_length <= _MAX_PAYLOAD:
                    raise FramingError(f"impossible event-stream lengths: total {total}, headers {headers_length}")
                if size - start < total:
                    break
                message = buffer[start:start + total]
                if zlib.crc32(message[:-4]) != _U32.unpack_from(message, total - 4)[0]:
                    raise FramingError("event-stream message CRC mismatch")
                events.append(_event(message, headers_length, self._seen))
                start += total
        except FramingError as error:
            self._buffer = b""
            error.events = events
            raise
        self._buffer = buffer[start:]
        return events

    def end(self) -> list[Event]:
        left, self._buffer = len(self._buffer), b""
        if left:
            raise FramingError(f"the stream ended inside an event-stream message ({left} bytes left)")
        return []
