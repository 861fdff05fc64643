"""The core's ``KeyValueStore`` over a Workers KV namespace (the ``CACHE`` binding in wrangler.toml).

Why it exists: the Worker builds a ``Gateway`` per request, so the core's in-memory store forgets
everything between requests; a service-account access token (Vertex AI) would then be fetched,
and an RSA signature paid for, on every call. KV keeps it for its TTL across requests and isolates.

A cache must never fail a request: a KV error reads as a miss and a failed write is dropped (both
logged). KV refuses an ``expirationTtl`` under 60 seconds, so shorter TTLs are raised to 60.
"""

from __future__ import annotations

import logging
from typing import Any

from js import Object
from pyodide.ffi import JsException, to_js

MIN_TTL = 60
log = logging.getLogger("worker_runtime.kv")


class WorkersKV:
    def __init__(self, namespace: Any) -> None:
        self._kv = namespace

    async def get(self, key: str) -> bytes | None:
        try:
            value = await self._kv.get(key, to_js({"type": "arrayBuffer"}, dict_converter=Object.fromEntries))
        except JsException as error:
            log.warning("KV get failed, treated as a miss: %s", error)
            return None
        return None if value is None else bytes(value.to_bytes())

    async def put(self, key: str, value: bytes, ttl_seconds: int | None = None) -> None:
        options = {"expirationTtl": max(int(ttl_seconds), MIN_TTL)} if ttl_seconds else {}
        try:
            await self._kv.put(key, to_js(value), to_js(options, dict_converter=Object.fromEntries))
        except JsException as error:
            log.warning("KV put failed, value not cached: %s", error)

    async def delete(self, key: str) -> None:
        try:
            await self._kv.delete(key)
        except JsException as error:
            log.warning("KV delete failed: %s", error)


def kv_store(env: Any, binding: str = "CACHE") -> WorkersKV | None:
    """The store over ``env.<binding>``, or None when the Worker has no such binding. Reads the raw
    JS env (the ``workers`` SDK wraps it in ``_env``) so both entry styles get the JS namespace."""
    target = getattr(env, "_env", env)
    try:
        namespace = getattr(target, binding)
    except (AttributeError, JsException):
        return None
    return None if namespace is None or isinstance(namespace, str) else WorkersKV(namespace)
