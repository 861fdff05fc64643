"""Gemini's ``usageMetadata`` as OpenAI's usage."""

from __future__ import annotations

from typing import Any

from ...transform.json_values import as_int, obj


def _audio(details: Any) -> int:
    items = details if isinstance(details, list) else []
    return sum(as_int(obj(d).get("tokenCount")) for d in items if obj(d).get("modality") == "AUDIO")


def openai_usage(metadata: Any) -> dict[str, Any]:
    """Thoughts are output the client pays for, so they count in ``completion_tokens`` (and as
    ``reasoning_tokens``); tool-use prompt tokens (search results...) count as prompt. Gemini's
    ``promptTokenCount`` already includes cached tokens, as OpenAI's ``prompt_tokens`` does."""
    u = obj(metadata)
    prompt = as_int(u.get("promptTokenCount")) + as_int(u.get("toolUsePromptTokenCount"))
    thoughts = as_int(u.get("thoughtsTokenCount"))
    completion = as_int(u.get("candidatesTokenCount")) + thoughts
    total = as_int(u.get("totalTokenCount")) or prompt + completion
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": total,
            "prompt_tokens_details": {"cached_tokens": as_int(u.get("cachedContentTokenCount")),
                                      "audio_tokens": _audio(u.get("promptTokensDetails"))},
            "completion_tokens_details": {"reasoning_tokens": thoughts,
                                          "audio_tokens": _audio(u.get("candidatesTokensDetails"))}}
