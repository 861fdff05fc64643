"""OpenAI chat <-> Converse bodies: the request and the (non-streamed) response.

Converse (``POST /model/{modelId}/converse``) is Bedrock's one chat API for every model family,
so chat needs no per-family config (upstream kept legacy ``/invoke`` bodies for four retired
Cohere and AI21 models; those are not served)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import MapContext
from ...transform.json_values import compact, dicts, obj
from ...transform.params import Options
from .api import SLUG
from .errors import invalid
from .finish import openai_finish
from .inference import additional_fields, inference_config
from .tools import tool_config
from .turns import conversation, has_tool_blocks, system_blocks
from .usage import openai_usage

# OpenAI-side name (upstream accepts both spellings) -> Converse field, passed as given
_PASSED = (("guardrailConfig", "guardrailConfig"), ("guardrail_config", "guardrailConfig"),
           ("additionalModelResponseFieldPaths", "additionalModelResponseFieldPaths"),
           ("additional_model_response_field_paths", "additionalModelResponseFieldPaths"),
           ("performance_config", "performanceConfig"), ("performanceConfig", "performanceConfig"))


def model_hint(params: Mapping[str, Any], options: Options) -> str | None:
    """The model whose family decides model-specific fields: ``aws_bedrock_model`` when the client
    names the foundation model behind an application inference profile ARN, else ``model``."""
    hint = options.get("aws_bedrock_model") or params.get("model")
    return hint if isinstance(hint, str) else None


def chat_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    """OpenAI chat params -> a Converse body (the model is in the URL, the stream flag in the
    action). What Converse cannot express is dropped, as upstream does: n, seed, logprobs,
    response_format, presence/frequency penalties, user, parallel_tool_calls."""
    messages = params["messages"] if isinstance(params.get("messages"), list) else []
    model = model_hint(params, options)
    turns = conversation(messages)
    out: dict[str, Any] = {"messages": turns}
    system = system_blocks(messages)
    if system:
        out["system"] = system
    inference = inference_config(params)
    if inference:
        out["inferenceConfig"] = inference
    tools = tool_config(params, model, has_tool_blocks(turns))
    if tools:
        out["toolConfig"] = tools
    extra = additional_fields(params, options, model)
    if extra:
        out["additionalModelRequestFields"] = extra
    for key, field in _PASSED:
        if params.get(key) is not None:
            out[field] = params[key]
    return out


def _tool_call(use: Mapping[str, Any]) -> dict[str, Any]:
    arguments = compact(use.get("input") if use.get("input") is not None else {})
    return {"id": use.get("toolUseId"), "type": "function",
            "function": {"name": use.get("name"), "arguments": arguments}}


def _content_blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Text and reasoning in Anthropic's block shape, for non-strict clients (as upstream): the
    thinking blocks a client must send back in a Claude tool loop, signature included."""
    out: list[dict[str, Any]] = []
    for block in blocks:
        reasoning = obj(block.get("reasoningContent"))
        if isinstance(block.get("text"), str):
            out.append({"type": "text", "text": block["text"]})
        elif reasoning.get("reasoningText") is not None:
            text = obj(reasoning["reasoningText"])
            out.append({"type": "thinking", "thinking": text.get("text", ""), "signature": text.get("signature", "")})
        elif reasoning.get("redactedContent") is not None:
            out.append({"type": "redacted_thinking", "data": reasoning["redactedContent"]})
    return out


def chat_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    """A Converse response -> ``chat.completion``. Text blocks are joined as they stream (with
    nothing between them; upstream joined them with newlines). Converse gives no id: the id is the
    gateway's fallback id. A body without ``output.message.content`` maps to the error envelope."""
    content = obj(obj(obj(body).get("output")).get("message")).get("content")
    if not isinstance(content, list):
        return invalid(body)
    blocks = dicts(content)
    text = "".join(b["text"] for b in blocks if isinstance(b.get("text"), str))
    calls = [_tool_call(b["toolUse"]) for b in blocks if isinstance(b.get("toolUse"), Mapping)]
    message: dict[str, Any] = {"role": "assistant", "content": text if text or not calls else None}
    if calls:
        message["tool_calls"] = calls
    if not ctx.strict:
        message["content_blocks"] = _content_blocks(blocks)
    choice = {"index": 0, "message": message, "logprobs": None,
              "finish_reason": openai_finish(body.get("stopReason"), ctx.strict)}
    return {"id": ctx.fallback_id, "object": "chat.completion", "created": ctx.created, "model": ctx.model or "",
            "provider": SLUG, "choices": [choice], "usage": openai_usage(body.get("usage"))}
