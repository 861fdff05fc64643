"""OpenAI chat <-> Reka chat bodies: the request and the (non-streamed) answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import MapContext
from ...transform.json_values import as_int, compact, obj
from ...transform.params import Options
from .api import SLUG
from .errors import invalid
from .finish import openai_finish
from .tools import reka_tool_choice, reka_tools
from .turns import content_text, reka_messages

DEFAULT_MODEL = "reka-flash"
_SAME_NAME = ("temperature", "top_p", "top_k", "seed", "presence_penalty", "frequency_penalty", "stream",
              "use_search_engine")


def chat_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    """OpenAI chat params -> a Reka ``/v1/chat`` body. What Reka has no field for (n,
    response_format, logprobs, ...) is dropped, as upstream's whitelist does."""
    out: dict[str, Any] = {"model": params.get("model") or DEFAULT_MODEL,
                           "messages": reka_messages(params.get("messages"))}
    limit = params.get("max_tokens", params.get("max_completion_tokens"))
    if limit is not None:
        out["max_tokens"] = limit
    out.update((key, params[key]) for key in _SAME_NAME if params.get(key) is not None)
    stop = params.get("stop")
    if stop is not None:
        out["stop"] = [stop] if isinstance(stop, str) else stop
    tools = reka_tools(params.get("tools"))
    if tools:
        out["tools"] = tools
        choice = reka_tool_choice(params.get("tool_choice"))
        if choice is not None:
            out["tool_choice"] = choice
    return out


def openai_usage(usage: Any) -> dict[str, int]:
    u = obj(usage)
    prompt, completion = as_int(u.get("input_tokens")), as_int(u.get("output_tokens"))
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def openai_tool_calls(calls: Any) -> list[dict[str, Any]]:
    """Reka's ``{id, name, parameters}`` -> OpenAI's function calls, arguments as a JSON string."""
    return [{"id": c.get("id"), "type": "function",
             "function": {"name": c.get("name"), "arguments": compact(c.get("parameters") or {})}}
            for c in calls if isinstance(c, Mapping)] if isinstance(calls, list) else []


def _choice(index: int, item: Mapping[str, Any], strict: bool) -> dict[str, Any]:
    message = obj(item.get("message"))
    text, calls = content_text(message.get("content")), openai_tool_calls(message.get("tool_calls"))
    out: dict[str, Any] = {"role": "assistant", "content": text if text or not calls else None}
    if calls:
        out["tool_calls"] = calls
    return {"index": index, "message": out, "logprobs": None,
            "finish_reason": openai_finish(item.get("finish_reason"), bool(calls), strict)}


def chat_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    """Reka's ``{id, model, responses, usage}`` -> ``chat.completion``, one choice per response."""
    if not isinstance(body, Mapping) or not isinstance(body.get("responses"), list):
        return invalid(body)
    items = [r for r in body["responses"] if isinstance(r, Mapping)]
    return {"id": body.get("id") or ctx.fallback_id, "object": "chat.completion", "created": ctx.created,
            "model": body.get("model") or ctx.model or "", "provider": SLUG,
            "choices": [_choice(i, item, ctx.strict) for i, item in enumerate(items)],
            "usage": openai_usage(body.get("usage"))}
