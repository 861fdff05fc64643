"""Legacy text completions <-> a Workers AI text model's native ``/run/{model}`` (Cloudflare's
OpenAI-compatible API has no ``/completions``): request, answer and stream."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.end_once import EndOnceMapper
from ...transform.events import DONE, Event, MapContext
from ...transform.json_values import as_int, dicts, obj
from ...transform.params import Options
from .api import SLUG
from .errors import envelope, invalid

_SAMPLING = ("max_tokens", "temperature", "top_p", "top_k", "seed", "frequency_penalty", "presence_penalty",
             "repetition_penalty", "raw", "lora")
"""The text-generation input fields Workers AI documents, taken as the client sent them."""


def _prompt(prompt: Any) -> str:
    """One prompt: Workers AI has no batching, so a list of prompts is joined by newlines."""
    if isinstance(prompt, list):
        return "\n".join(p for p in prompt if isinstance(p, str))
    return prompt if isinstance(prompt, str) else ""


def complete_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    """OpenAI completions params -> a ``/run`` body. The prompt goes as written (upstream wraps it in
    ``Human:``/``Assistant:`` turns); Workers AI applies the model's chat template unless ``raw``."""
    out: dict[str, Any] = {"prompt": _prompt(params.get("prompt"))}
    if params.get("stream") is True:
        out["stream"] = True
    out.update((name, params[name]) for name in _SAMPLING if params.get(name) is not None)
    return out


def usage(value: Any) -> dict[str, int] | None:
    """Workers AI reports OpenAI's three counts (newer models only); None when it did not."""
    u = obj(value)
    if not u:
        return None
    prompt, completion = as_int(u.get("prompt_tokens")), as_int(u.get("completion_tokens"))
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": as_int(u.get("total_tokens")) or prompt + completion}


def _completion(ctx: MapContext, text: str, finish: str | None) -> dict[str, Any]:
    choice = {"text": text, "index": 0, "logprobs": None, "finish_reason": finish}
    return {"id": ctx.fallback_id, "object": "text_completion", "created": ctx.created, "model": ctx.model or "",
            "provider": SLUG, "choices": [choice]}


def complete_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    """``{"result": {"response", "usage"?}}`` -> ``text_completion``. Workers AI says neither why
    the text ended nor an id, so finish_reason is ``stop`` and the id the gateway's own."""
    result = obj(obj(body).get("result"))
    if not isinstance(result.get("response"), str):
        return invalid(body)
    out = _completion(ctx, result["response"], "stop")
    counts = usage(result.get("usage"))
    if counts is not None:
        out["usage"] = counts
    return out


class CompleteStream(EndOnceMapper):
    """``data: {"response": "..."}`` events, then ``data: [DONE]`` -> ``text_completion`` chunks; the
    ``[DONE]`` becomes a last chunk with finish_reason ``stop`` (and the usage, when an event
    carried it), then ``DONE``. An event carrying Cloudflare's ``errors`` ends the stream with it."""

    __slots__ = ("_ctx", "_usage")

    def __init__(self, ctx: MapContext) -> None:
        super().__init__()
        self._ctx = ctx
        self._usage: dict[str, int] | None = None

    def upstream_done(self) -> list[Event]:
        last = _completion(self._ctx, "", "stop")
        if self._usage is not None:
            last["usage"] = self._usage
        return [Event(last), Event(DONE)]

    def map_event(self, event: Event) -> list[Event]:
        data = event.data
        if not isinstance(data, dict):
            return []
        if "errors" in data and dicts(data["errors"]):
            first = dicts(data["errors"])[0]
            return self.ended(Event({"error": envelope(str(first.get("message")), first.get("code"))["error"]},
                                    "error"))
        if "usage" in data:
            self._usage = usage(data["usage"])
        text = data.get("response")
        return [Event(_completion(self._ctx, text, None))] if isinstance(text, str) and text else []
