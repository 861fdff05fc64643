"""Anthropic's token usage as OpenAI's."""

from __future__ import annotations

from typing import Any

from ...transform.json_values import as_int, obj
from ..cached_usage import usage_with_cache


def openai_usage(usage: Any) -> dict[str, Any]:
    """OpenAI usage from Anthropic's (``input_tokens`` excludes the cache's share)."""
    u = obj(usage)
    return usage_with_cache(as_int(u.get("input_tokens")), as_int(u.get("output_tokens")),
                            as_int(u.get("cache_read_input_tokens")), as_int(u.get("cache_creation_input_tokens")))
