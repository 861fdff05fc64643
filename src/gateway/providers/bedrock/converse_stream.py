"""ConverseStream events (decoded from AWS's event-stream by the core) as chat.completion.chunk
events.

Where the answer is known to be complete: ``messageStop`` carries the stop reason and ends the
answer; ``metadata`` follows with the usage. The finish chunk (finish_reason + usage) and ``DONE``
go out on ``metadata``; a stream that ends cleanly after ``messageStop`` without ``metadata``
still finishes (finish chunk without usage, then ``DONE``), since the provider did say the answer
was complete. A stream that ends before ``messageStop`` gets no ``DONE``: the core reports it
as cut short. An ``exception`` frame becomes the hub's error event and ends the stream."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import DONE, Event, MapContext
from ...transform.eventstream import EXCEPTION
from ...transform.json_values import obj
from .api import SLUG
from .errors import hub_error_event
from .finish import openai_finish
from .usage import openai_usage

_REASONING_KEYS = (("text", "thinking"), ("signature", "signature"), ("redactedContent", "data"))


class ConverseStream:
    """State: the stop reason (from ``messageStop``, needed by the finish chunk on ``metadata``)
    and Converse block index -> OpenAI tool-call index (tool calls count from 0 whatever text or
    reasoning blocks come before them)."""

    __slots__ = ("_strict", "_created", "_id", "_model", "_tools", "_stop", "_done")

    def __init__(self, ctx: MapContext) -> None:
        self._strict, self._created = ctx.strict, ctx.created
        self._id, self._model = ctx.fallback_id, ctx.model or ""
        self._tools: dict[Any, int] = {}
        self._stop: str | None = None
        self._done = False

    def feed(self, event: Event) -> list[Event]:
        data = event.data
        if self._done or not isinstance(data, dict):
            return []
        kind = event.name
        if kind == "contentBlockDelta":
            return self._delta(data)
        if kind == "contentBlockStart":
            return self._start(data)
        if kind == "messageStart":
            return [Event(self._chunk({"role": "assistant", "content": ""}))]
        if kind == "messageStop":
            reason = data.get("stopReason")
            self._stop = reason if isinstance(reason, str) else "end_turn"
            return []
        if kind == "metadata":
            return self._finish(data.get("usage")) if self._stop is not None else []
        if kind == EXCEPTION:
            self._done = True
            return [hub_error_event(data)]
        return []  # contentBlockStop, and event types added later

    def end(self) -> list[Event]:
        return self._finish(None) if self._stop is not None and not self._done else []

    def _chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        """One ``chat.completion.chunk``; built inline because it runs once per token event."""
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return {"id": self._id, "object": "chat.completion.chunk", "created": self._created,
                "model": self._model, "provider": SLUG, "choices": [choice]}

    def _start(self, data: Mapping[str, Any]) -> list[Event]:
        """A toolUse block opens an OpenAI tool call (its input arrives in the deltas)."""
        use = obj(obj(data.get("start")).get("toolUse"))
        if not use:
            return []
        k = self._tools[data.get("contentBlockIndex")] = len(self._tools)
        call = {"index": k, "id": use.get("toolUseId"), "type": "function",
                "function": {"name": use.get("name"), "arguments": ""}}
        return [Event(self._chunk({"tool_calls": [call]}))]

    def _delta(self, data: Mapping[str, Any]) -> list[Event]:
        """Text -> ``content``; a toolUse input fragment -> tool-call arguments; reasoning reaches
        only non-strict clients, as a ``content_blocks`` delta (Anthropic's names)."""
        delta = data.get("delta")
        if not isinstance(delta, Mapping):
            return []
        text = delta.get("text")
        if isinstance(text, str):
            out: dict[str, Any] = {"content": text}
            if not self._strict:
                out["content_blocks"] = [{"index": data.get("contentBlockIndex", 0), "delta": {"text": text}}]
            return [Event(self._chunk(out))]
        use = delta.get("toolUse")
        if isinstance(use, Mapping):
            index = self._tools.get(data.get("contentBlockIndex"))
            fragment = use.get("input")
            if index is None or not isinstance(fragment, str) or not fragment:
                return []
            return [Event(self._chunk({"tool_calls": [{"index": index, "function": {"arguments": fragment}}]}))]
        reasoning = delta.get("reasoningContent")
        if self._strict or not isinstance(reasoning, Mapping):
            return []
        block = {name: reasoning[key] for key, name in _REASONING_KEYS if reasoning.get(key) is not None}
        if not block:
            return []
        return [Event(self._chunk({"content_blocks": [{"index": data.get("contentBlockIndex", 0), "delta": block}]}))]

    def _finish(self, usage: Any) -> list[Event]:
        self._done = True
        chunk = self._chunk({}, openai_finish(self._stop, self._strict))
        if usage is not None:
            chunk["usage"] = openai_usage(usage)
        return [Event(chunk), Event(DONE)]
