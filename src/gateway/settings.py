"""One settings object, built by the adapter from the Worker ``env`` or the process environment.

The core never reads the environment itself (DESIGN rule 6); it receives this.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .cache.settings import CacheSettings
from .limits import Limits
from .observe.settings import ObserveSettings
from .serverconfig import ServerConfigs, load

DEFAULT_TRUSTED_HOSTS = ("localhost", "127.0.0.1", "::1", "host.docker.internal")


def _csv(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(part.strip().lower() for part in value.split(",") if part.strip())


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive number of seconds, or the reason it is not (the server must not start on a guess)."""
    raw = (env.get(name) or "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        value = -1.0
    if not value > 0:
        from .serverconfig import ServerConfigError

        raise ServerConfigError(f"{name} must be a positive number of seconds, not {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    trusted_custom_hosts: tuple[str, ...] = DEFAULT_TRUSTED_HOSTS
    custom_headers_to_ignore: tuple[str, ...] = ()
    server: ServerConfigs = field(default_factory=ServerConfigs)
    model_routing: bool = True
    observe: ObserveSettings = field(default_factory=ObserveSettings)
    """Console, live log, metrics and trace export (``ADMIN_TOKEN``, ``METRICS_TOKEN``, ``OTEL_*``...)."""
    realtime_handshake_seconds: float = 10.0
    """How long ``/v1/realtime`` waits for the provider to accept the upstream WebSocket."""
    realtime_idle_seconds: float = 600.0
    """A realtime session with no frame either way for this long is closed (upstream's keep-alive)."""
    limits: Limits = field(default_factory=Limits)
    """Header, config, JSON-depth and upstream bounds, idle and shutdown timeouts (``MAX_*``, ``gateway.limits``)."""
    cache: CacheSettings = field(default_factory=CacheSettings)
    """The in-memory store's budget and the largest cached answer (``CACHE_MAX_BYTES``, ``CACHE_MAX_ENTRY_BYTES``)."""

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
            observe=ObserveSettings.from_mapping(env),
            realtime_handshake_seconds=_seconds(env, "REALTIME_HANDSHAKE_TIMEOUT", 10.0),
            realtime_idle_seconds=_seconds(env, "REALTIME_IDLE_TIMEOUT", 600.0),
            limits=Limits.from_mapping(env),
            cache=CacheSettings.from_mapping(env),
        )
