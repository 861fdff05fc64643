"""Gateway access tokens: who may spend the keys the server holds (issue 12).

When a request is routed with provider keys the operator put on the server (a server-side config
or model-string routing), the gateway must not be an open proxy for them, so the request has to
present a gateway token. Only SHA-256 hashes of the tokens are configured (``GATEWAY_TOKENS`` or
the config file's ``gateway_tokens``, as ``sha256:<hex>``), and a presented token is hashed and
compared with every configured hash in constant time.
"""

from __future__ import annotations

import hashlib
import hmac

from .errors import GatewayError
from .http import Headers

TOKEN_HEADER = "x-portkey-api-key"


def hash_token(token: str) -> str:
    """The form a token is configured in: ``sha256:<hex digest>``."""
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()


def parse_token_hash(value: object) -> str:
    from .serverconfig import ServerConfigError

    text = str(value).strip().lower()
    digest = text.removeprefix("sha256:")
    if not text.startswith("sha256:") or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ServerConfigError("gateway tokens are configured as 'sha256:<64 hex digits>' "
                                "(python -m local_dev --hash-token TOKEN prints one)")
    return digest


def presented_token(headers: Headers) -> str | None:
    """``x-portkey-api-key`` first, else ``Authorization: Bearer``, else Anthropic's ``x-api-key``."""
    value = headers.get(TOKEN_HEADER)
    if value:
        return value.strip()
    auth = headers.get("authorization") or ""
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return (headers.get("x-api-key") or "").strip() or None


def require_token(headers: Headers, hashes: tuple[str, ...]) -> None:
    """401 unless the request carries a configured token; every hash is compared, so the time
    taken does not tell which one matched."""
    token = presented_token(headers)
    digest = hashlib.sha256(token.encode()).hexdigest() if token else ""
    matched = False
    for known in hashes:
        matched |= hmac.compare_digest(digest, known)
    if not matched:
        message = ("A gateway token is required: this route uses provider keys held by the gateway. Send it as "
                   "'Authorization: Bearer <token>' or 'x-portkey-api-key: <token>'")
        raise GatewayError(message if token is None else "Invalid gateway token", 401, exception=False)
