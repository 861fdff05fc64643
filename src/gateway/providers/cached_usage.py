"""OpenAI usage for APIs that count prompt-cache reads and writes apart from the other input tokens
(Anthropic's Messages, Bedrock's Converse): both names differ, the arithmetic is the same."""

from __future__ import annotations

from typing import Any


def usage_with_cache(uncached: int, output: int, read: int, written: int) -> dict[str, Any]:
    """Cache reads and writes are input too, so they count in ``prompt_tokens`` (OpenAI's cached
    tokens are part of it; upstream left them out of it but not out of the total) and the cached
    share is ``prompt_tokens_details.cached_tokens``. The total is prompt + completion, so the three
    numbers always add up; the cache counts also go out under Anthropic's names when there were any."""
    prompt = uncached + read + written
    out: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": output, "total_tokens": prompt + output,
                           "prompt_tokens_details": {"cached_tokens": read}}
    if read or written:
        out["cache_read_input_tokens"] = read
        out["cache_creation_input_tokens"] = written
    return out
