"""OCI's finishReason as OpenAI's finish_reason."""

from __future__ import annotations

from typing import Any

_FINISH = {"stop": "stop", "complete": "stop", "length": "length", "max_tokens": "length",
           "tool_calls": "tool_calls", "content_filter": "content_filter", "error": "stop"}


def openai_finish(reason: Any, has_tool_calls: bool, strict: bool) -> str:
    """OCI reports lower-case OpenAI-like values (``stop``, ``length``, ``tool_calls``); upper-case
    forms map the same. Non-strict clients get OCI's own value."""
    if not strict and isinstance(reason, str) and reason:
        return reason
    if has_tool_calls:
        return "tool_calls"
    return _FINISH.get(reason.lower(), "stop") if isinstance(reason, str) else "stop"
