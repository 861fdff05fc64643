"""OpenAI chat <-> Gemini ``generateContent`` bodies: the request and the (non-streamed) response."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import MapContext
from ...transform.json_values import obj
from ...transform.params import Options
from .candidate import answer_text, block, logprobs, tool_call
from .errors import invalid
from .finish import openai_finish
from .generation import generation_config
from .tools import tool_config, tool_list
from .turns import contents, system_instruction
from .usage import openai_usage

_PASSTHROUGH = (("safety_settings", "safetySettings"), ("safetySettings", "safetySettings"),
                ("cached_content", "cachedContent"), ("cachedContent", "cachedContent"),
                ("labels", "labels"))
"""Gemini request fields with no OpenAI counterpart that a client may send in its body (``labels``
exists on Vertex AI only, which shares this mapper)."""


def chat_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    """OpenAI chat params -> a ``generateContent`` body. The model is not in the body: it is part
    of the URL. OpenAI parameters without a Gemini meaning (user, parallel_tool_calls,
    logit_bias...) are dropped."""
    messages = params["messages"] if isinstance(params.get("messages"), list) else []
    out: dict[str, Any] = {"contents": contents(messages)}
    system = system_instruction(messages)
    if system is not None:
        out["systemInstruction"] = system
    config = generation_config(params, ctx.strict)
    if config:
        out["generationConfig"] = config
    tools = tool_list(params.get("tools"))
    if tools:
        out["tools"] = tools
        choice = tool_config(params.get("tool_choice"))
        if choice is not None and any("functionDeclarations" in t for t in tools):
            out["toolConfig"] = choice
    for key, name in _PASSTHROUGH:
        if params.get(key) is not None:
            out[name] = params[key]
    return out


def _message(parts: list[Any], call_ids: str, strict: bool) -> tuple[dict[str, Any], bool]:
    """The assistant message (and whether it calls tools). Thoughts never reach ``content``; a
    non-strict client gets every part in order as ``content_blocks``."""
    parts = [p for p in parts if isinstance(p, Mapping)]
    calls = [tool_call(p, f"{call_ids}_{n}", strict)
             for n, p in enumerate(p for p in parts if isinstance(p.get("functionCall"), Mapping))]
    text = answer_text(parts)
    message: dict[str, Any] = {"role": "assistant", "content": text if text or not calls else None}
    if calls:
        message["tool_calls"] = calls
    if not strict:
        message["content_blocks"] = [b for b in map(block, parts) if b is not None]
    return message, bool(calls)


def _choice(candidate: Mapping[str, Any], position: int, call_ids: str, strict: bool) -> dict[str, Any]:
    index = candidate.get("index") if isinstance(candidate.get("index"), int) else position
    parts = obj(candidate.get("content")).get("parts")
    message, called = _message(parts if isinstance(parts, list) else [], f"{call_ids}_{index}", strict)
    choice = {"index": index, "message": message, "logprobs": logprobs(candidate),
              "finish_reason": openai_finish(candidate.get("finishReason"), called, strict)}
    if not strict and candidate.get("groundingMetadata") is not None:
        choice["groundingMetadata"] = candidate["groundingMetadata"]
    return choice


def blocked_choice(feedback: Mapping[str, Any], strict: bool) -> dict[str, Any]:
    """A prompt Gemini refused to answer (``promptFeedback.blockReason``, no candidates): one empty
    answer that finished with ``content_filter`` (non-strict: the raw block reason), so clients
    get a normal completion that says why it is empty instead of an error or no choice at all."""
    message: dict[str, Any] = {"role": "assistant", "content": ""}
    if not strict:
        message["content_blocks"] = []
    reason = feedback.get("blockReason")
    finish = reason if not strict and isinstance(reason, str) and reason else "content_filter"
    return {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}


def chat_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    """A ``GenerateContentResponse`` -> ``chat.completion``; a 2xx body that is not one maps to
    the hub error envelope (the core answers 502)."""
    if not isinstance(body, Mapping) or not ("candidates" in body or "promptFeedback" in body):
        return invalid(body, ctx)
    completion_id = body.get("responseId") if isinstance(body.get("responseId"), str) else ctx.fallback_id
    raw = body.get("candidates")
    candidates = [c for c in raw if isinstance(c, Mapping)] if isinstance(raw, list) else []
    choices = [_choice(c, n, f"call_{completion_id}", ctx.strict) for n, c in enumerate(candidates)]
    if not choices:
        choices = [blocked_choice(obj(body.get("promptFeedback")), ctx.strict)]
    out = {"id": completion_id, "object": "chat.completion", "created": ctx.created,
           "model": body.get("modelVersion") or ctx.model or "", "provider": ctx.provider, "choices": choices,
           "usage": openai_usage(body.get("usageMetadata"))}
    if not ctx.strict and body.get("promptFeedback") is not None:
        out["promptFeedback"] = body["promptFeedback"]
    return out
