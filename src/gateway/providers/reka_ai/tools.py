"""OpenAI tools and tool_choice as Reka's (``{name, description, parameters}``; ``auto``, ``none``
or ``tool``, which forces a call but cannot name the tool)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def reka_tools(tools: Any) -> list[dict[str, Any]]:
    out = []
    for tool in tools if isinstance(tools, list) else []:
        fn = tool.get("function") if isinstance(tool, Mapping) else None
        if not isinstance(fn, Mapping) or not isinstance(fn.get("name"), str):
            continue
        entry: dict[str, Any] = {"name": fn["name"]}
        if isinstance(fn.get("description"), str):
            entry["description"] = fn["description"]
        parameters = fn.get("parameters")
        entry["parameters"] = dict(parameters) if isinstance(parameters, Mapping) else {"type": "object",
                                                                                       "properties": {}}
        out.append(entry)
    return out


def reka_tool_choice(choice: Any) -> str | None:
    """``required`` and a named function both become ``tool``; Reka has no way to name one."""
    if choice in ("auto", "none"):
        return str(choice)
    if choice == "required" or isinstance(choice, Mapping):
        return "tool"
    return None
