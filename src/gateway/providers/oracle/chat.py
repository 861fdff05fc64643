"""OpenAI chat <-> OCI Generative AI's ``ChatDetails`` (GENERIC API format): the request and the
(non-streamed) answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import MapContext
from ...transform.json_values import as_int, compact, obj
from ...transform.params import Options
from .api import SLUG
from .errors import invalid
from .finish import openai_finish
from .tools import oci_response_format, oci_tool_choice, oci_tools
from .turns import oci_messages

_RENAMED = {"temperature": "temperature", "top_p": "topP", "top_k": "topK", "frequency_penalty": "frequencyPenalty",
            "presence_penalty": "presencePenalty", "n": "numGenerations", "seed": "seed", "logit_bias": "logitBias",
            "top_logprobs": "logProbs"}


def serving_mode(model: Any, options: Options) -> dict[str, Any]:
    """ON_DEMAND (the default) names a model; DEDICATED names the endpoint the model runs on
    (upstream sent ``modelId`` for both, which a dedicated endpoint rejects)."""
    kind = str(options.get("oracle_serving_mode") or "ON_DEMAND").upper()
    return {"servingType": kind, "endpointId" if kind == "DEDICATED" else "modelId": model}


def chat_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    """OpenAI chat params -> ``{compartmentId, servingMode, chatRequest}``."""
    chat: dict[str, Any] = {"apiFormat": "GENERIC", "messages": oci_messages(params.get("messages"))}
    limit = params.get("max_tokens", params.get("max_completion_tokens"))
    if limit is not None:
        chat["maxTokens"] = limit
    chat.update((_RENAMED[key], params[key]) for key in _RENAMED if params.get(key) is not None)
    stop = params.get("stop")
    if stop is not None:
        chat["stop"] = [stop] if isinstance(stop, str) else stop
    if params.get("stream") is True:
        chat["isStream"] = True
        if obj(params.get("stream_options")).get("include_usage"):
            chat["streamOptions"] = {"isIncludeUsage": True}
    tools = oci_tools(params.get("tools"))
    if tools:
        chat["tools"] = tools
        choice = oci_tool_choice(params.get("tool_choice"))
        if choice is not None:
            chat["toolChoice"] = choice
        if isinstance(params.get("parallel_tool_calls"), bool):
            chat["isParallelToolCalls"] = params["parallel_tool_calls"]
    response_format = oci_response_format(params.get("response_format"))
    if response_format is not None:
        chat["responseFormat"] = response_format
    if isinstance(params.get("reasoning_effort"), str):
        chat["reasoningEffort"] = params["reasoning_effort"].upper()
    return {"compartmentId": options.get("oracle_compartment_id") or options.get("oracle_tenancy"),
            "servingMode": serving_mode(params.get("model"), options), "chatRequest": chat}


def content_text(content: Any) -> str:
    parts = content if isinstance(content, list) else []
    return "".join(p["text"] for p in parts if isinstance(p, Mapping) and p.get("type", "TEXT") == "TEXT"
                   and isinstance(p.get("text"), str))


def openai_tool_calls(calls: Any) -> list[dict[str, Any]]:
    """OCI's flat ``{id, type: FUNCTION, name, arguments}`` (or a nested ``function``) -> OpenAI's."""
    out = []
    for call in calls if isinstance(calls, list) else []:
        if not isinstance(call, Mapping):
            continue
        fn = obj(call.get("function"))
        name = call.get("name") or fn.get("name")
        arguments = call.get("arguments", fn.get("arguments"))
        out.append({"id": call.get("id"), "type": "function",
                    "function": {"name": name, "arguments": arguments if isinstance(arguments, str)
                                 else compact(arguments if arguments is not None else {})}})
    return out


def openai_usage(usage: Any) -> dict[str, Any]:
    u = obj(usage)
    prompt, completion = as_int(u.get("promptTokens")), as_int(u.get("completionTokens"))
    out: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": completion,
                           "total_tokens": as_int(u.get("totalTokens")) or prompt + completion,
                           "prompt_tokens_details": {"cached_tokens": as_int(obj(u.get("promptTokensDetails"))
                                                                             .get("cachedTokens"))}}
    reasoning = as_int(obj(u.get("completionTokensDetails")).get("reasoningTokens"))
    if reasoning:
        out["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    return out


def _choice(item: Mapping[str, Any], position: int, strict: bool) -> dict[str, Any]:
    message = obj(item.get("message"))
    text, calls = content_text(message.get("content")), openai_tool_calls(message.get("toolCalls"))
    out: dict[str, Any] = {"role": "assistant", "content": text if text or not calls else None}
    if calls:
        out["tool_calls"] = calls
    index = item.get("index")
    return {"index": index if isinstance(index, int) else position, "message": out, "logprobs": None,
            "finish_reason": openai_finish(item.get("finishReason"), bool(calls), strict)}


def chat_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    """``{modelId, chatResponse: {choices, usage}}`` -> ``chat.completion``."""
    chat = body.get("chatResponse") if isinstance(body, Mapping) else None
    if not isinstance(chat, Mapping) or not isinstance(chat.get("choices"), list):
        return invalid(body)
    items = [c for c in chat["choices"] if isinstance(c, Mapping)]
    return {"id": ctx.fallback_id, "object": "chat.completion", "created": ctx.created,
            "model": body.get("modelId") or ctx.model or "", "provider": SLUG,
            "choices": [_choice(item, i, ctx.strict) for i, item in enumerate(items)],
            "usage": openai_usage(chat.get("usage"))}
