"""From request headers to the routing tree (reference §2.1, §3.3, §3.4).

The result is the root target as a plain snake_case dict: either the parsed
``x-portkey-config`` (with header-mode provider fields filled in when it names no provider
or targets) or one leaf built from the headers. Validation happens here, once, before any
upstream call; every failure is a 400 with upstream's message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .configschema import validate_config
from .customhost import is_valid_custom_host
from .errors import ValidationError
from .guardrails.model import check_config_hooks, default_guardrails
from .http import Headers
from .providers import get_provider
from .providers.catalog import VALID_PROVIDERS
from .serverconfig import ServerRoute, named
from .settings import Settings

P = "x-portkey-"
FORWARD_HEADERS = P + "forward-headers"

@dataclass(frozen=True)
class HeaderOverrides:
    """Header values that beat the config at every leaf (reference §2.1)."""

    custom_host: str | None = None
    forward_headers: tuple[str, ...] | None = None
    request_timeout: float | None = None
    strict_open_ai_compliance: bool | None = None
    default_before_hooks: tuple[dict[str, Any], ...] = ()
    default_after_hooks: tuple[dict[str, Any], ...] = ()
    """``x-portkey-default-input/output-guardrails``, converted once and run at every leaf (§4.1)."""


def _bearer(value: str | None) -> str | None:
    if not value:
        return None
    return value[7:] if value[:7].lower() == "bearer " else value


def client_key(headers: Headers) -> str | None:
    """The provider key a client sent. Anthropic's SDK and Claude Code send it as x-api-key; any
    provider takes it from there when there is no Authorization, so an Anthropic client can reach
    every provider."""
    return _bearer(headers.get("authorization")) or headers.get("x-api-key")


def _header_group(slug: str | None) -> tuple[tuple[str, str, bool], ...]:
    found = get_provider(slug) if slug in VALID_PROVIDERS else None
    return found.option_headers if found is not None else ()


def provider_fields(headers: Headers) -> dict[str, Any]:
    """Header mode: one leaf's provider, key and that provider's header group."""
    provider = headers.get(P + "provider")
    leaf: dict[str, Any] = {"provider": provider}
    key = client_key(headers)
    if key:
        leaf["api_key"] = key
    for name, option, bare in _header_group(provider):
        value = headers.get(P + name) or (headers.get(name) if bare else None)
        if value:
            leaf[option] = value
    return leaf


def _check_content_type(headers: Headers) -> None:
    content_type = headers.get("content-type")
    if not content_type:
        return
    media = content_type.split(";")[0].strip().lower()
    if media not in ("application/json", "multipart/form-data") and not media.startswith("audio/"):
        raise ValidationError("Invalid content type passed")


def _parse_config(raw: str, headers: Headers, settings: Settings) -> dict[str, Any]:
    try:
        config = json.loads(raw)
    except ValueError:
        raise ValidationError("Invalid config passed. You need to pass a valid json") from None
    has_route = isinstance(config, dict) and (config.get("provider") or config.get("targets"))
    if not headers.get(P + "provider") and not has_route:
        raise ValidationError(
            "Either x-portkey-provider needs to be passed. Or the x-portkey-config header should "
            "have a valid config with provider details in it.")
    errors = validate_config(config, settings.trusted_custom_hosts)
    if errors:
        raise ValidationError("Invalid config passed", errors)
    if "options" in config:
        raise ValidationError("This version of config is not supported in this route. "
                              "Please migrate to the latest version")
    if not has_route:
        config = {**config, **provider_fields(headers)}
    return config


def _forward_list(headers: Headers) -> tuple[str, ...] | None:
    raw = headers.get(FORWARD_HEADERS)
    if raw is None:
        return None
    names = tuple(h.strip().lower() for h in raw.split(",") if h.strip())
    if FORWARD_HEADERS in names:
        raise ValidationError(f"forward_headers must not contain the '{FORWARD_HEADERS}' header")
    return names


def _timeout(headers: Headers) -> float | None:
    raw = headers.get(P + "request-timeout")
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValidationError("Invalid x-portkey-request-timeout: expected milliseconds") from None
    return value if value > 0 else None


@dataclass(frozen=True)
class Routing:
    """The validated routing of one request. ``root`` is None when the request carries no routing
    header and the server decides once the body is read (model string or ``default`` config)."""

    root: dict[str, Any] | None
    overrides: HeaderOverrides
    server_held: bool = False


def _root(raw_config: str | None, headers: Headers, settings: Settings) -> ServerRoute | None:
    if not raw_config:
        return ServerRoute(provider_fields(headers), False)
    if not raw_config.lstrip().startswith("{"):
        found = named(raw_config, settings.server)
        if found is not None:
            return found
    return ServerRoute(_parse_config(raw_config, headers, settings), False)


def build_config(headers: Headers, settings: Settings) -> Routing:
    """Validate the request's routing headers in upstream's order; return the root target."""
    _check_content_type(headers)
    raw_config = headers.get(P + "config")
    provider = headers.get(P + "provider")
    if provider and provider not in VALID_PROVIDERS:
        raise ValidationError("Invalid provider passed")
    custom_host = headers.get(P + "custom-host")
    if custom_host and not is_valid_custom_host(custom_host, settings.trusted_custom_hosts):
        raise ValidationError("Invalid custom host")
    route = _root(raw_config, headers, settings) if raw_config or provider else None
    if route is not None:
        check_config_hooks(route.root)  # 400 (501 for what is not built) before any upstream call
    strict = headers.get(P + "strict-open-ai-compliance")
    overrides = HeaderOverrides(
        custom_host=custom_host or None,
        forward_headers=_forward_list(headers),
        request_timeout=_timeout(headers),
        strict_open_ai_compliance=False if strict == "false" else None,
        default_before_hooks=default_guardrails(headers.get(P + "default-input-guardrails"),
                                                P + "default-input-guardrails", "input"),
        default_after_hooks=default_guardrails(headers.get(P + "default-output-guardrails"),
                                               P + "default-output-guardrails", "output"),
    )
    if route is None:
        return Routing(None, overrides)
    return Routing(route.root, overrides, route.server_held)
