"""OpenAI sampling, output and reasoning parameters as Gemini's ``generationConfig``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import is_int, is_number, obj, strings
from .schema import gemini_schema

_RENAMES = (("temperature", "temperature"), ("top_p", "topP"), ("top_k", "topK"), ("n", "candidateCount"),
            ("seed", "seed"), ("presence_penalty", "presencePenalty"), ("frequency_penalty", "frequencyPenalty"))
_BUDGETS = {"none": 0, "minimal": 512, "low": 1024, "medium": 8192, "high": 24576}
"""``reasoning_effort`` as a Gemini 2.x thinking budget (Portkey's documented table; ``minimal`` is
OpenAI's level below low)."""
_LEVELS = {"none": "minimal", "minimal": "minimal", "low": "low", "medium": "medium", "high": "high",
           "xhigh": "high"}
"""``reasoning_effort`` as a Gemini 3+ ``thinkingLevel``; those models cannot turn thinking off, so
``none`` asks for the least there is."""


def _response_format(fmt: Any) -> dict[str, Any]:
    """json_object -> JSON mode; json_schema -> JSON mode + ``responseSchema`` (converted, see
    ``schema``). ``responseSchema`` rather than ``responseJsonSchema``: every Gemini model and
    Vertex AI take it, and the conversion removes what it rejects."""
    fmt = obj(fmt)
    if fmt.get("type") == "json_object":
        return {"responseMimeType": "application/json"}
    if fmt.get("type") != "json_schema":
        return {}
    spec = obj(fmt.get("json_schema"))
    schema = spec.get("schema") if isinstance(spec.get("schema"), Mapping) else None
    out: dict[str, Any] = {"responseMimeType": "application/json"}
    if schema is not None:
        out["responseSchema"] = gemini_schema(schema)
    return out


def _pre_gemini_3(model: Any) -> bool:
    """Gemini 1.x and 2.x take a thinking budget; later models a thinking level."""
    name = model.rsplit("/", 1)[-1] if isinstance(model, str) else ""
    return name.startswith(("gemini-1", "gemini-2"))


def thinking_config(params: Mapping[str, Any], strict: bool) -> dict[str, Any] | None:
    """Anthropic-style ``thinking`` (a budget, exact) wins over ``reasoning_effort`` (a level, or
    a budget from ``_BUDGETS`` on Gemini 2.x): Gemini 3 rejects a level and a budget together.
    Thoughts are asked for (``includeThoughts``) only for non-strict clients, the only ones that
    receive them (as ``content_blocks``)."""
    thinking = obj(params.get("thinking"))
    effort = params.get("reasoning_effort")
    out: dict[str, Any] = {}
    if thinking.get("type") == "disabled":
        return {"thinkingBudget": 0}
    if thinking.get("type") == "enabled" and is_int(thinking.get("budget_tokens")):
        out["thinkingBudget"] = thinking["budget_tokens"]
    elif isinstance(effort, str) and effort in _LEVELS:
        if _pre_gemini_3(params.get("model")):
            out["thinkingBudget"] = _BUDGETS.get(effort, _BUDGETS["high"])
        else:
            out["thinkingLevel"] = _LEVELS[effort]
    if out and not strict and out.get("thinkingBudget") != 0:
        out["includeThoughts"] = True
    return out or None


def generation_config(params: Mapping[str, Any], strict: bool) -> dict[str, Any]:
    out: dict[str, Any] = {name: params[key] for key, name in _RENAMES if is_number(params.get(key))}
    for key in ("max_tokens", "max_completion_tokens"):  # the newer name wins when both are sent
        if is_int(params.get(key)):
            out["maxOutputTokens"] = params[key]
    stops = strings(params.get("stop"))
    if stops:
        out["stopSequences"] = stops
    out.update(_response_format(params.get("response_format")))
    if params.get("logprobs") is True:
        out["responseLogprobs"] = True
        if is_int(params.get("top_logprobs")):
            out["logprobs"] = params["top_logprobs"]
    modalities = params.get("modalities")
    if isinstance(modalities, list) and modalities:
        out["responseModalities"] = [m.upper() for m in modalities if isinstance(m, str)]
    thinking = thinking_config(params, strict)
    if thinking is not None:
        out["thinkingConfig"] = thinking
    return out
