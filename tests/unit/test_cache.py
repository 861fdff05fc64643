"""The cache's parts: the key (what it covers and what it ignores), entries and their expiry, stream
assembly and replay (a replayed answer assembles back to itself), the bounded memory store."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from gateway.cache.assemble import ChatAssembler, MessageAssembler, assembler_for
from gateway.cache.entry import Entry, decode, encode
from gateway.cache.key import cache_key, canonical_body
from gateway.cache.policy import policy_for
from gateway.cache.replay import replay_bytes
from gateway.config import HeaderOverrides
from gateway.http import Headers
from gateway.memorystore import MemoryStore
from gateway.routing.context import Call
from gateway.streamtap import _event
from gateway.transform.framing import SseBlocks
from gateway.upstream import prepare

BODY = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}


def call(params: dict[str, Any], fn: str = "chatComplete", **headers: str) -> Call:
    return Call(fn, "POST", "/v1/chat/completions", "", {}, "json", Headers(headers), params, None, HeaderOverrides())


def key(target: dict[str, Any], params: dict[str, Any] = BODY, fn: str = "chatComplete", **headers: str) -> str | None:
    c = call(params, fn, **headers)
    settings = {"custom_host": target["custom_host"]} if "custom_host" in target else {}
    return cache_key(prepare(c, target, settings, (), 0.0), c)


OPENAI = {"provider": "openai", "api_key": "sk-a"}


def test_the_key_covers_credentials_provider_host_and_body() -> None:
    base = key(OPENAI)
    assert base is not None and base.startswith("cache:v1:") and base == key(OPENAI)
    assert key({**OPENAI, "api_key": "sk-b"}) != base  # two API keys never share an entry
    assert key({**OPENAI, "custom_host": "https://other.example/v1"}) != base
    assert key({"provider": "groq", "api_key": "sk-a"}) != base
    assert key(OPENAI, {**BODY, "temperature": 0.5}) != base
    assert key(OPENAI, authorization="Bearer gateway-token-1") != key(OPENAI, authorization="Bearer gateway-token-2")


def test_the_key_ignores_stream_flags_and_key_order() -> None:
    base = key(OPENAI)
    assert key(OPENAI, {**BODY, "stream": True, "stream_options": {"include_usage": True}}) == base
    assert key(OPENAI, {"messages": BODY["messages"], "model": "gpt-4o"}) == base
    assert canonical_body(b'{"b":1,"a":[2],"stream":true}') == b'{"a":[2],"b":1}'
    assert canonical_body(b"not json") == b"not json"


def test_entries_carry_their_expiry() -> None:
    raw = encode(Entry(b'{"ok":1}', "application/json", 100.0))
    assert decode(raw, 99.9) == Entry(b'{"ok":1}', "application/json", 100.0)
    assert decode(raw, 100.0) is None and decode(b"something else", 0) is None
    assert decode(raw.replace(b'"e":100.0', b'"e":"x"'), 0) is None


def test_policy() -> None:
    headers = Headers()
    assert policy_for(None, "chatComplete", "json", False, headers) is None
    assert policy_for({"mode": "simple"}, "uploadFile", "raw", False, headers) is None
    assert policy_for({"mode": "simple"}, "embed", "json", True, headers) is None  # no stream to replay
    simple = policy_for({"mode": "simple", "max_age": 60}, "chatComplete", "json", True, headers)
    assert simple is not None and simple.active and simple.max_age == 60 and not simple.refresh
    assert policy_for({"mode": "simple"}, "chatComplete", "json", False, headers).max_age == 86400  # type: ignore[union-attr]
    assert not policy_for({"mode": "semantic"}, "chatComplete", "json", False, headers).active  # type: ignore[union-attr]
    forced = policy_for({"mode": "simple"}, "messages", "json", False, Headers({"x-portkey-cache-force-refresh": ""}))
    assert forced is not None and forced.refresh


def events(raw: bytes) -> list[Any]:
    blocks = SseBlocks()
    parsed = [_event(b) for b in blocks.feed(raw)]
    return [e for e in parsed if e is not None]


def assemble(fn: str, raw: bytes) -> Any:
    assembler = assembler_for(fn)
    assert assembler is not None
    for event in events(raw):
        assembler.feed(event)
    return assembler


CHAT = {"id": "chatcmpl-1", "object": "chat.completion", "created": 5, "model": "gpt-4o", "choices": [
    {"index": 0, "message": {"role": "assistant", "content": "Hello", "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{\"a\":1}"}}]},
     "logprobs": None, "finish_reason": "tool_calls"}], "usage": {"prompt_tokens": 1, "completion_tokens": 2,
                                                                   "total_tokens": 3}}
MESSAGE = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude", "content": [
    {"type": "thinking", "thinking": "hmm", "signature": "sig"}, {"type": "text", "text": "Hi"},
    {"type": "tool_use", "id": "tu_1", "name": "f", "input": {"a": [1, 2]}}],
    "stop_reason": "tool_use", "stop_sequence": None, "usage": {"input_tokens": 3, "output_tokens": 4}}


@pytest.mark.parametrize(("fn", "answer"), [
    ("chatComplete", CHAT), ("messages", MESSAGE),
    ("complete", {"id": "c", "object": "text_completion", "created": 1, "model": "m",
                  "choices": [{"index": 0, "text": "done", "logprobs": None, "finish_reason": "stop"}]}),
], ids=["chat", "messages", "completions"])
def test_a_replayed_answer_assembles_back_to_itself(fn: str, answer: dict[str, Any]) -> None:
    raw = replay_bytes(fn, answer, {"stream_options": {"include_usage": True}})
    assembler = assemble(fn, raw)
    assert assembler.complete and assembler.faithful and not assembler.failed
    assert assembler.result() == answer


def test_chat_stream_assembly_merges_deltas() -> None:
    chunks = [{"id": "x", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {"role": "assistant"}}]},
              {"id": "x", "choices": [{"index": 0, "delta": {"content": "Hel"}}]},
              {"id": "x", "choices": [{"index": 0, "delta": {"tool_calls": [
                  {"index": 0, "id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\"a\""}}]}}]},
              {"id": "x", "choices": [{"index": 0, "delta": {"content": "lo", "tool_calls": [
                  {"index": 0, "function": {"arguments": ":1}"}}]}, "finish_reason": "tool_calls"}]},
              {"id": "x", "choices": [], "usage": {"total_tokens": 9}}]
    raw = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"
    result = assemble("chatComplete", raw).result()
    assert result["choices"][0]["message"] == {"role": "assistant", "content": "Hello", "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\"a\":1}"}}]}
    assert result["choices"][0]["finish_reason"] == "tool_calls" and result["usage"] == {"total_tokens": 9}


def test_unfinished_or_unfaithful_streams_are_never_complete_answers() -> None:
    cut = assemble("chatComplete", b'data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\n')
    assert not cut.complete
    broken = assemble("chatComplete", b'data: {"error":{"message":"x"}}\n\ndata: [DONE]\n\n')
    assert broken.failed and not broken.complete
    two = assemble("chatComplete", b'data: {"choices":[{"index":1,"delta":{"content":"a"}}]}\n\ndata: [DONE]\n\n')
    assert two.complete and not two.faithful
    anthropic = MessageAssembler()
    for event in events(b'event: message_start\ndata: {"type":"message_start","message":{"id":"m"}}\n\n'
                        b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error"}}\n\n'):
        anthropic.feed(event)
    assert anthropic.failed and not anthropic.complete
    assert isinstance(assembler_for("chatComplete"), ChatAssembler) and assembler_for("embed") is None


def test_memory_store_is_lru_bounded_in_bytes_and_expires() -> None:
    now = [0.0]
    store = MemoryStore(lambda: now[0], max_entries=3, max_bytes=10)

    async def scenario() -> None:
        await store.put("a", b"1234", 10)
        await store.put("b", b"1234")
        assert await store.get("a") == b"1234"  # a is now the most recently used
        await store.put("c", b"1234")  # 12 bytes > 10: b (least recently used) goes
        assert await store.get("b") is None and await store.get("a") == b"1234" and store.size == 8
        await store.put("big", b"x" * 11)  # larger than the whole budget: not kept, nothing evicted
        assert await store.get("big") is None and store.count == 2
        now[0] = 10.0
        assert await store.get("a") is None and store.size == 4
        await store.put("c", b"12")  # replacing an entry frees its old size
        assert store.size == 2

    asyncio.run(scenario())
