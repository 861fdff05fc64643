"""What a provider is: data (base URL, auth headers, endpoint paths, parameter maps) plus
small pure functions. The pipeline owns everything else (SSE framing, retries, headers)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..transform.params import Options, ParamMap

HeaderBuilder = Callable[[Options, str], dict[str, str]]
UrlBuilder = Callable[["Provider", Options, str, str, Mapping[str, str], str], str]
"""(provider, options, fn, base_url, path_params, client_query) -> the full upstream URL."""


def bearer_headers(options: Options, fn: str) -> dict[str, str]:
    """``Authorization: Bearer <api_key>``, the scheme of OpenAI and its look-alikes."""
    key = options.get("api_key")
    return {"authorization": f"Bearer {key}"} if key else {}


@dataclass(frozen=True)
class Provider:
    """One upstream. ``endpoints`` maps an endpoint name (fn) to a path template; ``{id}``
    is filled from the client's route. ``params`` maps fn to its whitelist; a fn that has an
    endpoint but no map passes the body through unchanged (GET/DELETE, files, batches)."""

    slug: str
    base_url: str
    endpoints: Mapping[str, str]
    params: Mapping[str, ParamMap] = field(default_factory=dict)
    headers: HeaderBuilder = bearer_headers
    build_url: UrlBuilder | None = None
    dynamic_base: Callable[[Options], str] | None = None
    extra_headers: Mapping[str, str] = field(default_factory=dict)

    def supports(self, fn: str) -> bool:
        return fn == "proxy" or fn in self.endpoints

    def request_headers(self, options: Options, fn: str) -> dict[str, str]:
        return {**self.extra_headers, **self.headers(options, fn)}


def render_path(template: str, path_params: Mapping[str, str], options: Options) -> str:
    """Fill ``{id}``-style holes from the route, then from the provider options."""
    values: dict[str, Any] = {**options, **path_params}
    try:
        return template.format_map(values)
    except KeyError as missing:
        from ..errors import GatewayError

        raise GatewayError(f"Missing provider option {missing} for this endpoint", 400) from None
