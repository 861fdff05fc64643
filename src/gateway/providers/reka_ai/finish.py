"""Reka's finish_reason as OpenAI's."""

from __future__ import annotations

from typing import Any

_FINISH = {"stop": "stop", "length": "length", "context": "length", "tool_call": "tool_calls",
           "tool_calls": "tool_calls"}


def openai_finish(reason: Any, has_tool_calls: bool, strict: bool) -> str:
    """``context`` (the context window ran out) is a ``length`` stop; a message with tool calls
    finishes with ``tool_calls``. Non-strict clients get Reka's own value."""
    if not strict and isinstance(reason, str) and reason:
        return reason
    if has_tool_calls:
        return "tool_calls"
    return _FINISH.get(reason, "stop") if isinstance(reason, str) else "stop"
