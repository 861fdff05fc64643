"""A loopback stand-in for Bedrock's runtime API (``bedrock-runtime.{region}.amazonaws.com``),
strict where AWS is strict, so a request the gateway maps or signs wrongly fails here.

Authentication, checked first, as AWS does (errors are ``{"message"}`` + ``x-amzn-ErrorType``):
    Authorization: Bearer <API_KEY>            a Bedrock API key (no SigV4)
    Authorization: AWS4-HMAC-SHA256 ...        SigV4, verified for real with botocore's own
        implementation (an independent check of the gateway's signer) over the request as it
        arrived: the raw path, the Host header, the signed headers, the body's hash. Known keys:
        ACCESS_KEY/SECRET_KEY, and SESSION_KEY/SESSION_SECRET which need SESSION_TOKEN. A wrong
        secret answers 403 InvalidSignatureException, an unknown key 403
        UnrecognizedClientException, a scope for another region or service 403, a date more than
        15 minutes off 403 "Signature expired", a body that does not match
        x-amz-content-sha256 400.

Paths (after the directive prefix) are ``/model/{modelId}/{action}``:
    converse                 Converse, body validated (roles alternate from user, no blank text,
                             toolUse/toolResult need toolConfig, known fields only)
    converse-stream          ConverseStream as real event-stream frames (CRCs included):
                             messageStart, text deltas, contentBlockStop, [toolUse block], messageStop,
                             metadata (usage); every payload padded with Bedrock's ``p`` field
    invoke                   Claude (``anthropic.`` in the id): Anthropic's Messages body with
                             ``anthropic_version: bedrock-2023-05-31``, no ``model``/``stream``, no
                             unknown key ("extraneous key [..] is not permitted"); Titan / Cohere
                             embedding bodies for ``amazon.titan-embed`` / ``cohere.embed`` ids
    invoke-with-response-stream  Claude: ``chunk`` frames whose payload is ``{"bytes": base64(event)}``
    count-tokens             ``{"input": {"invokeModel": {"body": base64(JSON)}}}`` -> ``{"inputTokens"}``;
                             a cross-region profile id is refused, as AWS does

Directives (``http://127.0.0.1:<port>/b/<k=v,...>``): ``region`` (the region the signature must be
scoped to, default us-east-1), ``status`` (answer that status with AWS's error for it), ``name``
(echoed in the text), ``chunks``/``gap`` (stream text deltas and the pause between them),
``tool=1`` (a toolUse block, input ``{"city": "Paris"}`` streamed in pieces), ``thinking=1`` (a
reasoning block first), ``cache=1`` (cache read 20 / write 3), ``nometa=1`` (no metadata event),
``cut=N`` (drop the connection after N text deltas), ``exception=N`` (a throttlingException frame
after N deltas), ``corrupt=N`` (a frame with a bad CRC after N deltas).

Usage is always input 10, output 5. Every request is recorded (``Recorded``) for assertions.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import calendar
import hashlib
import hmac
import json
import re
import struct
import time
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from aiohttp import web
from botocore.credentials import Credentials

from tests.support.aws_signature import botocore_signature
from tests.support.loopback import LoopbackMock, RequestLog

ACCESS_KEY, SECRET_KEY = "AKIDMOCKBEDROCK01", "mock/Secret+Key/0123456789abcdefEXAMPLE"
SESSION_KEY, SESSION_SECRET, SESSION_TOKEN = "ASIAMOCKSESSION01", "session/secret/EXAMPLE", "FwoGZXIvYXdzEMOCK//token=="
API_KEY = "ABSKbW9jay1iZWRyb2NrLWFwaS1rZXk="
KEYS = {ACCESS_KEY: (SECRET_KEY, None), SESSION_KEY: (SESSION_SECRET, SESSION_TOKEN)}
USAGE_IN, USAGE_OUT, CACHE_READ, CACHE_WRITE = 10, 5, 20, 3
TOOL_ID, TOOL_INPUT, TOOL_PIECES = "tooluse_mock_1", {"city": "Paris"}, ['{"city": ', '"Par', 'is"}']
THINKING, SIGNATURE = "Let me think about it.", "sig-mock-1"
PAD = "abcdefghijklmnopqrstuvwxyzABCDEF"

ERROR_TYPES = {400: "ValidationException", 403: "AccessDeniedException", 404: "ResourceNotFoundException",
               408: "ModelTimeoutException", 424: "ModelErrorException", 429: "ThrottlingException",
               500: "InternalServerException", 503: "ServiceUnavailableException"}
CONVERSE_FIELDS = frozenset({"messages", "system", "inferenceConfig", "toolConfig", "guardrailConfig",
                             "additionalModelRequestFields", "promptVariables", "additionalModelResponseFieldPaths",
                             "requestMetadata", "performanceConfig"})
BLOCK_KINDS = frozenset({"text", "image", "document", "video", "toolUse", "toolResult", "reasoningContent",
                         "cachePoint", "guardContent"})
INFERENCE_FIELDS = frozenset({"maxTokens", "temperature", "topP", "stopSequences"})
CLAUDE_FIELDS = frozenset({"anthropic_version", "anthropic_beta", "messages", "system", "max_tokens", "stop_sequences",
                           "temperature", "top_p", "top_k", "tools", "tool_choice", "thinking", "output_config",
                           "output_format", "context_management"})
IMAGE_FORMATS = frozenset({"png", "jpeg", "gif", "webp"})
_AUTH = re.compile(r"^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                   r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$")


# --- AWS event-stream encoding (the decoder under test lives in gateway.transform.eventstream) ----

@dataclass(frozen=True)
class Typed:
    """A header value with an explicit wire type (0-9), for the types Python values do not imply."""

    kind: int
    value: Any


def _header(name: str, value: Any) -> bytes:
    raw = name.encode()
    out = struct.pack(">B", len(raw)) + raw
    typed = value if isinstance(value, Typed) else Typed(
        7 if isinstance(value, str) else 6 if isinstance(value, bytes) else (0 if value else 1)
        if isinstance(value, bool) else 4, value)
    kind, v = typed.kind, typed.value
    out += struct.pack(">B", kind)
    if kind in (0, 1):
        return out
    fixed = {2: ">b", 3: ">h", 4: ">i", 5: ">q", 8: ">q"}
    if kind in fixed:
        return out + struct.pack(fixed[kind], v)
    if kind in (6, 7):
        data = v.encode() if isinstance(v, str) else v
        return out + struct.pack(">H", len(data)) + data
    assert kind == 9 and len(v) == 16
    return out + v


def frame(headers: list[tuple[str, Any]], payload: bytes, *, bad_crc: bool = False) -> bytes:
    """One event-stream message: prelude (lengths + CRC), headers, payload, message CRC."""
    block = b"".join(_header(name, value) for name, value in headers)
    prelude = struct.pack(">II", 16 + len(block) + len(payload), len(block))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + block + payload
    crc = zlib.crc32(message) ^ (0xFF if bad_crc else 0)
    return message + struct.pack(">I", crc)


def event_frame(event_type: str, data: dict[str, Any], *, bad_crc: bool = False) -> bytes:
    headers = [(":event-type", event_type), (":content-type", "application/json"), (":message-type", "event")]
    return frame(headers, json.dumps(data, separators=(",", ":")).encode(), bad_crc=bad_crc)


def exception_frame(kind: str, message: str) -> bytes:
    headers = [(":exception-type", kind), (":content-type", "application/json"), (":message-type", "exception")]
    return frame(headers, json.dumps({"message": message}).encode())


def error_frame(code: str, message: str) -> bytes:
    return frame([(":error-code", code), (":error-message", message), (":message-type", "error")], b"")


def chunk_frame(anthropic_event: dict[str, Any]) -> bytes:
    """An InvokeModelWithResponseStream ``chunk``: the Anthropic event, base64 in ``bytes``."""
    raw = base64.b64encode(json.dumps(anthropic_event).encode()).decode()
    return event_frame("chunk", {"bytes": raw, "p": PAD[:7]})


# --- the server --------------------------------------------------------------------------------

class AwsError(Exception):
    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message


def aws_error(error: AwsError) -> web.Response:
    headers = {"x-amzn-ErrorType": f"{error.kind}:http://internal.amazon.com/coral/com.amazon.bedrock/",
               "x-amzn-RequestId": "mock-request-id"}
    return web.json_response({"message": error.message}, status=error.status, headers=headers)


class MockBedrock(LoopbackMock[RequestLog]):
    """The directive prefix is ``/b/``, always present (``/b/none=1`` without directives), and read
    from the raw path: the signature covers the path exactly as it was sent."""

    marker = "/b/"
    raw_path = True

    def new_state(self) -> RequestLog:
        return RequestLog()

    def url(self, **directives: Any) -> str:
        return super().url(**(directives or {"none": 1}))

    async def answer(self, request: web.Request, path: str, body: bytes,
                     directives: dict[str, str]) -> web.StreamResponse:
        raw_path = request.raw_path.split("?", 1)[0]
        try:
            authenticate(request, raw_path, body, directives.get("region", "us-east-1"))
            if "status" in directives:
                status = int(directives["status"])
                raise AwsError(status, ERROR_TYPES.get(status, "InternalServerException"), f"mock failure {status}")
            return await route(request, path, body, directives)
        except AwsError as error:
            return aws_error(error)


# --- authentication ----------------------------------------------------------------------------

def authenticate(request: web.Request, raw_path: str, body: bytes, region: str) -> None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        if header[7:] != API_KEY:
            raise AwsError(403, "AccessDeniedException", "Invalid API Key format: Must start with pre-defined prefix")
        return
    match = _AUTH.match(header)
    if not match:
        raise AwsError(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
    key_id, day, scope_region, service, signed, signature = match.groups()
    if key_id not in KEYS:
        raise AwsError(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
    secret, token = KEYS[key_id]
    names = signed.split(";")
    if "host" not in names or "x-amz-date" not in names:
        raise AwsError(403, "InvalidSignatureException", "'Host' or 'x-amz-date' must be a signed header.")
    if scope_region != region:
        raise AwsError(403, "InvalidSignatureException", f"Credential should be scoped to a valid region, "
                                                         f"not '{scope_region}'.")
    if service != "bedrock":
        raise AwsError(403, "InvalidSignatureException", "Credential should be scoped to correct service: 'bedrock'.")
    stamp = request.headers.get("x-amz-date", "")
    _check_date(stamp, day)
    if token is not None and (request.headers.get("x-amz-security-token") != token
                              or "x-amz-security-token" not in names):
        raise AwsError(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
    claimed = request.headers.get("x-amz-content-sha256")
    if claimed is not None and claimed != hashlib.sha256(body).hexdigest():
        raise AwsError(400, "XAmzContentSHA256Mismatch",
                       "The provided 'x-amz-content-sha256' header does not match what was computed.")
    expected = botocore_signature(request, raw_path, body, names, stamp, Credentials(key_id, secret, token), region,
                                  "bedrock")
    if not hmac.compare_digest(expected, signature):
        raise AwsError(403, "InvalidSignatureException",
                       "The request signature we calculated does not match the signature you provided. Check your "
                       "AWS Secret Access Key and signing method. Consult the service documentation for details.")


def _check_date(stamp: str, day: str) -> None:
    try:
        when = calendar.timegm(time.strptime(stamp, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        raise AwsError(403, "IncompleteSignatureException", "Date must be in ISO-8601 'basic format'.") from None
    if stamp[:8] != day:
        raise AwsError(403, "InvalidSignatureException", "Date in Credential scope does not match YYYYMMDD from "
                                                         "ISO-8601 version of date from HTTP.")
    if abs(time.time() - when) > 15 * 60:
        raise AwsError(403, "InvalidSignatureException", f"Signature expired: {stamp} is now earlier or later than "
                                                         "the allowed 15 minutes.")


# --- routes ------------------------------------------------------------------------------------

_MODEL_PATH = re.compile(r"^/model/([^/]+)/([a-z-]+)$")


async def route(request: web.Request, path: str, body: bytes, d: dict[str, str]) -> web.StreamResponse:
    match = _MODEL_PATH.match(path)
    if request.method != "POST" or not match:
        raise AwsError(404, "UnknownOperationException", "Unknown operation")
    model, action = unquote(match.group(1)), match.group(2)
    try:
        data = json.loads(body)
    except ValueError:
        raise AwsError(400, "SerializationException", "Unable to parse request body") from None
    if not isinstance(data, dict):
        raise AwsError(400, "SerializationException", "Unable to parse request body")
    if action in ("converse", "converse-stream"):
        check_converse(data)
        if action == "converse":
            return web.json_response(converse_answer(d))
        return await _stream(request, converse_frames(d), d)
    if action == "count-tokens":
        return web.json_response(count_tokens(model, data))
    if action in ("invoke", "invoke-with-response-stream"):
        if "anthropic." in model:
            check_claude(data)
            if action == "invoke":
                return web.json_response(claude_message(model, d))
            return await _stream(request, claude_frames(model, d), d)
        if action == "invoke":
            return web.json_response(embedding(model, data))
    raise AwsError(400, "ValidationException", f"The provided model identifier is invalid for {action}.")


def _blank(text: Any) -> bool:
    return not isinstance(text, str) or not text.strip()


def _check_blocks(content: Any, where: str) -> set[str]:
    if not isinstance(content, list) or not content:
        raise AwsError(400, "ValidationException", f"The content field in the Message object at {where} is empty.")
    kinds: set[str] = set()
    for j, block in enumerate(content):
        keys = set(block) if isinstance(block, dict) else set()
        if len(keys) != 1 or not keys <= BLOCK_KINDS:
            raise AwsError(400, "ValidationException", f"Malformed content block at {where}.content.{j}")
        kind = keys.pop()
        kinds.add(kind)
        if kind == "text" and _blank(block["text"]):
            raise AwsError(400, "ValidationException", f"The text field in the ContentBlock object at {where}.content"
                                                       f".{j} is blank. Add text to the text field, and try again.")
        if kind == "image":
            image = block["image"]
            if image.get("format") not in IMAGE_FORMATS:
                raise AwsError(400, "ValidationException", "Invalid image format")
            try:
                base64.b64decode(image["source"]["bytes"], validate=True)
            except (KeyError, TypeError, binascii.Error):
                raise AwsError(400, "ValidationException", "Invalid image bytes") from None
    return kinds


def check_converse(data: dict[str, Any]) -> None:
    extra = sorted(set(data) - CONVERSE_FIELDS)
    if extra:
        raise AwsError(400, "ValidationException", f"Malformed input request: extraneous key [{extra[0]}] "
                                                   "is not permitted, please reformat your input and try again.")
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise AwsError(400, "ValidationException", "A conversation must have at least one message.")
    kinds: set[str] = set()
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ("user", "assistant"):
            raise AwsError(400, "ValidationException", f"Invalid role at messages.{i}")
        if i == 0 and role != "user":
            raise AwsError(400, "ValidationException", "A conversation must start with a user message. Try again "
                                                       "with a conversation that starts with a user message.")
        if i and messages[i - 1].get("role") == role:
            raise AwsError(400, "ValidationException", "A conversation must alternate between user and assistant "
                                                       "roles. Make sure the conversation alternates between user "
                                                       "and assistant roles and try again.")
        kinds |= _check_blocks(message.get("content"), f"messages.{i}")
    for j, block in enumerate(data.get("system") or []):
        if not isinstance(block, dict) or ("text" in block and _blank(block["text"])):
            raise AwsError(400, "ValidationException", f"The text field in system.{j} is blank.")
    if kinds & {"toolUse", "toolResult"} and "toolConfig" not in data:
        raise AwsError(400, "ValidationException", "The toolConfig field must be defined when using toolUse and "
                                                   "toolResult content blocks.")
    if not set(data.get("inferenceConfig") or {}) <= INFERENCE_FIELDS:
        raise AwsError(400, "ValidationException", "Malformed inferenceConfig")
    stops = (data.get("inferenceConfig") or {}).get("stopSequences")
    if stops is not None and not isinstance(stops, list):
        raise AwsError(400, "ValidationException", "stopSequences must be a list")
    for tool in (data.get("toolConfig") or {}).get("tools", []):
        spec = tool.get("toolSpec") if isinstance(tool, dict) else None
        if spec is not None and (not spec.get("name") or "json" not in (spec.get("inputSchema") or {})):
            raise AwsError(400, "ValidationException", "Malformed toolSpec")


def check_claude(data: dict[str, Any]) -> None:
    extra = sorted(set(data) - CLAUDE_FIELDS)
    if extra:
        raise AwsError(400, "ValidationException", f"Malformed input request: #: extraneous key [{extra[0]}] is not "
                                                   "permitted, please reformat your input and try again.")
    if data.get("anthropic_version") != "bedrock-2023-05-31":
        raise AwsError(400, "ValidationException", "invalid anthropic_version")
    max_tokens = data.get("max_tokens")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        raise AwsError(400, "ValidationException", "Malformed input request: #: required key [max_tokens] not found")
    if not isinstance(data.get("messages"), list):
        raise AwsError(400, "ValidationException", "Malformed input request: #: required key [messages] not found")


def _usage(d: dict[str, str], camel: bool = True) -> dict[str, Any]:
    read, write = (CACHE_READ, CACHE_WRITE) if "cache" in d else (0, 0)
    if camel:
        usage = {"inputTokens": USAGE_IN, "outputTokens": USAGE_OUT, "totalTokens": USAGE_IN + USAGE_OUT + read + write}
        if "cache" in d:
            usage.update(cacheReadInputTokens=read, cacheWriteInputTokens=write)
        return usage
    return {"input_tokens": USAGE_IN, "output_tokens": USAGE_OUT, "cache_read_input_tokens": read,
            "cache_creation_input_tokens": write}


def converse_answer(d: dict[str, str]) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if "thinking" in d:
        content.append({"reasoningContent": {"reasoningText": {"text": THINKING, "signature": SIGNATURE}}})
    content.append({"text": f"hello from {d.get('name', 'mock')}"})
    if "tool" in d:
        content.append({"toolUse": {"toolUseId": TOOL_ID, "name": "get_weather", "input": TOOL_INPUT}})
    return {"output": {"message": {"role": "assistant", "content": content}},
            "stopReason": "tool_use" if "tool" in d else "end_turn", "usage": _usage(d), "metrics": {"latencyMs": 42}}


def converse_frames(d: dict[str, str]) -> list[bytes | str]:
    """The ConverseStream frames for a scenario; a str item is a command (``cut``) for ``_stream``."""
    chunks = int(d.get("chunks", 5))
    out: list[bytes | str] = [event_frame("messageStart", {"role": "assistant", "p": PAD[:5]})]
    index = 0
    if "thinking" in d:
        half = len(THINKING) // 2
        for piece in ({"text": THINKING[:half]}, {"text": THINKING[half:]}, {"signature": SIGNATURE}):
            out.append(event_frame("contentBlockDelta", {"contentBlockIndex": index,
                                                         "delta": {"reasoningContent": piece}, "p": PAD[:3]}))
        out.append(event_frame("contentBlockStop", {"contentBlockIndex": index, "p": PAD[:9]}))
        index += 1
    for i in range(chunks):
        if "cut" in d and i == int(d["cut"]):
            return [*out, "cut"]
        if "exception" in d and i == int(d["exception"]):
            return [*out, exception_frame("throttlingException", "Too many tokens, please wait before trying again.")]
        if "corrupt" in d and i == int(d["corrupt"]):
            return [*out, event_frame("contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": "bad"}},
                                      bad_crc=True)]
        out.append(event_frame("contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": f"tok{i} "},
                                                     "p": PAD[:i % 20 + 1]}))
    out.append(event_frame("contentBlockStop", {"contentBlockIndex": index, "p": PAD[:4]}))
    if "tool" in d:
        index += 1
        out.append(event_frame("contentBlockStart", {"contentBlockIndex": index, "start": {
            "toolUse": {"toolUseId": TOOL_ID, "name": "get_weather"}}, "p": PAD[:6]}))
        out += [event_frame("contentBlockDelta", {"contentBlockIndex": index, "delta": {"toolUse": {"input": piece}},
                                                  "p": PAD[:2]}) for piece in TOOL_PIECES]
        out.append(event_frame("contentBlockStop", {"contentBlockIndex": index, "p": PAD[:8]}))
    out.append(event_frame("messageStop", {"stopReason": "tool_use" if "tool" in d else "end_turn", "p": PAD[:11]}))
    if "nometa" not in d:
        out.append(event_frame("metadata", {"usage": _usage(d), "metrics": {"latencyMs": 42}, "p": PAD[:12]}))
    return out


def claude_message(model: str, d: dict[str, str]) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"type": "text", "text": f"hello from {d.get('name', 'mock')}"}]
    if "tool" in d:
        content.append({"type": "tool_use", "id": TOOL_ID, "name": "get_weather", "input": TOOL_INPUT})
    return {"id": "msg_bdrk_mock", "type": "message", "role": "assistant", "model": "claude-mock",
            "content": content, "stop_reason": "tool_use" if "tool" in d else "end_turn", "stop_sequence": None,
            "usage": _usage(d, camel=False)}


def claude_frames(model: str, d: dict[str, str]) -> list[bytes | str]:
    chunks = int(d.get("chunks", 5))
    start = {**claude_message(model, d), "content": [], "stop_reason": None, "usage": {"input_tokens": USAGE_IN,
                                                                                          "output_tokens": 1}}
    out: list[bytes | str] = [chunk_frame({"type": "message_start", "message": start}),
                              chunk_frame({"type": "content_block_start", "index": 0,
                                           "content_block": {"type": "text", "text": ""}})]
    for i in range(chunks):
        if "cut" in d and i == int(d["cut"]):
            return [*out, "cut"]
        if "exception" in d and i == int(d["exception"]):
            return [*out, exception_frame("throttlingException", "Too many requests, please wait.")]
        out.append(chunk_frame({"type": "content_block_delta", "index": 0,
                                "delta": {"type": "text_delta", "text": f"tok{i} "}}))
    out.append(chunk_frame({"type": "content_block_stop", "index": 0}))
    if "tool" in d:
        out.append(chunk_frame({"type": "content_block_start", "index": 1, "content_block": {
            "type": "tool_use", "id": TOOL_ID, "name": "get_weather", "input": {}}}))
        out += [chunk_frame({"type": "content_block_delta", "index": 1,
                             "delta": {"type": "input_json_delta", "partial_json": piece}}) for piece in TOOL_PIECES]
        out.append(chunk_frame({"type": "content_block_stop", "index": 1}))
    out.append(chunk_frame({"type": "message_delta", "delta": {"stop_reason": "tool_use" if "tool" in d else "end_turn",
                                                               "stop_sequence": None},
                            "usage": {"output_tokens": USAGE_OUT}}))
    out.append(chunk_frame({"type": "message_stop", "amazon-bedrock-invocationMetrics": {
        "inputTokenCount": USAGE_IN, "outputTokenCount": USAGE_OUT, "invocationLatency": 42,
        "firstByteLatency": 7}}))
    return out


async def _stream(request: web.Request, frames: list[bytes | str], d: dict[str, str]) -> web.StreamResponse:
    response = web.StreamResponse(headers={"content-type": "application/vnd.amazon.eventstream",
                                           "x-amzn-RequestId": "mock-request-id"})
    await response.prepare(request)
    gap = float(d.get("gap", 0.005))
    for item in frames:
        if item == "cut":
            request.transport.close()  # type: ignore[union-attr]
            return response
        assert isinstance(item, bytes)
        await response.write(item)
        await asyncio.sleep(gap)
    await response.write_eof()
    return response


def count_tokens(model: str, data: dict[str, Any]) -> dict[str, Any]:
    if re.match(r"^(us|eu|apac|global)\.", model):
        raise AwsError(400, "ValidationException", "The provided model doesn't support counting tokens.")
    try:
        raw = base64.b64decode(data["input"]["invokeModel"]["body"], validate=True)
        body = json.loads(raw)
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise AwsError(400, "ValidationException", "input.invokeModel.body must be base64 JSON") from None
    check_claude(body)
    return {"inputTokens": len(raw) // 4}


def embedding(model: str, data: dict[str, Any]) -> dict[str, Any]:
    if model.startswith("amazon.titan-embed"):
        if set(data) - {"inputText", "dimensions", "normalize", "embeddingTypes"} or not isinstance(
                data.get("inputText"), str):
            raise AwsError(400, "ValidationException", "Malformed input request: #: required key [inputText]")
        size = int(data.get("dimensions", 4))
        return {"embedding": [round(0.1 * (i + 1), 3) for i in range(size)], "inputTextTokenCount": 7}
    if model.startswith("cohere.embed"):
        texts = data.get("texts")
        if not isinstance(texts, list) or not data.get("input_type"):
            raise AwsError(400, "ValidationException", "Malformed input request: #: required key [input_type]")
        return {"embeddings": [[0.5, float(i)] for i in range(len(texts))], "id": "emb-mock",
                "response_type": "embeddings_floats", "texts": texts}
    raise AwsError(400, "ValidationException", "The provided model identifier is invalid.")
