"""Fake ports for core unit tests: a scripted HTTP transport and a clock that never waits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from gateway.clock import Clock
from gateway.http import Body, Headers
from gateway.ports import TransportError


@dataclass
class FakeUpstream:
    status: int
    headers: Headers
    chunks: list[bytes]
    closed: bool = False

    async def stream(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk

    async def read(self) -> bytes:
        return b"".join(self.chunks)

    async def close(self) -> None:
        self.closed = True


@dataclass
class Sent:
    method: str
    url: str
    headers: Headers
    body: bytes | None


Reply = Callable[[Sent], "FakeUpstream | Exception"]


@dataclass
class FakeTransport:
    """Answers each send with ``reply(sent)``; an Exception result is raised instead."""

    reply: Reply
    sent: list[Sent] = field(default_factory=list)

    async def send(self, method: str, url: str, headers: Headers, body: Body | None) -> FakeUpstream:
        if body is not None and not isinstance(body, bytes):
            body = b"".join([chunk async for chunk in body])
        sent = Sent(method, url, headers, body)
        self.sent.append(sent)
        result = self.reply(sent)
        if isinstance(result, Exception):
            raise result
        return result


def json_reply(status: int = 200, body: bytes = b'{"ok": true}', **headers: str) -> FakeUpstream:
    all_headers = Headers({"content-type": "application/json", "content-length": str(len(body)), **headers})
    return FakeUpstream(status, all_headers, [body])


def refused(_: Sent) -> Exception:
    return TransportError("could not connect", connect=True)


class InstantClock(Clock):
    def __init__(self, draw: float = 0.5) -> None:
        waits: list[float] = []

        async def sleep(seconds: float) -> None:
            waits.append(seconds)
            await asyncio.sleep(0)

        super().__init__(sleep=sleep, random=lambda: draw)
        object.__setattr__(self, "waits", waits)
