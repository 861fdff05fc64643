"""The ``jwt`` check: the token in a request header must verify against a JWKS URL (RS256/384/512,
ES256/384), be in date (``exp``, ``nbf``, within ``clockTolerance`` seconds) and younger than
``maxTokenAge``.

The key set is fetched through the HTTP transport port and kept in the key-value store for
``cacheMaxAge`` seconds (so one fetch serves every process sharing Redis, or every isolate sharing
Workers KV); a token whose ``kid`` is not in the cached set triggers one refetch (key rotation).

Deliberate difference: upstream reports a malformed token as a check *error*, which is lenient, so
a garbage token passes its jwt guardrail unless ``failOnError`` is set. Here any token problem is a
failed check; only the gateway's own trouble (no ``jwksUri``, an unreachable key set) is an error.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from ...http import Headers
from ...jwtverify import JwtInvalid, duration, find_key, split, verify
from ..context import HookContext
from ..outbound import OutboundError, call
from ..runner import CheckEnv, CheckFn, CheckResult
from . import is_number

FETCH_TIMEOUT_MS = 5000


def _failed(explanation: str) -> CheckResult:
    return CheckResult(False, {"verdict": False, "explanation": explanation})


def _errored(message: str) -> CheckResult:
    return CheckResult(False, {"verdict": False, "explanation": f"JWT validation error: {message}"}, message)


async def _fetch(env: CheckEnv, uri: str, key: str, ttl: int) -> Any:
    try:
        answer = await call(env, "GET", uri, Headers({"accept": "application/json"}), None, FETCH_TIMEOUT_MS)
    except OutboundError as error:
        raise OutboundError(f"Failed to fetch JWKS from {uri}: {error}") from None
    if not 200 <= answer.status < 300:
        raise OutboundError(f"Failed to fetch JWKS from {uri}")
    try:
        jwks = json.loads(answer.body)
    except ValueError:
        raise OutboundError(f"The JWKS at {uri} is not JSON") from None
    if ttl > 0:
        await env.store.put(key, answer.body, ttl)
    return jwks


async def _cached(env: CheckEnv, key: str) -> Any:
    raw = await env.store.get(key)
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


async def jwt(ctx: HookContext, params: Mapping[str, Any], event: str, env: CheckEnv) -> CheckResult:
    uri = params.get("jwksUri")
    if not uri or not isinstance(uri, str):
        return _errored("Missing JWKS URI")
    raw = ctx.headers.get(str(params.get("headerKey") or "Authorization"))
    if not raw:
        return _failed("Missing authorization header")
    token = re.sub(r"^Bearer\s+", "", raw, flags=re.I).strip()
    ttl = int(params["cacheMaxAge"]) if is_number(params.get("cacheMaxAge")) else 86400
    tolerance = float(params["clockTolerance"]) if is_number(params.get("clockTolerance")) else 5.0
    key = "jwks:" + hashlib.sha256(uri.encode()).hexdigest()
    try:
        max_age = duration(params.get("maxTokenAge") or "1d")
        header = split(token)[0]
        jwks = await _cached(env, key) or await _fetch(env, uri, key, ttl)
        jwk = find_key(jwks, header.get("kid"))
        if jwk is None:
            jwk = find_key(await _fetch(env, uri, key, ttl), header.get("kid"))
        if jwk is None:
            return _failed("No matching key found for kid")
        verify(token, jwk, env.clock.time(), tolerance, max_age)
    except JwtInvalid as invalid:
        return _failed(f"JWT validation error: {invalid}")
    except (OutboundError, ValueError) as error:
        return _errored(str(error))
    return CheckResult(True, {"verdict": True, "explanation": "JWT token validation succeeded"})


CHECKS: dict[str, CheckFn] = {"jwt": jwt}
