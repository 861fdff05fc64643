"""JSON Web Tokens signed with RS256 (RFC 7519, RFC 7515 compact serialisation): the assertion a
Google service account trades for an access token (RFC 7523)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from . import jsoncodec
from .rsa import PrivateKey, sign_sha256


def b64url(data: bytes) -> str:
    """Base64url without padding, as JWS requires."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def encode_rs256(claims: Mapping[str, Any], key: PrivateKey, key_id: str | None = None) -> str:
    """``header.claims.signature``; the header names the key (``kid``) when an id is given, so the
    verifier (Google's token endpoint) picks the right public key at once."""
    header: dict[str, Any] = {"alg": "RS256", "typ": "JWT"}
    if key_id:
        header["kid"] = key_id
    signing_input = f"{b64url(jsoncodec.dumps(header))}.{b64url(jsoncodec.dumps(dict(claims)))}"
    signature = sign_sha256(key, signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}"
