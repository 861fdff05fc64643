"""Start the gateway on a real socket (127.0.0.1, a free port) inside the test process.

In-process so tests can hand in a clock whose sleep returns at once and records the waits;
it is still uvicorn speaking HTTP over a real socket to real clients.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Mapping

import uvicorn

from gateway.clock import Clock
from local_dev.asgi import create_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RecordingSleep:
    """An injected sleep: records every wait and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(round(seconds, 3))
        await asyncio.sleep(0)


class GatewayServer:
    def __init__(self, env: Mapping[str, str] | None = None, draw: float | None = None) -> None:
        self.sleep = RecordingSleep()
        self.draw = draw
        clock = Clock(sleep=self.sleep, random=self._random)
        self.app = create_app(dict(env or {}), clock)
        self.port = free_port()
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on", server_header=False, loop="asyncio", http="httptools")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def _random(self) -> float:
        import random

        return random.random() if self.draw is None else self.draw

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> GatewayServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("gateway did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
