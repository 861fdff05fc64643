"""The cache key (reference §5, fixed): upstream hashes only the provider-format body and the
endpoint, so two tenants with the same prompt share an answer and a different provider or host
serves another's. Here the key covers the provider, the client's route and the provider endpoint,
the method and target URL, the provider-format body in a canonical form (keys sorted, ``stream``
and ``stream_options`` left out so a stream and a plain request share the answer), and a hash of
every credential the request carries: the target's keys, secrets and tokens, the credential headers
going upstream, and the client's own ``Authorization``/``x-api-key`` (a gateway token when the
server holds the keys), so two API keys never share an entry.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from ..serverconfig import is_credential

if TYPE_CHECKING:
    from ..routing.context import Call
    from ..upstream import Prepared

PREFIX = "cache:v1:"
_STREAM_KEYS = ("stream", "stream_options")
_CREDENTIAL_HEADERS = ("authorization", "x-api-key", "api-key", "x-goog-api-key", "x-portkey-api-key")


def canonical_body(body: bytes) -> bytes:
    """The JSON body with sorted keys and without stream flags; other bytes are kept as they are."""
    try:
        payload: Any = json.loads(body)
    except ValueError:
        return body
    if isinstance(payload, dict):
        payload = {k: v for k, v in payload.items() if k not in _STREAM_KEYS}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def credential_digest(prepared: Prepared, call: Call) -> str:
    found: list[tuple[str, str]] = []
    for name, value in prepared.options.items():
        if is_credential(name) and value:
            found.append(("option:" + name, json.dumps(value, sort_keys=True, default=str)))
    for source, headers in (("upstream:", prepared.headers), ("client:", call.headers)):
        for name in _CREDENTIAL_HEADERS:
            value = headers.get(name)
            if value:
                found.append((source + name, value))
    return hashlib.sha256(json.dumps(sorted(found)).encode()).hexdigest()


def cache_key(prepared: Prepared, call: Call) -> str | None:
    """The store key for this leaf's request, or None when its body cannot be keyed (a stream)."""
    if not isinstance(prepared.body, bytes):
        return None
    digest = hashlib.sha256()
    for part in (prepared.provider.slug, call.fn, prepared.plan.provider_fn, prepared.method, prepared.url,
                 credential_digest(prepared, call)):
        digest.update(part.encode() + b"\x00")
    digest.update(canonical_body(prepared.body))
    return PREFIX + digest.hexdigest()
