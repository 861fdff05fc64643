"""AWS event-stream frames (``application/vnd.amazon.eventstream``) as Bedrock writes them, for the
benchmarks: real prelude and message CRCs, so the gateway's decoder does all of its checks.

Kept apart from ``tests/support/mock_bedrock.py`` (which imports aiohttp, botocore and the test
package) so that ``mock_server.py`` and ``translate_events.py`` need nothing beyond the standard
library for it. Only what Bedrock sends is written: string headers (``:event-type``,
``:content-type``, ``:message-type``) and a JSON payload.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from typing import Any

PAD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789"
"""Bedrock pads every event payload with a ``p`` field of varying length (against length-based
side channels); the frames here do too, so payload sizes are realistic."""


def _header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    return struct.pack(">B", len(raw_name)) + raw_name + b"\x07" + struct.pack(">H", len(raw_value)) + raw_value


def frame(headers: list[tuple[str, str]], payload: bytes) -> bytes:
    """One message: prelude (total length, headers length, CRC32 of both), headers, payload, CRC32
    of everything before it."""
    block = b"".join(_header(name, value) for name, value in headers)
    prelude = struct.pack(">II", 16 + len(block) + len(payload), len(block))
    message = prelude + struct.pack(">I", zlib.crc32(prelude)) + block + payload
    return message + struct.pack(">I", zlib.crc32(message))


def event_frame(event_type: str, data: dict[str, Any]) -> bytes:
    headers = [(":event-type", event_type), (":content-type", "application/json"), (":message-type", "event")]
    return frame(headers, json.dumps(data, separators=(",", ":")).encode())


def chunk_frame(anthropic_event: dict[str, Any], pad: int = 4) -> bytes:
    """An InvokeModelWithResponseStream ``chunk``: one Anthropic event, base64 in ``bytes``."""
    raw = base64.b64encode(json.dumps(anthropic_event, separators=(",", ":")).encode()).decode()
    return event_frame("chunk", {"bytes": raw, "p": PAD[:pad]})


def payload(message: bytes) -> bytes:
    """The payload of one frame (for timing ``json.loads`` alone), by its prelude's lengths."""
    total, headers_length = struct.unpack_from(">II", message)
    return message[12 + headers_length:total - 4]
