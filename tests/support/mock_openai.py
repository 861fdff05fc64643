"""A real HTTP server on loopback that speaks OpenAI's wire format, standing in for paid
providers. Behaviour is chosen per request by a path prefix, so one server serves every test:

    http://127.0.0.1:<port>/x/<directives>/v1/...      directives: comma-separated key=value
    status=429        answer that status with an OpenAI-style error body
    fail=2            fail the first 2 requests of this scenario (by ``key``), then succeed
    delay=1.5         wait before answering (seconds)
    retry_after=1     send ``retry-after: 1`` with error answers (also retry_after_ms=)
    name=a            identity echoed in ``x-mock-name`` and in the completion text
    chunks=5, gap=0.05  SSE chunk count and the pause between chunks
    text=1            errors as text/html instead of JSON
    cut=2             break the SSE connection after 2 content chunks (no [DONE])
    tool=1            /v1/chat/completions answers a tool call (id ``call_1``, the request's first tool,
                      arguments ``{"city":"Paris"}``, finish_reason ``tool_calls``); streamed: id and name
                      first, the arguments in 3 deltas, then the finish chunk

A streamed chat whose request sets ``stream_options.include_usage`` ends with a usage chunk
(``choices: []``) before ``[DONE]``, as OpenAI does. Anthropic's paths (``/v1/messages``,
``/v1/messages/count_tokens``, ``/v1/complete``) speak Anthropic's wire format: see ``mock_anthropic``.

Every request is recorded (method, path, query, headers, body) for assertions.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support import mock_anthropic
from tests.support.loopback import LoopbackMock, Recorded, RequestLog, scenario_url

__all__ = ["MockOpenAI", "MockState", "Recorded"]


@dataclass
class MockState(RequestLog):
    counts: Counter[str] = field(default_factory=Counter)
    disconnects: int = 0
    stream_finished: int = 0


TOOL_ARGUMENTS = ['{"city"', ':"Par', 'is"}']
USAGE = {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6}


def _completion(model: str, name: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{name}", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": f"hello from {name}"}}],
        "usage": dict(USAGE),
    }


def _tool_name(data: dict[str, Any]) -> str:
    tools = data.get("tools")
    if isinstance(tools, list) and tools and isinstance(tools[0], dict):
        name = (tools[0].get("function") or {}).get("name")
        if name:
            return str(name)
    return "get_weather"


def _tool_completion(model: str, name: str, tool: str) -> dict[str, Any]:
    completion = _completion(model, name)
    call = {"id": "call_1", "type": "function", "function": {"name": tool, "arguments": "".join(TOOL_ARGUMENTS)}}
    completion["choices"][0].update(finish_reason="tool_calls",
                                    message={"role": "assistant", "content": None, "tool_calls": [call]})
    return completion


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> bytes:
    payload = {"id": "chatcmpl-stream", "object": "chat.completion.chunk", "created": 1, "model": model,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


class MockOpenAI(LoopbackMock[MockState]):
    """Start with ``start()``; ``url(**directives)`` gives a base URL (ending in ``/v1``) for a scenario."""

    def new_state(self) -> MockState:
        return MockState()

    def url(self, **directives: Any) -> str:
        return scenario_url(self.server.base, directives) + "/v1"

    # --- behaviour ---------------------------------------------------------------------
    async def answer(self, request: web.Request, path: str, body: bytes,
                     directives: dict[str, str]) -> web.StreamResponse:
        state = self.state  # a handler that outlives its test counts in its own test
        key = directives.get("key", request.path)
        state.counts[key] += 1
        if "delay" in directives:
            await asyncio.sleep(float(directives["delay"]))
            if request.transport is None or request.transport.is_closing():
                state.disconnects += 1  # the gateway gave up on us (timeout) and hung up
                return web.Response(status=499)
        failing = "status" in directives and (
            "fail" not in directives or state.counts[key] <= int(directives["fail"]))
        if path in mock_anthropic.PATHS:
            return await mock_anthropic.handle(request, path, body, directives, state, failing)
        if failing:
            return self._error(int(directives["status"]), directives)
        return await self._success(request, path, body, directives, state)

    def _error(self, status: int, d: dict[str, str]) -> web.Response:
        headers = {"x-mock-name": d.get("name", "mock")}
        if "retry_after" in d:
            headers["retry-after"] = d["retry_after"]
        if "retry_after_ms" in d:
            headers["retry-after-ms"] = d["retry_after_ms"]
        if "text" in d:
            return web.Response(status=status, text="<html>upstream broke</html>",
                                content_type="text/html", headers=headers)
        error = {"error": {"message": f"mock failure {status}", "type": "mock_error",
                           "param": None, "code": f"mock_{status}"}}
        return web.json_response(error, status=status, headers=headers)

    async def _success(self, request: web.Request, path: str, body: bytes,
                       d: dict[str, str], state: MockState) -> web.StreamResponse:
        name = d.get("name", "mock")
        headers = {"x-mock-name": name}
        data: dict[str, Any] = {}
        if request.content_type == "application/json" and body:
            data = json.loads(body)
        model = data.get("model", "unknown")
        if path == "/v1/chat/completions":
            if data.get("stream"):
                return await self._stream(request, data, model, d, headers, state)
            if "tool" in d:
                return web.json_response(_tool_completion(model, name, _tool_name(data)), headers=headers)
            return web.json_response(_completion(model, name), headers=headers)
        if path == "/v1/completions":
            return web.json_response({"id": "cmpl-1", "object": "text_completion", "model": model,
                                      "choices": [{"index": 0, "text": f"done by {name}",
                                                   "finish_reason": "stop", "logprobs": None}]},
                                     headers=headers)
        if path == "/v1/embeddings":
            inputs = data.get("input")
            count = len(inputs) if isinstance(inputs, list) else 1
            return web.json_response({"object": "list", "model": model, "usage": {"prompt_tokens": 1,
                                      "total_tokens": 1},
                                      "data": [{"object": "embedding", "index": i, "embedding": [0.1, 0.2, 0.3]}
                                               for i in range(count)]}, headers=headers)
        if path == "/v1/audio/speech":
            audio = b"ID3" + bytes(range(256)) * 64
            return web.Response(body=audio, content_type="audio/mpeg", headers=headers)
        if path in ("/v1/audio/transcriptions", "/v1/audio/translations", "/v1/images/edits",
                    "/v1/files") and request.method == "POST":
            return web.json_response(self._multipart_echo(request, body, path), headers=headers)
        if path.startswith("/v1/files/") and path.endswith("/content"):
            return web.Response(body=b"line1\nline2\n" * 1000, content_type="application/octet-stream")
        return web.json_response({"object": "echo", "method": request.method, "path": path,
                                  "query": request.query_string, "body": data, "name": name},
                                 headers=headers)

    @staticmethod
    def _multipart_echo(request: web.Request, body: bytes, path: str) -> dict[str, Any]:
        boundary = request.content_type == "multipart/form-data"
        if path == "/v1/files":
            return {"id": "file-1", "object": "file", "bytes": len(body), "filename": "upload",
                    "purpose": "batch", "created_at": 1, "status": "processed", "multipart": boundary}
        return {"text": f"received {len(body)} bytes", "multipart": boundary,
                "content_type": request.headers.get("content-type", "")}

    async def _stream(self, request: web.Request, data: dict[str, Any], model: str, d: dict[str, str],
                      headers: dict[str, str], state: MockState) -> web.StreamResponse:
        response = web.StreamResponse(headers={**headers, "content-type": "text/event-stream"})
        await response.prepare(request)
        chunks, gap = int(d.get("chunks", 5)), float(d.get("gap", 0.01))
        options = data.get("stream_options")
        include_usage = isinstance(options, dict) and bool(options.get("include_usage"))
        try:
            if "tool" in d:
                await response.write(_chunk(model, {"role": "assistant", "content": None, "tool_calls": [
                    {"index": 0, "id": "call_1", "type": "function",
                     "function": {"name": _tool_name(data), "arguments": ""}}]}))
                for piece in TOOL_ARGUMENTS:
                    await asyncio.sleep(gap)
                    await response.write(_chunk(model, {"tool_calls": [
                        {"index": 0, "function": {"arguments": piece}}]}))
                await response.write(_chunk(model, {}, "tool_calls"))
            else:
                await response.write(_chunk(model, {"role": "assistant", "content": ""}))
                for i in range(chunks):
                    await asyncio.sleep(gap)
                    if "cut" in d and i == int(d["cut"]):
                        request.transport.close()  # type: ignore[union-attr]
                        return response
                    await response.write(_chunk(model, {"content": f"tok{i} "}))
                await response.write(_chunk(model, {}, "stop"))
            if include_usage:
                usage = {"id": "chatcmpl-stream", "object": "chat.completion.chunk", "created": 1, "model": model,
                         "choices": [], "usage": USAGE}
                await response.write(b"data: " + json.dumps(usage).encode() + b"\n\n")
            state.stream_finished += 1  # counted before the last write: a client that has read it can assert on it
            await response.write(b"data: [DONE]\n\n")
            await response.write_eof()
        except (ConnectionResetError, asyncio.CancelledError):
            state.disconnects += 1
            raise
        return response
