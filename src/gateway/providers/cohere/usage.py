"""Cohere's token usage as OpenAI's."""

from __future__ import annotations

from typing import Any

from ...transform.json_values import is_int, obj


def _count(value: Any) -> int:
    """A token count; Cohere's schema types ``cached_tokens`` as a number, so floats are taken."""
    if is_int(value):
        return int(value)
    return int(value) if isinstance(value, float) and value >= 0 else 0


def openai_usage(usage: Any) -> dict[str, Any]:
    """OpenAI usage from Cohere's ``{tokens, billed_units, cached_tokens}``. ``tokens`` counts what
    the model saw (cache hits included), so it is preferred; without it, billed units plus the
    cache hits (which are not billed) stand in. ``cached_tokens`` becomes OpenAI's
    ``prompt_tokens_details.cached_tokens``."""
    u = obj(usage)
    tokens, billed = obj(u.get("tokens")), obj(u.get("billed_units"))
    cached = _count(u.get("cached_tokens"))
    if is_int(tokens.get("input_tokens")):
        prompt = int(tokens["input_tokens"])
    else:
        prompt = _count(billed.get("input_tokens")) + cached
    source = tokens if is_int(tokens.get("output_tokens")) else billed
    completion = _count(source.get("output_tokens"))
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": cached}}
