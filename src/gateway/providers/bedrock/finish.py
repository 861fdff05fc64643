"""Converse's stopReason as OpenAI's finish_reason."""

from __future__ import annotations

from typing import Any

_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
}


def openai_finish(reason: Any, strict: bool) -> str:
    """OpenAI's finish_reason; non-strict clients asked for Bedrock's raw value instead. Anything
    else (``malformed_model_output``, ``malformed_tool_use``) reads as ``stop``."""
    if not strict and isinstance(reason, str) and reason:
        return reason
    return _FINISH.get(reason, "stop") if isinstance(reason, str) else "stop"
