"""The client's Messages body as hub (OpenAI chat) params."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import MapContext
from ...transform.json_values import as_dict, dicts
from .turns import chat_messages, system_messages

_RENAMES = (("max_tokens", "max_completion_tokens"), ("stop_sequences", "stop"), ("temperature", "temperature"),
            ("top_p", "top_p"), ("top_k", "top_k"))
_TOOL_CHOICES = {"auto": "auto", "any": "required", "none": "none"}
# ``output_config.effort``: chat's reasoning_effort stops at "high" on most providers.
_EFFORTS = {"low": "low", "medium": "medium", "high": "high", "xhigh": "high", "max": "high"}


def request(body: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
    """The client's Messages body as chat params. The hub provider's own parameter map then
    whitelists and renames them (``top_k``, ``thinking`` survive only where a provider takes them)."""
    out: dict[str, Any] = {"model": body["model"]} if "model" in body else {}
    out["messages"] = system_messages(body.get("system")) + chat_messages(body.get("messages"))
    for name, hub_name in _RENAMES:
        if body.get(name) not in (None, []):
            out[hub_name] = body[name]
    user_id = as_dict(body.get("metadata")).get("user_id")
    if isinstance(user_id, str):
        out["user"] = user_id
    if body.get("stream") is True:
        # include_usage: the usage chunk is where message_delta's token counts come from.
        out.update(stream=True, stream_options={"include_usage": True})
    out.update(_tools(body.get("tools"), body.get("tool_choice")))
    out.update(_reasoning(body.get("thinking"), body.get("output_config")))
    out.update(_response_format(body.get("output_config")))
    return out


def _tools(tools: Any, choice: Any) -> dict[str, Any]:
    """Custom tools become functions; server tools (``web_search_*``, ``bash_*`` ...) run on
    Anthropic's side and have no chat equivalent. Without tools left, chat rejects a tool_choice."""
    functions = [_function(tool) for tool in dicts(tools)
                 if tool.get("type") in (None, "custom") and isinstance(tool.get("name"), str)]
    if not functions:
        return {}
    out: dict[str, Any] = {"tools": functions}
    choice = as_dict(choice)
    if choice.get("type") in _TOOL_CHOICES:
        out["tool_choice"] = _TOOL_CHOICES[choice["type"]]
    elif choice.get("type") == "tool":
        out["tool_choice"] = {"type": "function", "function": {"name": choice.get("name")}}
    if choice.get("disable_parallel_tool_use") is True:
        out["parallel_tool_calls"] = False
    return out


def _function(tool: dict[str, Any]) -> dict[str, Any]:
    function: dict[str, Any] = {"name": tool["name"]}
    if isinstance(tool.get("description"), str):
        function["description"] = tool["description"]
    function["parameters"] = tool.get("input_schema") or {"type": "object", "properties": {}}
    if isinstance(tool.get("strict"), bool):
        function["strict"] = tool["strict"]
    return {"type": "function", "function": function}


def _reasoning(thinking: Any, output_config: Any) -> dict[str, Any]:
    """Thinking as chat's ``reasoning_effort``; ``thinking`` itself stays for a hub provider that
    speaks it (Claude behind a translation), OpenAI-shaped whitelists drop it. An explicit
    ``output_config.effort`` is the better signal and wins over a budget."""
    out: dict[str, Any] = {}
    thinking = as_dict(thinking)
    if thinking.get("type") not in (None, "disabled"):
        out["thinking"] = dict(thinking)
        budget = thinking.get("budget_tokens")
        if thinking["type"] == "enabled" and isinstance(budget, int):
            out["reasoning_effort"] = "low" if budget < 4096 else "medium" if budget < 16384 else "high"
    effort = as_dict(output_config).get("effort")
    if isinstance(effort, str) and effort in _EFFORTS:
        out["reasoning_effort"] = _EFFORTS[effort]
    return out


def _response_format(output_config: Any) -> dict[str, Any]:
    """Structured outputs: Anthropic's ``output_config.format`` is chat's json_schema format."""
    fmt = as_dict(as_dict(output_config).get("format"))
    if fmt.get("type") != "json_schema" or not isinstance(fmt.get("schema"), dict):
        return {}
    return {"response_format": {"type": "json_schema", "json_schema": {"name": "response", "schema": fmt["schema"]}}}
