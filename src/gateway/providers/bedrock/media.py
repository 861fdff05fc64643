"""OpenAI images and files as Converse media blocks (``image``, ``document``, ``video``).

Converse takes media inline (base64 ``bytes``) or from S3 (``s3Location``); it never fetches a web
URL, so an ``https://`` image is refused with a 400 that says what to send instead, rather than
dropped. A document needs a ``name`` (letters, digits, spaces, ``-()[]``): the client's file name
made safe, else a name derived from the content, so a request maps the same way every time.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from ...errors import GatewayError

IMAGE = {"image/png": "png", "image/jpeg": "jpeg", "image/jpg": "jpeg", "image/gif": "gif", "image/webp": "webp"}
VIDEO = {"video/mp4": "mp4", "video/quicktime": "mov", "video/x-matroska": "mkv", "video/webm": "webm",
         "video/x-flv": "flv", "video/mpeg": "mpeg", "video/x-ms-wmv": "wmv", "video/3gpp": "three_gp"}
DOCUMENT = {"application/pdf": "pdf", "text/csv": "csv", "application/msword": "doc",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
            "application/vnd.ms-excel": "xls",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
            "text/html": "html", "text/plain": "txt", "text/markdown": "md"}
_EXTENSIONS = {"jpg": "image/jpeg", **{fmt: mime for table in (IMAGE, VIDEO, DOCUMENT) for mime, fmt in table.items()}}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9\-()\[\] ]+")


def _bad(message: str) -> GatewayError:
    return GatewayError(f"bedrock: {message}", 400, exception=False)


def _data_uri(uri: str) -> tuple[str, str]:
    """(media type, base64 data) of ``data:<mime>[;...];base64,<data>``."""
    head, comma, data = uri[5:].partition(",")
    if not comma or not data or not head.endswith(";base64"):
        raise _bad("a data URI must be base64 (data:<type>;base64,<data>)")
    return head.split(";", 1)[0].lower(), data


def _name(file_name: Any, data: str) -> str:
    if isinstance(file_name, str):
        name = " ".join(_UNSAFE_NAME.sub("-", file_name).split())[:200]
        if name.strip("-"):
            return name
    return "document-" + hashlib.sha256(data.encode()).hexdigest()[:12]


def block(mime: str, source: dict[str, Any], file_name: Any = None) -> dict[str, Any]:
    """One media block for a media type; a type Converse does not take is a 400."""
    if mime in IMAGE:
        return {"image": {"format": IMAGE[mime], "source": source}}
    if mime in VIDEO:
        return {"video": {"format": VIDEO[mime], "source": source}}
    if mime in DOCUMENT:
        key = source.get("bytes") or str(source.get("s3Location"))
        return {"document": {"format": DOCUMENT[mime], "name": _name(file_name, key), "source": source}}
    raise _bad(f"Converse does not accept {mime or 'this media type'} content")


def _s3(uri: str, mime: Any, file_name: Any) -> dict[str, Any]:
    """An ``s3://bucket/key`` object; its type from ``mime_type`` or the key's extension."""
    if not isinstance(mime, str) or not mime:
        mime = _EXTENSIONS.get(uri.rsplit(".", 1)[-1].lower(), "") if "." in uri.rsplit("/", 1)[-1] else ""
    return block(mime, {"s3Location": {"uri": uri}}, file_name)


def from_url(url: str, mime: Any = None, file_name: Any = None) -> dict[str, Any]:
    """A data URI or an ``s3://`` URI; a web URL is refused (Converse cannot fetch it)."""
    if url.startswith("data:"):
        kind, data = _data_uri(url)
        return block(kind, {"bytes": data}, file_name)
    if url.startswith("s3://"):
        return _s3(url, mime, file_name)
    if url.startswith(("http://", "https://")):
        raise _bad("Converse does not fetch media from a URL; send it inline as a base64 data URI "
                   "(data:image/png;base64,...) or as an s3:// URI")
    raise _bad(f"unsupported media URL {url[:40]!r}")


def image(image_url: Any) -> dict[str, Any]:
    url = image_url.get("url") if isinstance(image_url, Mapping) else image_url
    if not isinstance(url, str) or not url:
        raise _bad("an image_url part needs a url")
    return from_url(url)


def file(spec: Any) -> dict[str, Any]:
    """OpenAI's ``file`` part: ``file_data`` (a data URI, or raw base64 with ``mime_type``, PDF by
    default as upstream assumes) or an ``s3://`` ``file_url``."""
    spec = spec if isinstance(spec, Mapping) else {}
    data, url, mime, name = spec.get("file_data"), spec.get("file_url"), spec.get("mime_type"), spec.get("file_name")
    if isinstance(data, str) and data:
        if data.startswith("data:"):
            return from_url(data, file_name=name)
        return block(mime if isinstance(mime, str) and mime else "application/pdf", {"bytes": data}, name)
    if isinstance(url, str) and url:
        return from_url(url, mime, name)
    raise _bad("a file part needs file_data or an s3:// file_url (Bedrock has no file ids)")
