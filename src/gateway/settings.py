"""One settings object, built by the adapter from the Worker ``env`` or the process environment.

The core never reads the environment itself (DESIGN rule 6); it receives this.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_TRUSTED_HOSTS = ("localhost", "127.0.0.1", "::1", "host.docker.internal")


def _csv(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(part.strip().lower() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    trusted_custom_hosts: tuple[str, ...] = DEFAULT_TRUSTED_HOSTS
    custom_headers_to_ignore: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> Settings:
        """Build from string variables (``TRUSTED_CUSTOM_HOSTS``, ``CUSTOM_HEADERS_TO_IGNORE``)."""
        trusted = _csv(env.get("TRUSTED_CUSTOM_HOSTS")) or DEFAULT_TRUSTED_HOSTS
        return cls(
            trusted_custom_hosts=trusted,
            custom_headers_to_ignore=_csv(env.get("CUSTOM_HEADERS_TO_IGNORE")),
        )
