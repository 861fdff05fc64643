"""Calls a check makes to the world (webhook, log, validUrls, a JWKS), through the core's HTTP
transport port with a time limit, so they run the same under local_dev and in a Worker.

Every URL a check would call passes the same SSRF guard as ``custom_host`` (``TRUSTED_CUSTOM_HOSTS``
opens private hosts): a guardrail in a client's config must not make the gateway reach cloud
metadata or the private network, which upstream's checks would.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..customhost import is_valid_custom_host
from ..http import Headers
from ..ports import TransportError
from .runner import CheckEnv

MAX_READ = 1 << 20
"""A webhook's or JWKS endpoint's answer is read whole; past this it is refused."""


class OutboundError(Exception):
    """A call failed: refused by the guard, unreachable, too slow, or not 2xx (``status``/``body``)."""

    def __init__(self, message: str, status: int | None = None, body: bytes = b"", content_type: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = body
        self.content_type = content_type


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Headers
    body: bytes


def well_formed(url: object) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def allowed(url: str, env: CheckEnv) -> bool:
    return is_valid_custom_host(url, env.trusted_hosts)


async def _read(response: object, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in response.stream():  # type: ignore[attr-defined]
        size += len(chunk)
        if size > limit:
            raise OutboundError(f"the answer is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def call(env: CheckEnv, method: str, url: str, headers: Headers, body: bytes | None,
               timeout_ms: float, read: bool = True) -> Answer:
    """One request within ``timeout_ms``; the body is read (up to ``MAX_READ``) when ``read``."""
    if not allowed(url, env):
        raise OutboundError(f"{url} is not allowed (private and internal hosts need TRUSTED_CUSTOM_HOSTS)")

    async def attempt() -> Answer:
        response = await env.transport.send(method, url, headers, body)
        try:
            data = await _read(response, MAX_READ) if read else b""
        finally:
            await response.close()
        return Answer(response.status, response.headers, data)

    try:
        return await asyncio.wait_for(attempt(), timeout_ms / 1000)
    except TimeoutError:
        raise OutboundError(f"Request timed out after {int(timeout_ms)}ms") from None
    except TransportError as error:
        raise OutboundError(f"fetch failed: {error}") from None


async def post_json(env: CheckEnv, url: str, payload: bytes, headers: dict[str, str], timeout_ms: float) -> bytes:
    """POST JSON; a non-2xx answer raises with its status and body (upstream's ``HttpError``)."""
    sent = Headers({"content-type": "application/json", **{k: str(v) for k, v in headers.items()}})
    answer = await call(env, "POST", url, sent, payload, timeout_ms)
    if not 200 <= answer.status < 300:
        raise OutboundError(f"HTTP error! status: {answer.status}", answer.status, answer.body,
                            answer.headers.get("content-type") or "")
    return answer.body
