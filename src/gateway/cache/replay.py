"""A cached answer replayed as a stream in the client's format (reference §5, §8, §10): OpenAI
``chat.completion.chunk`` / ``text_completion`` chunks ending in ``[DONE]``, or Anthropic's events
from ``message_start`` to ``message_stop``, so a streaming client cannot tell a hit from a miss.

Chat: per choice, one chunk with the role, the text (and reasoning, tool calls), one with the
``finish_reason``, then a usage chunk when the request asked for ``stream_options.include_usage``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

from ..transform.events import DONE, Event
from ..transform.framing import encode_named, encode_openai


def _wants_usage(params: Mapping[str, Any]) -> bool:
    options = params.get("stream_options")
    return isinstance(options, Mapping) and bool(options.get("include_usage"))


def _chunk(data: Mapping[str, Any], obj: str, choices: list[dict[str, Any]]) -> dict[str, Any]:
    out = {"id": data.get("id"), "object": obj, "created": data.get("created"), "model": data.get("model"),
           "choices": choices}
    for key in ("system_fingerprint", "service_tier", "provider"):
        if key in data:
            out[key] = data[key]
    return out


def _chat_delta(message: Mapping[str, Any]) -> dict[str, Any]:
    delta: dict[str, Any] = {"role": message.get("role") or "assistant", "content": message.get("content")}
    for key in ("reasoning_content", "refusal"):
        if message.get(key):
            delta[key] = message[key]
    calls = message.get("tool_calls")
    if isinstance(calls, list) and calls:
        delta["tool_calls"] = [{**call, "index": i} for i, call in enumerate(calls) if isinstance(call, Mapping)]
    return delta


def chat_events(data: Mapping[str, Any], params: Mapping[str, Any], completion: bool) -> list[Event]:
    obj = "text_completion" if completion else "chat.completion.chunk"
    choices = [c for c in data.get("choices") or () if isinstance(c, Mapping)]
    events = []
    for position, choice in enumerate(choices):
        index = choice.get("index", position)
        if completion:
            first = {"index": index, "text": choice.get("text") or "", "logprobs": None, "finish_reason": None}
            last = {"index": index, "text": "", "logprobs": None, "finish_reason": choice.get("finish_reason")}
        else:
            message: Any = choice.get("message") if isinstance(choice.get("message"), Mapping) else {}
            first = {"index": index, "delta": _chat_delta(message), "logprobs": None, "finish_reason": None}
            last = {"index": index, "delta": {}, "logprobs": None, "finish_reason": choice.get("finish_reason")}
        events += [Event(_chunk(data, obj, [first])), Event(_chunk(data, obj, [last]))]
    if _wants_usage(params) and data.get("usage") is not None:
        events.append(Event({**_chunk(data, obj, []), "usage": data["usage"]}))
    return [*events, Event(DONE)]


def _block_events(index: int, block: Mapping[str, Any]) -> list[Event]:
    kind = block.get("type")
    start: dict[str, Any]
    if kind == "text":
        start, deltas = {"type": "text", "text": ""}, [{"type": "text_delta", "text": block.get("text") or ""}]
        if block.get("citations"):
            deltas += [{"type": "citations_delta", "citation": c} for c in block["citations"]]
    elif kind in ("tool_use", "server_tool_use"):
        start = {**block, "input": {}}
        deltas = [{"type": "input_json_delta", "partial_json": json.dumps(block.get("input") or {},
                                                                          separators=(",", ":"))}]
    elif kind == "thinking":
        start = {"type": "thinking", "thinking": ""}
        deltas = [{"type": "thinking_delta", "thinking": block.get("thinking") or ""},
                  {"type": "signature_delta", "signature": block.get("signature") or ""}]
    else:  # redacted thinking, tool results...: sent whole in the start event, as Anthropic does
        start, deltas = dict(block), []
    events = [Event({"type": "content_block_start", "index": index, "content_block": start}, "content_block_start")]
    events += [Event({"type": "content_block_delta", "index": index, "delta": d}, "content_block_delta")
               for d in deltas]
    return [*events, Event({"type": "content_block_stop", "index": index}, "content_block_stop")]


def message_events(data: Mapping[str, Any]) -> list[Event]:
    usage = dict(data.get("usage") or {})
    start = {**data, "content": [], "stop_reason": None, "stop_sequence": None,
             "usage": {**usage, "output_tokens": min(int(usage.get("output_tokens") or 0), 1)}}
    events = [Event({"type": "message_start", "message": start}, "message_start")]
    for index, block in enumerate(b for b in data.get("content") or () if isinstance(b, Mapping)):
        events += _block_events(index, block)
    delta = {"stop_reason": data.get("stop_reason"), "stop_sequence": data.get("stop_sequence")}
    events.append(Event({"type": "message_delta", "delta": delta,
                         "usage": {"output_tokens": usage.get("output_tokens", 0)}}, "message_delta"))
    return [*events, Event({"type": "message_stop"}, "message_stop")]


def replay_bytes(fn: str, data: Mapping[str, Any], params: Mapping[str, Any]) -> bytes:
    if fn == "messages":
        return b"".join(encode_named(e) for e in message_events(data))
    return b"".join(encode_openai(e) for e in chat_events(data, params, completion=fn == "complete"))


async def replay(fn: str, data: Mapping[str, Any], params: Mapping[str, Any]) -> AsyncIterator[bytes]:
    """The whole replay as one chunk: it is all known, and one write is the cheapest."""
    yield replay_bytes(fn, data, params)
