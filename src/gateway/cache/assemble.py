"""A streamed answer, put back together as the JSON the same request without ``stream`` gets: an
OpenAI ``chat.completion`` or ``text_completion``, or an Anthropic ``message``. Output guardrails
read it when a stream ends, and the cache stores it, so a stream can later be answered from it
(and a plain request too).

An assembler says ``complete`` only when the stream really finished (``[DONE]``, ``message_stop``)
with no error event, and ``faithful`` only when the JSON says everything the stream said (a second
choice, log probabilities or an unknown delta field make it unfaithful: it is then not cached).
"""

from __future__ import annotations

import copy
import json
from typing import Any, Protocol

from ..transform.events import DONE, Event

_CHAT_DELTA_KEYS = frozenset({"role", "content", "tool_calls", "reasoning_content", "refusal"})
_TOP_KEYS = ("id", "created", "model", "system_fingerprint", "service_tier", "provider")


class Assembler(Protocol):
    complete: bool
    failed: bool
    faithful: bool

    def feed(self, event: Event) -> None: ...

    def result(self) -> dict[str, Any]: ...


def _is_error(event: Event) -> bool:
    data = event.data
    return event.name == "error" or (isinstance(data, dict) and "error" in data and "choices" not in data)


class _OpenAIStream:
    """Shared bookkeeping for the OpenAI chunk formats."""

    def __init__(self) -> None:
        self.complete = self.failed = False
        self.faithful = True
        self.top: dict[str, Any] = {}
        self.usage: Any = None
        self.finish: Any = None

    def feed(self, event: Event) -> None:
        data = event.data
        if data == DONE:
            self.complete = not self.failed
            return
        if _is_error(event):
            self.failed = True
            return
        if not isinstance(data, dict):
            return
        for key in _TOP_KEYS:
            if key in data and key not in self.top:
                self.top[key] = data[key]
        if data.get("usage"):
            self.usage = data["usage"]
        for choice in data.get("choices") or ():
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                self.faithful = False
                continue
            if choice.get("logprobs"):
                self.faithful = False
            if choice.get("finish_reason") is not None:
                self.finish = choice["finish_reason"]
            self.choice(choice)

    def choice(self, choice: dict[str, Any]) -> None:
        raise NotImplementedError

    def wrap(self, obj: str, choice: dict[str, Any]) -> dict[str, Any]:
        out = {"id": self.top.get("id"), "object": obj, "created": self.top.get("created"),
               "model": self.top.get("model"), "choices": [choice]}
        for key in _TOP_KEYS[3:]:
            if key in self.top:
                out[key] = self.top[key]
        if self.usage is not None:
            out["usage"] = self.usage
        return out


class ChatAssembler(_OpenAIStream):
    def __init__(self) -> None:
        super().__init__()
        self.content: list[str] = []
        self.reasoning: list[str] = []
        self.refusal: list[str] = []
        self.tools: dict[int, dict[str, Any]] = {}

    def choice(self, choice: dict[str, Any]) -> None:
        delta = choice.get("delta") or {}
        if any(value not in (None, "", [], {}) for key, value in delta.items() if key not in _CHAT_DELTA_KEYS):
            self.faithful = False
        for key, sink in (("content", self.content), ("reasoning_content", self.reasoning), ("refusal", self.refusal)):
            if isinstance(delta.get(key), str):
                sink.append(delta[key])
        for call in delta.get("tool_calls") or ():
            self._tool(call)

    def _tool(self, call: Any) -> None:
        if not isinstance(call, dict):
            self.faithful = False
            return
        slot = self.tools.setdefault(int(call.get("index", len(self.tools))),
                                     {"id": None, "type": "function", "function": {"name": "", "arguments": ""}})
        if call.get("id"):
            slot["id"] = call["id"]
        if call.get("type"):
            slot["type"] = call["type"]
        function = call.get("function") or {}
        if function.get("name"):
            slot["function"]["name"] = function["name"]
        if isinstance(function.get("arguments"), str):
            slot["function"]["arguments"] += function["arguments"]

    def result(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant",
                                   "content": "".join(self.content) if self.content or not self.tools else None}
        if self.reasoning:
            message["reasoning_content"] = "".join(self.reasoning)
        if self.refusal:
            message["refusal"] = "".join(self.refusal)
        if self.tools:
            message["tool_calls"] = [self.tools[i] for i in sorted(self.tools)]
        return self.wrap("chat.completion", {"index": 0, "message": message, "logprobs": None,
                                             "finish_reason": self.finish})


class CompletionAssembler(_OpenAIStream):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []

    def choice(self, choice: dict[str, Any]) -> None:
        if isinstance(choice.get("text"), str):
            self.text.append(choice["text"])

    def result(self) -> dict[str, Any]:
        return self.wrap("text_completion", {"index": 0, "text": "".join(self.text), "logprobs": None,
                                             "finish_reason": self.finish})


class MessageAssembler:
    """Anthropic's event stream back into a ``message``."""

    def __init__(self) -> None:
        self.complete = self.failed = False
        self.faithful = True
        self.message: dict[str, Any] = {"type": "message", "role": "assistant", "content": []}
        self.blocks: dict[int, dict[str, Any]] = {}
        self.partial: dict[int, str] = {}

    def feed(self, event: Event) -> None:
        data = event.data
        kind = event.name or (data.get("type") if isinstance(data, dict) else None)
        if kind == "error" or not isinstance(data, dict):
            self.failed = self.failed or kind == "error"
            return
        handler = getattr(self, "_" + str(kind), None)
        if handler is not None:
            handler(data)

    def _message_start(self, data: dict[str, Any]) -> None:
        self.message = copy.deepcopy(data.get("message") or self.message)
        self.message["content"] = []

    def _content_block_start(self, data: dict[str, Any]) -> None:
        index = int(data.get("index", len(self.blocks)))
        block = copy.deepcopy(data.get("content_block") or {})
        if block.get("type") in ("tool_use", "server_tool_use"):
            self.partial[index] = ""
        self.blocks[index] = block

    def _content_block_delta(self, data: dict[str, Any]) -> None:
        block = self.blocks.get(int(data.get("index", -1)))
        delta = data.get("delta") or {}
        if block is None:
            self.faithful = False
            return
        kind = delta.get("type")
        if kind == "text_delta":
            block["text"] = block.get("text", "") + str(delta.get("text", ""))
        elif kind == "input_json_delta":
            index = int(data["index"])
            self.partial[index] = self.partial.get(index, "") + str(delta.get("partial_json", ""))
        elif kind == "thinking_delta":
            block["thinking"] = block.get("thinking", "") + str(delta.get("thinking", ""))
        elif kind == "signature_delta":
            block["signature"] = delta.get("signature")
        elif kind == "citations_delta":
            block.setdefault("citations", []).append(delta.get("citation"))
        else:
            self.faithful = False

    def _content_block_stop(self, data: dict[str, Any]) -> None:
        index = int(data.get("index", -1))
        if index in self.partial:
            try:
                self.blocks[index]["input"] = json.loads(self.partial.pop(index) or "{}")
            except (ValueError, KeyError):
                self.faithful = False

    def _message_delta(self, data: dict[str, Any]) -> None:
        self.message.update({k: v for k, v in (data.get("delta") or {}).items()})
        if isinstance(data.get("usage"), dict):
            self.message["usage"] = {**(self.message.get("usage") or {}), **data["usage"]}

    def _message_stop(self, data: dict[str, Any]) -> None:
        self.complete = not self.failed

    def result(self) -> dict[str, Any]:
        return {**self.message, "content": [self.blocks[i] for i in sorted(self.blocks)]}


def assembler_for(fn: str) -> Assembler | None:
    """The assembler of a route's stream format, or None for streams nobody assembles."""
    if fn == "chatComplete":
        return ChatAssembler()
    if fn == "complete":
        return CompletionAssembler()
    if fn == "messages":
        return MessageAssembler()
    return None
