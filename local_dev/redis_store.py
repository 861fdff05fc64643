"""The core's ``KeyValueStore`` over Redis, so several gateway processes or machines share one
cache (and one JWKS and access-token cache): ``REDIS_URL=redis://host:6379/0``.

A cache must never fail a request. Every call has a short time limit; a failure reads as a miss and
drops the write, logs one warning, and rests Redis for a few seconds so that a Redis that is down
costs each request nothing rather than a timeout. The client library's own retries are turned off
for the same reason. Keys are namespaced (``portkey-gateway:``) so the gateway can share a Redis.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

PREFIX = "portkey-gateway:"
log = logging.getLogger("local_dev.redis")


def shown(url: str) -> str:
    """The URL for logs, without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class RedisStore:
    def __init__(self, url: str, timeout: float = 0.5, rest: float = 5.0,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.url = url
        self._client = Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout,
                                      retry=Retry(NoBackoff(), 0), retry_on_timeout=False)
        self._rest = rest
        self._now = now
        self._down_until = 0.0

    def _resting(self) -> bool:
        return self._now() < self._down_until

    def _failed(self, error: BaseException) -> None:
        if not self._resting():
            log.warning("Redis at %s is unreachable (%s: %s): caching is off for %.0f s", shown(self.url),
                        type(error).__name__, error, self._rest)
        self._down_until = self._now() + self._rest

    async def get(self, key: str) -> bytes | None:
        if self._resting():
            return None
        try:
            value = await self._client.get(PREFIX + key)
        except (RedisError, OSError, TimeoutError) as error:
            self._failed(error)
            return None
        return value if isinstance(value, bytes) else None

    async def put(self, key: str, value: bytes, ttl_seconds: int | None = None) -> None:
        if self._resting():
            return
        try:
            await self._client.set(PREFIX + key, value, ex=ttl_seconds or None)
        except (RedisError, OSError, TimeoutError) as error:
            self._failed(error)

    async def delete(self, key: str) -> None:
        if self._resting():
            return
        try:
            await self._client.delete(PREFIX + key)
        except (RedisError, OSError, TimeoutError) as error:
            self._failed(error)

    async def close(self) -> None:
        await self._client.aclose()
