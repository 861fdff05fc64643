"""OpenAI chat <-> Cohere ``/v2/chat`` bodies: the request and the (non-streamed) response."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import MapContext
from ...transform.json_values import dicts
from ...transform.params import Options
from .api import SLUG
from .errors import envelope, invalid
from .finish import FAILED, failure_text, openai_finish
from .message import joined, openai_tool_call
from .reasoning import thinking
from .response_format import response_format
from .sampling import sampling
from .tools import tool_settings
from .turns import cohere_messages
from .usage import openai_usage

_COHERE_EXTRAS = ("documents", "citation_options", "safety_mode", "priority")
"""Cohere-only parameters a client may send as they are (RAG documents, citations, safety)."""


def chat_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    """OpenAI chat params -> a v2 chat body. Parameters Cohere has no use for (n, user, logprobs,
    logit_bias, parallel_tool_calls, stream_options...) are dropped, as upstream does."""
    out: dict[str, Any] = {"model": params["model"]} if "model" in params else {}
    out["messages"] = cohere_messages(params.get("messages"))
    out.update(sampling(params))
    out.update(tool_settings(params))
    fmt = response_format(params.get("response_format"))
    if fmt is not None:
        out["response_format"] = fmt
    think = thinking(params)
    if think is not None:
        out["thinking"] = think
    out.update((key, params[key]) for key in _COHERE_EXTRAS if params.get(key) is not None)
    return out


def _message(message: Mapping[str, Any], strict: bool) -> dict[str, Any]:
    """The assistant message: text joined; ``content`` is None only when tool calls carry the
    answer, as OpenAI does. Non-strict clients also get the thinking (as ``reasoning_content``,
    which the ``/v1/messages`` format turns into a thinking block), ``tool_plan`` and ``citations``."""
    content = message.get("content")
    text = joined(content, "text")
    calls = [openai_tool_call(call) for call in dicts(message.get("tool_calls"))]
    out: dict[str, Any] = {"role": "assistant", "content": text if text or not calls else None}
    if calls:
        out["tool_calls"] = calls
    if not strict:
        reasoning = joined(content, "thinking")
        if reasoning:
            out["reasoning_content"] = reasoning
        if isinstance(message.get("tool_plan"), str) and message["tool_plan"]:
            out["tool_plan"] = message["tool_plan"]
        if isinstance(message.get("citations"), list) and message["citations"]:
            out["citations"] = message["citations"]
    return out


def chat_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    """A v2 chat response -> ``chat.completion``. A body that is not an answer, or a generation
    Cohere ended with ERROR or TIMEOUT, maps to the hub error envelope instead (the core answers
    502 for it), so callers check the result for an "error" key."""
    if not isinstance(body, Mapping) or not isinstance(body.get("message"), Mapping):
        return invalid(body)
    reason = body.get("finish_reason")
    if reason in FAILED:
        return envelope(failure_text(reason, body.get("error")))
    choice = {"index": 0, "logprobs": None, "message": _message(body["message"], ctx.strict),
              "finish_reason": openai_finish(reason, ctx.strict)}
    return {"id": body.get("id") or ctx.fallback_id, "object": "chat.completion", "created": ctx.created,
            "model": ctx.model or "", "provider": SLUG, "choices": [choice], "usage": openai_usage(body.get("usage"))}
