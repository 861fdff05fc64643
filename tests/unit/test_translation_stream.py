"""The core's stream translation with toy mappers: events leave as each upstream chunk is mapped,
and a stream that breaks, ends early or carries garbage ends with exactly one error event in the
client's format, never a false terminator."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from gateway.formats import ClientFormat
from gateway.http import Headers
from gateway.ports import TransportError
from gateway.providers.base import Translation
from gateway.transform.events import DONE, Event, MapContext
from gateway.translation import Plan, passthrough_stream, translate_stream

CTX = MapContext("toy", "m", True, 1, "toy-1")


class ToyProvider:
    """NDJSON ``{"t": text}`` / ``{"end": true}`` / ``{"err": msg}`` -> hub chunks."""

    def feed(self, event: Event) -> list[Event]:
        data = event.data
        if data.get("end"):
            return [Event(DONE)]
        if "err" in data:
            return [Event({"error": {"message": data["err"]}}, "error")]
        return [Event({"choices": [{"delta": {"content": data["t"]}}]})]

    def end(self) -> list[Event]:
        return []


class ToyClient:
    """hub -> ``{"say": text}`` / ``{"bye": 1}`` / ``{"oops": msg}`` named events."""

    def feed(self, event: Event) -> list[Event]:
        if event.name == "error":
            return [Event({"oops": event.data["error"]["message"]}, "error")]
        if event.data == DONE:
            return [Event({"bye": 1}, "bye")]
        return [Event({"say": event.data["choices"][0]["delta"]["content"]}, "say")]

    def end(self) -> list[Event]:
        return []


def _translation() -> Translation:
    return Translation(request=lambda p, o, c: dict(p), response=lambda b, c: b,
                       error=lambda s, d, t, c: {}, stream=lambda c: ToyProvider(), framing="lines")


def _client() -> ClientFormat:
    return ClientFormat(hub_fn="chatComplete", request=lambda b, c: dict(b), response=lambda b, c: dict(b),
                        error=lambda s, e: dict(e), stream=lambda c: ToyClient())


class Upstream:
    def __init__(self, chunks: list[bytes | Exception], gate: asyncio.Event | None = None) -> None:
        self.status = 200
        self.headers = Headers({"content-type": "text/event-stream"})
        self.chunks = chunks
        self.gate = gate
        self.closed = False

    async def stream(self) -> AsyncIterator[bytes]:
        for index, chunk in enumerate(self.chunks):
            if index == 1 and self.gate is not None:
                await self.gate.wait()
            if isinstance(chunk, Exception):
                raise chunk
            yield chunk

    async def read(self) -> bytes:
        raise AssertionError("a stream is never read whole")

    async def close(self) -> None:
        self.closed = True


def _run(plan: Plan, upstream: Upstream) -> list[bytes]:
    async def collect() -> list[bytes]:
        return [chunk async for chunk in translate_stream(plan, upstream)]
    return asyncio.run(collect())


def _events(out: list[bytes]) -> list[tuple[str, Any]]:
    text = b"".join(out).decode()
    pairs = []
    for block in filter(None, text.split("\n\n")):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        pairs.append((lines.get("event", ""), json.loads(lines["data"]) if lines["data"] != DONE else DONE))
    return pairs


PLAN = Plan("chatComplete", _translation(), _client(), CTX)


def test_both_mappers_chain_and_end_cleanly() -> None:
    upstream = Upstream([b'{"t": "a"}\n{"t"', b': "b"}\n{"end": true}\n'])
    assert _events(_run(PLAN, upstream)) == [("say", {"say": "a"}), ("say", {"say": "b"}), ("bye", {"bye": 1})]
    assert upstream.closed


def test_each_chunk_leaves_before_the_next_arrives() -> None:
    async def scenario() -> None:
        gate = asyncio.Event()
        stream = translate_stream(PLAN, Upstream([b'{"t": "first"}\n', b'{"end": true}\n'], gate))
        first = await asyncio.wait_for(stream.__anext__(), 1)  # the second chunk is still held back
        assert b"first" in first
        gate.set()
        assert b"bye" in b"".join([chunk async for chunk in stream])
    asyncio.run(scenario())


def test_a_break_becomes_one_error_event_in_the_clients_format() -> None:
    out = _events(_run(PLAN, Upstream([b'{"t": "a"}\n', TransportError("reset")])))
    assert out[0] == ("say", {"say": "a"})
    assert out[1][0] == "error" and "toy error: the stream broke: reset" in out[1][1]["oops"]
    assert len(out) == 2


def test_a_stream_that_ends_without_its_terminator_is_an_error() -> None:
    out = _events(_run(PLAN, Upstream([b'{"t": "a"}\n'])))
    assert out[-1][0] == "error" and "ended before the answer was complete" in out[-1][1]["oops"]


def test_garbage_from_the_provider_is_an_error_not_a_crash() -> None:
    out = _events(_run(PLAN, Upstream([b'{"t": "a"}\n<html>oops</html>\n{"end": true}\n'])))
    assert out[0] == ("say", {"say": "a"}) and out[1][0] == "error" and len(out) == 2


def test_provider_error_event_is_reported_once_and_nothing_follows() -> None:
    out = _events(_run(PLAN, Upstream([b'{"t": "a"}\n{"err": "overloaded"}\n{"t": "late"}\n{"end": true}\n'])))
    assert out == [("say", {"say": "a"}), ("error", {"oops": "overloaded"})]


def test_hub_shaped_upstream_to_openai_client_and_in_band_error() -> None:
    plan = Plan("chatComplete", None, _client(), CTX)
    chunks = [b'data: {"choices":[{"delta":{"content":"x"}}]}\n\n', b'data: {"error":{"message":"bad"}}\n\n']
    assert _events(_run(plan, Upstream(chunks))) == [("say", {"say": "x"}), ("error", {"oops": "bad"})]


def _passthrough(fn: str, chunks: list[bytes | Exception]) -> bytes:
    async def collect() -> bytes:
        return b"".join([c async for c in passthrough_stream(Upstream(chunks), fn, "openai")])  # type: ignore[arg-type]
    return asyncio.run(collect())


def test_passthrough_stream_is_untouched_when_complete() -> None:
    body = [b'data: {"choices":[]}\n\n', b"data: [DONE]\n\n"]
    assert _passthrough("chatComplete", list(body)) == b"".join(body)


def test_passthrough_break_and_missing_terminator_get_an_error_event() -> None:
    cut = _passthrough("chatComplete", [b'data: {"choices":[]}\n\ndata: {"cho', TransportError("reset")])
    assert cut.endswith(b"\n\n") and b'"type":"stream_error"' in cut.split(b"\n\n")[-2]
    early = _passthrough("messages", [b'event: message_start\ndata: {"type":"message_start"}\n\n'])
    assert early.split(b"\n\n")[-2].startswith(b"event: error\ndata: {\"type\":\"error\"")
    assert _passthrough("createModelResponse", [b"event: response.completed\ndata: {}\n\n"]).count(b"error") == 0


class ToyNativeMessages:
    """A provider endpoint that speaks the route's (Anthropic) format natively."""

    def feed(self, event: Event) -> list[Event]:
        if event.data.get("end"):
            return [Event({"type": "message_stop"}, "message_stop"), Event(DONE)]
        return [Event({"type": "content_block_delta", "delta": {"text": event.data["t"]}}, "content_block_delta")]

    def end(self) -> list[Event]:
        return []


def test_native_route_format_is_encoded_with_its_framing_and_no_sentinel() -> None:
    translation = Translation(request=lambda p, o, c: dict(p), response=lambda b, c: b,
                              error=lambda s, d, t, c: {}, stream=lambda c: ToyNativeMessages(), framing="lines")
    plan = Plan("messages", translation, None, CTX)
    out = _events(_run(plan, Upstream([b'{"t": "a"}\n{"end": true}\n'])))
    assert [name for name, _ in out] == ["content_block_delta", "message_stop"]
    broken = _events(_run(plan, Upstream([b'{"t": "a"}\n', TransportError("reset")])))
    assert broken[-1][0] == "error" and broken[-1][1]["type"] == "error"
    assert broken[-1][1]["error"]["type"] == "api_error" and "reset" in broken[-1][1]["error"]["message"]
