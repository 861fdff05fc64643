"""A provider mock that answers anything, for fuzzing the gateway: whatever path, method or body a
fuzzer makes the gateway send, it answers a well-formed OpenAI-shaped (or, on Anthropic's paths,
Anthropic-shaped) answer, streamed when the body asks for a stream. It never answers a 5xx, so any
5xx a fuzzer sees is the gateway's own.

    mock = LoopbackServer(lenient_handler).start()   # tests/support/loopback.py
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

_CHAT = {"id": "chatcmpl-f", "object": "chat.completion", "created": 1, "model": "m",
         "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}],
         "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
_MESSAGE = {"id": "msg_f", "type": "message", "role": "assistant", "model": "m", "stop_reason": "end_turn",
            "content": [{"type": "text", "text": "ok"}], "usage": {"input_tokens": 1, "output_tokens": 1}}
_CHAT_STREAM = (b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,'
                b'"delta":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n')
_MESSAGE_STREAM = b"".join(
    b"event: " + name.encode() + b"\ndata: " + json.dumps(data).encode() + b"\n\n" for name, data in (
        ("message_start", {"type": "message_start", "message": {**_MESSAGE, "content": [], "stop_reason": None}}),
        ("content_block_start", {"type": "content_block_start", "index": 0,
                                 "content_block": {"type": "text", "text": ""}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                 "delta": {"type": "text_delta", "text": "ok"}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                           "usage": {"output_tokens": 1}}),
        ("message_stop", {"type": "message_stop"})))


def _wants_stream(body: bytes) -> bool:
    try:
        data: Any = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("stream") is True


async def lenient_handler(request: web.Request) -> web.StreamResponse:
    body = await request.read()
    path = request.path
    if request.method == "GET":
        return web.json_response({"object": "list", "data": []})
    if request.method == "DELETE":
        return web.json_response({"id": "x", "deleted": True})
    anthropic = path.endswith(("/messages", "/complete"))
    if _wants_stream(body):
        return web.Response(body=_MESSAGE_STREAM if anthropic else _CHAT_STREAM, content_type="text/event-stream")
    if path.endswith("/count_tokens"):
        return web.json_response({"input_tokens": 3})
    if path.endswith("/complete"):
        return web.json_response({"type": "completion", "completion": "ok", "stop_reason": "stop_sequence",
                                  "model": "m"})
    if anthropic:
        return web.json_response(_MESSAGE)
    if path.endswith("/embeddings"):
        return web.json_response({"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [0.1]}],
                                  "model": "m", "usage": {"prompt_tokens": 1, "total_tokens": 1}})
    if path.endswith("/audio/speech"):
        return web.Response(body=b"ID3fake", content_type="audio/mpeg")
    return web.json_response(_CHAT)
