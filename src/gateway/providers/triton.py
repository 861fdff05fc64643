"""NVIDIA Triton Inference Server (TensorRT-LLM's ``generate`` extension): legacy completions
<-> ``POST {custom_host}/generate``. ``custom_host`` is the model's URL, e.g.
``http://triton:8000/v2/models/ensemble``; there is no default host and no auth header, as upstream.

Triton's ``/generate`` answers in one piece, and its ``/generate_stream`` marks no end of answer
that would tell a finished stream from a cut one, so a streamed request is refused (upstream ignores
``stream`` and answers JSON to a client waiting for events). Triton reports no token counts, so the
answer has no ``usage`` (upstream writes -1s)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..transform.events import MapContext
from ..transform.json_values import obj
from ..transform.params import Options, Param, ParamMap, map_params
from ..transform.unstreamed import no_stream, refuse_stream
from .base import ConfigRule, Provider, Translation, always
from .hub_error import hub_error, invalid_response

SLUG = "triton"


def _text(params: Mapping[str, Any], options: Options) -> Any:
    prompt = params.get("prompt")
    return "\n".join(p for p in prompt if isinstance(p, str)) if isinstance(prompt, list) else prompt


def _words(params: Mapping[str, Any], options: Options) -> Any:
    stop = params.get("stop")
    return [stop] if isinstance(stop, str) else stop


COMPLETE: ParamMap = {
    "prompt": Param("text_input", required=True, transform=_text),
    "max_tokens": Param("max_tokens", default=100, required=True),
    "temperature": Param("temperature", default=0.7, min=0, max=1, required=True),
    "top_p": Param("top_p", default=0.7, required=True),
    "top_k": Param("top_k", default=50, required=True),
    "stop": Param("stop_words", transform=_words),
    "bad_words": Param("bad_words"),
}
"""Upstream's map: Triton's ensemble wants every sampling input, so the defaults always go."""


def _envelope(message: str) -> dict[str, Any]:
    return hub_error(SLUG, message)


def complete_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    refuse_stream(params, SLUG, "completions")
    return map_params(COMPLETE, params, options)


def complete_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    """``{"model_name", "text_output", ...}`` -> ``text_completion``."""
    data = obj(body)
    if not isinstance(data.get("text_output"), str):
        return invalid_response(SLUG, body)
    choice = {"text": data["text_output"], "index": 0, "logprobs": None, "finish_reason": "stop"}
    return {"id": ctx.fallback_id, "object": "text_completion", "created": ctx.created,
            "model": data.get("model_name") or ctx.model or "", "provider": SLUG, "choices": [choice]}


def error_response(status: int, data: Any, text: str, ctx: MapContext) -> dict[str, Any]:
    """Triton's ``{"error": "<message>"}``; any other body is quoted as it came."""
    message = obj(data).get("error")
    return _envelope(f"{SLUG} error: {message if isinstance(message, str) else text}")


PROVIDER = Provider(
    slug=SLUG,
    base_url="",
    endpoints={"complete": "/generate"},
    headers=lambda options, fn: {},
    config_rule=ConfigRule(keyless=always),  # a self-hosted server: no key
    translations={"complete": Translation(request=complete_request, response=complete_response,
                                          error=error_response, stream=no_stream)},
)
