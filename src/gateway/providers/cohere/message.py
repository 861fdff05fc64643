"""Reading Cohere's assistant message (a whole answer, or one stream event's ``delta.message``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import compact, dicts, obj


def delta_message(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """A stream event's ``delta.message``: where every v2 event carries its payload."""
    return obj(obj(data.get("delta")).get("message"))


def joined(content: Any, kind: str) -> str:
    """All ``text`` (or ``thinking``) of a content list joined; a bare string counts as text."""
    if isinstance(content, str):
        return content if kind == "text" else ""
    return "".join(b[kind] for b in dicts(content) if b.get("type") == kind and isinstance(b.get(kind), str))


def openai_tool_call(call: Mapping[str, Any]) -> dict[str, Any]:
    """A v2 tool call is already OpenAI's shape; arguments stay a JSON string, and the ``null``
    Cohere sends for a tool without parameters becomes ``{}`` (a client parses the arguments)."""
    fn = obj(call.get("function"))
    args = fn.get("arguments")
    arguments = args if isinstance(args, str) else compact(args if args is not None else {})
    return {"id": call.get("id"), "type": "function",
            "function": {"name": fn.get("name"), "arguments": "{}" if arguments in ("", "null") else arguments}}
