"""Cohere v2 chat SSE events as ``chat.completion.chunk`` events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import DONE, Event, MapContext
from ...transform.json_values import obj
from .api import SLUG
from .errors import error_event
from .finish import openai_finish, stream_failure
from .message import delta_message
from .usage import openai_usage


class ChatStream:
    """Cohere's events (``message-start``, ``content-*``, ``tool-plan-delta``, ``tool-call-*``,
    ``citation-*``, ``message-end``) -> ``chat.completion.chunk`` events, then ``DONE`` after
    ``message-end`` (Cohere's own trailing ``[DONE]``, when sent, adds nothing).

    State: the generation id from ``message-start`` (every chunk repeats it) and Cohere's tool-call
    index -> OpenAI's (tool calls count from 0 whatever else the answer holds)."""

    __slots__ = ("_strict", "_created", "_id", "_model", "_tools", "_done")

    def __init__(self, ctx: MapContext) -> None:
        self._strict, self._created = ctx.strict, ctx.created
        self._id, self._model = ctx.fallback_id, ctx.model or ""
        self._tools: dict[Any, int] = {}
        self._done = False

    def feed(self, event: Event) -> list[Event]:
        data = event.data
        if self._done or not isinstance(data, dict):
            return []
        kind = data.get("type") or event.name
        if kind == "content-delta" or kind == "content-start":
            return self._content(data)
        if kind == "tool-call-delta":
            return self._tool_delta(data)
        if kind == "tool-plan-delta" or kind == "citation-start":
            return self._extra(data, kind)
        if kind == "tool-call-start":
            return self._tool_start(data)
        if kind == "message-start":
            self._id = data.get("id") or self._id
            return [Event(self._chunk({"role": "assistant", "content": ""}))]
        failure = stream_failure(data, kind)
        if failure is not None:
            self._done = True
            return [error_event(failure)]
        if kind == "message-end":
            return self._end(obj(data.get("delta")))
        return []  # content-end, tool-call-end, citation-end, debug

    def end(self) -> list[Event]:
        return []

    def _chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        """One ``chat.completion.chunk``; built inline because it runs once per token event."""
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return {"id": self._id, "object": "chat.completion.chunk", "created": self._created,
                "model": self._model, "provider": SLUG, "choices": [choice]}

    def _content(self, data: Mapping[str, Any]) -> list[Event]:
        """Text -> ``content``; thinking -> ``reasoning_content``, for non-strict clients only.
        The hot path of every stream: direct lookups, with the tolerant reading only for odd events."""
        try:
            content = data["delta"]["message"]["content"]
            text = content.get("text")
        except (KeyError, TypeError, AttributeError):
            content = obj(delta_message(data).get("content"))
            text = content.get("text")
        if isinstance(text, str) and text:
            return [Event(self._chunk({"content": text}))]
        thought = content.get("thinking")
        if not self._strict and isinstance(thought, str) and thought:
            return [Event(self._chunk({"reasoning_content": thought}))]
        return []

    def _extra(self, data: Mapping[str, Any], kind: str) -> list[Event]:
        """``tool_plan`` fragments and citations have no OpenAI field: non-strict clients only."""
        if self._strict:
            return []
        message = delta_message(data)
        if kind == "tool-plan-delta":
            plan = message.get("tool_plan")
            return [Event(self._chunk({"tool_plan": plan}))] if isinstance(plan, str) and plan else []
        citation = message.get("citations")
        return [Event(self._chunk({"citations": [citation]}))] if isinstance(citation, Mapping) else []

    def _tool_start(self, data: Mapping[str, Any]) -> list[Event]:
        """A new OpenAI tool call: its index, id, name and any arguments the start already carries."""
        call = delta_message(data).get("tool_calls")
        if isinstance(call, list):  # the schema says one object; tolerate a one-item list
            call = call[0] if call else None
        if not isinstance(call, Mapping):
            return []
        fn = obj(call.get("function"))
        k = self._tools[data.get("index")] = len(self._tools)
        arguments = fn.get("arguments") if isinstance(fn.get("arguments"), str) else ""
        entry = {"index": k, "id": call.get("id"), "type": "function",
                 "function": {"name": fn.get("name"), "arguments": arguments}}
        return [Event(self._chunk({"tool_calls": [entry]}))]

    def _tool_delta(self, data: Mapping[str, Any]) -> list[Event]:
        index = data.get("index")
        if index not in self._tools:
            return []
        fragment = obj(obj(delta_message(data).get("tool_calls")).get("function")).get("arguments")
        if not isinstance(fragment, str) or not fragment:
            return []
        call = {"index": self._tools[index], "function": {"arguments": fragment}}
        return [Event(self._chunk({"tool_calls": [call]}))]

    def _end(self, delta: Mapping[str, Any]) -> list[Event]:
        """The final chunk (finish_reason and usage), then ``DONE``: the answer is complete."""
        self._done = True
        chunk = self._chunk({}, openai_finish(delta.get("finish_reason"), self._strict))
        chunk["usage"] = openai_usage(delta.get("usage"))
        return [Event(chunk), Event(DONE)]
