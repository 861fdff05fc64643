"""Server-side routing for clients that can set only a base URL and a key (issue 12).

The operator gives the gateway, at start-up, named routing configs (the ``x-portkey-config``
schema) and provider entries for model-string routing, from a JSON or TOML document: a file
(``GATEWAY_CONFIG_FILE``, read by the adapter) or a variable (``GATEWAY_CONFIGS``, e.g. a Worker
secret). Everything is validated here, once, with the header validator's own messages; a bad
document raises ``ServerConfigError`` and the server does not start (no silent default).

Credentials may be references, ``"env:NAME"``, resolved from the adapter's environment mapping
(process environment or Worker secrets) so that keys never sit in the document. Every resolved
secret is remembered so answers can be scrubbed of it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .configschema import validate_config
from .providers.catalog import VALID_PROVIDERS

_CREDENTIAL_WORDS = ("key", "secret", "token", "password", "service_account", "credential")
_ENV_PREFIX = "env:"


class ServerConfigError(ValueError):
    """The server-side configuration is invalid: the message says where and why."""


@dataclass(frozen=True)
class ServerConfigs:
    configs: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    providers: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    token_hashes: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    keyed: frozenset[str] = frozenset()
    """Names of the configs that carry credentials (a request using one needs a gateway token)."""

    @property
    def empty(self) -> bool:
        return not self.configs and not self.providers


@dataclass(frozen=True)
class ServerRoute:
    """A routing tree chosen on the server's side, and whether it spends keys the server holds."""

    root: dict[str, Any]
    server_held: bool


def named(name: str, server: ServerConfigs) -> ServerRoute | None:
    """``x-portkey-config: <name>`` for a config the server holds (a deep copy: routing never
    mutates the shared original)."""
    config = server.configs.get(name.strip())
    if config is None:
        return None
    return ServerRoute(copy.deepcopy(config), name.strip() in server.keyed)


def is_credential(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _CREDENTIAL_WORDS)


def _resolve(node: Any, env: Mapping[str, str], where: str, found: list[str]) -> Any:
    """Replace ``"env:NAME"`` credential values by the variable's value, collecting every
    credential value (referenced or inline) into ``found``."""
    if isinstance(node, list):
        return [_resolve(item, env, where, found) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if is_credential(key) and isinstance(value, str):
            if value.startswith(_ENV_PREFIX):
                name = value[len(_ENV_PREFIX):]
                if name not in env or not env[name]:
                    raise ServerConfigError(f"{where}: '{key}' refers to the environment variable {name}, "
                                            "which is not set")
                value = env[name]
            if value:
                found.append(value)
            out[key] = value
        else:
            out[key] = _resolve(value, env, where, found)
    return out


def _check_config(name: str, config: Any, trusted_hosts: tuple[str, ...]) -> None:
    errors = validate_config(config, trusted_hosts)
    if errors:
        raise ServerConfigError(f"config '{name}': Invalid config passed: {'; '.join(errors)}")
    if not (config.get("provider") or config.get("targets")):
        raise ServerConfigError(f"config '{name}': a server-side config needs a 'provider' or 'targets'")
    from .errors import GatewayError
    from .guardrails.model import check_config_hooks

    try:
        check_config_hooks(config)
    except GatewayError as error:
        raise ServerConfigError(f"config '{name}': {error.message}") from None


def _check_provider(slug: str, entry: Any) -> None:
    if slug not in VALID_PROVIDERS:
        raise ServerConfigError(f"providers: '{slug}' is not a known provider slug")
    if not isinstance(entry, dict):
        raise ServerConfigError(f"providers: '{slug}' must be an object of provider options")


def _parse(text: str, fmt: str) -> dict[str, Any]:
    try:
        if fmt == "toml":
            import tomllib  # only when a TOML file is used

            data: Any = tomllib.loads(text)
        else:
            data = json.loads(text)
    except ValueError as error:
        raise ServerConfigError(f"the server config is not valid {fmt.upper()}: {error}") from None
    if not isinstance(data, dict):
        raise ServerConfigError("the server config must be an object with 'configs' and/or 'providers'")
    unknown = set(data) - {"configs", "providers", "gateway_tokens"}
    if unknown:
        raise ServerConfigError(f"the server config has unknown sections: {', '.join(sorted(unknown))}")
    return data


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name) or {}
    if not isinstance(value, dict):
        raise ServerConfigError(f"'{name}' must be an object keyed by name")
    return value


def load(text: str | None, fmt: str, env: Mapping[str, str], trusted_hosts: tuple[str, ...],
         tokens: tuple[str, ...] = ()) -> ServerConfigs:
    """Parse, resolve and validate; raise ``ServerConfigError`` on the first problem."""
    data = _parse(text, fmt) if text and text.strip() else {}
    found: list[str] = []
    configs: dict[str, dict[str, Any]] = {}
    keyed = set()
    for name, config in _section(data, "configs").items():
        before = len(found)
        configs[name] = _resolve(config, env, f"config '{name}'", found)
        _check_config(name, configs[name], trusted_hosts)
        if len(found) > before:
            keyed.add(name)
    providers: dict[str, dict[str, Any]] = {}
    for slug, entry in _section(data, "providers").items():
        _check_provider(slug, entry)
        providers[slug] = _resolve(entry, env, f"providers '{slug}'", found)
        placeholder = {"api_key": "client's key"} if not providers[slug].get("api_key") else {}
        _check_config(f"providers.{slug}", {**providers[slug], **placeholder, "provider": slug}, trusted_hosts)
    hashes = tokens + tuple(_hashes(data.get("gateway_tokens") or ()))
    result = ServerConfigs(configs, providers, hashes, tuple(found), frozenset(keyed))
    if (keyed or any(_holds_keys(p) for p in providers.values())) and not hashes:
        raise ServerConfigError("the server config holds provider keys, so it needs gateway tokens "
                                "(GATEWAY_TOKENS or 'gateway_tokens'); see the README")
    return result


def _holds_keys(entry: dict[str, Any]) -> bool:
    return any(is_credential(key) and value for key, value in entry.items())


def provider_holds_keys(configs: ServerConfigs, slug: str) -> bool:
    entry = configs.providers.get(slug)
    return entry is not None and _holds_keys(entry)


def _hashes(values: Any) -> list[str]:
    from .access import parse_token_hash

    if not isinstance(values, (list, tuple)):
        raise ServerConfigError("'gateway_tokens' must be a list of 'sha256:<hex>' hashes")
    return [parse_token_hash(value) for value in values]
