"""What the operator chose for observability, read from the same environment mapping as every other
setting (process environment under local_dev, Worker variables and secrets at the edge).

Why its own object: the console, the metrics and the trace export have a dozen knobs between them;
``Settings`` carries one field of this type instead of growing a dozen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

from ..serverconfig import ServerConfigError

_OFF = ("off", "0", "false", "no")
DEFAULT_SERVICE = "portkey-py-gateway"


def token_digest(value: str | None) -> str | None:
    """A token as its SHA-256 hex digest: configured plain, or already hashed as ``sha256:<hex>``
    (``python -m local_dev --hash-token``), so the plain token need not sit in the environment."""
    text = (value or "").strip()
    if not text:
        return None
    if text.lower().startswith("sha256:") and len(text) == 71:
        return text[7:].lower()
    return hashlib.sha256(text.encode()).hexdigest()


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ServerConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ServerConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _pairs(raw: str | None) -> tuple[tuple[str, str], ...]:
    """``k=v,k2=v2`` with URL-encoded values (the OTel spec's format for headers and resource attributes)."""
    out = []
    for part in (raw or "").split(","):
        name, sep, value = part.partition("=")
        if sep and name.strip():
            out.append((unquote(name.strip()), unquote(value.strip())))
    return tuple(out)


@dataclass(frozen=True)
class OtlpSettings:
    """OTLP/HTTP trace export, from the standard ``OTEL_*`` variables. JSON encoding only."""

    url: str
    headers: tuple[tuple[str, str], ...] = ()
    service_name: str = DEFAULT_SERVICE
    resource: tuple[tuple[str, str], ...] = ()
    timeout_ms: int = 10_000
    delay_ms: int = 5_000
    batch_size: int = 512
    queue_size: int = 2048
    ratio: float = 1.0
    parent_based: bool = True

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> OtlpSettings | None:
        """None (export off) unless an OTLP endpoint is set and the SDK is not disabled."""
        if (env.get("OTEL_SDK_DISABLED") or "").strip().lower() == "true":
            return None
        if (env.get("OTEL_TRACES_EXPORTER") or "otlp").strip().lower() in ("none", ""):
            return None
        url = (env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or "").strip()
        if not url:
            base = (env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or "").strip()
            if not base:
                return None
            url = base.rstrip("/") + "/v1/traces"
        if not url.startswith(("http://", "https://")):
            raise ServerConfigError(f"OTLP endpoint must be an http(s) URL, got {url!r}")
        protocol = (env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get("OTEL_EXPORTER_OTLP_PROTOCOL")
                    or "http/json").strip().lower()
        if protocol not in ("http/json", "http/protobuf"):
            raise ServerConfigError(f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol} is not supported: this gateway "
                                    "exports OTLP over HTTP with JSON encoding (use the collector's HTTP port, "
                                    "4318, and http/json)")
        ratio, parent_based = _sampler(env)
        timeout = "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT" if env.get("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT") \
            else "OTEL_EXPORTER_OTLP_TIMEOUT"
        return cls(
            url=url,
            headers=_pairs(env.get("OTEL_EXPORTER_OTLP_HEADERS"))
            + _pairs(env.get("OTEL_EXPORTER_OTLP_TRACES_HEADERS")),
            service_name=(env.get("OTEL_SERVICE_NAME") or "").strip() or DEFAULT_SERVICE,
            resource=_pairs(env.get("OTEL_RESOURCE_ATTRIBUTES")),
            timeout_ms=_int(env, timeout, 10_000, 1, 600_000),
            delay_ms=_int(env, "OTEL_BSP_SCHEDULE_DELAY", 5_000, 0, 3_600_000),
            batch_size=_int(env, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512, 1, 100_000),
            queue_size=_int(env, "OTEL_BSP_MAX_QUEUE_SIZE", 2048, 1, 1_000_000),
            ratio=ratio,
            parent_based=parent_based,
        )


def _sampler(env: Mapping[str, str]) -> tuple[float, bool]:
    """(ratio of new traces kept, whether a sampled parent decides) from ``OTEL_TRACES_SAMPLER``."""
    name = (env.get("OTEL_TRACES_SAMPLER") or "parentbased_always_on").strip().lower()
    base = name.removeprefix("parentbased_")
    if base == "always_on":
        ratio = 1.0
    elif base == "always_off":
        ratio = 0.0
    elif base == "traceidratio":
        raw = (env.get("OTEL_TRACES_SAMPLER_ARG") or "1").strip()
        try:
            ratio = min(1.0, max(0.0, float(raw)))
        except ValueError:
            raise ServerConfigError(f"OTEL_TRACES_SAMPLER_ARG must be a number in [0, 1], got {raw!r}") from None
    else:
        raise ServerConfigError(f"OTEL_TRACES_SAMPLER={name} is not supported (always_on, always_off, "
                                "traceidratio, and their parentbased_ forms are)")
    return ratio, name.startswith("parentbased_")


@dataclass(frozen=True)
class ObserveSettings:
    """``ADMIN_TOKEN`` opens the console's live logs (and /metrics); ``METRICS_TOKEN`` opens /metrics
    alone; ``CONSOLE=off`` (``--headless``) removes the console; ``REQUEST_LOG=json`` writes one JSON
    line per request (local_dev); ``LIVE_LOG_SIZE`` / ``LIVE_LOG_BODY_BYTES`` bound the live log."""

    admin_digest: str | None = None
    metrics_digest: str | None = None
    console: bool = True
    request_log: str = "off"
    live_log_size: int = 500
    body_bytes: int = 4096
    otlp: OtlpSettings | None = None
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> ObserveSettings:
        request_log = (env.get("REQUEST_LOG") or "off").strip().lower()
        if request_log not in ("off", "json"):
            raise ServerConfigError(f"REQUEST_LOG must be 'json' or 'off', got {request_log!r}")
        admin, metrics = env.get("ADMIN_TOKEN"), env.get("METRICS_TOKEN")
        return cls(
            admin_digest=token_digest(admin),
            metrics_digest=token_digest(metrics),
            console=(env.get("CONSOLE") or "on").strip().lower() not in _OFF,
            request_log=request_log,
            live_log_size=_int(env, "LIVE_LOG_SIZE", 500, 1, 100_000),
            body_bytes=_int(env, "LIVE_LOG_BODY_BYTES", 4096, 0, 1 << 20),
            otlp=OtlpSettings.from_mapping(env),
            secrets=tuple(t.strip() for t in (admin, metrics) if t and not t.strip().lower().startswith("sha256:")),
        )

    @property
    def metrics_on(self) -> bool:
        """Counting costs a little per request, so it happens only when someone may read it."""
        return self.admin_digest is not None or self.metrics_digest is not None
