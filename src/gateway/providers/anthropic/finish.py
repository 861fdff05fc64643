"""Anthropic's stop_reason as OpenAI's finish_reason."""

from __future__ import annotations

from typing import Any

_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "tool_use": "tool_calls",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "refusal": "content_filter",
}


def openai_finish(reason: Any, strict: bool) -> str:
    """OpenAI's finish_reason; non-strict clients asked for Anthropic's raw value instead."""
    if not strict and isinstance(reason, str) and reason:
        return reason
    return _FINISH.get(reason, "stop") if isinstance(reason, str) else "stop"
