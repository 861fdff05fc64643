"""How the gateway addresses Anthropic's API: the provider slug, the API version and the auth headers."""

from __future__ import annotations

from ...transform.params import Options

SLUG = "anthropic"
DEFAULT_VERSION = "2023-06-01"


def headers(options: Options, fn: str) -> dict[str, str]:
    """``x-api-key`` from the provider key or the client's bare header (Claude Code sends that).
    No default ``anthropic-beta``: upstream's stale ``messages-2023-12-15`` enables nothing today."""
    out = {"anthropic-version": str(options.get("anthropic_version") or DEFAULT_VERSION)}
    key = options.get("api_key") or options.get("anthropic_api_key")
    if key:
        out["x-api-key"] = str(key)
    if options.get("anthropic_beta"):
        out["anthropic-beta"] = str(options["anthropic_beta"])
    return out
