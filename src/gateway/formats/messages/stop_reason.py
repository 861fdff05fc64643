"""Chat's finish_reason as Anthropic's stop_reason."""

from __future__ import annotations

from typing import Any

_STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use",
                 "function_call": "tool_use", "content_filter": "refusal"}


def stop_reason(finish: Any, has_tools: bool) -> str:
    """Some servers (older Ollama, vLLM) say ``stop`` after tool calls: they are still tool_use,
    which is what Anthropic clients loop on."""
    if has_tools and finish in (None, "stop"):
        return "tool_use"
    return _STOP_REASONS.get(finish, "end_turn") if isinstance(finish, str) else "end_turn"
