"""Provider mocks on loopback: a real aiohttp server on 127.0.0.1 (a free port) in a background
thread (``LoopbackServer``), and what every mock built on it shares (``LoopbackMock``): a scenario
chosen per request by a path prefix, every request recorded, a clean state per test.

    http://127.0.0.1:<port>/x/<directives>/<the provider's path>    directives: comma-separated k=v

``mock.url(status=429, name="a")`` is such a base, to hand the gateway as ``x-portkey-custom-host``.
A mock supplies ``new_state()`` and ``answer(request, path, body, directives)`` (the path without the
prefix, the request already recorded); tests use ``url``, ``state.requests`` and ``reset()``, and a
test module runs one for its tests with ``mock = serve(MockX)``.

    server = LoopbackServer(handler).start()   # handler: async (aiohttp.web.Request) -> StreamResponse
    ...
    server.stop()
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import pytest
from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MARKER = "/x/"
State = TypeVar("State", bound="RequestLog")
Mock = TypeVar("Mock", bound="LoopbackMock[Any]")


class LoopbackServer:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LoopbackServer:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            app = web.Application(client_max_size=64 * 1024 * 1024)
            app.router.add_route("*", "/{tail:.*}", self.handler)
            self._runner = web.AppRunner(app, access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            self._loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("loopback server did not start")
        return self

    def stop(self) -> None:
        if self._loop is None or self._runner is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def parse_directives(path: str, marker: str = MARKER) -> tuple[dict[str, str], str]:
    """``/x/status=429,tool/v1/chat`` -> ``({"status": "429", "tool": "1"}, "/v1/chat")``; a path
    without the prefix has no directives."""
    if not path.startswith(marker):
        return {}, path
    spec, _, rest = path[len(marker):].partition("/")
    directives = dict(part.split("=", 1) if "=" in part else (part, "1") for part in spec.split(",") if part)
    return directives, "/" + rest


def scenario_url(base: str, directives: dict[str, Any], marker: str = MARKER) -> str:
    """The base URL of one scenario: ``base`` itself when there are no directives."""
    if not directives:
        return base
    return base + marker + ",".join(f"{key}={value}" for key, value in directives.items())


@dataclass
class Recorded:
    """One request as the mock received it: ``path`` without the directive prefix, ``headers``
    with lowercase names, the raw ``body``."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    directives: dict[str, str]

    @classmethod
    def of(cls, request: web.Request, path: str, body: bytes, directives: dict[str, str]) -> Recorded:
        headers = {name.lower(): value for name, value in request.headers.items()}
        return cls(request.method, path, request.query_string, headers, body, directives)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class RequestLog:
    """The state of a mock that only records: every request, in order."""

    requests: list[Recorded] = field(default_factory=list)


class LoopbackMock(Generic[State]):
    """Base of a provider mock: ``start``/``stop`` its server, ``url(**directives)`` for a scenario
    (``marker`` is the prefix), ``state`` made fresh by ``reset()``. Every request is recorded in
    ``state.requests`` before ``answer`` sees it; ``answer`` reads ``self.state`` as the request
    arrives, so a request that outlives its test counts in its own test's state. ``raw_path``: the
    directives are read from the path as sent, not percent-decoded (Bedrock signs that path)."""

    marker = MARKER
    raw_path = False

    def __init__(self) -> None:
        self.state: State = self.new_state()
        self.server = LoopbackServer(self.handle)

    def new_state(self) -> State:
        raise NotImplementedError

    async def answer(self, request: web.Request, path: str, body: bytes,
                     directives: dict[str, str]) -> web.StreamResponse:
        raise NotImplementedError

    async def handle(self, request: web.Request) -> web.StreamResponse:
        sent_path = request.raw_path.split("?", 1)[0] if self.raw_path else request.path
        directives, path = parse_directives(sent_path, self.marker)
        body = await request.read()
        self.state.requests.append(Recorded.of(request, path, body, directives))
        return await self.answer(request, path, body, directives)

    def start(self: Mock) -> Mock:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def reset(self) -> None:
        self.state = self.new_state()

    @property
    def port(self) -> int:
        return self.server.port

    def url(self, **directives: Any) -> str:
        return scenario_url(self.server.base, directives, self.marker)


async def stream_events(request: web.Request, events: list[bytes], directives: dict[str, str], tail: bytes = b"",
                        gap: float = 0.0) -> web.StreamResponse:
    """A ``text/event-stream`` answer written event by event (``gap`` seconds after each), then
    ``tail``. The ``cut=N`` directive breaks the connection instead of writing event N."""
    response = web.StreamResponse(headers={"content-type": "text/event-stream"})
    await response.prepare(request)
    for i, event in enumerate(events):
        if "cut" in directives and i == int(directives["cut"]):
            request.transport.close()  # type: ignore[union-attr]
            return response
        await response.write(event)
        if gap:
            await asyncio.sleep(gap)
    await response.write(tail)
    await response.write_eof()
    return response


def serve(mock: Callable[[], Mock]) -> Callable[[], Iterator[Mock]]:
    """A module-scoped pytest fixture running one mock for the test module that assigns it:
    ``cohere = serve(MockCohere)`` makes the fixture ``cohere``."""

    @pytest.fixture(scope="module")
    def running() -> Iterator[Mock]:
        server = mock().start()
        yield server
        server.stop()

    return running
