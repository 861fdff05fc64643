"""OpenAI content parts (text, images, files) as Anthropic content blocks."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

_PDF, _TEXT = "application/pdf", "text/plain"


def _data_uri(uri: str) -> tuple[str, str] | None:
    """(media type, base64 data) of a ``data:<mime>[;...];base64,<data>`` URI; None otherwise,
    since Anthropic's sources take base64 only."""
    head, comma, data = uri[5:].partition(",")
    if not comma or not data or not head.endswith(";base64"):
        return None
    return head.split(";", 1)[0], data


def _image(image_url: Any) -> dict[str, Any] | None:
    """OpenAI ``image_url`` -> an image block (a PDF data URI -> a document, as upstream)."""
    url = image_url.get("url") if isinstance(image_url, Mapping) else image_url
    if not isinstance(url, str):
        return None
    if url.startswith(("http://", "https://")):
        return {"type": "image", "source": {"type": "url", "url": url}}
    parsed = _data_uri(url) if url.startswith("data:") else None
    if parsed is None:
        return None
    kind = "document" if parsed[0] == _PDF else "image"
    return {"type": kind, "source": {"type": "base64", "media_type": parsed[0], "data": parsed[1]}}


def _decoded_text(data: str) -> str | None:
    """Base64 text as a string (a text source carries text), or None when it is not valid."""
    try:
        return base64.b64decode(data, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


def _inline_file(data: str, mime: Any) -> dict[str, Any] | None:
    """``file_data``: OpenAI sends a data URI, upstream Portkey's clients raw base64 plus
    ``mime_type`` (PDF by default). Plain text becomes a text source, which takes text, not base64."""
    parsed = _data_uri(data) if data.startswith("data:") else None
    if data.startswith("data:") and parsed is None:
        return None
    media = parsed[0] if parsed else mime if isinstance(mime, str) and mime else _PDF
    payload = parsed[1] if parsed else data
    if media == _TEXT:
        text = _decoded_text(payload) if parsed else payload
        return None if text is None else {"type": "document", "source": {"type": "text", "media_type": _TEXT,
                                                                           "data": text}}
    kind = "image" if media.startswith("image/") else "document"
    return {"type": kind, "source": {"type": "base64", "media_type": media, "data": payload}}


def _file(file: Any) -> dict[str, Any] | None:
    """OpenAI ``file`` part -> a document: by URL, inline data, or an Anthropic Files API id."""
    if not isinstance(file, Mapping):
        return None
    if isinstance(file.get("file_url"), str):
        return {"type": "document", "source": {"type": "url", "url": file["file_url"]}}
    if isinstance(file.get("file_data"), str) and file["file_data"]:
        return _inline_file(file["file_data"], file.get("mime_type"))
    if isinstance(file.get("file_id"), str):
        return {"type": "document", "source": {"type": "file", "file_id": file["file_id"]}}
    return None


def _part(part: Any) -> dict[str, Any] | None:
    """One OpenAI content part -> one Anthropic block, ``cache_control`` kept as given (ttl too).
    Unknown parts (audio, refusal...) and empty text (Anthropic rejects it) are skipped."""
    if not isinstance(part, Mapping):
        return None
    kind = part.get("type")
    block: dict[str, Any] | None = None
    if kind == "text" and isinstance(part.get("text"), str) and part["text"]:
        block = {"type": "text", "text": part["text"]}
    elif kind == "image_url":
        block = _image(part.get("image_url"))
    elif kind == "file":
        block = _file(part.get("file"))
    if block is not None and part.get("cache_control") is not None:
        block["cache_control"] = part["cache_control"]
    return block


def content_blocks(content: Any) -> list[dict[str, Any]]:
    parts = content if isinstance(content, list) else []
    return [block for block in map(_part, parts) if block is not None]
