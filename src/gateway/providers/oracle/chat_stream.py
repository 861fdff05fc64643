"""OCI's chat stream as ``chat.completion.chunk`` events. Each SSE event is one choice's piece:
``{index, message: {role, content: [{type: TEXT, text}], toolCalls}}``; the last carries
``finishReason`` (and ``usage`` when ``streamOptions.isIncludeUsage`` asked for it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.end_once import EndOnceMapper
from ...transform.events import DONE, Event, MapContext
from ...transform.json_values import obj
from .api import SLUG
from .chat import content_text, openai_tool_calls, openai_usage
from .errors import error_response
from .finish import openai_finish


class ChatStream(EndOnceMapper):
    """State: which choices have sent their role, and each choice's tool-call count (tool calls
    arrive whole, each gets the next OpenAI index)."""

    __slots__ = ("_strict", "_head", "_started", "_tools")

    def __init__(self, ctx: MapContext) -> None:
        super().__init__()
        self._strict = ctx.strict
        self._head = {"id": ctx.fallback_id, "object": "chat.completion.chunk", "created": ctx.created,
                      "model": ctx.model or "", "provider": SLUG}
        self._started: set[int] = set()
        self._tools: dict[int, int] = {}

    def _chunk(self, index: int, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**self._head, "choices": [{"index": index, "delta": delta, "logprobs": None,
                                           "finish_reason": finish}]}

    def map_event(self, event: Event) -> list[Event]:
        data = event.data
        if not isinstance(data, Mapping) or event.name == "ping":
            return []
        if "code" in data and "message" in data and "finishReason" not in data:
            return self.ended(Event({"error": error_response(0, data, "", MapContext(SLUG))["error"]}, "error"))
        raw_index = data.get("index")
        index = raw_index if isinstance(raw_index, int) else 0
        out = self._pieces(index, obj(data.get("message")))
        if data.get("finishReason"):
            chunk = self._chunk(index, {}, openai_finish(data["finishReason"], index in self._tools, self._strict))
            if data.get("usage") is not None:
                chunk["usage"] = openai_usage(data["usage"])
            out += self.ended(Event(chunk), Event(DONE))
        return out

    def _pieces(self, index: int, message: Mapping[str, Any]) -> list[Event]:
        out: list[Event] = []
        text = content_text(message.get("content"))
        if text or index not in self._started:
            delta = {"content": text} if index in self._started else {"role": "assistant", "content": text}
            self._started.add(index)
            out.append(Event(self._chunk(index, delta)))
        for call in openai_tool_calls(message.get("toolCalls")):
            k = self._tools[index] = self._tools.get(index, -1) + 1
            out.append(Event(self._chunk(index, {"tool_calls": [{"index": k, **call}]})))
        return out
