"""OpenAI content parts (text, images, audio, files) as Gemini ``parts``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import obj

_MIME_BY_EXTENSION = {
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp",
    "heic": "image/heic", "heif": "image/heif", "bmp": "image/bmp", "tif": "image/tiff", "tiff": "image/tiff",
    "pdf": "application/pdf", "txt": "text/plain", "md": "text/md", "csv": "text/csv", "html": "text/html",
    "htm": "text/html", "xml": "text/xml", "json": "application/json", "rtf": "text/rtf",
    "js": "text/javascript", "py": "text/x-python", "css": "text/css",
    "mp3": "audio/mp3", "mpga": "audio/mpeg", "mpeg": "video/mpeg", "wav": "audio/wav", "flac": "audio/flac",
    "aac": "audio/aac", "ogg": "audio/ogg", "oga": "audio/ogg", "opus": "audio/ogg", "m4a": "audio/m4a",
    "aiff": "audio/aiff", "aif": "audio/aiff", "pcm": "audio/pcm",
    "mp4": "video/mp4", "mpg": "video/mpeg", "mov": "video/mov", "avi": "video/avi", "flv": "video/x-flv",
    "webm": "video/webm", "wmv": "video/wmv", "3gp": "video/3gpp", "3gpp": "video/3gpp", "mkv": "video/x-matroska",
}
"""The file types Gemini documents as inputs. A fixed table, not ``mimetypes``: that one reads the
host's ``/etc/mime.types`` and so answers differently per machine (and in a Worker)."""

_AUDIO_FORMATS = {"mp3": "audio/mp3", "wav": "audio/wav", "flac": "audio/flac", "aac": "audio/aac",
                  "ogg": "audio/ogg", "opus": "audio/ogg", "m4a": "audio/m4a", "pcm16": "audio/pcm",
                  "webm": "audio/webm", "mpeg": "audio/mpeg", "mpga": "audio/mpeg", "mp4": "audio/mp4"}
_REMOTE = ("https://", "http://", "gs://")


def guess_mime(uri: str) -> str | None:
    """The MIME type from a URI's file extension (query and fragment ignored), None when unknown."""
    path = uri.split("#", 1)[0].split("?", 1)[0]
    name = path.rsplit("/", 1)[-1]
    return _MIME_BY_EXTENSION.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None


def _data_uri(uri: str) -> dict[str, Any] | None:
    """``data:<mime>;base64,<data>`` -> ``inlineData``; a data URI that is not base64 is skipped
    (Gemini takes base64 only)."""
    head, sep, data = uri.partition(",")
    if not sep or not head.endswith(";base64"):
        return None
    mime = head[len("data:"):-len(";base64")].split(";", 1)[0] or "application/octet-stream"
    return {"inlineData": {"mimeType": mime, "data": data}}


def media_part(uri: Any, mime: Any = None) -> dict[str, Any] | None:
    """A data URI -> ``inlineData``; an http(s) or ``gs://`` URI -> ``fileData`` (mime type as given,
    else guessed from the extension, else left to Gemini, which knows its own Files API URIs);
    anything else is taken as bare base64 JPEG, as upstream does for old clients."""
    if not isinstance(uri, str) or not uri:
        return None
    if uri.startswith("data:"):
        return _data_uri(uri)
    if uri.startswith(_REMOTE):
        file: dict[str, Any] = {"fileUri": uri}
        mime_type = mime if isinstance(mime, str) and mime else guess_mime(uri)
        if mime_type:
            file = {"mimeType": mime_type, **file}
        return {"fileData": file}
    return {"inlineData": {"mimeType": mime if isinstance(mime, str) and mime else "image/jpeg", "data": uri}}


def _audio(audio: Mapping[str, Any]) -> dict[str, Any] | None:
    data, fmt = audio.get("data"), audio.get("format")
    if not isinstance(data, str) or not data:
        return None
    mime = _AUDIO_FORMATS.get(fmt, f"audio/{fmt}") if isinstance(fmt, str) and fmt else "audio/wav"
    return {"inlineData": {"mimeType": mime, "data": data}}


def _file(file: Mapping[str, Any]) -> dict[str, Any] | None:
    """OpenAI's ``file`` part: inline ``file_data`` (a data URI) or a URI in ``file_id``/``file_url``
    (a Gemini Files API URI, or a ``gs://``/https document)."""
    mime = file.get("mime_type") or file.get("format")
    for key in ("file_data", "file_url", "file_id"):
        part = media_part(file.get(key), mime)
        if part is not None:
            return part
    return None


def part(item: Any) -> dict[str, Any] | None:
    """One OpenAI content part -> one Gemini part; empty text (Gemini rejects it) and unknown part
    types are skipped."""
    if not isinstance(item, Mapping):
        return None
    kind = item.get("type")
    if kind == "text":
        text = item.get("text")
        return {"text": text} if isinstance(text, str) and text else None
    if kind == "image_url":
        image = item.get("image_url")
        image = image if isinstance(image, Mapping) else {"url": image}
        return media_part(image.get("url"), image.get("mime_type"))
    if kind == "input_audio":
        return _audio(obj(item.get("input_audio")))
    if kind == "file":
        return _file(obj(item.get("file")))
    return None


def content_parts(content: Any) -> list[dict[str, Any]]:
    """A message's ``content`` (a string or a list of parts) as Gemini parts."""
    if isinstance(content, str):
        return [{"text": content}] if content else []
    if isinstance(content, list):
        return [p for p in map(part, content) if p is not None]
    return []


def text_of(content: Any) -> str:
    """The text of a ``content`` that may be a string or a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p["text"] for p in content
                       if isinstance(p, Mapping) and p.get("type") == "text" and isinstance(p.get("text"), str))
    return ""
