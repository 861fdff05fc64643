"""Legacy text completions <-> Anthropic's ``/complete``: the request, the response and the stream."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.end_once import EndOnceMapper
from ...transform.events import DONE, Event, MapContext
from ...transform.params import Options
from .api import SLUG
from .errors import error_event, invalid
from .finish import openai_finish
from .max_tokens import max_tokens
from .sampling import sampling

_HUMAN, _ASSISTANT = "\n\nHuman:", "\n\nAssistant:"


def _legacy_prompt(prompt: Any) -> str:
    """The legacy API wants ``\\n\\nHuman: ...\\n\\nAssistant:``. Upstream always wraps; a prompt
    already in that form is kept (only completed with the Assistant turn it needs) rather than
    nested in a second Human turn. A list of prompts (OpenAI batching) is joined: Anthropic has no n."""
    if isinstance(prompt, list):
        prompt = "\n".join(p for p in prompt if isinstance(p, str))
    text = prompt if isinstance(prompt, str) else ""
    if not text.startswith(_HUMAN):
        return f"{_HUMAN} {text}{_ASSISTANT}"
    return text if _ASSISTANT in text else text + _ASSISTANT


def complete_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    """OpenAI completions params -> a legacy ``/complete`` body."""
    out: dict[str, Any] = {"model": params["model"]} if "model" in params else {}
    out["prompt"] = _legacy_prompt(params.get("prompt"))
    out["max_tokens_to_sample"] = max_tokens(params, ("max_tokens",))
    out.update(sampling(params))
    return out


def _text_choice(data: Mapping[str, Any], finish_reason: str | None) -> dict[str, Any]:
    text = data.get("completion") if isinstance(data.get("completion"), str) else ""
    return {"text": text, "index": 0, "logprobs": None, "finish_reason": finish_reason}


def complete_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    """A ``/complete`` response -> ``text_completion``; a body without ``completion`` -> the hub
    error envelope (callers check for an "error" key)."""
    if not isinstance(body, Mapping) or not isinstance(body.get("completion"), str):
        return invalid(body)
    return {"id": body.get("id") or body.get("log_id") or ctx.fallback_id, "object": "text_completion",
            "created": ctx.created, "model": body.get("model") or ctx.model, "provider": SLUG,
            "choices": [_text_choice(body, openai_finish(body.get("stop_reason"), ctx.strict))]}


class CompleteStream(EndOnceMapper):
    """Legacy ``event: completion`` SSE -> ``text_completion`` chunks. The event carrying a
    stop_reason is the last one, so ``DONE`` follows it; the first id seen labels every chunk."""

    __slots__ = ("_ctx", "_id")

    def __init__(self, ctx: MapContext) -> None:
        super().__init__()
        self._ctx, self._id = ctx, ""

    def map_event(self, event: Event) -> list[Event]:
        data = event.data
        kind = event.name or (data.get("type") if isinstance(data, dict) else None)
        if not isinstance(data, dict) or kind not in ("completion", "error"):
            return []
        if kind == "error":
            return self.ended(error_event(data))
        return self._completion(data)

    def _completion(self, data: Mapping[str, Any]) -> list[Event]:
        self._id = self._id or data.get("id") or data.get("log_id") or self._ctx.fallback_id
        reason = data.get("stop_reason")
        finish = openai_finish(reason, self._ctx.strict) if reason else None
        chunk = {"id": self._id, "object": "text_completion", "created": self._ctx.created,
                 "model": data.get("model") or self._ctx.model or "", "provider": SLUG,
                 "choices": [_text_choice(data, finish)]}
        if not reason:
            return [Event(chunk)]
        return self.ended(Event(chunk), Event(DONE))
