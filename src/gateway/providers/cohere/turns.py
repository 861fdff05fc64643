"""OpenAI chat messages as Cohere v2 messages. v2 keeps OpenAI's roles (system, user, assistant,
tool) and shapes (``tool_calls``, ``tool_call_id``, text and ``image_url`` parts), so the mapping
is mostly a whitelist: ``developer`` becomes ``system``, parts Cohere has no use for (audio, files)
are skipped, and an assistant turn that calls tools carries its text as ``tool_plan``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import compact, dicts, obj

_SYSTEM_ROLES = frozenset({"system", "developer"})
_DETAILS = frozenset({"auto", "low", "high"})


def _text_parts(content: Any) -> list[dict[str, Any]]:
    return [{"type": "text", "text": part["text"]} for part in dicts(content)
            if part.get("type") == "text" and isinstance(part.get("text"), str) and part["text"]]


def _image(part: Mapping[str, Any]) -> dict[str, Any] | None:
    """An ``image_url`` part (a web URL or a data URI, both of which Cohere takes), its detail kept."""
    image = part.get("image_url")
    url = image if isinstance(image, str) else obj(image).get("url")
    if not isinstance(url, str) or not url:
        return None
    out: dict[str, Any] = {"url": url}
    if obj(image).get("detail") in _DETAILS:
        out["detail"] = obj(image)["detail"]
    return {"type": "image_url", "image_url": out}


def _user_parts(content: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for part in dicts(content):
        if part.get("type") == "text" and isinstance(part.get("text"), str) and part["text"]:
            out.append({"type": "text", "text": part["text"]})
        elif part.get("type") == "image_url":
            image = _image(part)
            if image is not None:
                out.append(image)
    return out


def _content(content: Any, user: bool) -> str | list[dict[str, Any]] | None:
    """A string as is, parts as Cohere's parts; None when nothing sendable is left."""
    if isinstance(content, str):
        return content or None
    parts = _user_parts(content) if user else _text_parts(content)
    return parts or None


def _plain_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(part["text"] for part in _text_parts(content))


def _arguments(raw: Any) -> str:
    """Cohere wants the arguments as a JSON string, as OpenAI sends them; an object is encoded."""
    if isinstance(raw, str) and raw:
        return raw
    return compact(raw) if isinstance(raw, Mapping) else "{}"


def _tool_call(call: Mapping[str, Any]) -> dict[str, Any] | None:
    fn = obj(call.get("function"))
    if not isinstance(fn.get("name"), str) or not fn["name"]:
        return None
    return {"id": call.get("id") if isinstance(call.get("id"), str) else "", "type": "function",
            "function": {"name": fn["name"], "arguments": _arguments(fn.get("arguments"))}}


def _assistant(msg: Mapping[str, Any]) -> dict[str, Any] | None:
    """Tool calls with the turn's text as ``tool_plan`` (where Cohere's own answers put it, and how
    its docs send a tool turn back); a ``tool_plan`` a non-strict client kept wins over the text."""
    calls = [c for c in map(_tool_call, dicts(msg.get("tool_calls"))) if c is not None]
    if calls:
        out: dict[str, Any] = {"role": "assistant", "tool_calls": calls}
        plan = msg.get("tool_plan") if isinstance(msg.get("tool_plan"), str) else _plain_text(msg.get("content"))
        if plan:
            out["tool_plan"] = plan
        return out
    content = _content(msg.get("content"), user=False)
    return {"role": "assistant", "content": content} if content is not None else None


def _tool(msg: Mapping[str, Any]) -> dict[str, Any] | None:
    """A tool result; one without a ``tool_call_id`` cannot be paired with its call and is dropped."""
    call_id = msg.get("tool_call_id")
    if not isinstance(call_id, str) or not call_id:
        return None
    content = msg.get("content")
    if isinstance(content, Mapping):
        value: Any = compact(content)
    else:
        value = content if isinstance(content, str) else _text_parts(content) or ""
    return {"role": "tool", "tool_call_id": call_id, "content": value}


def _message(msg: Mapping[str, Any]) -> dict[str, Any] | None:
    role = msg.get("role")
    if role in _SYSTEM_ROLES or role == "user":
        content = _content(msg.get("content"), user=role == "user")
        return {"role": "user" if role == "user" else "system", "content": content} if content is not None else None
    if role == "assistant":
        return _assistant(msg)
    if role == "tool":
        return _tool(msg)
    return None  # legacy ``function`` turns have no Cohere meaning


def cohere_messages(messages: Any) -> list[dict[str, Any]]:
    return [m for m in map(_message, dicts(messages)) if m is not None]
