"""Property-based tests (hypothesis) of what hostile input reaches first: the routing-config parser,
the request validator and the stream decoders. The property is always the same: nothing but the
gateway's own error escapes, and a request answers a 4xx (or, once it reaches the fake upstream,
the fake's 503), never the 500 of an unhandled exception.

Runs are derandomized with a bounded number of examples, so the suite stays deterministic and fast;
raise ``FUZZ_EXAMPLES`` for a longer local hunt (the examples then differ from run to run).
"""

from __future__ import annotations

import asyncio
import json
import os
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.app import Gateway
from gateway.clock import Clock
from gateway.config import build_config
from gateway.errors import GatewayError
from gateway.http import Headers, Request
from gateway.ports import TransportError
from gateway.providers.catalog import VALID_PROVIDERS_ORDERED
from gateway.requestschema import BODIES, Rule, validate_body
from gateway.settings import Settings
from gateway.transform.framing import DECODERS, FramingError
from gateway.translation import passthrough_stream
from tests.unit.fakes import FakeTransport

_LONG = int(os.environ.get("FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=_LONG or 150, derandomize=not _LONG, database=None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

SCALARS = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=12)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                          max_size=4), max_leaves=20)
PROVIDERS = st.sampled_from([*VALID_PROVIDERS_ORDERED, "", "nope", "OpenAI"])
CONFIG_KEYS = ("provider", "api_key", "strategy", "targets", "retry", "weight", "override_params", "custom_host",
               "request_timeout", "cache", "on_status_codes", "name", "forward_headers", "default", "conditions",
               "mode", "attempts", "before_request_hooks", "strict_open_ai_compliance", "options")


def _config(depth: int) -> st.SearchStrategy[Any]:
    """Config-shaped JSON: the real keys with odd values, nested targets, and plain garbage."""
    leaf = st.dictionaries(st.sampled_from(CONFIG_KEYS), JSON | PROVIDERS, max_size=5)
    strategy = st.fixed_dictionaries({"mode": st.sampled_from(["fallback", "loadbalance", "conditional", "single",
                                                               "x"]) | JSON})
    node = st.fixed_dictionaries({}, optional={"strategy": strategy | JSON, "provider": PROVIDERS,
                                               "api_key": st.text(max_size=8), "retry": JSON,
                                               "override_params": JSON, "request_timeout": JSON,
                                               "targets": st.lists(leaf, max_size=3) if depth == 0
                                               else st.lists(_config(depth - 1), max_size=3)})
    return node | leaf | JSON


SERVED = [slug for slug in VALID_PROVIDERS_ORDERED if slug not in ("palm", "cortex", "portkey")]
OPERATORS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$regex", "$and", "$or", "$x")


def _leaf() -> st.SearchStrategy[dict[str, Any]]:
    """A target the schema accepts (mostly), with odd values where the schema looks no deeper."""
    params = st.dictionaries(st.sampled_from(["model", "max_tokens", "temperature", "stream", "messages", "top_k",
                                              "tools", "n"]), JSON, max_size=3)
    retry = st.fixed_dictionaries({"attempts": st.integers(0, 5)},
                                  optional={"on_status_codes": st.lists(st.integers(100, 599), max_size=3)})
    return st.fixed_dictionaries({"provider": st.sampled_from(SERVED), "api_key": st.text(min_size=1, max_size=8)},
                                 optional={"override_params": params, "retry": retry, "name": st.text(max_size=4),
                                           "weight": st.floats(0, 2) | st.integers(0, 3),
                                           "request_timeout": st.integers(1, 10**6), "custom_host": st.just(
                                               "http://127.0.0.1:9/v1"), "strict_open_ai_compliance": st.booleans(),
                                           "forward_headers": st.lists(st.text(max_size=6), max_size=2)})


def _query(depth: int) -> st.SearchStrategy[Any]:
    field = st.sampled_from(["metadata.plan", "params.model", "params.max_tokens", "url.pathname", "x"])
    operand = JSON | st.sampled_from(["(", "[a-", "gpt.*", "^$", "*"])
    simple = st.dictionaries(field, st.dictionaries(st.sampled_from(OPERATORS), operand, max_size=2), max_size=2)
    if depth == 0:
        return simple | JSON
    return simple | st.dictionaries(st.sampled_from(["$and", "$or"]), st.lists(_query(depth - 1), max_size=3),
                                    max_size=1)


def _routed(depth: int) -> st.SearchStrategy[Any]:
    """Valid-looking fallback, loadbalance and conditional trees over real providers."""
    child = _leaf() if depth == 0 else _leaf() | _routed(depth - 1)
    modes = st.fixed_dictionaries({"mode": st.sampled_from(["fallback", "loadbalance"])},
                                  optional={"on_status_codes": st.lists(st.integers(100, 599), max_size=2)})
    plain = st.fixed_dictionaries({"strategy": modes, "targets": st.lists(child, min_size=1, max_size=3)},
                                  optional={"retry": JSON, "override_params": JSON})
    names = st.sampled_from(["a", "b", "c"])
    conditional = st.fixed_dictionaries({
        "strategy": st.fixed_dictionaries({"mode": st.just("conditional"), "conditions": st.lists(
            st.fixed_dictionaries({"query": _query(2), "then": names}), max_size=3)}, optional={"default": names}),
        "targets": st.lists(child.map(lambda t: t if "provider" not in t else {**t, "name": t.get("name") or "a"}),
                            min_size=1, max_size=3)})
    return plain | conditional


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def _unreachable(_sent: Any) -> Exception:
    return TransportError("fake upstream: connection refused", connect=True)


async def _instant(_seconds: float) -> None:
    await asyncio.sleep(0)


def _gateway() -> Gateway:
    return Gateway(Settings(), FakeTransport(_unreachable), Clock(sleep=_instant, random=lambda: 0.5))


def _answer(gateway: Gateway, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
    async def go() -> tuple[int, Any]:
        response = await gateway.handle(Request("POST", path, "", Headers(headers), body))
        assert isinstance(response.body, bytes), "an unreachable upstream cannot have started a stream"
        return response.status, json.loads(response.body)
    return _run(go())


def _no_crash(status: int, body: Any) -> None:
    """A 4xx, the documented 501s, or the fake upstream's own 503: never the unhandled 500."""
    assert status < 500 or status in (501, 503), (status, body)
    assert body != {"status": "failure", "message": "Something went wrong"}


# --- the config parser -------------------------------------------------------------------------------
@FUZZ
@given(config=_config(2), provider=st.none() | PROVIDERS)
def test_config_parser_raises_only_the_gateways_errors(config: Any, provider: str | None) -> None:
    headers = Headers({"x-portkey-config": json.dumps(config)})
    if provider is not None:
        headers["x-portkey-provider"] = provider
    try:
        build_config(headers, Settings())
    except GatewayError as error:
        assert error.status in (400, 501), error.message


@FUZZ
@given(raw=st.text(max_size=200) | st.text(alphabet="[]{}\":,0 ", max_size=400))
def test_config_text_that_is_not_json_is_a_400(raw: str) -> None:
    try:
        build_config(Headers({"x-portkey-config": raw, "x-portkey-provider": "openai"}), Settings())
    except GatewayError as error:
        assert error.status in (400, 501)


@FUZZ
@given(config=_routed(2) | _config(1), metadata=JSON, data=st.data())
def test_any_config_through_the_pipeline_answers_without_crashing(config: Any, metadata: Any,
                                                                   data: st.DataObject) -> None:
    body = data.draw(_object(BODIES["chatComplete"]))
    headers = {"x-portkey-config": json.dumps(config), "x-portkey-metadata": json.dumps(metadata),
               "content-type": "application/json"}
    _no_crash(*_answer(_gateway(), "/v1/chat/completions", headers, json.dumps(body).encode()))


# --- the request validator ---------------------------------------------------------------------------
PART_TYPES = ("text", "image_url", "input_audio", "file", "image", "document", "tool_use", "tool_result",
              "thinking", "redacted_thinking", "refusal", "x")
PART_KEYS = ("type", "text", "image_url", "url", "source", "input", "content", "id", "name", "tool_use_id",
             "file", "file_data", "data", "media_type", "thinking", "signature", "cache_control")


def _part() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"type": st.sampled_from(PART_TYPES)},
                                 optional={key: JSON | st.text(max_size=10) for key in PART_KEYS[1:]})


def conforming(rule: Rule) -> st.SearchStrategy[Any]:
    """Values the validator accepts for ``rule``, with arbitrary content wherever it looks no deeper."""
    options: list[st.SearchStrategy[Any]] = []
    for kind in rule.types:
        if kind == "string":
            options.append(st.text(max_size=12) | st.sampled_from(["user", "assistant", "system", "tool",
                                                                   "developer", "function", "auto", "none"]))
        elif kind == "integer":
            options.append(st.integers(-3, 70000))
        elif kind == "number":
            options.append(st.floats(-3, 3, allow_nan=False) | st.integers(-3, 3))
        elif kind == "boolean":
            options.append(st.booleans())
        elif kind == "null":
            options.append(st.none())
        elif kind == "array":
            items = conforming(rule.items) if rule.items is not None else JSON
            options.append(st.lists(items, max_size=3))
        elif rule.fields:
            options.append(_object(rule.fields))
        elif rule.types == ("object",):  # a content part or block
            options.append(_part())
        else:
            options.append(st.dictionaries(st.text(max_size=8), JSON, max_size=3))
    return st.one_of(options)


def _object(fields: Any) -> st.SearchStrategy[dict[str, Any]]:
    required = {name: conforming(sub) for name, sub in fields.items() if sub.required}
    optional = {name: conforming(sub) for name, sub in fields.items() if not sub.required}
    return st.fixed_dictionaries(required, optional=optional)


@FUZZ
@given(fn=st.sampled_from(sorted(BODIES)), body=st.dictionaries(st.text(max_size=10) | st.sampled_from(
    ["model", "messages", "input", "prompt", "stream", "tools", "system", "max_tokens"]), JSON, max_size=6))
def test_validator_raises_only_a_400(fn: str, body: dict[str, Any]) -> None:
    try:
        validate_body(fn, body)
    except GatewayError as error:
        assert error.status == 400 and error.message.startswith("Invalid request body: '")


ROUTES = {"chatComplete": "/v1/chat/completions", "complete": "/v1/completions", "embed": "/v1/embeddings",
          "messages": "/v1/messages", "messagesCountTokens": "/v1/messages/count_tokens"}


@FUZZ
@given(fn=st.sampled_from(sorted(ROUTES)), provider=st.sampled_from(SERVED), data=st.data())
def test_bodies_the_validator_accepts_never_crash_a_mapper(fn: str, provider: str, data: st.DataObject) -> None:
    """Every provider's request mappers on every shape the validator lets through."""
    body = data.draw(_object(BODIES[fn]))
    headers = {"x-portkey-provider": provider, "x-portkey-custom-host": "http://127.0.0.1:9/v1",
               "authorization": "Bearer sk-fuzz", "content-type": "application/json"}
    _no_crash(*_answer(_gateway(), ROUTES[fn], headers, json.dumps(body).encode()))


# --- the stream decoders ------------------------------------------------------------------------------
SSE_BITS = st.sampled_from([b"data: ", b"event: ", b"id: 1", b": ping", b"\n", b"\r\n", b"\r", b"\n\n", b"[DONE]",
                            b'{"a":1}', b'{"choices":[]}', b"{", b"}", b"[", b"]", b",", b"\xe2\x82", b"\xac", b"x"])


def _splits(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


def _decode(kind: str, chunks: list[bytes]) -> None:
    decoder = DECODERS[kind]()
    try:
        for chunk in chunks:
            decoder.feed(chunk)
        decoder.end()
    except FramingError:
        pass


@FUZZ
@given(kind=st.sampled_from(["sse", "lines", "json-array", "text"]),
       data=st.lists(SSE_BITS, max_size=40).map(b"".join) | st.binary(max_size=200),
       cuts=st.lists(st.integers(0, 400), max_size=8))
def test_text_decoders_raise_only_framing_errors(kind: str, data: bytes, cuts: list[int]) -> None:
    _decode(kind, _splits(data, cuts))


def _aws_message(headers: bytes, payload: bytes) -> bytes:
    total = 16 + len(headers) + len(payload)
    prelude = struct.pack(">II", total, len(headers))
    head = prelude + struct.pack(">I", zlib.crc32(prelude)) + headers + payload
    return head + struct.pack(">I", zlib.crc32(head))


AWS_HEADERS = st.sampled_from([b"", b"\x0b:event-type\x07\x00\x05chunk", b"\x0d:message-type\x07\x00\x09exception",
                               b"\x01a\x09" + b"\x00" * 16, b"\x01b\x04\x00\x00\x00\x01", b"\x03bad\x0f"]) | st.binary(
    max_size=24)


@FUZZ
@given(messages=st.lists(st.tuples(AWS_HEADERS, JSON.map(lambda v: json.dumps(v).encode()) | st.binary(max_size=30)),
                         max_size=4),
       noise=st.binary(max_size=40), flip=st.integers(0, 500), cuts=st.lists(st.integers(0, 600), max_size=6))
def test_aws_eventstream_decoder_raises_only_framing_errors(messages: list[tuple[bytes, bytes]], noise: bytes,
                                                            flip: int, cuts: list[int]) -> None:
    data = bytearray(b"".join(_aws_message(h, p) for h, p in messages) + noise)
    if data and flip % 3 == 0:
        data[flip % len(data)] ^= 0x40  # corrupt one byte: CRCs and lengths must catch it
    _decode("aws-eventstream", _splits(bytes(data), cuts))


class _Replay:
    def __init__(self, chunks: list[bytes], broken: bool) -> None:
        self.status, self.headers, self.chunks, self.broken = 200, Headers(), chunks, broken

    async def stream(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        if self.broken:
            raise TransportError("cut")

    async def read(self) -> bytes:
        return b"".join(self.chunks)

    async def close(self) -> None:
        return None


@FUZZ
@given(fn=st.sampled_from(["chatComplete", "messages", "complete", "proxy"]),
       data=st.lists(SSE_BITS, max_size=30).map(b"".join), cuts=st.lists(st.integers(0, 300), max_size=5),
       broken=st.booleans())
def test_passthrough_stream_ends_complete_or_with_one_error_event(fn: str, data: bytes, cuts: list[int],
                                                                  broken: bool) -> None:
    async def drain() -> bytes:
        return b"".join([c async for c in passthrough_stream(_Replay(_splits(data, cuts), broken), fn, "openai")])

    out = _run(drain())
    assert out.startswith(data)
    if broken:
        assert b"the stream broke" in out[len(data):]
