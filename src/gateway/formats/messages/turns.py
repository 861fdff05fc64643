"""Anthropic's system prompt and turns as chat messages."""

from __future__ import annotations

import json
from typing import Any

from ...transform.json_values import as_dict, as_text, dicts

# Separate blocks of a user or system turn are separate paragraphs to the model.
_PARAGRAPH = "\n\n"


def _texts(content: Any) -> list[str]:
    """The text of a string or of content blocks. A non-text block leaves a short placeholder,
    so the model still knows something was there (chat has no place for it)."""
    if isinstance(content, str):
        return [content]
    return [block["text"] if block.get("type") == "text" and isinstance(block.get("text"), str)
            else f"[{block.get('type')} omitted]" for block in dicts(content)]


def system_messages(system: Any) -> list[dict[str, Any]]:
    """Anthropic's top-level system prompt is chat's leading system message."""
    text = _PARAGRAPH.join(_texts(system))
    return [{"role": "system", "content": text}] if text else []


def chat_messages(messages: Any) -> list[dict[str, Any]]:
    """Each Anthropic turn becomes one or more chat messages (tool results become ``tool``
    messages of their own)."""
    out: list[dict[str, Any]] = []
    for message in dicts(messages):
        if message.get("role") == "assistant":
            out += _assistant_messages(message.get("content"))
        elif message.get("role") == "user":
            out += _user_messages(message.get("content"))
    return out


def _user_messages(content: Any) -> list[dict[str, Any]]:
    """Tool results go first: chat wants every ``tool`` message right after the assistant's
    ``tool_calls``, so the rest of the turn follows them as one user message."""
    if isinstance(content, str):
        return [{"role": "user", "content": content}]
    blocks = dicts(content)
    out = [_tool_message(block) for block in blocks if block.get("type") == "tool_result"]
    parts = [part for block in blocks if block.get("type") != "tool_result" for part in _user_parts(block)]
    if parts:
        out.append({"role": "user", "content": _collapse(parts)})
    return out


def _collapse(parts: list[dict[str, Any]]) -> Any:
    """All-text content becomes a plain string: many OpenAI-shaped servers (DeepSeek, several
    Groq and Ollama models) reject a list of parts, and Claude Code always sends lists."""
    if all(part["type"] == "text" for part in parts):
        return _PARAGRAPH.join(part["text"] for part in parts)
    return parts


def _user_parts(block: dict[str, Any]) -> list[dict[str, Any]]:
    """One user block as chat content parts (none when chat has no equivalent)."""
    kind = block.get("type")
    if kind == "text":
        return [{"type": "text", "text": block["text"]}] if isinstance(block.get("text"), str) else []
    if kind == "image":
        return _image_parts(as_dict(block.get("source")))
    if kind == "document":
        return _document_parts(block)
    return []


def _image_parts(source: dict[str, Any]) -> list[dict[str, Any]]:
    """base64 becomes a data URL, a URL stays one; a Files API id means nothing elsewhere."""
    if source.get("type") == "base64":
        url = f"data:{source.get('media_type') or 'image/png'};base64,{as_text(source.get('data'))}"
    elif source.get("type") == "url" and isinstance(source.get("url"), str):
        url = source["url"]
    else:
        return []
    return [{"type": "image_url", "image_url": {"url": url}}]


def _document_parts(block: dict[str, Any]) -> list[dict[str, Any]]:
    """A PDF is chat's ``file`` part; a text document is its text."""
    source = as_dict(block.get("source"))
    kind = source.get("type")
    if kind == "base64":
        data = f"data:{source.get('media_type') or 'application/pdf'};base64,{as_text(source.get('data'))}"
        name = block.get("title") if isinstance(block.get("title"), str) and block["title"] else "document.pdf"
        return [{"type": "file", "file": {"file_data": data, "filename": name}}]
    if kind == "text":
        return [{"type": "text", "text": as_text(source.get("data"))}]
    if kind == "content":
        return [{"type": "text", "text": _PARAGRAPH.join(_texts(source.get("content")))}]
    if kind == "url":
        # Chat's file part takes inline data or an OpenAI file id, never a URL: name the URL instead.
        return [{"type": "text", "text": f"Document: {as_text(source.get('url'))}"}]
    return []


def _tool_message(block: dict[str, Any]) -> dict[str, Any]:
    """A tool result as chat's ``tool`` message, which holds text only."""
    text = _PARAGRAPH.join(_texts(block.get("content")))
    if block.get("is_error") is True:
        text = f"Error: {text}"
    return {"role": "tool", "tool_call_id": block.get("tool_use_id"), "content": text}


def _assistant_messages(content: Any) -> list[dict[str, Any]]:
    """Text blocks are joined with nothing between them: Anthropic splits one answer into
    several text blocks at citation boundaries. Thinking blocks are Claude-signed and dropped."""
    if isinstance(content, str):
        return [{"role": "assistant", "content": content}]
    blocks = dicts(content)
    texts = [block["text"] for block in blocks if block.get("type") == "text" and isinstance(block.get("text"), str)]
    calls = [_tool_call(block) for block in blocks if block.get("type") == "tool_use"]
    if not texts and not calls:
        return []
    message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts else None}
    if calls:
        message["tool_calls"] = calls
    return [message]


def _tool_call(block: dict[str, Any]) -> dict[str, Any]:
    arguments = json.dumps(block.get("input") if block.get("input") is not None else {}, ensure_ascii=False)
    return {"id": block.get("id"), "type": "function", "function": {"name": block.get("name"), "arguments": arguments}}
