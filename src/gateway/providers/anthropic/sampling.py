"""The sampling parameters chat and legacy completions share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def sampling(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters chat and legacy completions share. Anthropic's temperature range is [0, 1]."""
    out: dict[str, Any] = {}
    temperature = params.get("temperature")
    if isinstance(temperature, (int, float)) and not isinstance(temperature, bool):
        out["temperature"] = min(max(temperature, 0), 1)
    for key in ("top_p", "top_k", "stream"):
        if params.get(key) is not None:
            out[key] = params[key]
    stop = params.get("stop")
    stops = [stop] if isinstance(stop, str) else stop if isinstance(stop, list) else []
    stops = [s for s in stops if isinstance(s, str) and s]
    if stops:
        out["stop_sequences"] = stops
    if isinstance(params.get("user"), str):
        out["metadata"] = {"user_id": params["user"]}
    return out
