"""Sampling parameters as Converse's ``inferenceConfig``, and the model-specific extras that go
in ``additionalModelRequestFields`` (top_k, Claude's thinking and betas)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import is_int, is_number, strings
from ...transform.params import Options
from .models import family


def inference_config(params: Mapping[str, Any]) -> dict[str, Any]:
    """maxTokens (``max_completion_tokens``, else ``max_tokens``), temperature, topP, stopSequences
    (a single ``stop`` string becomes a list: upstream sent the string, which Converse refuses)."""
    out: dict[str, Any] = {}
    for key in ("max_completion_tokens", "max_tokens"):
        if is_int(params.get(key)):
            out["maxTokens"] = params[key]
            break
    if is_number(params.get("temperature")):
        out["temperature"] = params["temperature"]
    if is_number(params.get("top_p")):
        out["topP"] = params["top_p"]
    stops = strings(params.get("stop"))
    if stops:
        out["stopSequences"] = stops
    return out


def betas(*values: Any) -> list[str]:
    """Anthropic betas from a comma-separated header value or a list, in order, without repeats."""
    out: list[str] = []
    for value in values:
        items = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else []
        for item in items:
            beta = item.strip() if isinstance(item, str) else ""
            if beta and beta not in out:
                out.append(beta)
    return out


def additional_fields(params: Mapping[str, Any], options: Options, model: str | None) -> dict[str, Any]:
    """The client's ``additional_model_request_fields`` (or ``additionalModelRequestFields``), plus
    ``top_k`` (Nova wants it as ``inferenceConfig.topK``) and, for Claude, ``thinking`` and the
    ``anthropic_beta`` list (from the option / ``anthropic-beta`` header or the body)."""
    given = params.get("additional_model_request_fields") or params.get("additionalModelRequestFields")
    out: dict[str, Any] = dict(given) if isinstance(given, Mapping) else {}
    kind = family(model)
    top_k = params.get("top_k")
    if is_int(top_k):
        if kind == "amazon":
            out["inferenceConfig"] = {**(out.get("inferenceConfig") or {}), "topK": top_k}
        else:
            out["top_k"] = top_k
    if kind == "anthropic":
        if isinstance(params.get("thinking"), Mapping):
            out["thinking"] = params["thinking"]
        listed = betas(options.get("anthropic_beta"), params.get("anthropic_beta"))
        if listed:
            out["anthropic_beta"] = listed
    return out
