"""Conversation turns for APIs that want roles to alternate (Bedrock's Converse, Gemini): such an API
rejects two user turns in a row, which OpenAI's messages often are (parallel tool results, a user
message right after tool results), and rejects an empty turn."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Turn = tuple[str, list[dict[str, Any]]]
"""(role, the turn's items) for one client message, in the provider's own vocabulary."""


def alternating_turns(turns: Iterable[Turn | None], items: str) -> list[dict[str, Any]]:
    """``{"role": role, <items>: [...]}`` turns: a turn of the role of the one before joins it, and a
    message with nothing sendable (None, or no items) is left out."""
    out: list[dict[str, Any]] = []
    for turn in turns:
        if turn is None or not turn[1]:
            continue
        role, content = turn
        if out and out[-1]["role"] == role:
            out[-1][items].extend(content)
        else:
            out.append({"role": role, items: content})
    return out
