"""A token estimate for ``/v1/messages/count_tokens`` on providers that cannot count."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any

from ...transform.json_values import as_dict, as_text, dicts

# Token estimate (count_tokens without a counting API): ~4 characters a token, plus fixed costs.
_CHARS_PER_TOKEN = 4
_MESSAGE_TOKENS = 4  # role and turn markers, as OpenAI's and Anthropic's chat templates add
_IMAGE_TOKENS = 1600  # Anthropic's documented cost of a full-size image (~1.15 megapixels / 750)
_PAGE_TOKENS = 2250  # Anthropic documents 1,500-3,000 tokens for a PDF page (text + page image)
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def estimate(body: Mapping[str, Any]) -> int:
    """An estimate, not a count, for ``/v1/messages/count_tokens`` on providers that cannot
    count: about four characters a token over the system prompt, message content, tool inputs,
    tool results and tool definitions, plus a few tokens a message and fixed costs for images
    and PDF pages. Good enough for a client's context-window bookkeeping; at least 1."""
    chars, tokens = _content_cost(body.get("system"))
    for message in dicts(body.get("messages")):
        message_chars, message_tokens = _content_cost(message.get("content"))
        chars += message_chars
        tokens += message_tokens + _MESSAGE_TOKENS
    tools = dicts(body.get("tools"))
    if tools:
        chars += len(json.dumps(tools, ensure_ascii=False))
    return max(1, chars // _CHARS_PER_TOKEN + tokens)


def _content_cost(content: Any) -> tuple[int, int]:
    """(characters, fixed tokens) of a string or of content blocks."""
    if isinstance(content, str):
        return len(content), 0
    chars = tokens = 0
    for block in dicts(content):
        block_chars, block_tokens = _block_cost(block)
        chars += block_chars
        tokens += block_tokens
    return chars, tokens


def _block_cost(block: dict[str, Any]) -> tuple[int, int]:
    kind = block.get("type")
    if kind == "text":
        return len(as_text(block.get("text"))), 0
    if kind == "image":
        return 0, _IMAGE_TOKENS
    if kind == "document":
        return _document_cost(as_dict(block.get("source")))
    if kind == "tool_use":
        return len(as_text(block.get("name"))) + len(json.dumps(block.get("input"), ensure_ascii=False)), 0
    if kind == "tool_result":
        return _content_cost(block.get("content"))
    if kind in ("thinking", "redacted_thinking"):
        return 0, 0  # not sent on (and Anthropic does not count earlier turns' thinking either)
    return len(json.dumps(block, ensure_ascii=False)), 0


def _document_cost(source: dict[str, Any]) -> tuple[int, int]:
    if source.get("type") == "text":
        return len(as_text(source.get("data"))), 0
    if source.get("type") == "content":
        return _content_cost(source.get("content"))
    if source.get("type") == "base64":
        return 0, _PAGE_TOKENS * _pdf_pages(source.get("data"))
    return 0, _PAGE_TOKENS  # a URL or file id: its size is unknown here, guess one page


def _pdf_pages(data: Any) -> int:
    """Page objects in the PDF (at least 1: compressed object streams hide them)."""
    try:
        raw = base64.b64decode(as_text(data))
    except (binascii.Error, ValueError):
        return 1
    return max(1, len(_PDF_PAGE.findall(raw)))
