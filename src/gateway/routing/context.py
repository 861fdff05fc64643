"""The per-request facts every routing step reads, and what a leaf hands back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ..config import HeaderOverrides
from ..http import Body, Headers
from ..observe.trace import Trace


@dataclass
class Call:
    """One client request after validation. ``params`` is the JSON body (``{}`` when the body
    is not JSON); ``raw`` is the untouched body for uploads and passthrough."""

    fn: str
    method: str
    path: str
    query: str
    path_params: dict[str, str]
    body_kind: str
    headers: Headers
    params: dict[str, Any]
    raw: Body | None
    overrides: HeaderOverrides
    metadata: dict[str, Any] = field(default_factory=dict)
    server_held: bool = False
    """Routed with keys the server holds: the client's credentials must never go upstream."""
    trace: Trace | None = None
    """Where features report what they decided (``trace.cache(status)``, ``trace.guardrail(...)``)."""


@dataclass
class Outcome:
    """A response on its way back, with the routing facts the response headers report."""

    status: int
    headers: Headers
    body: bytes | AsyncIterator[bytes]
    provider: str | None = None
    option_path: str = "config"
    retry_count: int = 0
    exception: bool = False
    closer: Callable[[], Awaitable[None]] | None = None
    cache_status: str | None = "DISABLED"
    """``x-portkey-cache-status`` (None: the header is left out, as on an input-guardrail 446)."""

    async def discard(self) -> None:
        """Release an upstream stream we decided not to return (fallback moved on)."""
        if self.closer is not None:
            await self.closer()
            self.closer = None
