"""Converse's token usage as OpenAI's."""

from __future__ import annotations

from typing import Any

from ...transform.json_values import as_int, obj
from ..cached_usage import usage_with_cache


def openai_usage(usage: Any) -> dict[str, Any]:
    """OpenAI usage from Converse's (``inputTokens`` excludes the cache's share, as Anthropic's does)."""
    u = obj(usage)
    return usage_with_cache(as_int(u.get("inputTokens")), as_int(u.get("outputTokens")),
                            as_int(u.get("cacheReadInputTokens")), as_int(u.get("cacheWriteInputTokens")))
