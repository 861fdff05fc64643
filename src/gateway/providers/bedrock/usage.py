"""Converse's token usage as OpenAI's."""

from __future__ import annotations

from typing import Any

from ...transform.json_values import as_int, obj


def openai_usage(usage: Any) -> dict[str, Any]:
    """Cache reads and writes are input too, so they count in ``prompt_tokens`` (OpenAI's cached
    tokens are part of it) and the cached share is ``prompt_tokens_details.cached_tokens``. The
    total is prompt + completion, so the three numbers always add up."""
    u = obj(usage)
    read, made = as_int(u.get("cacheReadInputTokens")), as_int(u.get("cacheWriteInputTokens"))
    prompt = as_int(u.get("inputTokens")) + read + made
    completion = as_int(u.get("outputTokens"))
    out: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": completion,
                           "total_tokens": prompt + completion, "prompt_tokens_details": {"cached_tokens": read}}
    if read or made:
        out["cache_read_input_tokens"] = read
        out["cache_creation_input_tokens"] = made
    return out
