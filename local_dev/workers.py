"""Serving from one process or from N on one port, and stopping cleanly.

Why processes: the core is CPU-bound Python (parsing, mapping, framing), so one process uses one
core; N processes share one listening socket (the kernel spreads connections over them) and each
has its own event loop, upstream connection pool and in-memory key-value store. State that must
be shared between them goes through the key-value port (Redis or Workers KV), never process memory.

Clean restarts (SIGTERM or Ctrl+C): uvicorn stops accepting, lets requests and streams in flight
finish for up to ``SHUTDOWN_GRACE_SECONDS`` (then cancels what is left), and runs the lifespan
shutdown, which closes the upstream connections (``asgi.GatewayApp``). With N processes the parent
closes its copy of the listening socket before it signals the children, so a new connection is
refused at once instead of waiting in a backlog nobody will serve.
"""

from __future__ import annotations

import os
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from .asgi import GatewayApp

FACTORY = "local_dev.asgi:create_app"


def worker_count(raw: str | int | None) -> int:
    """``--workers`` / ``WORKERS``: a whole number of processes, at least 1 (``0`` or ``auto`` means
    one per core)."""
    text = str(raw if raw is not None else "1").strip().lower()
    if text in ("0", "auto"):
        return os.cpu_count() or 1
    if not text.isdigit():
        raise SystemExit(f"gateway not started: WORKERS must be a whole number of processes, not {text!r}")
    return int(text)


class _Supervisor(Multiprocess):
    """uvicorn's process supervisor, which keeps the listening socket open in the parent until every
    child has finished; this one closes it first."""

    def terminate_all(self) -> None:
        for sock in self.sockets:
            sock.close()
        super().terminate_all()


def serve(app: GatewayApp, workers: int, **options: Any) -> None:
    """Run ``app`` (already built, so a bad configuration has stopped start-up with its reason)
    in this process, or ``workers`` processes that each build their own from the same environment."""
    grace = app.gateway.settings.limits.shutdown_grace_seconds
    if workers <= 1:
        uvicorn.run(app, timeout_graceful_shutdown=grace, **options)
        return
    config = uvicorn.Config(FACTORY, factory=True, workers=workers, timeout_graceful_shutdown=grace, **options)
    _Supervisor(config, sockets=[config.bind_socket()]).run()
