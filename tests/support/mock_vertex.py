"""Vertex AI's wire formats for a loopback mock (``tests/support/loopback.LoopbackServer``), plus a
service-account token endpoint.

Paths: ``[/x/<directives>]/v1/projects/{project}/locations/{region}/...`` (``mock.url(status=429)``
gives the base to use as ``x-portkey-custom-host``), and ``[/x/<directives>]/token``:
    publishers/google/models/{m}:generateContent | :streamGenerateContent?alt=sse   Gemini's format
        (validated and answered by ``mock_google``'s functions: the bodies are the Gemini API's)
    publishers/google/models/{m}:predict                       text embeddings (instances/predictions)
    publishers/anthropic/models/{m}:rawPredict | :streamRawPredict   Anthropic Messages, Vertex-style:
        ``anthropic_version`` is required in the body (the gateway's value is asserted by the tests:
        the pinned SDK's own Vertex client sends its API version there) and ``model`` must not be;
        ``stream`` must be true on streamRawPredict and absent/false on rawPredict
    publishers/anthropic/models/count-tokens:rawPredict        ``{"input_tokens": n}``; needs model, messages
    endpoints/openapi/chat/completions                          OpenAI chat; the model must be ``publisher/model``
Every Vertex path needs ``Authorization: Bearer <token>`` (else 401 UNAUTHENTICATED, Google's shape).
Every request is recorded (path, query, headers, body); token requests also in ``token_requests``.

The token endpoint takes Google's form (``grant_type`` jwt-bearer, ``assertion``), verifies the
assertion's RS256 signature with the TEST-ONLY key's public half, its ``aud`` (this URL), ``scope``
and lifetime, and answers ``{"access_token": "ya29.mock-<n>", "expires_in": 3599}``.

Directives: ``status=N`` (the family's error shape: Anthropic's for Claude, Google's otherwise, a
list-wrapped Google error on the OpenAI endpoint), ``front=N`` (Google's shape whatever the model:
Vertex's front end refusing), ``tool=1``, ``chunks=N`` (default 3), ``cut=N`` (break the connection
after N text chunks), ``token=refuse`` (400 invalid_grant) / ``token=down`` (503 HTML page).
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web

from gateway import rsa
from tests.support import mock_anthropic, mock_google
from tests.support.loopback import LoopbackMock, Recorded, RequestLog

KEY = rsa.load_pem((Path(__file__).resolve().parents[1] / "fixtures" / "vertex_ai" /
                    "TEST-ONLY-not-a-real-key-rsa-2048.pem").read_text(encoding="ascii"))
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
_PREFIX = re.compile(r"^/v1/projects/(?P<project>[^/]+)/locations/(?P<region>[^/]+)/(?P<rest>.+)$")
TOOL_INPUT = {"city": "Paris"}


@dataclass
class VertexState(RequestLog):
    token_requests: list[Recorded] = field(default_factory=list)


class MockVertex(LoopbackMock[VertexState]):
    def new_state(self) -> VertexState:
        return VertexState()

    def token_uri(self, **directives: Any) -> str:
        return self.url(**directives) + "/token"

    async def answer(self, request: web.Request, path: str, body: bytes,
                     directives: dict[str, str]) -> web.StreamResponse:
        state = self.state
        if path == "/token":
            state.token_requests.append(state.requests[-1])
            return _token(request, body, directives, len(state.token_requests))
        if not request.headers.get("authorization", "").startswith("Bearer ya29."):
            return google_error(401, "Request had invalid authentication credentials. Expected OAuth 2 access "
                                     "token, login cookie or other valid authentication credential.")
        found = _PREFIX.match(path)
        if found is None:
            return google_error(404, f"The requested URL {path} was not found on this server.")
        if "front" in directives:
            return google_error(int(directives["front"]), f"mock front-end failure {directives['front']}")
        try:
            data = json.loads(body)
        except ValueError:
            return google_error(400, "Invalid JSON payload received.")
        return await _dispatch(request, found["rest"], data, directives)


def google_error(status: int, message: str, wrap: bool = False) -> web.Response:
    error = {"error": {"code": status, "message": message, "status": mock_google.STATUSES.get(status, "UNKNOWN")}}
    return web.json_response([error] if wrap else error, status=status)


async def _dispatch(request: web.Request, rest: str, data: Any, d: dict[str, str]) -> web.StreamResponse:
    resource, _, method = rest.rpartition(":")
    if rest == "endpoints/openapi/chat/completions":
        return await _openai(request, data, d)
    if resource.startswith("publishers/google/models/"):
        if "status" in d:
            return mock_google.error(int(d["status"]), f"mock failure {d['status']}")
        if method == "predict":
            return _predict(data)
        problem = mock_google.invalid_generate(data)
        if problem:
            return mock_google.error(400, problem)
        if method == "generateContent":
            return web.json_response(mock_google.answer(data, d))
        if method == "streamGenerateContent" and request.query.get("alt") == "sse":
            return await mock_google.stream(request, data, d)
    if resource == "publishers/anthropic/models/count-tokens" and method == "rawPredict":
        if not isinstance(data, dict) or "model" not in data or "messages" not in data:
            return _claude_error(400, "model and messages are required")
        if str(data["model"]).startswith("anthropic."):
            return google_error(404, f"Publisher Model `{data['model']}` not found.")
        return web.json_response({"input_tokens": len(json.dumps(data["messages"])) // 4})
    if resource.startswith("publishers/anthropic/models/") and method in ("rawPredict", "streamRawPredict"):
        return await _claude(request, resource.rpartition("/")[2], method == "streamRawPredict", data, d)
    return google_error(404, f"Method {method} on {resource} not found")


# --- token endpoint -----------------------------------------------------------------------------------
def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _assertion_problem(assertion: str, audience: str) -> str | None:
    """What Google's token endpoint would refuse in the JWT, or None."""
    try:
        header_b64, claims_b64, signature_b64 = assertion.split(".")
        header, claims = json.loads(_b64(header_b64)), json.loads(_b64(claims_b64))
        signature = int.from_bytes(_b64(signature_b64), "big")
    except ValueError:
        return "Invalid JWT: malformed"
    expected = rsa.sign_sha256(KEY, f"{header_b64}.{claims_b64}".encode())  # deterministic
    if header.get("alg") != "RS256" or signature != int.from_bytes(expected, "big"):
        return "Invalid JWT Signature."
    if claims.get("aud") != audience or claims.get("scope") != SCOPE:
        return "Invalid JWT: aud or scope"
    if claims.get("exp", 0) - claims.get("iat", 0) > 3600 or not claims.get("iss"):
        return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."
    return None


def _token(request: web.Request, body: bytes, d: dict[str, str], count: int) -> web.Response:
    if d.get("token") == "down":
        return web.Response(status=503, text="<html>token service unavailable</html>", content_type="text/html")
    form = parse_qs(body.decode())
    if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"] or "assertion" not in form:
        return web.json_response({"error": "unsupported_grant_type", "error_description": "Invalid grant_type"},
                                 status=400)
    problem = _assertion_problem(form["assertion"][0], str(request.url.with_query(None)))
    if d.get("token") == "refuse" or problem:
        return web.json_response({"error": "invalid_grant", "error_description": problem or "Invalid JWT Signature."},
                                 status=400)
    return web.json_response({"access_token": f"ya29.mock-{count}", "expires_in": 3599, "token_type": "Bearer"})


# --- Claude -------------------------------------------------------------------------------------------
def _claude_error(status: int, message: str) -> web.Response:
    return web.json_response(mock_anthropic.error_body(mock_anthropic.error_type(status), message), status=status)


def _claude_problem(data: Any, streaming: bool) -> str | None:
    if not isinstance(data, dict):
        return "Input should be an object"
    if not isinstance(data.get("anthropic_version"), str) or not data["anthropic_version"]:
        return "anthropic_version: Field required"
    if "model" in data:
        return "model: Extra inputs are not permitted"
    if not isinstance(data.get("max_tokens"), int) or not isinstance(data.get("messages"), list):
        return "max_tokens and messages: Field required"
    if bool(data.get("stream")) != streaming:
        return "stream must be true on streamRawPredict and false on rawPredict"
    return None


async def _claude(request: web.Request, model: str, streaming: bool, data: Any, d: dict[str, str]
                  ) -> web.StreamResponse:
    if "status" in d:
        return _claude_error(int(d["status"]), f"mock failure {d['status']}")
    problem = _claude_problem(data, streaming)
    if problem:
        return _claude_error(400, problem)
    if not streaming:
        return web.json_response({**mock_anthropic.message({**data, "model": model}, {"name": "vertex", **d}),
                                  "id": "msg_vrtx_mock"})
    return await _claude_stream(request, model, data, d)


async def _claude_stream(request: web.Request, model: str, data: dict[str, Any], d: dict[str, str]
                         ) -> web.StreamResponse:
    response = web.StreamResponse(headers={"content-type": "text/event-stream; charset=utf-8"})
    await response.prepare(request)
    sse = mock_anthropic.sse
    usage = {"input_tokens": 10, "output_tokens": 1}
    await response.write(sse("message_start", {"type": "message_start", "message": {
        "id": "msg_vrtx_mock", "type": "message", "role": "assistant", "model": model, "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": usage}}))
    await response.write(sse("ping", {"type": "ping"}))
    await response.write(sse("content_block_start", {"type": "content_block_start", "index": 0,
                                                     "content_block": {"type": "text", "text": ""}}))
    for i in range(int(d.get("chunks", 3))):
        await asyncio.sleep(0.005)
        if "cut" in d and i == int(d["cut"]):
            request.transport.close()  # type: ignore[union-attr]
            return response
        await response.write(sse("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                         "delta": {"type": "text_delta", "text": f"tok{i} "}}))
    await response.write(sse("content_block_stop", {"type": "content_block_stop", "index": 0}))
    if "tool" in d:
        tool = {"type": "tool_use", "id": "toolu_vrtx_1", "name": _tool_name(data), "input": {}}
        await response.write(sse("content_block_start", {"type": "content_block_start", "index": 1,
                                                         "content_block": tool}))
        await response.write(sse("content_block_delta", {"type": "content_block_delta", "index": 1, "delta": {
            "type": "input_json_delta", "partial_json": json.dumps(TOOL_INPUT)}}))
        await response.write(sse("content_block_stop", {"type": "content_block_stop", "index": 1}))
    stop = "tool_use" if "tool" in d else "end_turn"
    await response.write(sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop,
                                               "stop_sequence": None}, "usage": {"output_tokens": 5}}))
    await response.write(sse("message_stop", {"type": "message_stop"}))
    await response.write_eof()
    return response


def _tool_name(data: dict[str, Any]) -> str:
    tools = data.get("tools")
    return str(tools[0].get("name")) if isinstance(tools, list) and tools and isinstance(tools[0], dict) \
        else "get_weather"


# --- OpenAI-compatible endpoint and embeddings --------------------------------------------------------
def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> bytes:
    payload = {"id": "chatcmpl-vx", "object": "chat.completion.chunk", "created": 1, "model": model,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


async def _openai(request: web.Request, data: Any, d: dict[str, str]) -> web.StreamResponse:
    if "status" in d:
        return google_error(int(d["status"]), f"mock failure {d['status']}", wrap=True)
    model = data.get("model") if isinstance(data, dict) else None
    if not isinstance(model, str) or "/" not in model or not isinstance(data.get("messages"), list):
        return google_error(400, "model must be publisher/model and messages are required", wrap=True)
    if not data.get("stream"):
        return web.json_response({
            "id": "chatcmpl-vx", "object": "chat.completion", "created": 1, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "hello from llama"},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}})
    response = web.StreamResponse(headers={"content-type": "text/event-stream"})
    await response.prepare(request)
    await response.write(_chunk(model, {"role": "assistant", "content": ""}))
    for i in range(int(d.get("chunks", 3))):
        await response.write(_chunk(model, {"content": f"tok{i} "}))
    await response.write(_chunk(model, {}, "stop"))
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    return response


def _predict(data: Any) -> web.Response:
    instances = data.get("instances") if isinstance(data, dict) else None
    if not isinstance(instances, list) or not instances:
        return google_error(400, "instances is required")
    size = int(((data.get("parameters") or {}).get("outputDimensionality")) or 4)
    predictions = []
    for n, instance in enumerate(instances):
        if not isinstance(instance.get("content"), str):
            return google_error(400, f"instances[{n}].content is required")
        values = [round(0.1 * (n + 1) + 0.01 * i, 4) for i in range(size)]
        predictions.append({"embeddings": {"statistics": {"truncated": False,
                                                          "token_count": len(instance["content"].split())},
                                           "values": values}})
    return web.json_response({"predictions": predictions, "metadata": {"billableCharacterCount": 10}})
