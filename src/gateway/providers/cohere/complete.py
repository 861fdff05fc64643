"""Legacy text completions through ``/v2/chat``: the prompt becomes one user message.

Upstream Portkey calls ``/v1/generate``, which Cohere deprecated in August 2025 together with the
only models it served (``command``, ``command-light``); current models answer through chat only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import DONE, Event, MapContext
from ...transform.json_values import obj
from ...transform.params import Options
from .api import SLUG
from .errors import envelope, error_event, invalid
from .finish import FAILED, failure_text, openai_finish, stream_failure
from .message import delta_message, joined
from .sampling import sampling
from .usage import openai_usage


def _prompt(prompt: Any) -> str:
    """The prompt as one string. A list of prompts (OpenAI batching) is joined: chat has no n."""
    if isinstance(prompt, list):
        return "\n".join(p for p in prompt if isinstance(p, str))
    return prompt if isinstance(prompt, str) else ""


def complete_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    """OpenAI completions params -> a v2 chat body (echo, suffix, best_of, logit_bias and n have
    no chat equivalent and are dropped)."""
    out: dict[str, Any] = {"model": params["model"]} if "model" in params else {}
    out["messages"] = [{"role": "user", "content": _prompt(params.get("prompt"))}]
    out.update(sampling(params))
    return out


def _choice(text: str, finish_reason: str | None) -> dict[str, Any]:
    return {"text": text, "index": 0, "logprobs": None, "finish_reason": finish_reason}


def complete_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    """A v2 chat response -> ``text_completion`` (the answer's text; thinking is not part of it)."""
    if not isinstance(body, Mapping) or not isinstance(body.get("message"), Mapping):
        return invalid(body)
    reason = body.get("finish_reason")
    if reason in FAILED:
        return envelope(failure_text(reason, body.get("error")))
    text = joined(body["message"].get("content"), "text")
    return {"id": body.get("id") or ctx.fallback_id, "object": "text_completion", "created": ctx.created,
            "model": ctx.model or "", "provider": SLUG, "choices": [_choice(text, openai_finish(reason, ctx.strict))],
            "usage": openai_usage(body.get("usage"))}


class CompleteStream:
    """v2 chat events -> ``text_completion`` chunks: one per text delta, a last one with the
    finish_reason and usage after ``message-end``, then ``DONE``."""

    __slots__ = ("_ctx", "_id", "_done")

    def __init__(self, ctx: MapContext) -> None:
        self._ctx, self._id, self._done = ctx, ctx.fallback_id, False

    def feed(self, event: Event) -> list[Event]:
        data = event.data
        if self._done or not isinstance(data, dict):
            return []
        kind = data.get("type") or event.name
        if kind == "content-delta" or kind == "content-start":
            text = obj(delta_message(data).get("content")).get("text")
            return [Event(self._chunk(text))] if isinstance(text, str) and text else []
        if kind == "message-start":
            self._id = data.get("id") or self._id
            return []
        failure = stream_failure(data, kind)
        if failure is not None:
            self._done = True
            return [error_event(failure)]
        if kind != "message-end":
            return []
        self._done = True
        delta = obj(data.get("delta"))
        chunk = self._chunk("", openai_finish(delta.get("finish_reason"), self._ctx.strict))
        chunk["usage"] = openai_usage(delta.get("usage"))
        return [Event(chunk), Event(DONE)]

    def end(self) -> list[Event]:
        return []

    def _chunk(self, text: str, finish_reason: str | None = None) -> dict[str, Any]:
        return {"id": self._id, "object": "text_completion", "created": self._ctx.created,
                "model": self._ctx.model or "", "provider": SLUG, "choices": [_choice(text, finish_reason)]}
