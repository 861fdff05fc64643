"""The generation parameters chat and legacy completions share, renamed and clamped to Cohere's
documented ranges (an OpenAI value outside them would make Cohere reject the whole request)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import is_int


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def _stops(stop: Any) -> list[str]:
    stops = [stop] if isinstance(stop, str) else stop if isinstance(stop, list) else []
    return [s for s in stops if isinstance(s, str) and s]


def sampling(params: Mapping[str, Any]) -> dict[str, Any]:
    """max_tokens (the hub's ``max_completion_tokens`` first), temperature (>= 0), top_p -> ``p``
    in [0.01, 0.99], top_k (or Cohere's own ``k``) -> ``k`` in [0, 500], stop -> ``stop_sequences``,
    seed, penalties in [0, 1] (OpenAI allows [-2, 2]) and stream."""
    out: dict[str, Any] = {}
    for key in ("max_completion_tokens", "max_tokens"):
        if is_int(params.get(key)):
            out["max_tokens"] = params[key]
            break
    if _number(params.get("temperature")):
        out["temperature"] = max(params["temperature"], 0)
    if _number(params.get("top_p")):
        out["p"] = _clamp(params["top_p"], 0.01, 0.99)
    k = params.get("top_k", params.get("k"))
    if is_int(k):
        out["k"] = int(_clamp(k, 0, 500))
    stops = _stops(params.get("stop"))
    if stops:
        out["stop_sequences"] = stops
    if is_int(params.get("seed")):
        out["seed"] = params["seed"]
    for key in ("frequency_penalty", "presence_penalty"):
        if _number(params.get(key)):
            out[key] = _clamp(params[key], 0, 1)
    if isinstance(params.get("stream"), bool):
        out["stream"] = params["stream"]
    return out
