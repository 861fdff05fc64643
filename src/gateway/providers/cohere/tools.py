"""OpenAI tools and tool_choice as Cohere v2's. v2 tools already have OpenAI's shape; what differs
is the choice: Cohere knows only ``REQUIRED`` and ``NONE`` (no choice means auto)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import obj

_NO_PARAMETERS = {"type": "object", "properties": {}}


def _tool(tool: Any) -> dict[str, Any] | None:
    """A function tool with only the fields Cohere's schema has; Cohere requires ``parameters``,
    which OpenAI lets a tool without arguments leave out."""
    if not isinstance(tool, Mapping) or tool.get("type", "function") != "function":
        return None
    fn = obj(tool.get("function"))
    if not isinstance(fn.get("name"), str) or not fn["name"]:
        return None
    parameters = fn.get("parameters")
    out: dict[str, Any] = {"name": fn["name"],
                           "parameters": parameters if isinstance(parameters, Mapping) else _NO_PARAMETERS}
    if isinstance(fn.get("description"), str):
        out["description"] = fn["description"]
    return {"type": "function", "function": out}


def _named(choice: Any) -> str | None:
    name = obj(obj(choice).get("function")).get("name")
    return name if isinstance(name, str) and name else None


def _strict(params: Mapping[str, Any]) -> bool:
    """Cohere's request-wide ``strict_tools``: the client's own value, else on when any OpenAI
    function asks for ``strict: true`` (upstream derived it from response_format instead)."""
    if isinstance(params.get("strict_tools"), bool):
        return bool(params["strict_tools"])
    tools = params.get("tools")
    return isinstance(tools, list) and any(obj(obj(t).get("function")).get("strict") is True for t in tools)


def tool_settings(params: Mapping[str, Any]) -> dict[str, Any]:
    """``tools``, ``tool_choice`` and ``strict_tools``. A named choice keeps only that tool and
    requires a call, which is what OpenAI's named choice means; without tools nothing is sent
    (Cohere rejects a tool_choice that has no tools)."""
    raw = params.get("tools")
    tools = [t for t in map(_tool, raw) if t is not None] if isinstance(raw, list) else []
    if not tools:
        return {}
    out: dict[str, Any] = {"tools": tools}
    choice = params.get("tool_choice")
    name = _named(choice)
    if choice == "required" or name is not None:
        out["tool_choice"] = "REQUIRED"
        chosen = [t for t in tools if t["function"]["name"] == name]
        if chosen:
            out["tools"] = chosen
    elif choice == "none":
        out["tool_choice"] = "NONE"
    if _strict(params):
        out["strict_tools"] = True
    return out
