"""What one realtime session did, for the logs: frames, bytes and closes each way, and how long.

Counts only: payloads are never parsed or logged (audio is large, and events carry user content)."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Direction:
    """One direction of the relay."""

    messages: int = 0
    binary: int = 0
    bytes: int = 0

    def count(self, message: str | builtins.bytes) -> None:
        self.messages += 1
        if isinstance(message, builtins.bytes):
            self.binary += 1
            self.bytes += len(message)
        else:
            self.bytes += len(message)  # characters: exact for the ASCII JSON events, cheap for the rest

    def text(self) -> str:
        return f"{self.messages} frames ({self.binary} binary), {self.bytes} bytes"


@dataclass
class Summary:
    provider: str
    upstream: str
    """The upstream URL without its query (which may carry deployment names but never keys)."""
    client_to_upstream: Direction = field(default_factory=Direction)
    upstream_to_client: Direction = field(default_factory=Direction)
    duration: float = 0.0
    ended_by: str = ""
    """``client``, ``upstream``, ``idle`` or ``cancelled``: who ended the session."""
    client_close: tuple[int, str] | None = None
    """The close the client sent (or 1006 when it vanished), as received."""
    upstream_close: tuple[int, str] | None = None
    """The close the upstream sent, as received."""

    def line(self) -> str:
        return (f"realtime session {self.provider} {self.upstream}: {self.duration:.1f} s, ended by {self.ended_by}; "
                f"client->upstream {self.client_to_upstream.text()}; "
                f"upstream->client {self.upstream_to_client.text()}; "
                f"closes client={_close(self.client_close)} upstream={_close(self.upstream_close)}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider, "upstream": self.upstream, "duration": round(self.duration, 3),
            "ended_by": self.ended_by, "client_close": self.client_close, "upstream_close": self.upstream_close,
            "client_to_upstream": vars(self.client_to_upstream), "upstream_to_client": vars(self.upstream_to_client),
        }


def _close(close: tuple[int, str] | None) -> str:
    if close is None:
        return "-"
    code, reason = close
    return f"{code} {reason!r}" if reason else str(code)
