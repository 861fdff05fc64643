"""How hook outcomes reach the client (reference §6.2): 446 ``hooks_failed`` with ``hook_results``
when a ``deny`` hook failed, ``hook_results`` added to the answer otherwise (246 when a check
failed), and, on streams, events in the client's own framing.

Deliberate differences: on ``/v1/messages`` the 446 body is Anthropic's error shape (the route's
other errors are too); a stream ends with a ``hook_results`` event carrying both lists (upstream
never judges a stream's text), or with a ``hooks_failed`` error event instead of its terminator
when an output guardrail with ``deny`` fails (the text has gone out; the client learns it failed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import jsoncodec
from ..errors import openai_error
from ..formats import client_format
from ..transform.events import Event
from ..transform.framing import ENCODERS

MESSAGE = ("The guardrail checks defined in the config failed. You can find more information in the "
           "`hook_results` object.")


def results(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> dict[str, Any]:
    return {"before_request_hooks": before, "after_request_hooks": after}


def _error(fn: str, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> dict[str, Any]:
    if fn == "messages":
        return {"type": "error", "error": {"type": "hooks_failed", "message": MESSAGE},
                "hook_results": results(before, after)}
    return {**openai_error(MESSAGE, "hooks_failed"), "hook_results": results(before, after)}


def denied_body(fn: str, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> bytes:
    return jsoncodec.dumps(_error(fn, before, after))


def with_results(answer: Mapping[str, Any], before: list[dict[str, Any]], after: list[dict[str, Any]]) -> bytes:
    return jsoncodec.dumps({**answer, "hook_results": results(before, after)})


def _sse(fn: str, name: str, data: Mapping[str, Any]) -> bytes:
    """One event in the route's framing (the core's encoders: named events on Messages routes)."""
    fmt = client_format(fn)
    return ENCODERS[fmt.framing if fmt is not None else "openai-sse"](Event(dict(data), name))


def stream_first(fn: str, before: list[dict[str, Any]]) -> bytes:
    """Upstream's first event when strict OpenAI compliance is off: the input guardrails' results."""
    payload: dict[str, Any] = {"hook_results": {"before_request_hooks": before}}
    if fn == "messages":
        payload = {"type": "hook_results", **payload}
    return _sse(fn, "hook_results", payload)


def stream_verdict(fn: str, before: list[dict[str, Any]], after: list[dict[str, Any]],
                   top: Mapping[str, Any]) -> bytes:
    """The event that carries every hook result just before the stream's terminator. On OpenAI
    routes it is a chunk with no choices (like the usage chunk), which SDKs pass through."""
    if fn == "messages":
        return _sse(fn, "hook_results", {"type": "hook_results", "hook_results": results(before, after)})
    kind = "text_completion" if fn == "complete" else "chat.completion.chunk"
    chunk: dict[str, Any] = {"id": top.get("id"), "object": kind, "created": top.get("created"),
                             "model": top.get("model"), "choices": [], "hook_results": results(before, after)}
    return _sse(fn, "hook_results", chunk)


def stream_denied(fn: str, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> bytes:
    return _sse(fn, "error", _error(fn, before, after))
