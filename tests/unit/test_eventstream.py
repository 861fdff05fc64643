"""AWS event-stream decoding (``gateway.transform.eventstream``): frames built by the test encoder
(``tests.support.mock_bedrock``, itself checked against botocore's decoder), split anywhere, and
every way a frame can be corrupt."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import pytest
from botocore.eventstream import EventStreamBuffer

from gateway.transform.events import Event
from gateway.transform.eventstream import EXCEPTION, EventStreamDecoder, parse_headers
from gateway.transform.framing import DECODERS, FramingError
from tests.support.mock_bedrock import Typed, chunk_frame, error_frame, event_frame, exception_frame, frame

FRAMES = [
    event_frame("messageStart", {"role": "assistant", "p": "abcdef"}),
    event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Héllo ✓"}, "p": "ab"}),
    event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": ""}}),
    event_frame("messageStop", {"stopReason": "end_turn"}),
    event_frame("metadata", {"usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3}}),
]
EXPECTED = [
    Event({"role": "assistant", "p": "abcdef"}, "messageStart"),
    Event({"contentBlockIndex": 0, "delta": {"text": "Héllo ✓"}, "p": "ab"}, "contentBlockDelta"),
    Event({"contentBlockIndex": 0, "delta": {"text": ""}}, "contentBlockDelta"),
    Event({"stopReason": "end_turn"}, "messageStop"),
    Event({"usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3}}, "metadata"),
]
STREAM = b"".join(FRAMES)


def _decode(pieces: list[bytes]) -> list[Event]:
    decoder = EventStreamDecoder()
    out: list[Event] = []
    for piece in pieces:
        out += decoder.feed(piece)
    return out + decoder.end()


def test_the_test_encoder_speaks_aws_event_stream() -> None:
    """botocore's own decoder reads the encoder's frames, so the fixtures below are real frames."""
    buffer = EventStreamBuffer()
    buffer.add_data(STREAM + exception_frame("throttlingException", "slow down"))
    messages = list(buffer)
    assert [m.headers[":event-type"] for m in messages[:5]] == ["messageStart", "contentBlockDelta",
                                                                "contentBlockDelta", "messageStop", "metadata"]
    assert messages[5].headers[":exception-type"] == "throttlingException"
    assert messages[1].payload == FRAMES[1][-4 - len(messages[1].payload):-4]


def test_whole_stream_and_registry() -> None:
    assert _decode([STREAM]) == EXPECTED
    decoder = DECODERS["aws-eventstream"]()
    assert decoder.feed(STREAM) == EXPECTED and decoder.end() == []


def test_split_at_every_offset() -> None:
    for cut in range(len(STREAM) + 1):
        assert _decode([STREAM[:cut], STREAM[cut:]]) == EXPECTED, cut


def test_byte_by_byte_and_three_way_splits() -> None:
    assert _decode([STREAM[i:i + 1] for i in range(len(STREAM))]) == EXPECTED
    for a in range(0, len(STREAM), 7):
        for b in range(a, len(STREAM), 13):
            assert _decode([STREAM[:a], STREAM[a:b], STREAM[b:]]) == EXPECTED


def test_exception_and_error_frames() -> None:
    events = _decode([exception_frame("modelStreamErrorException", "The model stopped."),
                      error_frame("InternalFailure", "Something broke")])
    assert events == [Event({"__type": "modelStreamErrorException", "message": "The model stopped."}, EXCEPTION),
                      Event({"__type": "InternalFailure", "message": "Something broke"}, EXCEPTION)]


def test_chunk_frames_keep_their_payload() -> None:
    (event,) = _decode([chunk_frame({"type": "ping"})])
    assert event.name == "chunk" and set(event.data) == {"bytes", "p"}


def test_every_header_value_type() -> None:
    headers: list[tuple[str, Any]] = [
        ("t", True), ("f", False), ("byte", Typed(2, -5)), ("short", Typed(3, -300)), ("int", Typed(4, 70000)),
        ("long", Typed(5, -(2 ** 40))), ("bytes", b"\x00\xff"), ("str", "ünï"), ("ts", Typed(8, 1700000000123)),
        ("uuid", Typed(9, bytes(range(16)))), (":event-type", "x")]
    raw = frame(headers, b'{"a": 1}')
    length = struct.unpack(">I", raw[4:8])[0]
    assert parse_headers(raw[12:12 + length]) == {
        "t": True, "f": False, "byte": -5, "short": -300, "int": 70000, "long": -(2 ** 40), "bytes": b"\x00\xff",
        "str": "ünï", "ts": 1700000000123, "uuid": bytes(range(16)), ":event-type": "x"}
    assert _decode([raw]) == [Event({"a": 1}, "x")]
    buffer = EventStreamBuffer()
    buffer.add_data(raw)
    assert next(iter(buffer)).headers["str"] == "ünï"


def test_empty_payload_and_no_event_type() -> None:
    assert _decode([frame([], b"")]) == [Event({}, None)]


def _corrupt(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


@pytest.mark.parametrize(("stream", "words"), [
    (FRAMES[0] + _corrupt(FRAMES[1], 2), "prelude CRC"),  # a length byte changed: the prelude CRC no longer fits
    (FRAMES[0] + _corrupt(FRAMES[1], 40), "message CRC"),
    (FRAMES[0] + event_frame("x", {"a": 1}, bad_crc=True), "message CRC"),
    (FRAMES[0] + frame([(":event-type", "x")], b"not json"), "invalid JSON"),
])
def test_corrupt_frames_raise_with_the_good_events(stream: bytes, words: str) -> None:
    with pytest.raises(FramingError) as caught:
        EventStreamDecoder().feed(stream)
    assert words in str(caught.value)
    assert caught.value.events == [EXPECTED[0]]


def _prelude(total: int, headers: int) -> bytes:
    head = struct.pack(">II", total, headers)
    return head + struct.pack(">I", zlib.crc32(head))


@pytest.mark.parametrize(("total", "headers"), [(0xFFFFFFFF, 0), (15, 0), (100, 200), (30 * 1024 * 1024, 10),
                                                (1000, 200 * 1024)])
def test_absurd_lengths_fail_at_once(total: int, headers: int) -> None:
    """A well-checksummed prelude announcing an impossible message fails on its 12 bytes, without
    waiting for gigabytes that will never come."""
    with pytest.raises(FramingError, match="impossible event-stream lengths"):
        EventStreamDecoder().feed(_prelude(total, headers))


def test_bad_header_blocks() -> None:
    with pytest.raises(FramingError, match="header value type"):
        parse_headers(b"\x01a\x0c")
    with pytest.raises(FramingError):
        parse_headers(b"\x05abc")  # the name runs past the block
    with pytest.raises(FramingError):
        parse_headers(b"\x01a\x07\x00\x09ab")  # a string longer than the block


def test_truncated_stream_fails_at_the_end() -> None:
    decoder = EventStreamDecoder()
    assert decoder.feed(STREAM[:-3]) == EXPECTED[:4]
    with pytest.raises(FramingError, match="ended inside an event-stream message"):
        decoder.end()
    cut_in_prelude = EventStreamDecoder()
    assert cut_in_prelude.feed(FRAMES[0][:5]) == []
    with pytest.raises(FramingError):
        cut_in_prelude.end()
