"""Anthropic's wire format for the loopback mock: ``MockOpenAI`` hands every request for
``/v1/messages``, ``/v1/messages/count_tokens`` and ``/v1/complete`` to ``handle`` after it has
recorded and counted it, so these paths share the mock's log and its URL directives
(``status``, ``fail``, ``key``, ``delay``, ``retry_after``, ``name``, ``chunks``, ``gap``, ``cut``, ``text``).

What a request must carry, as the real API checks it (in this order):
    x-api-key              else 401 authentication_error
    anthropic-version      else 400 invalid_request_error
    then the ``status`` directive (error body ``{"type":"error","error":{"type":..,"message":..}}``:
    529 overloaded_error, 429 rate_limit_error, 401 authentication_error, 403 permission_error,
    404 not_found_error, 413 request_too_large, other 5xx api_error, other 4xx invalid_request_error)
    /v1/messages           ``max_tokens`` (a positive integer), ``messages`` (roles user/assistant only),
                           ``temperature`` in [0, 1], no unknown top-level field ("Extra inputs are not
                           permitted"), else 400 invalid_request_error
    /v1/complete           ``prompt`` and ``max_tokens_to_sample``, no unknown top-level field
    /v1/messages/count_tokens  ``model`` and ``messages``

Directives of its own (on top of the shared ones):
    tool=1            a text block, then a ``tool_use`` block (name of the request's first tool,
                      input ``{"city": "Paris"}``), stop_reason ``tool_use``
    thinking=1        a ``thinking`` block (with a signature) first
    cache=1           usage reports cache_read_input_tokens 20, cache_creation_input_tokens 3
    stream_error=2    in a stream: an ``event: error`` (overloaded_error) after 2 text deltas, then
                      the response ends cleanly (no message_delta / message_stop)
    cut=2             in a stream: the connection breaks after 2 text deltas

Usage is always input_tokens 10, output_tokens 5. A stream's text deltas are ``tok0 ``, ``tok1 `` ...
(``chunks`` of them, default 5, ``gap`` seconds apart); a tool stream's input arrives as
``input_json_delta`` pieces ``""``, ``{"city": ``, ``"Par``, ``is"}``. The legacy ``/v1/complete``
stream uses ``\\r\\n`` line endings: Portkey splits Anthropic's on ``\\r\\n\\r\\n``, so a decoder must take both.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from tests.support.mock_openai import MockState

PATHS = frozenset({"/v1/messages", "/v1/messages/count_tokens", "/v1/complete"})

USAGE_IN, USAGE_OUT = 10, 5
CACHE_READ, CACHE_CREATION = 20, 3
TOOL_ID = "toolu_mock_1"
TOOL_INPUT = {"city": "Paris"}
TOOL_INPUT_PIECES = ["", '{"city": ', '"Par', 'is"}']
THINKING = "Let me think about it."
SIGNATURE = "sig-mock-1"

MESSAGES_FIELDS = frozenset({
    # the parameters of the pinned SDK's messages.create and beta.messages.create ...
    "model", "messages", "max_tokens", "system", "metadata", "stop_sequences", "stream", "tools", "tool_choice",
    "thinking", "service_tier", "container", "mcp_servers", "context_management", "output_config", "cache_control",
    "diagnostics", "inference_geo", "speed", "user_profile_id", "workspace_id", "billing_policy", "compaction",
    "fallback_credit_token", "fallbacks", "thread",
    # ... and older ones the API still takes
    "temperature", "top_k", "top_p", "output_format",
})
COMPLETE_FIELDS = frozenset({"model", "prompt", "max_tokens_to_sample", "stop_sequences", "temperature", "top_k",
                             "top_p", "metadata", "stream"})

ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
               404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error", 500: "api_error",
               529: "overloaded_error"}


def error_type(status: int) -> str:
    if status in ERROR_TYPES:
        return ERROR_TYPES[status]
    return "api_error" if status >= 500 else "invalid_request_error"


def error_body(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


def _headers(d: dict[str, str]) -> dict[str, str]:
    return {"x-mock-name": d.get("name", "mock"), "request-id": "req_mock"}


def _error(status: int, d: dict[str, str], message: str | None = None) -> web.Response:
    headers = _headers(d)
    if "retry_after" in d:
        headers["retry-after"] = d["retry_after"]
    if "retry_after_ms" in d:
        headers["retry-after-ms"] = d["retry_after_ms"]
    if "text" in d and message is None:
        return web.Response(status=status, text="<html>upstream broke</html>", content_type="text/html",
                            headers=headers)
    body = error_body(error_type(status), message or f"mock failure {status}")
    return web.json_response(body, status=status, headers=headers)


def _invalid(d: dict[str, str], message: str) -> web.Response:
    return _error(400, d, message)


def _usage(d: dict[str, str], output: int = USAGE_OUT) -> dict[str, Any]:
    cached = "cache" in d
    return {"input_tokens": USAGE_IN, "output_tokens": output,
            "cache_creation_input_tokens": CACHE_CREATION if cached else 0,
            "cache_read_input_tokens": CACHE_READ if cached else 0}


def _tool_name(data: dict[str, Any]) -> str:
    tools = data.get("tools")
    if isinstance(tools, list) and tools and isinstance(tools[0], dict) and tools[0].get("name"):
        return str(tools[0]["name"])
    return "get_weather"


def _check_messages(data: dict[str, Any]) -> str | None:
    """The first validation error Anthropic would report for a /v1/messages body, or None."""
    extra = sorted(set(data) - MESSAGES_FIELDS)
    if extra:
        return f"{extra[0]}: Extra inputs are not permitted"
    if "model" not in data:
        return "model: Field required"
    max_tokens = data.get("max_tokens")
    if max_tokens is None:
        return "max_tokens: Field required"
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        return "max_tokens: Input should be a valid integer greater than or equal to 1"
    messages = data.get("messages")
    if not isinstance(messages, list):
        return "messages: Field required"
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ("user", "assistant"):
            return f"messages.{i}.role: Input should be 'user' or 'assistant'"
    temperature = data.get("temperature")
    if temperature is not None and not 0 <= temperature <= 1:
        return "temperature: Input should be less than or equal to 1"
    return None


def _check_complete(data: dict[str, Any]) -> str | None:
    extra = sorted(set(data) - COMPLETE_FIELDS)
    if extra:
        return f"{extra[0]}: Extra inputs are not permitted"
    for required in ("model", "prompt", "max_tokens_to_sample"):
        if required not in data:
            return f"{required}: Field required"
    return None


async def handle(request: web.Request, path: str, body: bytes, d: dict[str, str], state: MockState,
                 failing: bool) -> web.StreamResponse:
    """Answer one request for an Anthropic path (already recorded and counted by the caller)."""
    if not request.headers.get("x-api-key"):
        return _error(401, d, "x-api-key header is required")
    if not request.headers.get("anthropic-version"):
        return _error(400, d, "anthropic-version: header is required")
    if failing:
        return _error(int(d["status"]), d)
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        return _invalid(d, "There was an error parsing the body of your request")
    if not isinstance(data, dict):
        return _invalid(d, "Input should be an object")
    headers = _headers(d)
    if path == "/v1/messages/count_tokens":
        for required in ("model", "messages"):
            if required not in data:
                return _invalid(d, f"{required}: Field required")
        return web.json_response({"input_tokens": len(body) // 4}, headers=headers)
    if path == "/v1/complete":
        problem = _check_complete(data)
        if problem:
            return _invalid(d, problem)
        if data.get("stream"):
            return await _complete_stream(request, data, d, headers, state)
        return web.json_response({"type": "completion", "id": "compl_mock", "completion": f" hello from {_name(d)}",
                                  "stop_reason": "stop_sequence", "model": data["model"]}, headers=headers)
    problem = _check_messages(data)
    if problem:
        return _invalid(d, problem)
    if data.get("stream"):
        return await _messages_stream(request, data, d, headers, state)
    return web.json_response(message(data, d), headers=headers)


def _name(d: dict[str, str]) -> str:
    return d.get("name", "mock")


def message(data: dict[str, Any], d: dict[str, str]) -> dict[str, Any]:
    """The non-streamed /v1/messages answer for a request body and the scenario's directives."""
    content: list[dict[str, Any]] = []
    if "thinking" in d:
        content.append({"type": "thinking", "thinking": THINKING, "signature": SIGNATURE})
    content.append({"type": "text", "text": f"hello from {_name(d)}"})
    if "tool" in d:
        content.append({"type": "tool_use", "id": TOOL_ID, "name": _tool_name(data), "input": TOOL_INPUT})
    return {"id": f"msg_{_name(d)}", "type": "message", "role": "assistant", "model": data.get("model", "unknown"),
            "content": content, "stop_reason": "tool_use" if "tool" in d else "end_turn", "stop_sequence": None,
            "usage": _usage(d)}


def sse(name: str, data: dict[str, Any], newline: bytes = b"\n") -> bytes:
    """One named SSE event in Anthropic's framing."""
    return b"event: " + name.encode() + newline + b"data: " + json.dumps(data).encode() + newline + newline


async def _messages_stream(request: web.Request, data: dict[str, Any], d: dict[str, str],
                           headers: dict[str, str], state: MockState) -> web.StreamResponse:
    response = web.StreamResponse(headers={**headers, "content-type": "text/event-stream; charset=utf-8",
                                           "cache-control": "no-cache"})
    await response.prepare(request)
    chunks, gap = int(d.get("chunks", 5)), float(d.get("gap", 0.01))
    model = data.get("model", "unknown")
    start = {"id": f"msg_{_name(d)}", "type": "message", "role": "assistant", "model": model, "content": [],
             "stop_reason": None, "stop_sequence": None, "usage": _usage(d, output=1)}

    async def block(index: int, start_block: dict[str, Any], deltas: list[dict[str, Any]]) -> None:
        await response.write(sse("content_block_start", {"type": "content_block_start", "index": index,
                                                         "content_block": start_block}))
        for delta in deltas:
            await asyncio.sleep(gap)
            await response.write(sse("content_block_delta", {"type": "content_block_delta", "index": index,
                                                             "delta": delta}))
        await response.write(sse("content_block_stop", {"type": "content_block_stop", "index": index}))

    try:
        await response.write(sse("message_start", {"type": "message_start", "message": start}))
        await response.write(sse("ping", {"type": "ping"}))
        index = 0
        if "thinking" in d:
            half = len(THINKING) // 2
            await block(index, {"type": "thinking", "thinking": "", "signature": ""},
                        [{"type": "thinking_delta", "thinking": THINKING[:half]},
                         {"type": "thinking_delta", "thinking": THINKING[half:]},
                         {"type": "signature_delta", "signature": SIGNATURE}])
            index += 1
        await response.write(sse("content_block_start", {"type": "content_block_start", "index": index,
                                                         "content_block": {"type": "text", "text": ""}}))
        for i in range(chunks):
            await asyncio.sleep(gap)
            if "cut" in d and i == int(d["cut"]):
                request.transport.close()  # type: ignore[union-attr]
                return response
            if "stream_error" in d and i == int(d["stream_error"]):
                await response.write(sse("error", error_body("overloaded_error", "Overloaded")))
                await response.write_eof()
                return response
            await response.write(sse("content_block_delta", {"type": "content_block_delta", "index": index,
                                                             "delta": {"type": "text_delta", "text": f"tok{i} "}}))
        await response.write(sse("content_block_stop", {"type": "content_block_stop", "index": index}))
        index += 1
        if "tool" in d:
            await block(index, {"type": "tool_use", "id": TOOL_ID, "name": _tool_name(data), "input": {}},
                        [{"type": "input_json_delta", "partial_json": piece} for piece in TOOL_INPUT_PIECES])
        await response.write(sse("message_delta", {
            "type": "message_delta", "delta": {"stop_reason": "tool_use" if "tool" in d else "end_turn",
                                               "stop_sequence": None},
            "usage": {"output_tokens": USAGE_OUT}}))
        state.stream_finished += 1  # before the last write, as in the OpenAI mock
        await response.write(sse("message_stop", {"type": "message_stop"}))
        await response.write_eof()
    except (ConnectionResetError, asyncio.CancelledError):
        state.disconnects += 1
        raise
    return response


async def _complete_stream(request: web.Request, data: dict[str, Any], d: dict[str, str],
                           headers: dict[str, str], state: MockState) -> web.StreamResponse:
    response = web.StreamResponse(headers={**headers, "content-type": "text/event-stream; charset=utf-8"})
    await response.prepare(request)
    chunks, gap = int(d.get("chunks", 5)), float(d.get("gap", 0.01))
    model = data.get("model", "unknown")

    def event(text: str, stop: str | None) -> bytes:
        return sse("completion", {"type": "completion", "id": "compl_mock", "completion": text, "stop_reason": stop,
                                  "model": model}, newline=b"\r\n")

    try:
        await response.write(sse("ping", {"type": "ping"}, newline=b"\r\n"))
        for i in range(chunks):
            await asyncio.sleep(gap)
            if "cut" in d and i == int(d["cut"]):
                request.transport.close()  # type: ignore[union-attr]
                return response
            await response.write(event(f" tok{i}", None))
        state.stream_finished += 1
        await response.write(event("", "stop_sequence"))
        await response.write_eof()
    except (ConnectionResetError, asyncio.CancelledError):
        state.disconnects += 1
        raise
    return response
