"""OpenAI message content (a string or parts) as Converse content blocks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import GatewayError
from . import media


def cache_point() -> dict[str, Any]:
    """Converse's prompt-cache marker: a block of its own after the content it closes, which is
    how an OpenAI part's (Anthropic-style) ``cache_control`` maps."""
    return {"cachePoint": {"type": "default"}}


def text_block(text: Any) -> dict[str, Any] | None:
    """Converse refuses blank text ("The text field ... is blank"), so blank text is dropped."""
    return {"text": text} if isinstance(text, str) and text.strip() else None


def _part(part: Mapping[str, Any]) -> dict[str, Any] | None:
    kind = part.get("type")
    if kind == "text":
        return text_block(part.get("text"))
    if kind == "image_url":
        return media.image(part.get("image_url"))
    if kind == "file":
        return media.file(part.get("file"))
    if kind == "input_audio":
        raise GatewayError("bedrock: Converse takes no audio input", 400, exception=False)
    return None  # refusal and unknown parts carry nothing Converse can take


def blocks(content: Any) -> list[dict[str, Any]]:
    """A string or a list of parts -> blocks, each part's ``cache_control`` as a cache point."""
    if isinstance(content, str):
        block = text_block(content)
        return [block] if block else []
    out: list[dict[str, Any]] = []
    for part in content if isinstance(content, list) else []:
        if not isinstance(part, Mapping):
            continue
        block = _part(part)
        if block is not None:
            out.append(block)
            if part.get("cache_control") is not None:
                out.append(cache_point())
    return out
