"""How a Cohere generation ended: its finish_reason as OpenAI's, or a failure to report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import obj

_FINISH = {"COMPLETE": "stop", "STOP_SEQUENCE": "stop", "MAX_TOKENS": "length", "TOOL_CALL": "tool_calls"}

FAILED = frozenset({"ERROR", "TIMEOUT"})
"""Reasons that mean the answer is incomplete: reported as an error, never as a finish."""


def openai_finish(reason: Any, strict: bool) -> str:
    """OpenAI's finish_reason; non-strict clients asked for Cohere's raw value instead."""
    if not strict and isinstance(reason, str) and reason:
        return reason
    return _FINISH.get(reason, "stop") if isinstance(reason, str) else "stop"


def failure_text(reason: Any, detail: Any) -> str:
    """Why a generation ended unfinished: Cohere's own message when it sent one."""
    return detail if isinstance(detail, str) and detail else f"the generation ended with finish_reason {reason}"


def stream_failure(data: Mapping[str, Any], kind: Any) -> str | None:
    """Why a stream failed, or None: a ``message-end`` whose generation ended with ERROR or
    TIMEOUT (or carries ``delta.error``), or an error body sent in place of an event."""
    if kind == "message-end":
        delta = obj(data.get("delta"))
        reason, detail = delta.get("finish_reason"), delta.get("error")
        if reason in FAILED or (isinstance(detail, str) and detail):
            return failure_text(reason, detail)
        return None
    if kind in ("error", None) and isinstance(data.get("message"), str):
        return str(data["message"])
    return None
