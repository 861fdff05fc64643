"""Gemini's wire format for a loopback mock (``tests/support/loopback.LoopbackServer``).

Paths: ``[/x/<directives>]/v1beta/models/{model}:{method}``, directives ``k=v`` joined by commas
(``mock.url(status=429)`` gives the base to use as ``x-portkey-custom-host``). Methods:
``generateContent``, ``streamGenerateContent`` (SSE only with ``?alt=sse``, else Gemini's streamed
JSON array) and ``batchEmbedContents``. Every request is recorded (path, query, headers, body).

What a request must carry, as the real API checks it (in this order):
    x-goog-api-key (or ?key=)  else 403 PERMISSION_DENIED
    then the ``status`` directive: Google's ``{"error": {code, message, status, details}}``
    generateContent bodies: only Gemini's top-level fields and ``generationConfig`` fields ("Invalid
        JSON payload received. Unknown name ..."), non-empty ``contents`` whose turns have role
        user/model and non-empty parts, no ``additionalProperties``/``$schema`` anywhere in a schema,
        no empty OBJECT ``properties`` in a function declaration -> else 400 INVALID_ARGUMENT
    batchEmbedContents: every request names the URL's model (``models/...``)

Directives:
    status=429       fail with that status (429 RESOURCE_EXHAUSTED with a RetryInfo detail, 400
                     INVALID_ARGUMENT, 404 NOT_FOUND, 500 INTERNAL, 503 UNAVAILABLE)
    tool=1           answer with a functionCall (name of the request's first declared function, args
                     ``{"city": "Paris"}``) after a text part; streamed: text chunk, then the call
    thinking=1       a thought part first (only sent when includeThoughts was asked for)
    blocked=1        the prompt is blocked: ``promptFeedback.blockReason: SAFETY``, no candidates
    chunks=N         a stream's text chunks ``tok0 `` ``tok1 ``... (default 3), the last with finishReason
    cut=N            break the connection after N chunks (no finishReason ever sent)
    stream_error=N   after N chunks send ``data: {"error": {...}}`` (503 UNAVAILABLE) and end cleanly
Usage: promptTokenCount 10, candidatesTokenCount 5, thoughtsTokenCount 3 when thinking, total the sum.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from tests.support.loopback import LoopbackMock, RequestLog

MODEL_VERSION = "gemini-mock-001"
RESPONSE_ID = "mock-response-1"
TOOL_ARGS = {"city": "Paris"}
THOUGHT = "Considering the question."
PROMPT, OUTPUT, THOUGHTS = 10, 5, 3
TOP_LEVEL = frozenset({"contents", "tools", "toolConfig", "safetySettings", "systemInstruction", "generationConfig",
                       "cachedContent", "model"})
GENERATION = frozenset({"stopSequences", "responseMimeType", "responseSchema", "responseJsonSchema",
                        "responseModalities", "candidateCount", "maxOutputTokens", "temperature", "topP", "topK",
                        "seed", "presencePenalty", "frequencyPenalty", "responseLogprobs", "logprobs",
                        "enableEnhancedCivicAnswers", "speechConfig", "thinkingConfig", "imageConfig",
                        "mediaResolution"})
STATUSES = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED",
            500: "INTERNAL", 503: "UNAVAILABLE"}


class MockGemini(LoopbackMock[RequestLog]):
    def new_state(self) -> RequestLog:
        return RequestLog()

    async def answer(self, request: web.Request, path: str, body: bytes,
                     directives: dict[str, str]) -> web.StreamResponse:
        if not request.headers.get("x-goog-api-key") and "key" not in request.query:
            return error(403, "Method doesn't allow unregistered callers (callers without established identity).")
        if "status" in directives:
            return error(int(directives["status"]), f"mock failure {directives['status']}")
        model, _, method = path.removeprefix("/v1beta/").partition(":")
        try:
            data = json.loads(body)
        except ValueError:
            return error(400, "Invalid JSON payload received.")
        if method == "batchEmbedContents":
            return embed(model, data)
        problem = invalid_generate(data)
        if problem:
            return error(400, problem)
        if method == "generateContent":
            return web.json_response(answer(data, directives))
        if method == "streamGenerateContent":
            return await stream(request, data, directives)
        return error(404, f"Method {method} not found")


def error(status: int, message: str) -> web.Response:
    body: dict[str, Any] = {"code": status, "message": message, "status": STATUSES.get(status, "UNKNOWN")}
    if status == 429:
        body["details"] = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"}]
    return web.json_response({"error": body}, status=status)


def _schema_problem(node: Any, names: bool = False) -> str | None:
    """Gemini's Schema is a protobuf: JSON Schema keywords it lacks are "Unknown name" errors.
    ``names``: ``node`` is a ``properties`` map, whose keys are property names, not keywords."""
    if isinstance(node, list):
        return next((p for p in map(_schema_problem, node) if p), None)
    if not isinstance(node, dict):
        return None
    if not names:
        for key in ("additionalProperties", "$schema", "$ref", "$defs", "strict", "const"):
            if key in node:
                return f'Invalid JSON payload received. Unknown name "{key}": Cannot find field.'
        if isinstance(node.get("type"), list):
            return 'Invalid JSON payload received. Proto field is not repeating, cannot start list.'
    for key, value in node.items():
        found = _schema_problem(value, key == "properties" and not names)
        if found:
            return found
    return None


def invalid_generate(data: Any) -> str | None:
    """What Gemini's request validation would reject, as its message; None when the body is fine."""
    if not isinstance(data, dict):
        return "Invalid JSON payload received."
    unknown = set(data) - TOP_LEVEL or set(data.get("generationConfig") or {}) - GENERATION
    if unknown:
        return f'Invalid JSON payload received. Unknown name "{sorted(unknown)[0]}": Cannot find field.'
    contents = data.get("contents")
    if not isinstance(contents, list) or not contents:
        return "* GenerateContentRequest.contents: contents is not specified"
    for turn in contents:
        if turn.get("role") not in ("user", "model") or not turn.get("parts"):
            return "* GenerateContentRequest.contents: contents.parts must not be empty."
    for tool in data.get("tools") or []:
        for fn in tool.get("functionDeclarations") or []:
            params = fn.get("parameters")
            if isinstance(params, dict) and params.get("type") in ("object", "OBJECT") and not params.get(
                    "properties"):
                return f"* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties: " \
                       f"should be non-empty for OBJECT type ({fn.get('name')})"
            problem = _schema_problem(params)
            if problem:
                return problem
    return _schema_problem((data.get("generationConfig") or {}).get("responseSchema"))


def _tool_name(data: dict[str, Any]) -> str:
    for tool in data.get("tools") or []:
        for fn in tool.get("functionDeclarations") or []:
            return str(fn.get("name"))
    return "get_weather"


def _thinks(data: dict[str, Any], d: dict[str, str]) -> bool:
    return "thinking" in d and bool(((data.get("generationConfig") or {}).get("thinkingConfig") or {})
                                     .get("includeThoughts"))


def usage(thinking: bool, output: int = OUTPUT) -> dict[str, Any]:
    thoughts = THOUGHTS if thinking else 0
    out = {"promptTokenCount": PROMPT, "candidatesTokenCount": output, "totalTokenCount": PROMPT + output + thoughts}
    if thinking:
        out["thoughtsTokenCount"] = thoughts
    return out


def _envelope(candidates: list[dict[str, Any]], usage_md: dict[str, Any]) -> dict[str, Any]:
    return {"candidates": candidates, "usageMetadata": usage_md, "modelVersion": MODEL_VERSION,
            "responseId": RESPONSE_ID}


def answer(data: dict[str, Any], d: dict[str, str]) -> dict[str, Any]:
    if "blocked" in d:
        return {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": PROMPT,
                "totalTokenCount": PROMPT}, "modelVersion": MODEL_VERSION, "responseId": RESPONSE_ID}
    thinking = _thinks(data, d)
    parts: list[dict[str, Any]] = [{"text": THOUGHT, "thought": True}] if thinking else []
    if "tool" in d:
        parts += [{"text": "Let me look."}, {"functionCall": {"name": _tool_name(data), "args": TOOL_ARGS}}]
    elif (data.get("generationConfig") or {}).get("responseMimeType") == "application/json":
        parts.append({"text": json.dumps({"name": "Ada", "age": 36})})
    else:
        parts.append({"text": "hello from gemini"})
    candidate = {"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}
    return _envelope([candidate], usage(thinking))


def _sse(payload: Any) -> bytes:
    return b"data: " + json.dumps(payload).encode() + b"\r\n\r\n"


def _stream_chunks(data: dict[str, Any], d: dict[str, str]) -> list[dict[str, Any]]:
    if "blocked" in d:
        return [answer(data, d)]
    thinking = _thinks(data, d)
    parts_list: list[list[dict[str, Any]]] = [[{"text": THOUGHT, "thought": True}]] if thinking else []
    if "tool" in d:
        parts_list += [[{"text": "Let me look."}], [{"functionCall": {"name": _tool_name(data), "args": TOOL_ARGS}}]]
    else:
        parts_list += [[{"text": f"tok{i} "}] for i in range(int(d.get("chunks", 3)))]
    chunks = []
    for n, parts in enumerate(parts_list):
        candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
        last = n == len(parts_list) - 1
        if last:
            candidate["finishReason"] = "STOP"
        chunks.append(_envelope([candidate], usage(thinking) if last else {"promptTokenCount": PROMPT,
                                                                            "totalTokenCount": PROMPT}))
    return chunks


async def stream(request: web.Request, data: dict[str, Any], d: dict[str, str]) -> web.StreamResponse:
    """SSE with ``?alt=sse`` (``\\r\\n\\r\\n`` between events, as Google sends them), else a JSON array."""
    sse = request.query.get("alt") == "sse"
    response = web.StreamResponse(headers={"content-type": "text/event-stream" if sse else "application/json"})
    await response.prepare(request)
    chunks = _stream_chunks(data, d)
    for n, chunk in enumerate(chunks):
        if "cut" in d and n == int(d["cut"]):
            request.transport.close()  # type: ignore[union-attr]
            return response
        if "stream_error" in d and n == int(d["stream_error"]):
            await response.write(_sse({"error": {"code": 503, "message": "The model is overloaded.",
                                                 "status": "UNAVAILABLE"}}))
            break
        await response.write(_sse(chunk) if sse else (b"[" if n == 0 else b",\r\n") + json.dumps(chunk).encode())
    else:
        if not sse:
            await response.write(b"]")
    await response.write_eof()
    return response


def embed(model: str, data: Any) -> web.Response:
    requests = data.get("requests") if isinstance(data, dict) else None
    if not isinstance(requests, list) or not requests:
        return error(400, "* BatchEmbedContentsRequest.requests: requests is not specified")
    embeddings = []
    for n, item in enumerate(requests):
        if item.get("model") != model:
            return error(400, f"Model mismatch: requests[{n}].model must be {model}")
        size = int(item.get("outputDimensionality") or 4)
        embeddings.append({"values": [round(0.1 * (n + 1) + 0.01 * i, 4) for i in range(size)]})
    return web.json_response({"embeddings": embeddings})
