"""The sampling parameters chat and legacy completions share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import is_number, strings


def sampling(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters chat and legacy completions share. Anthropic's temperature range is [0, 1]."""
    out: dict[str, Any] = {}
    if is_number(params.get("temperature")):
        out["temperature"] = min(max(params["temperature"], 0), 1)
    for key in ("top_p", "top_k", "stream"):
        if params.get(key) is not None:
            out[key] = params[key]
    stops = strings(params.get("stop"))
    if stops:
        out["stop_sequences"] = stops
    if isinstance(params.get("user"), str):
        out["metadata"] = {"user_id": params["user"]}
    return out
