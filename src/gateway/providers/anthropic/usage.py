"""Anthropic's token usage as OpenAI's."""

from __future__ import annotations

from typing import Any

from ...transform.json_values import as_int, obj


def openai_usage(usage: Any) -> dict[str, Any]:
    """OpenAI usage from Anthropic's. Cache reads and writes are input too, so they count in
    ``prompt_tokens`` (upstream left them out of it but not out of the total)."""
    u = obj(usage)
    read, made = as_int(u.get("cache_read_input_tokens")), as_int(u.get("cache_creation_input_tokens"))
    prompt = as_int(u.get("input_tokens")) + read + made
    completion = as_int(u.get("output_tokens"))
    out: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": completion,
                           "total_tokens": prompt + completion, "prompt_tokens_details": {"cached_tokens": read}}
    if read or made:
        out["cache_read_input_tokens"] = read
        out["cache_creation_input_tokens"] = made
    return out
