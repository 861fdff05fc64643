"""Bounds on what a client may send and on what an upstream may make the gateway hold or wait for.

Why a module of its own: every bound a hostile client or a broken provider could push past (a
thousand-level ``x-portkey-config``, a megabyte header, a provider that stalls or never stops) is
named here once, with its default, read from the same settings mapping on both runtimes, and
answered with a JSON error instead of a traceback, a 500 or a hang.

Defaults and why:
  * 100 header fields, 64 KiB of header names and values: well above any SDK's requests, well
    below what makes header handling costly (431, RFC 6585);
  * ``x-portkey-config`` up to 32 KiB (431 past it) and any JSON the gateway parses (config,
    metadata, bodies) up to 64 levels deep (400): real configs and JSON schemas stay under 20,
    while Python's parser fails with a RecursionError near 1,000;
  * a streamed answer (zero-copy passthrough, files, SSE) is cut at 1 GiB, an answer the gateway
    reads whole (errors, small passthrough bodies, translated answers) at 64 MiB;
  * 600 s without a byte from the provider, before or between body chunks, ends the call (the
    openai SDK's own default timeout is 600 s, so the gateway never gives up before the client);
  * 25 s of grace on SIGTERM for requests and streams in flight (inside Kubernetes' default 30 s).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from .errors import GatewayError
from .http import Headers

_JSON_HEADERS = ("x-portkey-config", "x-portkey-metadata")
"""Headers the gateway parses as JSON (their depth is checked before they are parsed)."""


@dataclass(frozen=True)
class Limits:
    max_header_count: int = 100
    """MAX_HEADER_COUNT: distinct request header fields."""
    max_header_bytes: int = 64 << 10
    """MAX_HEADER_BYTES: request header names and values together."""
    max_config_bytes: int = 32 << 10
    """MAX_CONFIG_BYTES: one ``x-portkey-config`` value."""
    max_json_depth: int = 64
    """MAX_JSON_DEPTH: nesting of any JSON the gateway parses (headers and bodies)."""
    max_response_bytes: int = 1 << 30
    """MAX_RESPONSE_BYTES: a streamed upstream answer is cut past this."""
    max_read_bytes: int = 64 << 20
    """MAX_READ_BYTES: an upstream answer the gateway reads whole."""
    upstream_idle_seconds: float = 600.0
    """UPSTREAM_IDLE_TIMEOUT: the longest silence from a provider, before or between body chunks."""
    shutdown_grace_seconds: int = 25
    """SHUTDOWN_GRACE_SECONDS: whole seconds requests in flight may take to finish after SIGTERM."""

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> Limits:
        """Read every limit from its variable (the name in each field's docstring above); a value
        that is not a positive number raises ``ServerConfigError`` so the server does not start."""
        values: dict[str, Any] = {}
        for spec in fields(cls):
            name = ENV_NAMES[spec.name]
            raw = (env.get(name) or "").strip()
            if raw:
                values[spec.name] = _positive(name, raw, float if spec.type == "float" else int)
        return cls(**values)


ENV_NAMES = {
    "max_header_count": "MAX_HEADER_COUNT",
    "max_header_bytes": "MAX_HEADER_BYTES",
    "max_config_bytes": "MAX_CONFIG_BYTES",
    "max_json_depth": "MAX_JSON_DEPTH",
    "max_response_bytes": "MAX_RESPONSE_BYTES",
    "max_read_bytes": "MAX_READ_BYTES",
    "upstream_idle_seconds": "UPSTREAM_IDLE_TIMEOUT",
    "shutdown_grace_seconds": "SHUTDOWN_GRACE_SECONDS",
}


def _positive(name: str, raw: str, kind: type) -> float | int:
    try:
        value = kind(raw)
    except ValueError:
        value = 0
    if not value > 0:
        from .serverconfig import ServerConfigError

        unit = "number of seconds" if kind is float else "whole number"
        raise ServerConfigError(f"{name} must be a positive {unit}, not {raw!r}")
    return value  # type: ignore[no-any-return]


def check_headers(headers: Headers, limits: Limits) -> None:
    """Refuse absurd header sets (431) and JSON headers nested past the limit (400), before any
    of them is parsed."""
    items = headers.items()
    if len(items) > limits.max_header_count:
        raise GatewayError(f"Request has {len(items)} header fields; the limit is {limits.max_header_count}",
                           431, exception=False)
    size = sum(len(name) + len(value) for name, value in items)
    if size > limits.max_header_bytes:
        raise GatewayError(f"Request headers are {size} bytes; the limit is {limits.max_header_bytes}",
                           431, exception=False)
    config = headers.get("x-portkey-config") or ""
    if len(config) > limits.max_config_bytes:
        raise GatewayError(f"x-portkey-config is {len(config)} bytes; the limit is {limits.max_config_bytes}",
                           431, exception=False)
    for name in _JSON_HEADERS:
        value = headers.get(name)
        if value and _too_deep_text(value, limits.max_json_depth):
            raise too_deep(name, limits.max_json_depth)


def too_deep(what: str, limit: int) -> GatewayError:
    return GatewayError(f"{what} is nested deeper than {limit} levels", 400, exception=False)


def parse_json(raw: str | bytes, max_depth: int, what: str = "Invalid request body: JSON") -> Any:
    """``json.loads`` that answers a 400 for JSON nested past ``max_depth`` (where the parser itself
    would raise RecursionError, a 500, and where deep values would break whatever walks them).
    Invalid JSON still raises ``ValueError`` for the caller to word. The depth walk runs only when
    the text has more brackets than the limit, so ordinary bodies pay two ``count`` calls."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise too_deep(what, max_depth) from None
    if _brackets(raw) > max_depth and depth_exceeds(value, max_depth):
        raise too_deep(what, max_depth)
    return value


def _too_deep_text(text: str, limit: int) -> bool:
    if _brackets(text) <= limit:
        return False
    try:
        return depth_exceeds(json.loads(text), limit)
    except RecursionError:
        return True
    except ValueError:
        return False  # not JSON at all: the header's own parser says so


def _brackets(raw: str | bytes) -> int:
    if isinstance(raw, str):
        return raw.count("[") + raw.count("{")
    return raw.count(b"[") + raw.count(b"{")


def depth_exceeds(value: Any, limit: int) -> bool:
    """Whether objects and arrays nest more than ``limit`` levels (``{}`` is one level). Iterative,
    so it cannot itself run out of stack."""
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        children = current.values() if isinstance(current, dict) else current if isinstance(current, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False
