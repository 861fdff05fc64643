"""One loopback mock for the long-tail providers of part A, each path speaking its provider's wire
format as documented (the gateway reaches it through ``custom_host``, which replaces the base URL):

    POST /run/<model>                      Workers AI native: ``{"result": {"response"|"image"}, "success"}``;
                                           streamed: ``data: {"response": ...}`` events, a usage event,
                                           ``data: [DONE]``. Image models are the ones named ``*flux*``.
    POST /embedding/text                   Nomic: ``{"embeddings", "model", "usage"}``
    POST .../generate                      Triton's generate extension: ``{"model_name", "text_output"}``
    POST /segmind/<model>                  Segmind: ``{"image": "<base64>", "status"}`` (needs ``base64: true``)
    POST /<tenant>/deployments/v2/llms/<deployment>/v1/chat/completions
                                           Predibase: OpenAI chat, plain or streamed
    anything else                          an echo of the request (proxy-only providers)

Directives, as ``MockOpenAI``'s (a ``/x/<k=v,...>`` prefix in the custom host): ``status=<code>``
answers that error in the provider's own error shape; ``cut=<n>`` breaks a stream after n text
events; ``chunks=<n>`` sets the number of text events (default 3). Each provider's auth is checked
(Workers AI, Nomic, Predibase: a bearer key; Segmind: ``x-api-key``) and every request is recorded.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from tests.support.loopback import LoopbackMock, RequestLog, stream_events

USAGE = {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
IMAGE = "iVBORw0KGgoAAAANSUhEUg=="


class LongtailMock(LoopbackMock[RequestLog]):
    def new_state(self) -> RequestLog:
        return RequestLog()

    def url(self, prefix: str = "", **directives: Any) -> str:
        return super().url(**directives) + prefix

    async def answer(self, request: web.Request, path: str, raw: bytes,
                     directives: dict[str, str]) -> web.StreamResponse:
        headers = self.state.requests[-1].headers
        body = json.loads(raw) if raw and request.content_type == "application/json" else raw.decode()
        for prefix, handler in _ROUTES:
            if _matches(path, prefix):
                return await handler(request, path, headers, body, directives)
        return web.json_response({"echo": {"method": request.method, "path": path, "query": request.query_string,
                                           "body": body}})


def _matches(path: str, rule: str) -> bool:
    kind, _, text = rule.partition(":")
    return {"start": path.startswith, "end": path.endswith, "has": path.__contains__}[kind](text)


def _bearer(headers: dict[str, str]) -> bool:
    return headers.get("authorization", "").startswith("Bearer ") and len(headers["authorization"]) > 7


# --- Workers AI ------------------------------------------------------------------------------
def _cloudflare_error(status: int, code: int, message: str) -> web.Response:
    return web.json_response({"result": None, "success": False, "errors": [{"code": code, "message": message}],
                              "messages": []}, status=status)


async def _workers_ai(request: web.Request, path: str, headers: dict[str, str], body: Any,
                      d: dict[str, str]) -> web.StreamResponse:
    if not _bearer(headers):
        return _cloudflare_error(401, 10000, "Authentication error")
    if "status" in d:
        return _cloudflare_error(int(d["status"]), 3040, "Capacity temporarily exceeded, please try again.")
    if not isinstance(body, dict) or not isinstance(body.get("prompt"), str):
        return _cloudflare_error(400, 5006, "Error: required properties at '/' are 'prompt'")
    if "flux" in path:
        return web.json_response({"result": {"image": IMAGE}, "success": True, "errors": [], "messages": []})
    if not body.get("stream"):
        return web.json_response({"result": {"response": f"echo: {body['prompt']}", "usage": USAGE},
                                  "success": True, "errors": [], "messages": []})
    events = [{"response": f"tok{i} ", "p": "abc"} for i in range(int(d.get("chunks", 3)))]
    return await _sse(request, events + [{"response": "", "usage": USAGE}], d)


async def _sse(request: web.Request, events: list[dict[str, Any]], d: dict[str, str]) -> web.StreamResponse:
    """JSON events, then ``data: [DONE]``."""
    data = [f"data: {json.dumps(event)}\n\n".encode() for event in events]
    return await stream_events(request, data, d, tail=b"data: [DONE]\n\n")


# --- Nomic, Triton, Segmind ------------------------------------------------------------------
async def _nomic(request: web.Request, path: str, headers: dict[str, str], body: Any,
                 d: dict[str, str]) -> web.StreamResponse:
    if not _bearer(headers):
        return web.json_response({"detail": "Could not validate credentials"}, status=401)
    texts = body.get("texts") if isinstance(body, dict) else None
    if "status" in d or not isinstance(texts, list):
        return web.json_response({"detail": [{"loc": ["body", "texts"], "msg": "field required",
                                              "type": "value_error.missing"}]}, status=int(d.get("status", 422)))
    return web.json_response({"embeddings": [[0.5, -0.25, float(i)] for i in range(len(texts))],
                              "model": body.get("model"), "usage": {"prompt_tokens": 4, "total_tokens": 4},
                              "inference_mode": "remote"})


async def _triton(request: web.Request, path: str, headers: dict[str, str], body: Any,
                  d: dict[str, str]) -> web.StreamResponse:
    if "status" in d or not isinstance(body, dict) or "text_input" not in body:
        return web.json_response({"error": "failed to parse the request JSON buffer"}, status=int(d.get("status", 400)))
    return web.json_response({"model_name": "ensemble", "model_version": "1", "sequence_end": False,
                              "sequence_id": 0, "sequence_start": False, "text_output": f"echo: {body['text_input']}"})


async def _segmind(request: web.Request, path: str, headers: dict[str, str], body: Any,
                   d: dict[str, str]) -> web.StreamResponse:
    if not headers.get("x-api-key"):
        return web.json_response({"error": "Invalid API Key"}, status=401)
    if "status" in d:
        return web.json_response({"error": "Model is busy"}, status=int(d["status"]))
    if not isinstance(body, dict) or body.get("base64") is not True:
        return web.Response(body=b"\x89PNG...", content_type="image/png")  # Segmind's answer without base64
    samples = int(body.get("samples", 1))
    return web.json_response({"image": [IMAGE] * samples if samples > 1 else IMAGE, "status": "Success",
                              "infer_time": 1.5})


# --- Predibase (OpenAI's chat shape) ---------------------------------------------------------
def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"id": "pb-1", "object": "chat.completion.chunk", "created": 1, "model": "llama",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


async def _predibase(request: web.Request, path: str, headers: dict[str, str], body: Any,
                     d: dict[str, str]) -> web.StreamResponse:
    if not _bearer(headers):
        return web.json_response({"error": {"message": "unauthorized", "type": "auth", "code": 401}}, status=401)
    if "status" in d:
        return web.json_response({"error": {"message": "deployment is scaling up", "type": "unavailable",
                                            "code": int(d["status"])}}, status=int(d["status"]))
    if not body.get("stream"):
        return web.json_response({"id": "pb-1", "object": "chat.completion", "created": 1, "model": "llama",
                                  "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                                               "message": {"role": "assistant", "content": "hello from predibase"}}],
                                  "usage": USAGE})
    events = [_chunk({"role": "assistant", "content": ""})]
    events += [_chunk({"content": f"tok{i} "}) for i in range(int(d.get("chunks", 3)))]
    return await _sse(request, events + [_chunk({}, "stop")], d)


_ROUTES = (
    ("start:/run/", _workers_ai),
    ("start:/embedding/text", _nomic),
    ("end:/generate", _triton),
    ("start:/segmind/", _segmind),
    ("has:/deployments/v2/llms/", _predibase),
)
