"""Perplexity: OpenAI's chat wire format (its row in ``compatible``), except for the end of a stream.

Perplexity's streams never send ``data: [DONE]`` (perplexityai/api-discussion#209, open): passed
through untouched, every answer would look cut short and end with the gateway's error event. So
chat has a translation whose only real work is in the stream: each chunk goes on unchanged
(citations, search results and all) and ``DONE`` follows the chunk that carries a
``finish_reason``, as upstream's stream transform does. Requests use the row's whitelist (with
Perplexity's search parameters); a whole answer goes back as it came, re-encoded (same JSON,
not the same bytes); errors become the hub envelope.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..transform.end_once import EndOnceMapper
from ..transform.events import DONE, Event, MapContext
from ..transform.json_values import compact
from ..transform.params import Options, map_params
from . import compatible
from .base import Translation

SLUG = "perplexity-ai"
_ROW = compatible.build(SLUG)
_CHAT_PARAMS = _ROW.params[compatible.CHAT]


def chat_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    return map_params(_CHAT_PARAMS, params, options)


def chat_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    """Perplexity's answer is already a ``chat.completion`` (plus ``citations``, ``search_results``)."""
    return dict(body) if isinstance(body, Mapping) else {}


def _envelope(message: str, error: Mapping[str, Any]) -> dict[str, Any]:
    detail = {"message": f"{SLUG} error: {message}", "type": error.get("type"), "param": error.get("param"),
              "code": error.get("code")}
    return {"error": detail, "provider": SLUG}


def error_response(status: int, data: Any, text: str, ctx: MapContext) -> dict[str, Any]:
    """``{"error": {message, type, code}}`` -> the hub envelope; anything else is quoted as it came."""
    error = data.get("error") if isinstance(data, Mapping) else None
    if isinstance(error, Mapping):
        message = error.get("message")
        return _envelope(message if isinstance(message, str) else compact(error), error)
    if isinstance(error, str):
        return _envelope(error, {})
    return _envelope(text, {})


def _finished(data: Mapping[str, Any]) -> bool:
    choices = data.get("choices")
    return isinstance(choices, list) and any(isinstance(c, Mapping) and c.get("finish_reason") for c in choices)


class ChatStream(EndOnceMapper):
    """Perplexity chunks pass unchanged; ``DONE`` follows the first chunk with a finish_reason (or a
    ``[DONE]`` Perplexity may send one day). An in-band ``{"error": ...}`` ends the stream as an error."""

    __slots__ = ()

    def __init__(self, ctx: MapContext) -> None:
        super().__init__()

    def map_event(self, event: Event) -> list[Event]:
        data = event.data
        if not isinstance(data, dict):
            return []
        if "error" in data and "choices" not in data:
            return self.ended(Event({"error": error_response(0, data, compact(data), MapContext(SLUG))["error"]},
                                    "error"))
        if _finished(data):
            return self.ended(Event(data), Event(DONE))
        return [Event(data)]


CHAT = Translation(request=chat_request, response=chat_response, error=error_response, stream=ChatStream)
PROVIDER = replace(_ROW, translations={compatible.CHAT: CHAT})
