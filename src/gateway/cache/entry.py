"""How an answer is kept in the key-value store: a short header line (format tag, expiry time,
content type) and the body bytes. The expiry travels inside the entry because a store may keep it
longer than asked (Workers KV's shortest TTL is 60 s), and ``max_age`` must still hold."""

from __future__ import annotations

import json
from dataclasses import dataclass

_TAG = b"pkc1 "


@dataclass(frozen=True)
class Entry:
    body: bytes
    content_type: str
    expires_at: float


def encode(entry: Entry) -> bytes:
    head = json.dumps({"e": entry.expires_at, "t": entry.content_type}, separators=(",", ":")).encode()
    return _TAG + head + b"\n" + entry.body


def decode(raw: bytes, now: float) -> Entry | None:
    """The entry, or None when it is not one of ours or has expired."""
    if not raw.startswith(_TAG):
        return None
    head, newline, body = raw[len(_TAG):].partition(b"\n")
    try:
        meta = json.loads(head)
        expires = float(meta["e"])
        content_type = str(meta["t"])
    except (ValueError, KeyError, TypeError):
        return None
    if not newline or expires <= now:
        return None
    return Entry(body, content_type, expires)
