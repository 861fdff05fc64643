"""OpenAI chat <-> Anthropic Messages bodies: the request and the (non-streamed) response."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import MapContext
from ...transform.json_values import compact
from ...transform.params import Options
from .api import SLUG
from .errors import invalid
from .finish import openai_finish
from .max_tokens import max_tokens
from .sampling import sampling
from .tools import tool_choice, tool_list
from .turns import conversation_turns, system_blocks
from .usage import openai_usage


def chat_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    """OpenAI chat params -> a Messages body (reference §7.3). Parameters Anthropic has no use
    for (n, seed, response_format, logprobs...) are dropped, as upstream does."""
    messages = params["messages"] if isinstance(params.get("messages"), list) else []
    out: dict[str, Any] = {"model": params["model"]} if "model" in params else {}
    out["messages"] = conversation_turns(messages)
    system = system_blocks(messages)
    if system:
        out["system"] = system
    out["max_tokens"] = max_tokens(params, ("max_completion_tokens", "max_tokens"))
    out.update(sampling(params))
    if params.get("thinking") is not None:
        out["thinking"] = params["thinking"]
    tools = tool_list(params.get("tools"))
    if tools:
        out["tools"] = tools
        choice = tool_choice(params)
        if choice is not None:
            out["tool_choice"] = choice
    return out


def _tool_call(block: Mapping[str, Any]) -> dict[str, Any]:
    """A tool_use block -> an OpenAI tool call, whose arguments are a JSON string."""
    arguments = compact(block.get("input") if block.get("input") is not None else {})
    return {"id": block.get("id"), "type": "function", "function": {"name": block.get("name"), "arguments": arguments}}


def _message(blocks: list[Mapping[str, Any]], strict: bool) -> dict[str, Any]:
    """The assistant message: all text joined; ``content`` is None only when tool calls carry the
    answer, as OpenAI does. Non-strict clients also get every other block (thinking...)."""
    text = "".join(b["text"] for b in blocks if b.get("type") == "text" and isinstance(b.get("text"), str))
    calls = [_tool_call(b) for b in blocks if b.get("type") == "tool_use"]
    message: dict[str, Any] = {"role": "assistant", "content": text if text or not calls else None}
    if calls:
        message["tool_calls"] = calls
    if not strict:
        message["content_blocks"] = [b for b in blocks if b.get("type") != "tool_use"]
    return message


def chat_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    """A Messages response -> ``chat.completion``. A 2xx body that is not a message (no ``content``
    list) maps to the hub error envelope instead, so callers check the result for an "error" key."""
    if not isinstance(body, Mapping) or not isinstance(body.get("content"), list):
        return invalid(body)
    blocks = [b for b in body["content"] if isinstance(b, Mapping)]
    choice = {"index": 0, "logprobs": None, "message": _message(blocks, ctx.strict),
              "finish_reason": openai_finish(body.get("stop_reason"), ctx.strict)}
    return {"id": body.get("id") or ctx.fallback_id, "object": "chat.completion", "created": ctx.created,
            "model": body.get("model") or ctx.model, "provider": SLUG, "choices": [choice],
            "usage": openai_usage(body.get("usage"))}
