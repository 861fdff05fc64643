"""Where a proxied call (``/v1/proxy/...``, or any ``/v1/...`` path a provider does not map) goes:
the client's path after the provider's base URL, without the gateway's own prefix, and its query
kept. The core does this for providers without a URL builder; a provider with its own builder
uses the same two functions for its proxied calls."""

from __future__ import annotations

from collections.abc import Mapping


def proxy_path(path: str) -> str:
    """``/v1/proxy/x`` and ``/v1/x`` -> ``/x``: the part of the client's path the provider sees."""
    return path.removeprefix("/v1/proxy").removeprefix("/v1")


def proxy_url(base: str, path_params: Mapping[str, str], query: str) -> str:
    """A proxied call's URL from a ``UrlBuilder``'s arguments (the route puts the path in ``path``)."""
    return base + proxy_path(path_params.get("path", "")) + (f"?{query}" if query else "")
