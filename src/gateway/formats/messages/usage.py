"""Chat's token usage as Anthropic's."""

from __future__ import annotations

from typing import Any

from ...transform.json_values import as_dict, as_int


def anthropic_usage(usage: Any) -> dict[str, int]:
    """Anthropic counts cached input apart from ``input_tokens``; chat counts it inside
    ``prompt_tokens`` (``prompt_cache_hit_tokens`` is DeepSeek's older name for it)."""
    usage = as_dict(usage)
    cached = as_int(as_dict(usage.get("prompt_tokens_details")).get("cached_tokens"))
    cached = cached or as_int(usage.get("prompt_cache_hit_tokens"))
    return {"input_tokens": max(as_int(usage.get("prompt_tokens")) - cached, 0),
            "output_tokens": as_int(usage.get("completion_tokens")),
            "cache_creation_input_tokens": as_int(usage.get("cache_creation_input_tokens")),
            "cache_read_input_tokens": cached}
