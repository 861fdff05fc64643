"""Reka's chat stream (SSE events ``{id, model, responses: [{chunk, finish_reason}], usage}``) as
``chat.completion.chunk`` events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import DONE, Event, MapContext
from ...transform.json_values import obj
from .api import SLUG
from .chat import openai_tool_calls, openai_usage
from .errors import error_response
from .finish import openai_finish
from .turns import content_text


class ChatStream:
    """State: the answer's id and model, which choices have sent their role, the ids of each
    choice's tool calls already sent (a call goes out whole, once), and how content arrives.

    Reka's docs do not say whether a chunk's ``content`` is the new text or all text so far, so
    the stream tells: when a choice's second piece of text starts with its first, the content is
    cumulative and only its new tail is sent (the length sent is all that is kept, so a long
    answer costs no more per event); otherwise every piece is new text. The event whose responses
    carry a ``finish_reason`` is the last one: it gets the finish chunk, with usage, then ``DONE``."""

    __slots__ = ("_strict", "_created", "_id", "_model", "_started", "_first", "_sent", "_cumulative", "_tools",
                 "_done")

    def __init__(self, ctx: MapContext) -> None:
        self._strict, self._created = ctx.strict, ctx.created
        self._id, self._model = ctx.fallback_id, ctx.model or ""
        self._started: set[int] = set()
        self._first: dict[int, str] = {}
        self._sent: dict[int, int] = {}
        self._cumulative: bool | None = None
        self._tools: dict[int, list[Any]] = {}
        self._done = False

    def feed(self, event: Event) -> list[Event]:
        data = event.data
        if self._done or not isinstance(data, dict):
            return []
        if "responses" not in data and ("detail" in data or "error" in data):
            self._done = True
            return [Event({"error": error_response(0, data, "", MapContext(SLUG))["error"]}, "error")]
        self._id = data.get("id") or self._id
        self._model = data.get("model") or self._model
        out: list[Event] = []
        finishes: list[tuple[int, Any, bool]] = []
        for index, item in enumerate(r for r in data.get("responses") or [] if isinstance(r, Mapping)):
            out += self._deltas(index, obj(item.get("chunk")))
            if item.get("finish_reason"):
                finishes.append((index, item["finish_reason"], bool(self._tools.get(index))))
        if finishes:
            self._done = True
            out += [self._finish(index, reason, calls, data.get("usage")) for index, reason, calls in finishes]
            out.append(Event(DONE))
        return out

    def end(self) -> list[Event]:
        return []

    def _chunk(self, index: int, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        choice = {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {"id": self._id, "object": "chat.completion.chunk", "created": self._created, "model": self._model,
                "provider": SLUG, "choices": [choice]}

    def _new_text(self, index: int, content: Any) -> str:
        text = content_text(content)
        if not text:
            return ""
        if self._cumulative is None:
            first = self._first.get(index)
            if first is None:
                self._first[index], self._sent[index] = text, len(text)
                return text
            self._cumulative = text.startswith(first)
        if not self._cumulative:
            return text
        sent = self._sent.get(index, 0)
        self._sent[index] = max(sent, len(text))
        return text[sent:]

    def _deltas(self, index: int, chunk: Mapping[str, Any]) -> list[Event]:
        first = index not in self._started
        self._started.add(index)
        text = self._new_text(index, chunk.get("content"))
        out: list[Event] = []
        if text or first:
            delta: dict[str, Any] = {"role": "assistant", "content": text} if first else {"content": text}
            out.append(Event(self._chunk(index, delta)))
        seen = self._tools.setdefault(index, [])
        for call in openai_tool_calls(chunk.get("tool_calls")):
            if call["id"] in seen:  # repeated by a cumulative chunk
                continue
            seen.append(call["id"])
            out.append(Event(self._chunk(index, {"tool_calls": [{"index": len(seen) - 1, **call}]})))
        return out

    def _finish(self, index: int, reason: Any, calls: bool, usage: Any) -> Event:
        chunk = self._chunk(index, {}, openai_finish(reason, calls, self._strict))
        if usage is not None:
            chunk["usage"] = openai_usage(usage)
        return Event(chunk)
