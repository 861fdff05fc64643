"""AWS Signature Version 4, with the standard library only (``hmac``, ``hashlib``).

Pure functions over what is sent: the method, the URL exactly as it goes on the wire, the
headers to sign and the payload's SHA-256. Checked against AWS's published test suite
(``tests/fixtures/sigv4``). Rules that matter for Bedrock and SageMaker:
  * the canonical URI encodes the path as sent once more (every service but S3 signs a doubly
    encoded path), so a model ARN's ``%3A`` is signed as ``%253A``, as AWS computes it;
  * the canonical query decodes each key and value, re-encodes them with AWS's unreserved set
    and sorts by key, then value;
  * header values are trimmed and inner runs of spaces folded; repeated names are joined by ``,``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


@dataclass(frozen=True)
class Signature:
    """Every intermediate step, so a test can compare each one with AWS's vectors."""

    canonical_request: str
    string_to_sign: str
    signed_headers: str
    signature: str
    authorization: str


def amz_date(now: float) -> str:
    """``YYYYMMDDTHHMMSSZ`` in UTC, the form of ``x-amz-date``."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))


def payload_hash(body: bytes | None) -> str:
    """The payload's SHA-256 (hex); a streamed body that cannot be hashed is signed as unsigned."""
    return UNSIGNED_PAYLOAD if body is None else hashlib.sha256(body).hexdigest()


def host_header(url: str) -> str:
    """The ``Host`` an HTTP client sends for ``url``: the port included unless it is the scheme's
    default (upstream signed the bare hostname, so a custom host with a port failed AWS's check)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    return f"{host}:{port}" if port and port != _DEFAULT_PORTS.get(parts.scheme) else host


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")


def canonical_uri(path: str) -> str:
    return quote(path or "/", safe="/~")


def canonical_query(query: str) -> str:
    pairs = []
    for part in query.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((_encode(unquote(key)), _encode(unquote(value))))
    return "&".join(f"{key}={value}" for key, value in sorted(pairs))


def canonical_headers(headers: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """(the canonical header block, the ``;``-joined signed header names)."""
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        grouped.setdefault(name.strip().lower(), []).append(" ".join(value.split()))
    names = sorted(grouped)
    block = "".join(f"{name}:{','.join(grouped[name])}\n" for name in names)
    return block, ";".join(names)


def signing_key(secret: str, day: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def sign(method: str, url: str, headers: Iterable[tuple[str, str]], body_hash: str, credentials: Credentials,
         region: str, service: str, timestamp: str) -> Signature:
    """Sign one request. ``headers`` are the ones to sign, ``host`` and ``x-amz-date`` included
    (and ``x-amz-security-token`` with temporary credentials)."""
    parts = urlsplit(url)
    block, signed = canonical_headers(headers)
    canonical = "\n".join((method.upper(), canonical_uri(parts.path), canonical_query(parts.query), block, signed,
                           body_hash))
    scope = f"{timestamp[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join((ALGORITHM, timestamp, scope, hashlib.sha256(canonical.encode()).hexdigest()))
    key = signing_key(credentials.secret_access_key, timestamp[:8], region, service)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    authorization = (f"{ALGORITHM} Credential={credentials.access_key_id}/{scope}, SignedHeaders={signed}, "
                     f"Signature={signature}")
    return Signature(canonical, to_sign, signed, signature, authorization)
