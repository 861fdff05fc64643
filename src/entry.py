"""Worker entry for real deployments: hand every request to the Workers adapter.

Kept to a few lines so that all logic lives in ``worker_runtime`` (shared with the offline
workerd tests, which use the legacy ``on_fetch`` style) and in the runtime-neutral core.
"""

import json

from workers import DurableObject, Response, WorkerEntrypoint

from worker_runtime import handle


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return await handle(request, self.env)


class RealtimeBridge(DurableObject):
    """Will bridge /v1/realtime WebSockets to the provider; not built yet."""

    async def fetch(self, request):
        body = json.dumps({"status": "failure", "message": "Realtime is not implemented yet"})
        return Response(body, status=501, headers={"content-type": "application/json"})
