"""Open models on Vertex AI (Llama, Qwen, DeepSeek ... on the shared ``endpoints/openapi``
endpoint, a dedicated endpoint, Mistral through ``rawPredict``): OpenAI chat bodies both ways.

Only the model name changes on the way out (``meta.llama-x`` -> ``meta/llama-x``, as upstream
does); answers and chunks pass unchanged but for ``provider``. It is still a Translation, not a
passthrough, because the same Vertex endpoint (chat) speaks Gemini or Claude for other models."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import DONE, Event, MapContext, StreamMapper
from ...transform.json_values import compact
from ...transform.params import Options, map_params
from .. import openai
from ..base import Translation
from ..hub_error import invalid_response
from .errors import error_response
from .models import route


def chat_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    """OpenAI's chat whitelist (unknown keys dropped, values clamped), the model as Vertex names it."""
    body = map_params(openai.CHAT, params, options)
    body["model"] = route(params.get("model")).model
    return body


def chat_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("choices"), list):
        return invalid_response(ctx.provider, body)
    return {**body, "provider": ctx.provider}


class ChatStream:
    """``chat.completion.chunk`` events stay as they are (plus ``provider``); ``[DONE]`` ends the
    stream, an in-band ``{"error": ...}`` event becomes the hub's error event."""

    __slots__ = ("_slug",)

    def __init__(self, ctx: MapContext) -> None:
        self._slug = ctx.provider

    def feed(self, event: Event) -> list[Event]:
        data = event.data
        if data == DONE:
            return [Event(DONE)]
        if not isinstance(data, dict):
            return []
        if "error" in data and "choices" not in data:
            ctx = MapContext(provider=self._slug)
            return [Event({"error": error_response(500, data, compact(data), ctx)["error"]}, "error")]
        data["provider"] = self._slug
        return [Event(data)]

    def end(self) -> list[Event]:
        return []


def _stream(ctx: MapContext) -> StreamMapper:
    return ChatStream(ctx)


CHAT = Translation(request=chat_request, response=chat_response, error=error_response, stream=_stream)
