"""The hub's chat.completion as an Anthropic Message."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ...transform.events import MapContext
from ...transform.json_values import as_dict, as_text, dicts
from .stop_reason import stop_reason
from .usage import anthropic_usage


def response(hub: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
    """The hub's completion as an Anthropic Message. No output at all gives ``content: []``, as
    Anthropic's API itself does (the SDKs and Claude Code handle it; an empty text block would
    be rejected by Anthropic if the client sent this turn back)."""
    choice = first_choice(hub.get("choices"))
    message = as_dict(choice.get("message"))
    msg_id = message_id(hub.get("id"), ctx)
    text = _message_text(message.get("content"))
    refused = not text and isinstance(message.get("refusal"), str) and bool(message["refusal"])
    content = _thinking_blocks(message) + _text_blocks(message["refusal"] if refused else text)
    tools = _tool_use_blocks(message, msg_id)
    return {
        "id": msg_id, "type": "message", "role": "assistant", "model": hub.get("model") or ctx.model or "",
        "content": content + tools,
        "stop_reason": "refusal" if refused else stop_reason(choice.get("finish_reason"), bool(tools)),
        "stop_sequence": None, "usage": anthropic_usage(hub.get("usage")),
    }


def first_choice(choices: Any) -> dict[str, Any]:
    """Choice 0: a Message has one answer (``n`` does not exist in Anthropic's API)."""
    if isinstance(choices, list) and choices and isinstance(choices[0], dict) and choices[0].get("index", 0) == 0:
        return choices[0]  # every chunk of a stream: skip the search
    found = dicts(choices)
    return next((choice for choice in found if choice.get("index", 0) == 0), found[0] if found else {})


def message_id(raw: Any, ctx: MapContext) -> str:
    """Anthropic ids start with ``msg_``; a hub id that does not gets the prefix."""
    raw = raw if isinstance(raw, str) and raw else ctx.fallback_id
    return raw if raw.startswith("msg_") else f"msg_{raw}"


def reasoning_text(source: dict[str, Any]) -> str:
    """Visible reasoning: ``reasoning_content`` (DeepSeek, vLLM) or ``reasoning`` (Groq, OpenRouter)."""
    for key in ("reasoning_content", "reasoning"):
        if isinstance(source.get(key), str) and source[key]:
            return str(source[key])
    return ""


def _message_text(content: Any) -> str:
    if isinstance(content, list):
        return "".join(as_text(part.get("text")) for part in dicts(content) if part.get("type") == "text")
    return as_text(content)


def _thinking_blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The signature is empty: only Anthropic can sign, and this turn's thinking is dropped
    anyway when the client sends the history back."""
    reasoning = reasoning_text(message)
    return [{"type": "thinking", "thinking": reasoning, "signature": ""}] if reasoning else []


def _text_blocks(text: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": text}] if text else []


def _tool_use_blocks(message: dict[str, Any], msg_id: str) -> list[dict[str, Any]]:
    """One tool_use block per tool call (legacy ``function_call`` too). A call without an id gets
    one derived from the message id, so the client's tool_result can still refer to it."""
    calls = dicts(message.get("tool_calls"))
    if isinstance(message.get("function_call"), dict):
        calls.append({"function": message["function_call"]})
    blocks = []
    for n, call in enumerate(calls):
        function = as_dict(call.get("function"))
        call_id = call.get("id") if isinstance(call.get("id"), str) and call["id"] else f"toolu_{msg_id[4:]}_{n}"
        blocks.append({"type": "tool_use", "id": call_id, "name": as_text(function.get("name")),
                       "input": _tool_input(function.get("arguments"))})
    return blocks


def _tool_input(arguments: Any) -> dict[str, Any]:
    """Anthropic's ``input`` is an object. Arguments that are not a JSON object (a model's broken
    JSON) become ``{}``: the client's tool then reports missing parameters and the model retries."""
    if isinstance(arguments, dict):
        return arguments
    try:
        parsed = json.loads(arguments) if isinstance(arguments, str) and arguments else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
