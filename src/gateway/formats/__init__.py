"""Client formats: what a client speaks on a route, translated to and from the hub once.

OpenAI chat is the hub, so ``/v1/chat/completions`` needs no client format. A route whose
format differs (Anthropic Messages on ``/v1/messages``) declares one here; a provider that has
no native endpoint for that route is then reached through its hub endpoint (``hub_fn``), so
every chat provider serves ``/v1/messages`` without code of its own.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..transform.events import MapContext, StreamMapper


@dataclass(frozen=True)
class ClientFormat:
    """Pure mappers between one client format and the hub.

    ``request``: the client's body -> hub params (``model``, ``messages``, ``tools`` ...).
    ``response``: the hub's 2xx JSON -> the client's JSON.
    ``error``: (status, the hub error envelope) -> the client's error body.
    ``stream``: a fresh mapper per stream, hub events -> client events; a hub error event becomes
    the client's error event.
    ``framing``: how the core writes client events: ``named-sse`` (``event:`` + ``data:``).
    ``estimate``: for ``count_fn`` on providers without it: the client's body -> a token estimate."""

    hub_fn: str
    request: Callable[[Mapping[str, Any], MapContext], dict[str, Any]]
    response: Callable[[Mapping[str, Any], MapContext], dict[str, Any]]
    error: Callable[[int, Mapping[str, Any]], dict[str, Any]]
    stream: Callable[[MapContext], StreamMapper]
    framing: str = "named-sse"
    count_fn: str | None = None
    estimate: Callable[[Mapping[str, Any]], int] | None = None


_MODULES = {"messages": "messages", "messagesCountTokens": "messages"}


@cache
def client_format(fn: str) -> ClientFormat | None:
    """The client format of a route's endpoint, or None when the route speaks the hub's."""
    module = _MODULES.get(fn)
    if module is None:
        return None
    return importlib.import_module(f"{__name__}.{module}").FORMAT  # type: ignore[no-any-return]
