"""How the gateway addresses Reka's API: the slug and the ``X-Api-Key`` header."""

from __future__ import annotations

from ...transform.params import Options

SLUG = "reka-ai"


def headers(options: Options, fn: str) -> dict[str, str]:
    key = options.get("api_key")
    return {"x-api-key": str(key)} if key else {}
