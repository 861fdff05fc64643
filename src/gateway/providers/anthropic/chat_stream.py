"""Anthropic Messages SSE events as ``chat.completion.chunk`` events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import DONE, Event, MapContext
from ...transform.json_values import obj
from .api import SLUG
from .errors import error_event
from .finish import openai_finish
from .usage import openai_usage


class ChatStream:
    """Anthropic Messages SSE events -> ``chat.completion.chunk`` events (reference §7.3 table).

    State: the message id, model and input usage from ``message_start`` (every chunk repeats
    them, and the final usage needs them), and Anthropic block index -> OpenAI tool-call index
    (tool calls count from 0 whatever text or thinking blocks precede them)."""

    __slots__ = ("_strict", "_created", "_fallback", "_id", "_model", "_usage", "_tools", "_done")

    def __init__(self, ctx: MapContext) -> None:
        self._strict, self._created, self._fallback = ctx.strict, ctx.created, ctx.fallback_id
        self._id, self._model = ctx.fallback_id, ctx.model or ""
        self._usage: Mapping[str, Any] = {}
        self._tools: dict[Any, int] = {}
        self._done = False

    def feed(self, event: Event) -> list[Event]:
        data = event.data
        if self._done or not isinstance(data, dict):
            return []
        kind = event.name or data.get("type")
        if kind == "content_block_delta":
            return self._block_delta(data)
        if kind == "content_block_start":
            return self._block_start(data)
        if kind == "message_start":
            return self._message_start(data)
        if kind == "message_delta":
            return self._message_delta(data)
        if kind in ("message_stop", "error"):
            self._done = True
            return [Event(DONE)] if kind == "message_stop" else [error_event(data)]
        return []

    def end(self) -> list[Event]:
        return []

    def _chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        """One ``chat.completion.chunk``; built inline because it runs once per token event."""
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return {"id": self._id, "object": "chat.completion.chunk", "created": self._created,
                "model": self._model, "provider": SLUG, "choices": [choice]}

    def _message_start(self, data: Mapping[str, Any]) -> list[Event]:
        message = obj(data.get("message"))
        self._id = message.get("id") or self._fallback
        self._model = message.get("model") or self._model
        self._usage = obj(message.get("usage"))
        return [Event(self._chunk({"role": "assistant", "content": ""}))]

    def _block_start(self, data: Mapping[str, Any]) -> list[Event]:
        """A tool_use block opens an OpenAI tool call; other blocks say something only when they
        start with text, or to non-strict clients (as a ``content_blocks`` delta)."""
        block = data.get("content_block")
        if not isinstance(block, Mapping):
            return []
        index = data.get("index")
        if block.get("type") == "tool_use":
            k = self._tools[index] = len(self._tools)
            call = {"index": k, "id": block.get("id"), "type": "function",
                    "function": {"name": block.get("name"), "arguments": ""}}
            return [Event(self._chunk({"tool_calls": [call]}))]
        delta: dict[str, Any] = {}
        if block.get("type") == "text" and block.get("text"):
            delta["content"] = block["text"]
        if not self._strict:
            delta["content_blocks"] = [{"index": index, "delta": {k: v for k, v in block.items() if k != "type"}}]
        return [Event(self._chunk(delta))] if delta else []

    def _block_delta(self, data: Mapping[str, Any]) -> list[Event]:
        """Text -> ``content``; JSON of a tool_use block -> argument fragments; thinking, signature
        and citation deltas reach only non-strict clients, as ``content_blocks`` deltas."""
        delta = data.get("delta")
        if not isinstance(delta, Mapping):
            return []
        index, kind = data.get("index"), delta.get("type")
        if kind == "input_json_delta" and index in self._tools:
            fragment = delta.get("partial_json")
            if not fragment:  # Anthropic opens every tool input with an empty fragment
                return []
            call = {"index": self._tools[index], "function": {"arguments": fragment}}
            return [Event(self._chunk({"tool_calls": [call]}))]
        out: dict[str, Any] = {"content": delta.get("text", "")} if kind == "text_delta" else {}
        if not self._strict:
            out["content_blocks"] = [{"index": index, "delta": {k: v for k, v in delta.items() if k != "type"}}]
        return [Event(self._chunk(out))] if out else []

    def _message_delta(self, data: Mapping[str, Any]) -> list[Event]:
        """The final chunk: finish_reason and usage. message_delta's usage is cumulative, so its
        counts (server tools can add input) win over message_start's."""
        delta, late = obj(data.get("delta")), obj(data.get("usage"))
        usage = {**self._usage, **{k: v for k, v in late.items() if v is not None}}
        chunk = self._chunk({}, openai_finish(delta.get("stop_reason"), self._strict))
        chunk["usage"] = openai_usage(usage)
        return [Event(chunk)]
