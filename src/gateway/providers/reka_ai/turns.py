"""OpenAI chat messages as Reka's: roles ``system``/``user``/``assistant``/``tool_output``, media
parts whose URL is a plain string, tool calls with ``parameters`` as an object."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import arguments_object, obj

_MEDIA = {"image_url": "image_url", "input_audio": None, "video_url": "video_url", "audio_url": "audio_url",
          "pdf_url": "pdf_url"}


def content_text(content: Any) -> str:
    """The text of a content that may be a string or a list of parts (OpenAI's, or Reka's in an answer)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p["text"] for p in content if isinstance(p, Mapping) and isinstance(p.get("text"), str))
    return ""


def _part(part: Any) -> dict[str, Any] | None:
    """One OpenAI content part -> Reka's: text as it is, a media part as ``{type, <type>: url}``
    (OpenAI nests the URL in an object, Reka wants the string). Anything else is skipped."""
    if not isinstance(part, Mapping):
        return None
    kind = part.get("type")
    if kind == "text" and isinstance(part.get("text"), str):
        return {"type": "text", "text": part["text"]}
    if isinstance(kind, str) and _MEDIA.get(kind):
        value = part.get(kind)
        url = obj(value).get("url") if isinstance(value, Mapping) else value
        return {"type": kind, kind: url} if isinstance(url, str) and url else None
    return None


def _content(content: Any) -> Any:
    if isinstance(content, list):
        return [p for p in map(_part, content) if p is not None]
    return content if isinstance(content, str) else ""



def _assistant(msg: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"role": "assistant"}
    text = content_text(msg.get("content"))
    calls = msg.get("tool_calls")
    if text or not isinstance(calls, list) or not calls:
        out["content"] = text
    if isinstance(calls, list) and calls:
        out["tool_calls"] = [{"id": call.get("id") or "", "name": obj(call.get("function")).get("name") or "",
                              "parameters": arguments_object(obj(call.get("function")).get("arguments"))}
                             for call in calls if isinstance(call, Mapping)]
    return out


def reka_message(msg: Any) -> dict[str, Any] | None:
    """One OpenAI message -> Reka's; None for one without a role Reka knows."""
    if not isinstance(msg, Mapping):
        return None
    role = msg.get("role")
    if role in ("system", "developer"):
        return {"role": "system", "content": content_text(msg.get("content"))}
    if role == "user":
        return {"role": "user", "content": _content(msg.get("content"))}
    if role == "assistant":
        return _assistant(msg)
    if role == "tool":
        output = {"tool_call_id": msg.get("tool_call_id") or "", "output": content_text(msg.get("content"))}
        return {"role": "tool_output", "content": [output]}
    return None


def reka_messages(messages: Any) -> list[dict[str, Any]]:
    items = messages if isinstance(messages, list) else []
    return [m for m in map(reka_message, items) if m is not None]
