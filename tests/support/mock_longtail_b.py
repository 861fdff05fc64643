"""Several long-tail providers' wire formats on one loopback server (``LoopbackServer``), for
``tests/integration/test_longtail_b.py``. The path says which provider is meant:

    POST /v1/chat                                   Reka (``X-Api-Key``)
    POST /models/v2/<model id>                      Bytez (``Authorization: Key <key>``)
    POST /v1/generation/<engine>/text-to-image      Stability v1 (JSON)
    POST /v2beta/stable-image/generate/<service>    Stability v2beta (multipart form data only)
    POST /<api version>/actions/chat                OCI Generative AI (an OCI HTTP signature, checked
                                                    against the test key's public half)
    POST /endpoints/<name>/invocations              SageMaker runtime (SigV4 for ``sagemaker``,
                                                    recomputed over the headers as received)
    POST /chat/completions                          Perplexity (OpenAI-shaped; its stream has no [DONE])

As in ``mock_openai``, behaviour is chosen by a path prefix: ``/x/<directives>/<path>``, directives
comma-separated key=value:
    status=429     answer that status in the provider's error shape (``text=1``: an HTML page)
    tool=1         the answer is a tool call (``get_weather``, ``{"city": "Paris"}``)
    chunks=3       streamed pieces ``tok0 `` ... (default 3)
    cut=1          in a stream: the connection breaks after that many pieces
    name=a         the answer text is ``hello from a``
Reka streams cumulative content (each event repeats the text so far), which the gateway must undo.
Every request is recorded (``state.requests``).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any

from aiohttp import web
from botocore.credentials import Credentials

from gateway import rsa
from tests.support.aws_signature import botocore_signature
from tests.support.loopback import LoopbackMock, RequestLog, stream_events

ORACLE_PEM = (Path(__file__).resolve().parents[1] / "fixtures" / "oracle"
              / "TEST-ONLY-not-a-real-key-rsa-2048.pem").read_text(encoding="ascii")
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOOL_ARGS = {"city": "Paris"}
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
_ORACLE_PATH = re.compile(r"^/\d{8}/actions/chat$")
_SAGEMAKER_PATH = re.compile(r"^/endpoints/[^/]+/invocations$")


def _text(d: dict[str, str]) -> str:
    return f"hello from {d.get('name', 'mock')}"


def _data(value: Any) -> bytes:
    return b"data: " + json.dumps(value).encode() + b"\n\n"


def _pieces(d: dict[str, str]) -> list[str]:
    return [f"tok{i} " for i in range(int(d.get("chunks", 3)))]


# --- Reka ----------------------------------------------------------------------------------------

async def reka(request: web.Request, data: dict[str, Any], d: dict[str, str]) -> web.StreamResponse:
    if not request.headers.get("x-api-key"):
        return web.json_response({"detail": "Missing X-Api-Key header"}, status=401)
    if "messages" not in data or "model" not in data or "conversation_history" in data:
        return web.json_response({"detail": [{"loc": ["body", "messages"], "msg": "Field required",
                                              "type": "missing"}]}, status=422)
    usage = {"input_tokens": 10, "output_tokens": 5}
    calls = [{"id": "tc_1", "name": "get_weather", "parameters": TOOL_ARGS}] if "tool" in d else None
    if not data.get("stream"):
        message: dict[str, Any] = {"role": "assistant", "content": None if calls else _text(d)}
        if calls:
            message["tool_calls"] = calls
        return web.json_response({"id": "reka-1", "model": data["model"], "usage": usage, "responses": [
            {"finish_reason": "tool_call" if calls else "stop", "message": message, "chunk": None}]})
    events, so_far = [], ""
    for piece in _pieces(d):
        so_far += piece
        events.append(_data({"id": "reka-1", "model": data["model"], "usage": usage, "responses": [
            {"chunk": {"role": "assistant", "content": so_far}, "finish_reason": None}]}))
    last: dict[str, Any] = {"role": "assistant", "content": so_far}
    if calls:
        last["tool_calls"] = calls
    events.append(_data({"id": "reka-1", "model": data["model"], "usage": usage, "responses": [
        {"chunk": last, "finish_reason": "tool_call" if calls else "stop"}]}))
    return await stream_events(request, events, d, gap=0.005)


# --- Bytez ---------------------------------------------------------------------------------------

async def bytez(request: web.Request, data: dict[str, Any], d: dict[str, str]) -> web.StreamResponse:
    if not request.headers.get("authorization", "").startswith("Key "):
        return web.json_response({"error": "Unauthorized", "output": None}, status=401)
    if not isinstance(data.get("messages"), list) or set(data) - {"messages", "stream", "params"}:
        return web.json_response({"error": "Invalid input", "output": None}, status=400)
    if not data.get("stream"):
        return web.json_response({"error": None, "output": {"role": "assistant", "content": _text(d)}})
    response = web.StreamResponse(headers={"content-type": "text/plain; charset=utf-8"})
    await response.prepare(request)
    for i, piece in enumerate(_pieces(d)):
        if "cut" in d and i == int(d["cut"]):
            request.transport.close()  # type: ignore[union-attr]
            return response
        await response.write(piece.encode())
        await asyncio.sleep(0.005)
    await response.write_eof()
    return response


# --- Stability -----------------------------------------------------------------------------------

def _form(request: web.Request, body: bytes) -> dict[str, str] | None:
    if request.content_type != "multipart/form-data":
        return None
    header = f"content-type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(header + body)
    return {part.get_param("name", header="content-disposition"): part.get_content() for part in message.iter_parts()}


async def stability(request: web.Request, body: bytes, path: str) -> web.StreamResponse:
    if not request.headers.get("authorization", "").startswith("Bearer "):
        return web.json_response({"id": "e1", "name": "unauthorized", "message": "missing authorization header"},
                                 status=401)
    if path.startswith("/v1/"):
        data = json.loads(body)
        if not data.get("text_prompts"):
            return web.json_response({"id": "e2", "name": "bad_request", "message": "text_prompts: required"},
                                     status=400)
        return web.json_response({"artifacts": [{"base64": PNG, "seed": i, "finishReason": "SUCCESS"}
                                                for i in range(int(data.get("samples", 1)))]})
    form = _form(request, body)
    if form is None or "application/json" not in request.headers.get("accept", ""):
        return web.json_response({"id": "e3", "name": "bad_request",
                                  "errors": ["content-type: must be multipart/form-data"]}, status=400)
    if not form.get("prompt"):
        return web.json_response({"id": "e4", "name": "bad_request", "errors": ["prompt: cannot be empty"]},
                                 status=400)
    return web.json_response({"image": PNG, "finish_reason": "SUCCESS", "seed": int(form.get("seed", "0"))})


# --- OCI Generative AI ---------------------------------------------------------------------------

def _oci_signature_ok(request: web.Request, body: bytes) -> bool:
    """Recompute OCI's signing string from the request as received and check the signature with
    the public half of the test key."""
    found = re.match(r'Signature version="1",keyId="([^"]+)",algorithm="rsa-sha256",headers="([^"]+)",'
                     r'signature="([^"]+)"$', request.headers.get("authorization", ""))
    if found is None or base64.b64encode(hashlib.sha256(body).digest()).decode() != \
            request.headers.get("x-content-sha256"):
        return False
    lines = []
    for name in found.group(2).split(" "):
        if name == "(request-target)":
            lines.append(f"(request-target): {request.method.lower()} {request.path_qs}")
        else:
            lines.append(f"{name}: {request.headers.get(name, '')}")
    key = rsa.load_pem(ORACLE_PEM)
    digest_info = bytes.fromhex("3031300d060960864801650304020105000420") + \
        hashlib.sha256("\n".join(lines).encode()).digest()
    expected = b"\x00\x01" + b"\xff" * (key.size - len(digest_info) - 3) + b"\x00" + digest_info
    signature = int.from_bytes(base64.b64decode(found.group(3)), "big")
    return pow(signature, key.e, key.n).to_bytes(key.size, "big") == expected


async def oracle(request: web.Request, body: bytes, d: dict[str, str]) -> web.StreamResponse:
    if not _oci_signature_ok(request, body):
        return web.json_response({"code": "NotAuthenticated", "message": "The required information to complete "
                                  "authentication was not provided or was incorrect."}, status=401)
    data = json.loads(body)
    chat = data.get("chatRequest") or {}
    if not data.get("compartmentId") or chat.get("apiFormat") != "GENERIC" or not chat.get("messages"):
        return web.json_response({"code": "400", "message": "Invalid chat request"}, status=400)
    model = data.get("servingMode", {}).get("modelId", "m")
    calls = [{"id": "call_1", "type": "FUNCTION", "name": "get_weather", "arguments": json.dumps(TOOL_ARGS)}] \
        if "tool" in d else None
    usage = {"promptTokens": 10, "completionTokens": 5, "totalTokens": 15}
    if not chat.get("isStream"):
        message: dict[str, Any] = {"role": "ASSISTANT", "content": None if calls else [{"type": "TEXT",
                                                                                      "text": _text(d)}]}
        if calls:
            message["toolCalls"] = calls
        return web.json_response({"modelId": model, "modelVersion": "1", "chatResponse": {
            "apiFormat": "GENERIC", "timeCreated": "2025-06-01T12:00:00Z", "usage": usage, "choices": [
                {"index": 0, "message": message, "finishReason": "tool_calls" if calls else "stop"}]}})
    events = [_data({"index": 0, "message": {"role": "ASSISTANT", "content": [{"type": "TEXT", "text": piece}]},
                     "pad": "aaaa"}) for piece in _pieces(d)]
    if calls:
        events.append(_data({"index": 0, "message": {"role": "ASSISTANT", "toolCalls": calls}}))
    finish: dict[str, Any] = {"message": {"role": "ASSISTANT"}, "finishReason": "tool_calls" if calls else "stop"}
    if (chat.get("streamOptions") or {}).get("isIncludeUsage"):
        finish["usage"] = usage
    events.append(_data(finish))
    return await stream_events(request, events, d, gap=0.005)


# --- SageMaker -----------------------------------------------------------------------------------

def _sigv4_ok(request: web.Request, body: bytes) -> bool:
    """Recompute AWS SigV4 (botocore's, not the gateway's signer) over the headers the request arrived
    with (SignedHeaders), for service sagemaker; a header the transport changed after signing fails it."""
    found = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/sagemaker/aws4_request, "
                     r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$", request.headers.get("authorization", ""))
    if found is None or request.headers.get("x-amz-content-sha256") != hashlib.sha256(body).hexdigest():
        return False
    creds = Credentials(found.group(1), AWS_SECRET, request.headers.get("x-amz-security-token"))
    expected = botocore_signature(request, request.raw_path.split("?", 1)[0], body, found.group(4).split(";"),
                                  request.headers.get("x-amz-date", ""), creds, found.group(3), "sagemaker")
    return expected == found.group(5)


async def sagemaker(request: web.Request, body: bytes, d: dict[str, str]) -> web.StreamResponse:
    if not _sigv4_ok(request, body):
        return web.json_response({"message": "The request signature we calculated does not match"}, status=403)
    seen = {k.lower(): v for k, v in request.headers.items() if k.lower().startswith("x-amzn-sagemaker-")}
    return web.json_response({"generated_text": _text(d), "received": json.loads(body or b"null"),
                              "sagemaker_headers": seen})


# --- Perplexity ----------------------------------------------------------------------------------

async def perplexity(request: web.Request, data: dict[str, Any], d: dict[str, str]) -> web.StreamResponse:
    if not request.headers.get("authorization", "").startswith("Bearer "):
        return web.json_response({"error": {"message": "Unauthorized", "type": "auth", "code": 401}}, status=401)
    base = {"id": "ppx-1", "model": data.get("model"), "created": 1741689451, "object": "chat.completion",
            "citations": ["https://example.com/a"]}
    usage = {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
    if not data.get("stream"):
        return web.json_response({**base, "usage": usage, "search_results": [{"url": "https://example.com/a"}],
                                  "choices": [{"index": 0, "finish_reason": "stop", "message": {
                                      "role": "assistant", "content": _text(d)}}]})
    events, so_far = [], ""
    for piece in [*_pieces(d), ""]:
        so_far += piece
        finish = None if piece else "stop"
        events.append(_data({**base, "usage": usage, "choices": [{
            "index": 0, "finish_reason": finish, "message": {"role": "assistant", "content": so_far},
            "delta": {"role": "assistant", "content": piece}}]}))
    return await stream_events(request, events, d, gap=0.005)  # no [DONE], as Perplexity streams


# --- dispatch ------------------------------------------------------------------------------------

def _error(status: int, path: str, d: dict[str, str]) -> web.Response:
    if "text" in d:
        return web.Response(status=status, text="<html>upstream broke</html>", content_type="text/html")
    message = f"mock failure {status}"
    if path == "/v1/chat":
        body: Any = {"detail": message}
    elif path.startswith("/models/v2/"):
        body = {"error": message, "output": None}
    elif path.startswith(("/v1/generation/", "/v2beta/")):
        body = {"id": "e9", "name": "rate_limited" if status == 429 else "server_error", "errors": [message]}
    elif _ORACLE_PATH.match(path):
        body = {"code": "TooManyRequests" if status == 429 else "InternalServerError", "message": message}
    else:
        body = {"error": {"message": message, "type": "mock_error", "code": status}}
    return web.json_response(body, status=status)


JsonHandler = Callable[[web.Request, dict[str, Any], dict[str, str]], Awaitable[web.StreamResponse]]
_JSON_ROUTES: tuple[tuple[Callable[[str], bool], JsonHandler], ...] = (
    (lambda p: p == "/v1/chat", reka),
    (lambda p: p.startswith("/models/v2/"), bytez),
    (lambda p: p == "/chat/completions", perplexity),
)


class MockLongtailB(LoopbackMock[RequestLog]):
    """Start with ``start()``; ``url(**directives)`` is a custom host for one scenario."""

    def new_state(self) -> RequestLog:
        return RequestLog()

    async def answer(self, request: web.Request, path: str, body: bytes, d: dict[str, str]) -> web.StreamResponse:
        if "status" in d:
            return _error(int(d["status"]), path, d)
        if path.startswith(("/v1/generation/", "/v2beta/stable-image/generate/")):
            return await stability(request, body, path)
        if _ORACLE_PATH.match(path):
            return await oracle(request, body, d)
        if _SAGEMAKER_PATH.match(path):
            return await sagemaker(request, body, d)
        for matches, handler in _JSON_ROUTES:
            if matches(path):
                try:
                    data = json.loads(body)
                except ValueError:
                    return web.json_response({"error": "body is not JSON"}, status=400)
                return await handler(request, data, d)
        return web.json_response({"error": f"no route for {path}"}, status=404)
