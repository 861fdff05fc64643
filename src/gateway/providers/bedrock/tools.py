"""OpenAI tools and tool_choice as Converse's ``toolConfig``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .content import cache_point
from .models import family


def _spec(fn: Mapping[str, Any]) -> dict[str, Any]:
    """A function -> a ``toolSpec``; a tool without parameters still needs an object schema, and
    an empty description is refused, so it is left out."""
    schema = fn.get("parameters")
    spec: dict[str, Any] = {"name": fn.get("name") or ""}
    if isinstance(fn.get("description"), str) and fn["description"]:
        spec["description"] = fn["description"]
    spec["inputSchema"] = {"json": dict(schema) if isinstance(schema, Mapping) else {"type": "object",
                                                                                      "properties": {}}}
    return spec


def _tools(tools: Any, model: str | None) -> list[dict[str, Any]]:
    """Function tools (Converse has no other kind); a tool's ``cache_control`` becomes a cache
    point after it, except on Amazon models, which take none there (as upstream)."""
    out: list[dict[str, Any]] = []
    cache = family(model) != "amazon"
    for tool in tools if isinstance(tools, list) else []:
        if isinstance(tool, Mapping) and isinstance(tool.get("function"), Mapping):
            out.append({"toolSpec": _spec(tool["function"])})
            if cache and tool.get("cache_control") is not None:
                out.append(cache_point())
    return out


def _choice(choice: Any) -> dict[str, Any] | None:
    if choice == "auto":
        return {"auto": {}}
    if choice == "required":
        return {"any": {}}
    if isinstance(choice, Mapping) and isinstance(choice.get("function"), Mapping):
        name = choice["function"].get("name")
        return {"tool": {"name": name}} if isinstance(name, str) and name else None
    return None


def tool_config(params: Mapping[str, Any], model: str | None, history_uses_tools: bool) -> dict[str, Any] | None:
    """``toolConfig``, or None. Converse has no "none" choice: ``tool_choice: "none"`` leaves the
    tools out, unless the history holds toolUse/toolResult blocks, which Converse accepts only with
    a ``toolConfig`` (then the tools go without a choice). ``parallel_tool_calls`` has no
    Converse equivalent and is dropped."""
    tools = _tools(params.get("tools"), model)
    choice = params.get("tool_choice")
    if not tools or (choice == "none" and not history_uses_tools):
        return None
    config: dict[str, Any] = {"tools": tools}
    mapped = _choice(choice)
    if mapped is not None:
        config["toolChoice"] = mapped
    return config
