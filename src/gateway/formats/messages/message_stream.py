"""Hub chunks as Anthropic's named stream events."""

from __future__ import annotations

import json
from typing import Any

from ...transform.events import DONE, Event, MapContext
from ...transform.json_values import as_dict, as_text, dicts
from .errors import error_event
from .message import first_choice, message_id, reasoning_text
from .stop_reason import stop_reason
from .usage import anthropic_usage


def _event(data: dict[str, Any]) -> Event:
    return Event(data, data["type"])


def _block_delta(index: int, delta: dict[str, Any]) -> Event:
    return Event({"type": "content_block_delta", "index": index, "delta": delta}, "content_block_delta")


def _block_stop(index: int) -> Event:
    return Event({"type": "content_block_stop", "index": index}, "content_block_stop")


class _Tool:
    """One streamed tool call: its chat id, its Anthropic block index, its argument fragments."""

    __slots__ = ("call_id", "index", "fragments")

    def __init__(self, call_id: str | None, index: int) -> None:
        self.call_id = call_id
        self.index = index
        self.fragments: list[str] = []

    def finished(self) -> bool:
        """Whether the arguments so far are a whole JSON value (so no fragment is still owed)."""
        try:
            json.loads("".join(self.fragments))
        except ValueError:
            return False
        return True


class MessagesStream:
    """Hub chunks -> Anthropic's event sequence: ``message_start``, content blocks (start, deltas,
    stop) numbered from 0, then ``message_delta`` and ``message_stop`` on the hub's DONE.

    Anthropic streams one block at a time; chat may interleave tool-call fragments by tool index.
    A change of kind closes the open block. A new tool call closes the earlier tool blocks whose
    arguments are already whole JSON (the usual case: blocks come out one after another, as
    Anthropic's do) and leaves the others open, so a late fragment never lands on a stopped block
    (a client may finish a block, and parse a tool's input, at its ``content_block_stop``)."""

    __slots__ = ("_ctx", "_started", "_over", "_id", "_kind", "_index", "_next", "_tools", "_open_tools",
                 "_finish", "_refused", "_usage")

    def __init__(self, ctx: MapContext) -> None:
        self._ctx = ctx
        self._started = False
        self._over = False  # after DONE or an error nothing more is emitted
        self._id = ""
        self._kind: str | None = None  # the open text or thinking block, if any
        self._index = -1  # its Anthropic index
        self._next = 0
        self._tools: dict[int, _Tool] = {}  # chat tool index -> the tool call it streams now
        self._open_tools: list[_Tool] = []  # tool blocks not yet stopped, in block order
        self._finish: Any = None
        self._refused = False  # OpenAI's structured-output refusal, streamed as delta.refusal
        self._usage: dict[str, Any] | None = None

    def feed(self, event: Event) -> list[Event]:
        if self._over:
            return []
        data = event.data
        if event.name == "error" or (isinstance(data, dict) and "error" in data and "choices" not in data):
            self._over = True
            return [error_event(data)]
        if data == DONE:
            self._over = True
            return self._done()
        return self._chunk(data) if isinstance(data, dict) else []

    def end(self) -> list[Event]:
        """Nothing owed: whether the stream completed is the core's call (DONE already closed it)."""
        return []

    def _chunk(self, chunk: dict[str, Any]) -> list[Event]:
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self._usage = usage
        choice = first_choice(chunk.get("choices"))
        if not choice and not isinstance(usage, dict):
            return []  # Azure's prompt-filter chunk, keep-alives: nothing to say yet
        out = self._start(chunk)
        delta = as_dict(choice.get("delta"))
        reasoning = reasoning_text(delta)
        if reasoning:
            out += self._text_delta("thinking", reasoning)
        if isinstance(delta.get("content"), str) and delta["content"]:
            out += self._text_delta("text", delta["content"])
        if isinstance(delta.get("refusal"), str) and delta["refusal"]:
            self._refused = True
            out += self._text_delta("text", delta["refusal"])
        for position, call in enumerate(dicts(delta.get("tool_calls"))):
            out += self._tool_delta(call, position)
        if choice.get("finish_reason"):
            self._finish = choice["finish_reason"]
        return out

    def _start(self, chunk: dict[str, Any] | None) -> list[Event]:
        if self._started:
            return []
        self._started = True
        chunk = chunk or {}
        self._id = message_id(chunk.get("id"), self._ctx)
        message: dict[str, Any] = {
            "id": self._id, "type": "message", "role": "assistant",
            "model": chunk.get("model") or self._ctx.model or "", "content": [], "stop_reason": None,
            "stop_sequence": None, "usage": {"input_tokens": 0, "output_tokens": 0}}
        return [_event({"type": "message_start", "message": message})]

    def _close(self, keep_unfinished: bool = False) -> list[Event]:
        """Stop the open text or thinking block and the tool blocks (but those whose arguments
        are still incomplete when ``keep_unfinished``). A thinking block gets an empty signature
        first: Anthropic always sends one before the stop, and the SDKs store it."""
        out: list[Event] = []
        if self._kind == "thinking":
            out.append(_block_delta(self._index, {"type": "signature_delta", "signature": ""}))
        if self._kind is not None:
            out.append(_block_stop(self._index))
            self._kind = None
        kept = [tool for tool in self._open_tools if keep_unfinished and not tool.finished()]
        out += [_block_stop(tool.index) for tool in self._open_tools if tool not in kept]
        self._open_tools = kept
        return out

    def _text_delta(self, kind: str, text: str) -> list[Event]:
        """A text or thinking fragment: ``{"type": "text_delta", "text": ...}`` and likewise."""
        out: list[Event] = []
        if self._kind != kind:
            out = self._close()
            block = {"type": kind, kind: "", "signature": ""} if kind == "thinking" else {"type": kind, kind: ""}
            self._kind, self._index = kind, self._new_block(out, block)
        out.append(_block_delta(self._index, {"type": f"{kind}_delta", kind: text}))
        return out

    def _new_block(self, out: list[Event], block: dict[str, Any]) -> int:
        index, self._next = self._next, self._next + 1
        out.append(_event({"type": "content_block_start", "index": index, "content_block": block}))
        return index

    def _tool_delta(self, call: dict[str, Any], position: int) -> list[Event]:
        """A tool-call fragment. A new chat tool index opens a tool_use block; so does a known
        index with another id (servers that number every call 0)."""
        key = call["index"] if isinstance(call.get("index"), int) else position
        function = as_dict(call.get("function"))
        call_id = call.get("id") if isinstance(call.get("id"), str) and call["id"] else None
        tool = self._tools.get(key)
        out: list[Event] = []
        if tool is None or (call_id is not None and tool.call_id is not None and call_id != tool.call_id):
            tool = self._open_tool(out, key, call_id, as_text(function.get("name")))
        arguments = function.get("arguments")
        if isinstance(arguments, dict):  # a few servers send the object itself
            arguments = json.dumps(arguments, ensure_ascii=False)
        if isinstance(arguments, str) and arguments:
            tool.fragments.append(arguments)
            out.append(_block_delta(tool.index, {"type": "input_json_delta", "partial_json": arguments}))
        return out

    def _open_tool(self, out: list[Event], key: int, call_id: str | None, name: str) -> _Tool:
        out += self._close(keep_unfinished=True)
        block_id = call_id or f"toolu_{self._id[4:]}_{self._next}"
        block = {"type": "tool_use", "id": block_id, "name": name, "input": {}}
        tool = self._tools[key] = _Tool(call_id, self._new_block(out, block))
        self._open_tools.append(tool)
        return tool

    def _done(self) -> list[Event]:
        out = self._start(None) + self._close()
        usage = anthropic_usage(self._usage) if self._usage is not None else {"output_tokens": 0}
        reason = "refusal" if self._refused else stop_reason(self._finish, bool(self._tools))
        out.append(_event({"type": "message_delta", "delta": {"stop_reason": reason, "stop_sequence": None},
                           "usage": usage}))
        out.append(_event({"type": "message_stop"}))
        return out


def stream(ctx: MapContext) -> MessagesStream:
    return MessagesStream(ctx)
