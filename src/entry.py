"""Worker entry for real deployments: hand every request to the Workers adapter.

Kept to a few lines so that all logic lives in ``worker_runtime`` (shared with the offline
workerd tests, which use the legacy ``on_fetch`` style) and in the runtime-neutral core.
"""

from pyodide.ffi import JsProxy
from workers import DurableObject, Request, WorkerEntrypoint

from worker_runtime import handle


class Default(WorkerEntrypoint):
    async def fetch(self, request: Request) -> JsProxy:  # a JS Response, built by the adapter
        return await handle(request, self.env)


class RealtimeBridge(DurableObject):
    """One /v1/realtime session (the Worker hands each upgrade to a new object): the upstream
    WebSocket is opened, the client's accepted, and frames relayed while both are open."""

    async def fetch(self, request: Request) -> JsProxy:
        from worker_runtime.realtime import bridge  # loaded by realtime sessions only

        return await bridge(request, self.env, self.ctx)
