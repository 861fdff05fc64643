"""Stream framing decoders and encoders: events come out whole however the network splits the
bytes (inside a UTF-8 sequence, between \\r and \\n), and corrupt input is reported, not hidden."""

from __future__ import annotations

import json

import pytest

from gateway.transform.events import DONE, Event
from gateway.transform.framing import (
    DECODERS,
    FramingError,
    JsonArrayDecoder,
    LinesDecoder,
    SseDecoder,
    encode_named,
    encode_openai,
)

ANTHROPIC_SSE = (
    'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1"}}\n\n'
    ": a comment line\n\n"
    "event: ping\ndata: {\"type\": \"ping\"}\n\n"
    'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"text":"héllo ✓"}}\n\n'
    "id: 7\nretry: 100\ndata: [DONE]\n\n"
)
EXPECTED = [
    Event({"type": "message_start", "message": {"id": "msg_1"}}, "message_start"),
    Event({"type": "ping"}, "ping"),
    Event({"type": "content_block_delta", "delta": {"text": "héllo ✓"}}, "content_block_delta"),
    Event(DONE, None),
]


def _split_everywhere(decoder_name: str, payload: bytes) -> list[list[Event]]:
    """Decode ``payload`` cut in two at every byte offset, plus byte by byte."""
    results = []
    for cut in range(len(payload) + 1):
        decoder = DECODERS[decoder_name]()
        results.append(decoder.feed(payload[:cut]) + decoder.feed(payload[cut:]) + decoder.end())
    decoder = DECODERS[decoder_name]()
    results.append([e for i in range(len(payload)) for e in decoder.feed(payload[i:i + 1])] + decoder.end())
    return results


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_sse_events_survive_any_split_and_any_line_ending(newline: str) -> None:
    payload = ANTHROPIC_SSE.replace("\n", newline).encode()
    for events in _split_everywhere("sse", payload):
        assert events == EXPECTED


def test_sse_multiline_data_is_joined_and_unterminated_tail_is_flushed() -> None:
    decoder = SseDecoder()
    assert decoder.feed(b'data: {"a":\ndata: 1}\n\ndata: {"b": 2}') == [Event({"a": 1})]
    assert decoder.end() == [Event({"b": 2})]


def test_sse_invalid_json_raises_framing_error() -> None:
    with pytest.raises(FramingError, match="invalid JSON"):
        SseDecoder().feed(b"data: {not json\n\n")


def test_lines_decoder_any_split() -> None:
    payload = b'{"a": 1}\n\n{"b": "\xc3\xa9"}\r\ndata: {"c": 3}\n{"d": 4}'
    for events in _split_everywhere("lines", payload):
        assert events == [Event({"a": 1}), Event({"b": "é"}), Event({"c": 3}), Event({"d": 4})]


def test_json_array_decoder_any_split() -> None:
    items = [{"candidates": [{"text": "a ]},["}]}, {"n": 2}, {"usage": {"x": [1, 2]}}]
    payload = ("[" + ",\r\n".join(json.dumps(i) for i in items) + "]").encode()
    for events in _split_everywhere("json-array", payload):
        assert events == [Event(i) for i in items]


def test_json_array_truncated_or_not_an_array_is_an_error() -> None:
    decoder = JsonArrayDecoder()
    assert decoder.feed(b'[{"a": 1}, {"b": ') == [Event({"a": 1})]
    with pytest.raises(FramingError, match="incomplete"):
        decoder.end()
    with pytest.raises(FramingError, match="must start"):
        JsonArrayDecoder().feed(b'{"a": 1}')


def test_lines_decoder_rejects_garbage() -> None:
    with pytest.raises(FramingError):
        LinesDecoder().feed(b"<html>\n")


def test_encoders() -> None:
    assert encode_openai(Event({"a": "é"})) == 'data: {"a":"é"}\n\n'.encode()
    assert encode_openai(Event(DONE)) == b"data: [DONE]\n\n"
    assert encode_named(Event({"type": "ping"}, "ping")) == b'event: ping\ndata: {"type":"ping"}\n\n'
    assert encode_named(Event({"type": "message_stop"})) == b'event: message_stop\ndata: {"type":"message_stop"}\n\n'
