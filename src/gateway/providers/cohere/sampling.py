"""The generation parameters chat and legacy completions share, renamed and clamped to Cohere's
documented ranges (an OpenAI value outside them would make Cohere reject the whole request)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import is_int, is_number, strings


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def sampling(params: Mapping[str, Any]) -> dict[str, Any]:
    """max_tokens (the hub's ``max_completion_tokens`` first), temperature (>= 0), top_p -> ``p``
    in [0.01, 0.99], top_k (or Cohere's own ``k``) -> ``k`` in [0, 500], stop -> ``stop_sequences``,
    seed, penalties in [0, 1] (OpenAI allows [-2, 2]) and stream."""
    out: dict[str, Any] = {}
    for key in ("max_completion_tokens", "max_tokens"):
        if is_int(params.get(key)):
            out["max_tokens"] = params[key]
            break
    if is_number(params.get("temperature")):
        out["temperature"] = max(params["temperature"], 0)
    if is_number(params.get("top_p")):
        out["p"] = _clamp(params["top_p"], 0.01, 0.99)
    k = params.get("top_k", params.get("k"))
    if is_int(k):
        out["k"] = int(_clamp(k, 0, 500))
    stops = strings(params.get("stop"))
    if stops:
        out["stop_sequences"] = stops
    if is_int(params.get("seed")):
        out["seed"] = params["seed"]
    for key in ("frequency_penalty", "presence_penalty"):
        if is_number(params.get(key)):
            out[key] = _clamp(params[key], 0, 1)
    if isinstance(params.get("stream"), bool):
        out["stream"] = params["stream"]
    return out
