"""Close codes across the bridge: each side's close reaches the other with its code and reason,
except the codes a close frame may not carry (RFC 6455 §7.4), which become the nearest code the
other side may legally send."""

from __future__ import annotations

from ..ports import WebSocketClosed

NO_STATUS = 1005
"""The peer's close frame had no code: passed on as a plain normal closure (1000)."""
ABNORMAL = (1006, 1015)
"""The peer vanished (no close frame) or its TLS failed: never sendable."""
MAX_REASON_BYTES = 123
"""A close frame's payload is at most 125 bytes, two of which are the code."""


def sendable(code: int) -> bool:
    """The codes an endpoint may put in a close frame (what ``websockets`` and workerd accept)."""
    return 1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999


def trim_reason(reason: str) -> str:
    """At most 123 bytes of UTF-8, cut on a character boundary."""
    data = reason.encode("utf-8")
    if len(data) <= MAX_REASON_BYTES:
        return reason
    return data[:MAX_REASON_BYTES].decode("utf-8", "ignore")


def passed_on(close: WebSocketClosed, *, from_upstream: bool) -> tuple[int, str]:
    """(code, reason) to send to the other side when one side closed with ``close``.

    A vanished upstream tells the client 1011 (the session failed on the server's side); a
    vanished client tells the upstream 1001 (going away), so the provider ends the session."""
    if close.code == NO_STATUS:
        return 1000, trim_reason(close.reason)
    if sendable(close.code):
        return close.code, trim_reason(close.reason)
    if from_upstream:
        return 1011, trim_reason(close.reason or "the upstream connection was lost")
    return 1001, trim_reason(close.reason or "the client went away")
