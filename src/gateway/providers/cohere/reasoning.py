"""Reasoning controls as Cohere's ``thinking: {type: enabled|disabled, token_budget}``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import is_int


def thinking(params: Mapping[str, Any]) -> dict[str, Any] | None:
    """A ``thinking`` object wins: Cohere's own (``token_budget``) or Anthropic's (``budget_tokens``,
    which ``/v1/messages`` clients send; ``adaptive`` counts as enabled). Else OpenAI's
    ``reasoning_effort``: ``none`` disables thinking, any other effort enables it (Cohere has no
    effort levels, and inventing budgets for them would cap answers the client did not cap)."""
    given = params.get("thinking")
    if isinstance(given, Mapping) and isinstance(given.get("type"), str):
        if given["type"] == "disabled":
            return {"type": "disabled"}
        out: dict[str, Any] = {"type": "enabled"}
        budget = given.get("token_budget", given.get("budget_tokens"))
        if is_int(budget) and budget > 0:
            out["token_budget"] = budget
        return out
    effort = params.get("reasoning_effort")
    if not isinstance(effort, str) or not effort:
        return None
    return {"type": "disabled" if effort == "none" else "enabled"}
