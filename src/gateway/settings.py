"""One settings object, built by the adapter from the Worker ``env`` or the process environment.

The core never reads the environment itself (DESIGN rule 6); it receives this.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .serverconfig import ServerConfigs, load

DEFAULT_TRUSTED_HOSTS = ("localhost", "127.0.0.1", "::1", "host.docker.internal")


def _csv(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(part.strip().lower() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    trusted_custom_hosts: tuple[str, ...] = DEFAULT_TRUSTED_HOSTS
    custom_headers_to_ignore: tuple[str, ...] = ()
    server: ServerConfigs = field(default_factory=ServerConfigs)
    model_routing: bool = True

    @classmethod
    def from_mapping(cls, env: Mapping[str, str], config_text: str | None = None,
                     config_format: str = "json") -> Settings:
        """Build from string variables (``TRUSTED_CUSTOM_HOSTS``, ``CUSTOM_HEADERS_TO_IGNORE``,
        ``GATEWAY_CONFIGS``, ``GATEWAY_TOKENS``, ``MODEL_ROUTING``) and the text of the config file
        the adapter read (``GATEWAY_CONFIG_FILE``); raises ``ServerConfigError`` when invalid."""
        from .access import parse_token_hash

        trusted = _csv(env.get("TRUSTED_CUSTOM_HOSTS")) or DEFAULT_TRUSTED_HOSTS
        if config_text is None and env.get("GATEWAY_CONFIGS"):
            config_text, config_format = env["GATEWAY_CONFIGS"], "json"
        tokens = tuple(parse_token_hash(t) for t in (env.get("GATEWAY_TOKENS") or "").split(",") if t.strip())
        return cls(
            trusted_custom_hosts=trusted,
            custom_headers_to_ignore=_csv(env.get("CUSTOM_HEADERS_TO_IGNORE")),
            server=load(config_text, config_format, env, trusted, tokens),
            model_routing=(env.get("MODEL_ROUTING") or "on").strip().lower() not in ("off", "0", "false", "no"),
        )
