"""Verifying a JSON Web Token against a JSON Web Key Set (RFC 7515, 7517, 7519): the signature
with the key its ``kid`` names, then ``exp``, ``nbf`` and the token's age, as the ``jose`` library
behind upstream's ``jwt`` guardrail does.

Algorithms: RS256, RS384, RS512 (RSA keys of 2048 bits or more, as ``jose`` requires) and ES256,
ES384 (P-256, P-384). Anything else (``none``, HMAC, PS*) is refused: a key set publishes public
keys, and an HMAC "key" there would let anyone sign.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any

from .ecdsa import CURVES
from .ecdsa import verify as ecdsa_verify
from .rsa import PublicKey, verify_pkcs1v15

_RSA = {"RS256": "sha256", "RS384": "sha384", "RS512": "sha512"}
_EC = {"ES256": "P-256", "ES384": "P-384"}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|"
                       r"d|days?|w|weeks?|y|yr|yrs|years?)$", re.I)
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31557600}


class JwtInvalid(ValueError):
    """The token is not acceptable (malformed, unverifiable, expired...): a failed check."""


def b64url_decode(text: str) -> bytes:
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise JwtInvalid("Invalid Compact JWS")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise JwtInvalid("Invalid Compact JWS") from None


def _json_part(text: str) -> dict[str, Any]:
    try:
        value = json.loads(b64url_decode(text))
    except (ValueError, UnicodeDecodeError):
        raise JwtInvalid("Invalid Compact JWS") from None
    if not isinstance(value, dict):
        raise JwtInvalid("Invalid Compact JWS")
    return value


def split(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """(protected header, claims, signing input, signature) of a compact JWS."""
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtInvalid("Invalid Compact JWS")
    header, claims = _json_part(parts[0]), _json_part(parts[1])
    return header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), b64url_decode(parts[2])


def find_key(jwks: Any, kid: Any) -> dict[str, Any] | None:
    if not isinstance(kid, str) or not isinstance(jwks, Mapping):
        return None
    keys = jwks.get("keys")
    return next((k for k in keys if isinstance(k, dict) and k.get("kid") == kid), None) \
        if isinstance(keys, list) else None


def _int(jwk: Mapping[str, Any], name: str) -> int:
    raw = jwk.get(name)
    if not isinstance(raw, str):
        raise JwtInvalid(f'the key has no "{name}"')
    return int.from_bytes(b64url_decode(raw), "big")


def _signature_ok(alg: str, jwk: Mapping[str, Any], signing_input: bytes, signature: bytes) -> bool:
    if alg in _RSA:
        if jwk.get("kty") != "RSA":
            raise JwtInvalid(f"{alg} needs an RSA key")
        key = PublicKey(_int(jwk, "n"), _int(jwk, "e"))
        if key.n.bit_length() < 2048:
            raise JwtInvalid(f"{alg} requires key modulusLength to be 2048 bits or larger")
        return verify_pkcs1v15(key, signing_input, signature, _RSA[alg])
    curve = CURVES[_EC[alg]]
    if jwk.get("kty") != "EC" or jwk.get("crv") != curve.name:
        raise JwtInvalid(f"{alg} needs an EC key on {curve.name}")
    if len(signature) != 2 * curve.size:
        return False
    r = int.from_bytes(signature[:curve.size], "big")
    s = int.from_bytes(signature[curve.size:], "big")
    return ecdsa_verify(curve, _int(jwk, "x"), _int(jwk, "y"), signing_input, r, s)


def duration(value: Any) -> float:
    """``maxTokenAge``: seconds, or a span such as ``1d``, ``12h``, ``30 minutes``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    found = _DURATION.match(str(value).strip())
    if not found:
        raise ValueError(f"Invalid time period format: {value!r}")
    return float(found.group(1)) * _UNIT[found.group(2)[0].lower()]


def _number_claim(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise JwtInvalid(f'"{name}" claim must be a number')
    return float(value)


def check_claims(claims: Mapping[str, Any], now: float, tolerance: float, max_age: float | None) -> None:
    expires, not_before, issued = (_number_claim(claims, n) for n in ("exp", "nbf", "iat"))
    if expires is not None and expires <= now - tolerance:
        raise JwtInvalid('"exp" claim timestamp check failed')
    if not_before is not None and not_before > now + tolerance:
        raise JwtInvalid('"nbf" claim timestamp check failed')
    if max_age is not None:
        if issued is None:
            raise JwtInvalid('missing required "iat" claim')
        age = now - issued
        if age - tolerance > max_age:
            raise JwtInvalid('"iat" claim timestamp check failed (too far in the past)')
        if age < -tolerance:
            raise JwtInvalid('"iat" claim timestamp check failed (it should be in the past)')


def verify(token: str, jwk: Mapping[str, Any], now: float, tolerance: float = 5.0,
           max_age: float | None = None) -> dict[str, Any]:
    """The token's claims when its signature and times are good; ``JwtInvalid`` says why not."""
    header, claims, signing_input, signature = split(token)
    alg = header.get("alg")
    if alg not in _RSA and alg not in _EC:
        raise JwtInvalid(f'Unsupported "alg" value: {alg}')
    if jwk.get("alg") not in (None, alg) or jwk.get("use") not in (None, "sig"):
        raise JwtInvalid(f"the key with this kid is not for {alg} signatures")
    if not _signature_ok(str(alg), jwk, signing_input, signature):
        raise JwtInvalid("signature verification failed")
    check_claims(claims, now, tolerance, max_age)
    return claims
