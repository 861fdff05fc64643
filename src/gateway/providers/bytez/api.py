"""How the gateway addresses Bytez: the slug and its ``Authorization: Key <key>`` scheme."""

from __future__ import annotations

from ...transform.params import Options

SLUG = "bytez"


def headers(options: Options, fn: str) -> dict[str, str]:
    key = options.get("api_key")
    return {"authorization": f"Key {key}"} if key else {}
