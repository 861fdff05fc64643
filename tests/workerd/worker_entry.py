"""Test-only Worker entry in the legacy handler style that wrangler 3.92.0 (offline) runs.

It calls the same ``worker_runtime.handle`` as ``src/entry.py``; only the entry differs,
because ``WorkerEntrypoint`` needs the current runtime, which cannot start offline.
"""

from worker_runtime import handle


async def on_fetch(request, env, ctx):
    return await handle(request, env, ctx)  # ctx: a realtime session bridged here outlives its 101 by waitUntil
