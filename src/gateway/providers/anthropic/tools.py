"""OpenAI tools and tool_choice as Anthropic's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_TOOL_EXTRAS = ("defer_loading", "allowed_callers", "input_examples")


def _function_tool(fn: Mapping[str, Any]) -> dict[str, Any]:
    """An OpenAI function -> an Anthropic tool. Anthropic requires ``input_schema`` with
    ``type: object`` even for a tool without parameters, which OpenAI allows."""
    schema = fn.get("parameters")
    if isinstance(schema, Mapping):
        schema = schema if "type" in schema else {"type": "object", **schema}
    else:
        schema = {"type": "object", "properties": {}}
    out = {"name": fn.get("name") or "", "description": fn.get("description") or "", "input_schema": schema}
    out.update((key, fn[key]) for key in _TOOL_EXTRAS if fn.get(key) is not None)
    return out


def _server_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    """Upstream's shape for Anthropic server tools, ``{type: T, T: {name: <versioned type>, ...}}``
    -> ``{name: T, type: <versioned type>, ...}``; a tool already in Anthropic's shape (no ``T``
    object) passes unchanged."""
    kind = tool["type"]
    spec = tool.get(kind)
    if not isinstance(spec, Mapping):
        return {k: v for k, v in tool.items() if k != "cache_control"}
    out = {**spec, "name": kind}
    out.pop("type", None)
    if spec.get("name") is not None:
        out["type"] = spec["name"]
    return out


def _tool(tool: Any) -> dict[str, Any] | None:
    """One client tool, or None for an entry that is neither a function nor a typed tool."""
    if not isinstance(tool, Mapping):
        return None
    if isinstance(tool.get("function"), Mapping):
        out = _function_tool(tool["function"])
    elif isinstance(tool.get("type"), str):
        out = _server_tool(tool)
    else:
        return None
    if tool.get("cache_control") is not None:
        out["cache_control"] = tool["cache_control"]
    return out


def tool_list(tools: Any) -> list[dict[str, Any]]:
    return [t for t in map(_tool, tools) if t is not None] if isinstance(tools, list) else []


def tool_choice(params: Mapping[str, Any]) -> dict[str, Any] | None:
    """OpenAI's tool_choice; ``parallel_tool_calls: false`` lives inside Anthropic's tool_choice
    (on ``auto`` when the client chose nothing), and cannot go on ``none``."""
    choice = params.get("tool_choice")
    out: dict[str, Any] | None = None
    if choice == "required":
        out = {"type": "any"}
    elif choice in ("auto", "none"):
        out = {"type": choice}
    elif isinstance(choice, Mapping) and isinstance(choice.get("function"), Mapping):
        name = choice["function"].get("name")
        out = {"type": "tool", "name": name} if isinstance(name, str) else None
    if params.get("parallel_tool_calls") is False and (out is None or out["type"] != "none"):
        out = {**(out or {"type": "auto"}), "disable_parallel_tool_use": True}
    return out
