"""Gemini's streamed ``GenerateContentResponse`` chunks as ``chat.completion.chunk`` events.

Gemini has no terminal event: its last chunk is the one whose candidates carry ``finishReason``
(with the final ``usageMetadata``), and then the connection closes. So this mapper emits ``DONE``
right after the chunk in which every candidate it has seen has finished (or after a blocked
prompt's only chunk). A stream that ends before that has no ``DONE``, and the core ends it with
an error event: a cut is never passed off as a complete answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import DONE, Event, MapContext
from ...transform.json_values import obj
from .candidate import answer_text, block, logprobs, tool_call
from .chat import blocked_choice
from .errors import error_event, google_error
from .finish import openai_finish
from .usage import openai_usage


class _Candidate:
    """What the stream remembers per candidate: whether its role went out, how many tool calls it
    made (OpenAI numbers them per choice), its open content block, and whether it finished."""

    __slots__ = ("started", "calls", "block", "kind", "finished")

    def __init__(self) -> None:
        self.started = False
        self.calls = 0
        self.block = -1
        self.kind: str | None = None
        self.finished = False


class ChatStream:
    """One stream's state: the completion id and model (from the first chunk: ``responseId``,
    ``modelVersion``), the latest ``usageMetadata`` (every chunk repeats it, the last one is
    final), and each candidate's ``_Candidate``."""

    __slots__ = ("_ctx", "_strict", "_id", "_model", "_first", "_usage", "_candidates", "_done")

    def __init__(self, ctx: MapContext) -> None:
        self._ctx, self._strict = ctx, ctx.strict
        self._id, self._model = ctx.fallback_id, ctx.model or ""
        self._first = True
        self._usage: Any = None
        self._candidates: dict[int, _Candidate] = {}
        self._done = False

    def feed(self, event: Event) -> list[Event]:
        data = event.data
        if self._done or not isinstance(data, dict):
            return []
        if "error" in data:
            self._done = True
            return [error_event(google_error(data) or {}, self._ctx)]
        if self._first:
            self._first = False
            self._id = data["responseId"] if isinstance(data.get("responseId"), str) else self._id
            self._model = data["modelVersion"] if isinstance(data.get("modelVersion"), str) else self._model
        if data.get("usageMetadata") is not None:
            self._usage = data["usageMetadata"]
        candidates = data.get("candidates")
        if not isinstance(candidates, list) or not candidates:
            return self._blocked(obj(data.get("promptFeedback")))
        choices = []
        for position, candidate in enumerate(candidates):
            choice = self._choice(position, candidate) if isinstance(candidate, dict) else None
            if choice is not None:
                choices.append(choice)
        self._done = all(state.finished for state in self._candidates.values()) and bool(self._candidates)
        out = [Event(self._chunk(choices))] if choices else []
        return out + [Event(DONE)] if self._done else out

    def end(self) -> list[Event]:
        return []

    def _chunk(self, choices: list[dict[str, Any]]) -> dict[str, Any]:
        chunk = {"id": self._id, "object": "chat.completion.chunk", "created": self._ctx.created,
                 "model": self._model, "provider": self._ctx.provider, "choices": choices}
        if self._done:
            chunk["usage"] = openai_usage(self._usage)
        return chunk

    def _blocked(self, feedback: Mapping[str, Any]) -> list[Event]:
        """A chunk without candidates is either a blocked prompt (the stream's only chunk) or
        nothing to say yet."""
        if not feedback.get("blockReason") or self._candidates:
            return []
        self._done = True
        answer = blocked_choice(feedback, self._strict)
        choice = {"index": 0, "delta": answer["message"], "logprobs": None, "finish_reason": answer["finish_reason"]}
        return [Event(self._chunk([choice])), Event(DONE)]

    def _choice(self, position: int, candidate: dict[str, Any]) -> dict[str, Any] | None:
        index = candidate["index"] if isinstance(candidate.get("index"), int) else position
        state = self._candidates.get(index)
        if state is None:
            state = self._candidates[index] = _Candidate()
        elif state.finished:
            return None
        content = candidate.get("content")
        parts = content.get("parts") if isinstance(content, dict) else None
        parts = [p for p in parts if isinstance(p, dict)] if isinstance(parts, list) else []
        delta = self._delta(state, index, parts)
        reason = candidate.get("finishReason")
        finish = None
        if isinstance(reason, str) and reason:
            state.finished = True
            finish = openai_finish(reason, state.calls > 0, self._strict)
        if not delta and finish is None:
            return None
        choice = {"index": index, "delta": delta,
                  "logprobs": logprobs(candidate) if "logprobsResult" in candidate else None, "finish_reason": finish}
        if not self._strict and candidate.get("groundingMetadata") is not None:
            choice["groundingMetadata"] = candidate["groundingMetadata"]
        return choice

    def _delta(self, state: _Candidate, index: int, parts: list[dict[str, Any]]) -> dict[str, Any]:
        """Text -> ``content``; each function call arrives whole, so it is one complete tool-call
        delta; thoughts and every other part reach only non-strict clients (``content_blocks``)."""
        delta: dict[str, Any] = {}
        if not state.started:
            state.started = True
            delta["role"] = "assistant"
        text = answer_text(parts)
        if text:
            delta["content"] = text
        calls = []
        for part in parts:
            if "functionCall" in part:
                call = tool_call(part, f"call_{self._id}_{index}_{state.calls}", self._strict)
                calls.append({"index": state.calls, **call})
                state.calls += 1
        if calls:
            delta["tool_calls"] = calls
        if not self._strict:
            blocks = self._blocks(state, parts)
            if blocks:
                delta["content_blocks"] = blocks
        return delta

    def _blocks(self, state: _Candidate, parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``content_blocks`` deltas: one block per run of parts of one kind (thinking, text), one
        per image, numbered in order across the stream."""
        out = []
        for part in parts:
            entry = block(part)
            if entry is None:
                continue
            kind = entry.pop("type")
            if kind != state.kind or kind == "image_url":
                state.block += 1
                state.kind = kind
            out.append({"index": state.block, "delta": entry})
        return out
