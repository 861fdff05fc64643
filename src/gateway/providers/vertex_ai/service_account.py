"""A Google service account key (the JSON file Google issues) traded for an OAuth access token:
an RS256-signed JWT assertion POSTed to the account's ``token_uri`` (RFC 7523, Google's
"OAuth 2.0 for server to server applications"), the token cached in the gateway's key-value store.

Decisions the docs leave open:
  * the cache key hashes the private key itself with the client email, key id and token URI:
    a key derived from the public fields alone (upstream: project/key id/email) would let
    anyone who knows them borrow a token another caller's key paid for;
  * the token is kept until five minutes before ``expires_in`` and not at all when that leaves
    less than a minute (a Workers KV entry lives at least 60 s);
  * ``token_uri`` is user input the gateway will POST to, so it passes the custom-host SSRF guard
    with the gateway's trusted hosts, and must be https unless its host is a trusted one;
  * failures name vertex-ai and the token endpoint's own ``error``/``error_description`` (never
    the assertion or the key): 401 when the endpoint refused the credentials, 502 when it failed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from ... import jwt, rsa
from ...customhost import is_valid_custom_host
from ...errors import GatewayError
from ...http import Headers
from ...ports import TransportError
from ..base import AuthContext

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
LIFETIME = 3600
"""Seconds an assertion is valid (Google's maximum)."""
EARLY_REFRESH = 300
MIN_CACHE_TTL = 60
MAX_TOKEN_ANSWER = 64 << 10


@dataclass(frozen=True, repr=False)
class ServiceAccount:
    """The fields of the key file the exchange needs. ``repr`` is hidden: it holds a private key."""

    client_email: str
    private_key: str
    private_key_id: str
    token_uri: str
    project_id: str | None

    def cache_key(self) -> str:
        material = "\0".join((self.client_email, self.private_key_id, self.token_uri, self.private_key))
        return "vertex-ai:access-token:" + hashlib.sha256(material.encode()).hexdigest()


def _invalid(reason: str) -> GatewayError:
    return GatewayError(f"vertex-ai: the service account JSON {reason}", 400, exception=False)


def parse_service_account(value: Any) -> ServiceAccount | None:
    """The ``vertex_service_account_json`` option: an object (config) or a JSON string (the
    ``x-portkey-vertex-service-account-json`` header). None when not given; 400 when unusable
    (upstream silently drops bad JSON and sends the request without credentials)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise _invalid("is not valid JSON") from None
    if not isinstance(value, dict):
        raise _invalid("must be a JSON object")
    text = {name: value[name] if isinstance(value.get(name), str) else "" for name in (
        "client_email", "private_key", "private_key_id", "token_uri", "project_id")}
    missing = [name for name in ("client_email", "private_key") if not text[name]]
    if missing:
        raise _invalid(f"has no {' or '.join(missing)}")
    return ServiceAccount(text["client_email"], text["private_key"], text["private_key_id"],
                          text["token_uri"] or DEFAULT_TOKEN_URI, text["project_id"] or None)


def assertion(account: ServiceAccount, now: float) -> str:
    """The signed JWT: ``iss``/``sub`` the account, ``aud`` its token URI, ``scope`` cloud-platform."""
    try:
        key = rsa.load_pem(account.private_key)
    except rsa.InvalidKey as error:
        raise _invalid(f"has an unusable private_key: {error}") from None
    issued = int(now)
    claims = {"iss": account.client_email, "sub": account.client_email, "aud": account.token_uri,
              "scope": SCOPE, "iat": issued, "exp": issued + LIFETIME}
    return jwt.encode_rs256(claims, key, account.private_key_id or None)


def _check_token_uri(uri: str, trusted: tuple[str, ...]) -> None:
    host = (urlsplit(uri).hostname or "").lower()
    if not is_valid_custom_host(uri, trusted) or (uri[:8].lower() != "https://" and host not in trusted):
        raise _invalid("has a token_uri the gateway may not call (https and a public host, or a trusted host)")


def _refused(status: int, data: Any) -> GatewayError:
    """The token endpoint's answer to a failed exchange, as the client's error: its OAuth ``error``
    and ``error_description`` only (they describe the failure, never the key)."""
    parts = [data.get(name) for name in ("error", "error_description")] if isinstance(data, dict) else []
    detail = ": ".join(part for part in parts if isinstance(part, str) and part)[:300]
    suffix = f": {detail}" if detail else ""
    if 400 <= status < 500:
        return GatewayError(f"vertex-ai: the service account token exchange was refused ({status}){suffix}", 401,
                            exception=False)
    return GatewayError(f"vertex-ai: the service account token exchange failed ({status}){suffix}", 502,
                        exception=False)


async def _post(account: ServiceAccount, ctx: AuthContext) -> tuple[int, bytes]:
    """POST the assertion; (status, the answer's first ``MAX_TOKEN_ANSWER`` bytes)."""
    body = urlencode({"grant_type": GRANT_TYPE, "assertion": assertion(account, ctx.now)}).encode()
    headers = Headers({"content-type": "application/x-www-form-urlencoded", "accept": "application/json"})
    chunks: list[bytes] = []
    size = 0
    try:
        answer = await ctx.transport.send("POST", account.token_uri, headers, body)
        try:
            async for chunk in answer.stream():
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_TOKEN_ANSWER:
                    break
        finally:
            await answer.close()
    except TransportError as error:
        raise TransportError(f"vertex-ai token exchange at {account.token_uri}: {error}",
                             connect=error.connect) from None
    return answer.status, b"".join(chunks)


async def _exchange(account: ServiceAccount, ctx: AuthContext) -> tuple[str, int]:
    """(access token, seconds it lives) from the token endpoint."""
    status, raw = await _post(account, ctx)
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    token = data.get("access_token") if isinstance(data, dict) else None
    if status != 200 or not isinstance(token, str) or not token:
        raise _refused(status if status != 200 else 502, data)
    lifetime = data.get("expires_in") if isinstance(data, dict) else None
    return token, lifetime if isinstance(lifetime, int) and not isinstance(lifetime, bool) else LIFETIME


async def access_token(account: ServiceAccount, ctx: AuthContext) -> str:
    """A cached token when there is one, else a fresh exchange (then cached)."""
    _check_token_uri(account.token_uri, ctx.trusted_hosts)
    key = account.cache_key()
    cached = await ctx.store.get(key)
    if cached:
        return cached.decode()
    token, lifetime = await _exchange(account, ctx)
    ttl = lifetime - EARLY_REFRESH
    if ttl >= MIN_CACHE_TTL:
        await ctx.store.put(key, token.encode(), ttl)
    return token
