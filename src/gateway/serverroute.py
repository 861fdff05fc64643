"""Routing for requests that carry no ``x-portkey-provider`` and no inline config (issue 12):
a server-side config named in ``x-portkey-config``, the model string (``groq/llama-3.3-70b``),
or the ``default`` config, in that order. The result says whether the route spends keys the
server holds, since such a request must then present a gateway token."""

from __future__ import annotations

import copy
from typing import Any

from .config import client_key
from .errors import GatewayError, ValidationError
from .http import Headers
from .providers import get_provider
from .providers.catalog import VALID_PROVIDERS
from .serverconfig import ServerConfigs, ServerRoute, named, provider_holds_keys
from .settings import Settings

NO_ROUTE = "Either x-portkey-config or x-portkey-provider header is required"


def _by_model(params: dict[str, Any], headers: Headers, server: ServerConfigs) -> ServerRoute | None:
    model = params.get("model")
    if not isinstance(model, str) or "/" not in model:
        return None
    slug, rest = model.split("/", 1)
    if not rest or slug not in VALID_PROVIDERS or get_provider(slug) is None:
        return None  # "meta-llama/Llama-3..." is a model name, not a route
    held = provider_holds_keys(server, slug)
    leaf: dict[str, Any] = {"provider": slug, **copy.deepcopy(server.providers.get(slug) or {})}
    if not held:
        key = client_key(headers)
        if key:
            leaf["api_key"] = key
    leaf["override_params"] = {**(leaf.get("override_params") or {}), "model": rest}  # every body path honours it
    return ServerRoute(leaf, held)


def headerless(params: dict[str, Any], headers: Headers, settings: Settings) -> ServerRoute:
    """The model string when it names a served provider, else the ``default`` config, else the
    400 a client without routing headers always got."""
    found = _by_model(params, headers, settings.server) if settings.model_routing else None
    found = found or named("default", settings.server)
    if found is None:
        raise ValidationError(NO_ROUTE)
    return found


def refuse_redirects(headers: Headers) -> None:
    """A client must not point the server's keys at a host of its choosing."""
    if headers.get("x-portkey-custom-host"):
        raise GatewayError("x-portkey-custom-host cannot be used with a route that uses the gateway's own "
                           "provider keys", 400, exception=False)


def models_list(server: ServerConfigs) -> dict[str, Any]:
    """``GET /v1/models`` without routing headers: what the server-side configs can reach."""
    data = [{"id": name, "object": "model", "owned_by": "gateway-config", "providers": sorted(_providers(cfg))}
            for name, cfg in server.configs.items()]
    data += [{"id": f"{slug}/", "object": "model", "owned_by": slug, "description":
              f"any {slug} model, as '{slug}/<model>'"} for slug in server.providers]
    data += [{"id": f"{leaf['provider']}/{leaf['override_params']['model']}", "object": "model",
              "owned_by": leaf["provider"]} for cfg in server.configs.values() for leaf in _leaves(cfg)
             if isinstance((leaf.get("override_params") or {}).get("model"), str)]
    return {"object": "list", "data": data}


def _leaves(node: dict[str, Any]) -> list[dict[str, Any]]:
    targets = [t for t in node.get("targets") or [] if isinstance(t, dict)]
    return [leaf for t in targets for leaf in _leaves(t)] if targets else [node]


def _providers(config: dict[str, Any]) -> set[str]:
    return {str(leaf.get("provider")) for leaf in _leaves(config) if leaf.get("provider")}
