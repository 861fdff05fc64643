"""OpenAI chat messages as OCI's GENERIC messages: upper-case roles, content as typed parts
(``TEXT``, ``IMAGE``, ``AUDIO``), assistant ``toolCalls`` and tool results with ``toolCallId``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import compact, obj

_ROLES = {"system": "SYSTEM", "developer": "SYSTEM", "user": "USER", "assistant": "ASSISTANT", "tool": "TOOL",
          "function": "TOOL"}


def _part(part: Any) -> dict[str, Any] | None:
    if isinstance(part, str):
        return {"type": "TEXT", "text": part}
    if not isinstance(part, Mapping):
        return None
    kind = part.get("type")
    if kind == "text" and isinstance(part.get("text"), str):
        return {"type": "TEXT", "text": part["text"]}
    if kind == "image_url":
        image = obj(part.get("image_url"))
        if not isinstance(image.get("url"), str):
            return None
        url: dict[str, Any] = {"url": image["url"]}
        if image.get("detail") is not None:
            url["detail"] = image["detail"]
        return {"type": "IMAGE", "imageUrl": url}
    if kind == "input_audio" and isinstance(obj(part.get("input_audio")).get("data"), str):
        return {"type": "AUDIO", "audioUrl": {"url": part["input_audio"]["data"]}}
    return None


def _content(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "TEXT", "text": content}] if content else []
    parts = content if isinstance(content, list) else []
    return [p for p in map(_part, parts) if p is not None]


def _tool_call(call: Mapping[str, Any]) -> dict[str, Any]:
    """OpenAI's function call -> OCI's ``FunctionCall`` (flat, arguments a JSON string)."""
    fn = obj(call.get("function"))
    arguments = fn.get("arguments")
    return {"id": call.get("id") or "", "type": "FUNCTION", "name": fn.get("name") or "",
            "arguments": arguments if isinstance(arguments, str) else compact(arguments or {})}


def oci_message(msg: Any) -> dict[str, Any] | None:
    """One OpenAI message -> OCI's. Upstream dropped tool calls and the tool result's id (so OCI
    could not pair them); both are sent here."""
    if not isinstance(msg, Mapping) or msg.get("role") not in _ROLES:
        return None
    out: dict[str, Any] = {"role": _ROLES[msg["role"]], "content": _content(msg.get("content"))}
    calls = msg.get("tool_calls")
    if out["role"] == "ASSISTANT" and isinstance(calls, list) and calls:
        out["toolCalls"] = [_tool_call(c) for c in calls if isinstance(c, Mapping)]
        if not out["content"]:  # a turn that only calls tools has no content to send
            del out["content"]
    if out["role"] == "TOOL" and msg.get("tool_call_id"):
        out["toolCallId"] = msg["tool_call_id"]
    return out


def oci_messages(messages: Any) -> list[dict[str, Any]]:
    items = messages if isinstance(messages, list) else []
    return [m for m in map(oci_message, items) if m is not None]
