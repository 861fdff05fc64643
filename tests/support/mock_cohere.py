"""Cohere's v2 wire format on a loopback server (``LoopbackServer``), for the integration tests.

Behaviour is chosen per request by a path prefix, as in ``mock_openai``:

    http://127.0.0.1:<port>/x/<directives>/v2/chat       directives: comma-separated key=value

What a request must carry, as Cohere's API checks it (in this order):
    Authorization: Bearer <key>   else 401 ``{"id", "message": "no api key supplied"}``
    then the ``status`` directive (``{"id", "message": "mock failure <status>"}``; ``text=1``: an HTML page)
    /v2/chat    a JSON object with only the fields of Cohere's v2 chat request (an unknown field,
                e.g. OpenAI's ``top_p`` or ``n``, is a 400), ``model``, ``messages`` (roles system, user,
                assistant, tool; a tool message needs ``tool_call_id``), ``p`` in [0.01, 0.99], ``k`` in
                [0, 500], penalties in [0, 1], ``tool_choice`` REQUIRED or NONE and only with ``tools``,
                ``response_format.type`` text or json_object, ``thinking.type`` enabled or disabled
    /v2/embed   only the fields of Cohere's v2 embed request, ``model``, ``input_type`` and
                ``embedding_types`` (float, int8, uint8, binary, ubinary, base64), texts as strings

Directives of its own:
    name=a          identity: the answer text is ``hello from a``
    tool=1          a tool call (the request's first tool, arguments ``{"city":"Paris"}``) with a
                    ``tool_plan``, finish_reason TOOL_CALL; streamed: plan deltas, then
                    tool-call-start / 3 tool-call-delta / tool-call-end
    thinking=1      a thinking block first
    cache=1         usage reports ``cached_tokens`` 4
    chunks=5, gap   streamed text deltas ``tok0 `` ... and the pause between them (seconds)
    cut=2           in a stream: the connection breaks after 2 text deltas
    stream_error=2  in a stream: after 2 text deltas a ``message-end`` with finish_reason ERROR
    done=1          in a stream: a trailing ``data: [DONE]`` after ``message-end``, as Cohere sometimes sends

Usage is always billed 10 in / 5 out and tokens 12 in / 5 out (the gateway must report ``tokens``).
Embeddings: text i gets ``[0.5, -0.25, i]`` (as float32, so base64 round-trips exactly).
"""

from __future__ import annotations

import asyncio
import base64
import json
import struct
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.loopback import LoopbackMock, RequestLog

CHAT_FIELDS = frozenset({
    "model", "messages", "tools", "strict_tools", "documents", "citation_options", "response_format",
    "safety_mode", "max_tokens", "stop_sequences", "temperature", "seed", "frequency_penalty", "presence_penalty",
    "k", "p", "logprobs", "tool_choice", "thinking", "priority", "stream"})
EMBED_FIELDS = frozenset({"texts", "images", "model", "input_type", "inputs", "max_tokens", "output_dimension",
                          "embedding_types", "truncate", "priority"})
EMBEDDING_TYPES = frozenset({"float", "int8", "uint8", "binary", "ubinary", "base64"})
ROLES = frozenset({"system", "user", "assistant", "tool"})
TOOL_ARGUMENTS = ['{"city"', ':"Par', 'is"}']
THINKING = "The user wants a greeting."
BILLED = {"input_tokens": 10, "output_tokens": 5}
TOKENS = {"input_tokens": 12, "output_tokens": 5}


@dataclass
class CohereState(RequestLog):
    counts: Counter[str] = field(default_factory=Counter)
    disconnects: int = 0


def vector(i: int) -> list[float]:
    return [0.5, -0.25, float(i)]


def _error(status: int, message: str, d: dict[str, str]) -> web.Response:
    if "text" in d:
        return web.Response(status=status, text="<html>upstream broke</html>", content_type="text/html")
    return web.json_response({"id": "mock-error-id", "message": message}, status=status)


def _usage(d: dict[str, str]) -> dict[str, Any]:
    usage: dict[str, Any] = {"billed_units": dict(BILLED), "tokens": dict(TOKENS)}
    if "cache" in d:
        usage["cached_tokens"] = 4
    return usage


def _tool_name(data: dict[str, Any]) -> str:
    tools = data.get("tools") or []
    return str(tools[0]["function"]["name"]) if tools else "get_weather"


def _range(data: dict[str, Any], key: str, low: float, high: float) -> str | None:
    value = data.get(key)
    if value is not None and not low <= value <= high:
        return f"invalid request: {key} must be between {low} and {high}"
    return None


def check_chat(data: dict[str, Any]) -> str | None:
    """The first complaint Cohere's v2 chat would have about a body, or None."""
    extra = sorted(set(data) - CHAT_FIELDS)
    if extra:
        return f"invalid request: unknown field: parameter {extra[0]} is not a valid field"
    if not isinstance(data.get("model"), str):
        return "invalid request: model must be a string"
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        return "invalid request: messages must be a non-empty list"
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict) or msg.get("role") not in ROLES:
            return f"invalid request: messages[{i}].role must be one of system, user, assistant, tool"
        if msg["role"] == "tool" and not msg.get("tool_call_id"):
            return f"invalid request: messages[{i}].tool_call_id is required"
    for key, low, high in (("p", 0.01, 0.99), ("k", 0, 500), ("frequency_penalty", 0, 1), ("presence_penalty", 0, 1)):
        problem = _range(data, key, low, high)
        if problem:
            return problem
    if "tool_choice" in data and (data["tool_choice"] not in ("REQUIRED", "NONE") or not data.get("tools")):
        return "invalid request: tool_choice must be REQUIRED or NONE, and needs tools"
    if "response_format" in data and data["response_format"].get("type") not in ("text", "json_object"):
        return "invalid request: response_format.type must be text or json_object"
    if "thinking" in data and data["thinking"].get("type") not in ("enabled", "disabled"):
        return "invalid request: thinking.type must be enabled or disabled"
    return None


def check_embed(data: dict[str, Any]) -> str | None:
    extra = sorted(set(data) - EMBED_FIELDS)
    if extra:
        return f"invalid request: unknown field: parameter {extra[0]} is not a valid field"
    for required in ("model", "input_type", "embedding_types"):
        if required not in data:
            return f"invalid request: {required} is required"
    if not set(data["embedding_types"]) <= EMBEDDING_TYPES:
        return "invalid request: unknown embedding type"
    if not all(isinstance(t, str) for t in data.get("texts", [])):
        return "invalid request: texts must be strings"
    return None


def chat_answer(data: dict[str, Any], d: dict[str, str]) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if "thinking" in d:
        content.append({"type": "thinking", "thinking": THINKING})
    message: dict[str, Any] = {"role": "assistant"}
    if "tool" in d:
        name = _tool_name(data)
        call = {"id": f"{name}_mock1", "type": "function",
                "function": {"name": name, "arguments": "".join(TOOL_ARGUMENTS)}}
        message.update(tool_plan=f"I will call {name}.", tool_calls=[call])
    else:
        content.append({"type": "text", "text": f"hello from {d.get('name', 'mock')}"})
    if content:
        message["content"] = content
    return {"id": f"gen-{d.get('name', 'mock')}", "finish_reason": "TOOL_CALL" if "tool" in d else "COMPLETE",
            "message": message, "usage": _usage(d)}


def sse(data: dict[str, Any]) -> bytes:
    """One event as Cohere writes it: named after its ``type``, JSON data."""
    return b"event: " + data["type"].encode() + b"\ndata: " + json.dumps(data).encode() + b"\n\n"


def _delta(kind: str, index: int | None, message: dict[str, Any]) -> bytes:
    event: dict[str, Any] = {"type": kind, "delta": {"message": message}}
    if index is not None:
        event["index"] = index
    return sse(event)


class MockCohere(LoopbackMock[CohereState]):
    """Start with ``start()``; ``url(**directives)`` is a custom host for one scenario."""

    def new_state(self) -> CohereState:
        return CohereState()

    async def answer(self, request: web.Request, path: str, body: bytes,
                     directives: dict[str, str]) -> web.StreamResponse:
        self.state.counts[directives.get("key", request.path)] += 1
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or not auth[7:]:
            return _error(401, "no api key supplied", {})
        if "status" in directives:
            return _error(int(directives["status"]), f"mock failure {directives['status']}", directives)
        try:
            data = json.loads(body)
        except ValueError:
            return _error(400, "invalid request: body is not valid JSON", {})
        if path == "/v2/chat":
            problem = check_chat(data)
            if problem:
                return _error(400, problem, {})
            if data.get("stream"):
                return await self._stream(request, data, directives)
            return web.json_response(chat_answer(data, directives))
        if path == "/v2/embed":
            problem = check_embed(data)
            return _error(400, problem, {}) if problem else web.json_response(self._embeddings(data))
        return _error(404, f"no route for {path}", {})

    @staticmethod
    def _embeddings(data: dict[str, Any]) -> dict[str, Any]:
        texts = data.get("texts", [])
        vectors = [vector(i) for i in range(len(texts))]
        by_type: dict[str, Any] = {}
        if "float" in data["embedding_types"]:
            by_type["float"] = vectors
        if "base64" in data["embedding_types"]:
            by_type["base64"] = [base64.b64encode(struct.pack(f"<{len(v)}f", *v)).decode() for v in vectors]
        return {"id": "embed-mock", "texts": texts, "embeddings": by_type, "response_type": "embeddings_by_type",
                "meta": {"api_version": {"version": "2"}, "billed_units": {"input_tokens": 2 * len(texts)}}}

    async def _stream(self, request: web.Request, data: dict[str, Any], d: dict[str, str]) -> web.StreamResponse:
        response = web.StreamResponse(headers={"content-type": "text/event-stream", "cache-control": "no-cache"})
        await response.prepare(request)
        chunks, gap = int(d.get("chunks", 5)), float(d.get("gap", 0.005))
        try:
            await response.write(sse({"id": f"gen-{d.get('name', 'mock')}", "type": "message-start", "delta": {
                "message": {"role": "assistant", "content": [], "tool_plan": "", "tool_calls": [], "citations": []}}}))
            index = 0
            if "thinking" in d:
                await response.write(_delta("content-start", 0, {"content": {"type": "thinking", "thinking": ""}}))
                await response.write(_delta("content-delta", 0, {"content": {"thinking": THINKING}}))
                await response.write(sse({"type": "content-end", "index": 0}))
                index = 1
            if "tool" in d:
                await self._tool_events(response, data, gap)
            else:
                if not await self._text_events(request, response, index, chunks, gap, d):
                    return response
            end = {"type": "message-end", "delta": {"finish_reason": "TOOL_CALL" if "tool" in d else "COMPLETE",
                                                    "usage": _usage(d)}}
            await response.write(sse(end))
            if "done" in d:
                await response.write(b"data: [DONE]\n\n")
            await response.write_eof()
        except (ConnectionResetError, asyncio.CancelledError):
            self.state.disconnects += 1
            raise
        return response

    @staticmethod
    async def _tool_events(response: web.StreamResponse, data: dict[str, Any], gap: float) -> None:
        name = _tool_name(data)
        for piece in ("I will call ", f"{name}."):
            await response.write(_delta("tool-plan-delta", None, {"tool_plan": piece}))
        await response.write(_delta("tool-call-start", 0, {"tool_calls": {
            "id": f"{name}_mock1", "type": "function", "function": {"name": name, "arguments": ""}}}))
        for piece in TOOL_ARGUMENTS:
            await asyncio.sleep(gap)
            await response.write(_delta("tool-call-delta", 0, {"tool_calls": {"function": {"arguments": piece}}}))
        await response.write(sse({"type": "tool-call-end", "index": 0}))

    @staticmethod
    async def _text_events(request: web.Request, response: web.StreamResponse, index: int, chunks: int,
                           gap: float, d: dict[str, str]) -> bool:
        """The text block; False when the scenario ended the stream early (a cut or a failed generation)."""
        await response.write(_delta("content-start", index, {"content": {"type": "text", "text": ""}}))
        for i in range(chunks):
            await asyncio.sleep(gap)
            if "cut" in d and i == int(d["cut"]):
                request.transport.close()  # type: ignore[union-attr]
                return False
            if "stream_error" in d and i == int(d["stream_error"]):
                await response.write(sse({"type": "message-end", "delta": {
                    "finish_reason": "ERROR", "error": "mock generation failed"}}))
                await response.write_eof()
                return False
            await response.write(_delta("content-delta", index, {"content": {"text": f"tok{i} "}}))
        await response.write(sse({"type": "content-end", "index": index}))
        return True
