"""Gemini's ``finishReason`` (and a blocked prompt's ``blockReason``) as OpenAI's finish_reason."""

from __future__ import annotations

from typing import Any

_FINISH = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "LANGUAGE": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
    "IMAGE_PROHIBITED_CONTENT": "content_filter",
    "IMAGE_RECITATION": "content_filter",
}
"""Anything else (OTHER, MALFORMED_FUNCTION_CALL, FINISH_REASON_UNSPECIFIED...) reads as ``stop``."""


def openai_finish(reason: Any, called: bool, strict: bool) -> str:
    """OpenAI's finish_reason; a normal stop after function calls is ``tool_calls`` (Gemini says
    STOP there). Non-strict clients get Gemini's raw value, as upstream gives them."""
    if not strict and isinstance(reason, str) and reason:
        return reason
    mapped = _FINISH.get(reason, "stop") if isinstance(reason, str) else "stop"
    return "tool_calls" if called and mapped == "stop" else mapped
