"""The output limit Anthropic requires on every request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import as_int, is_int, obj

DEFAULT_MAX_TOKENS = 4096
"""Used when the client sends no max_tokens: Anthropic requires one, and 4096 is the largest
output every Claude model accepts."""


def max_tokens(params: Mapping[str, Any], keys: tuple[str, ...]) -> int:
    """The client's limit, else ``DEFAULT_MAX_TOKENS``; with extended thinking the default sits
    above the thinking budget, since Anthropic requires max_tokens > budget_tokens."""
    for key in keys:
        if is_int(params.get(key)):
            return int(params[key])
    budget = as_int(obj(params.get("thinking")).get("budget_tokens"))
    return DEFAULT_MAX_TOKENS + max(budget, 0)
