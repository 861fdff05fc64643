"""The Worker's request path: env -> Settings, JS fetch transport, core Gateway, JS response.

Built per request on purpose (DESIGN rule 6, no module state): the cost is a few small
objects, while imports (the real cold-start cost) happen once at module load.
What must outlive a request (a provider's access token) goes to Workers KV through the ``CACHE``
binding when the Worker has one (``kv.kv_store``), else to the per-request memory store.
"""

from __future__ import annotations

import json
import traceback
from dataclasses import replace
from typing import Any

from js import Object
from js import Response as JsResponse
from pyodide.ffi import to_js

from gateway.app import Gateway
from gateway.observe import Observability
from gateway.serverconfig import ServerConfigError
from gateway.settings import Settings

from .convert import request_from_js, response_to_js
from .env import EnvVars
from .kv import kv_store
from .transport import JsFetchTransport


async def handle(js_request: Any, env: Any, ctx: Any = None) -> Any:
    """Answer one JS ``Request`` with a JS ``Response`` through the runtime-neutral core."""
    js_request = getattr(js_request, "js_object", js_request)  # SDK Request wrapper -> JS
    if str(js_request.headers.get("upgrade") or "").lower() == "websocket":
        from .realtime import is_realtime_upgrade, open_realtime  # loaded by realtime sessions only

        if is_realtime_upgrade(js_request):
            return await open_realtime(js_request, env, ctx)
    try:
        settings = Settings.from_mapping(EnvVars(env))
    except ServerConfigError as error:  # a Worker cannot refuse to start: every request says why
        return _failure(500, f"The gateway's server-side configuration is invalid: {error}")
    try:
        gateway = Gateway(settings, JsFetchTransport(), store=kv_store(env), observe=_edge_observability(settings))
        request = await request_from_js(js_request)
        response = await gateway.handle(request)
        return await response_to_js(response)
    except Exception:
        # The core answers its own errors; this only catches adapter bugs, so log loudly.
        traceback.print_exc()
        return _failure(500, "Internal error in the Workers adapter")


def _edge_observability(settings: Settings) -> Observability:
    """At the edge each request may run in another isolate: the console's sign-in works (``ADMIN_TOKEN``
    as a Worker secret), the live log and /metrics answer 501 saying why, and OTLP export is not wired
    (it would need ``ctx.waitUntil`` to outlive the response). The page itself is a static asset."""
    return Observability(replace(settings.observe, otlp=None), runtime="Cloudflare Workers")


def _failure(status: int, message: str) -> Any:
    body = json.dumps({"status": "failure", "message": message})
    init = to_js(
        {"status": status, "headers": to_js({"content-type": "application/json"}, dict_converter=Object.fromEntries)},
        dict_converter=Object.fromEntries,
    )
    return JsResponse.new(body, init)
