"""A real WebSocket server on loopback standing in for OpenAI's (and Azure's) realtime API.

It checks the auth header (``Authorization: Bearer <key>`` or ``api-key``; a missing key or the key
``bad`` is refused with OpenAI's 401 body), sends ``session.created`` on open, then answers:

    binary frame                        the same bytes back
    {"type": "mock.close", "code": 4001, "reason": "bye"}   closes with that code and reason
    {"type": "mock.drop"}               vanishes: the TCP connection is aborted, no close frame
    {"type": "mock.burst", "n": 100}    n events ``mock.seq`` numbered 0..n-1, as fast as it can
    {"type": "conversation.item.create", "item": ...}   conversation.item.created with the item
    {"type": "response.create"}         response.created, three response.output_text.delta, response.done
    any other JSON                      {"type": "mock.echo", "event": <the event>}
    other text                          the same text back

Scenarios by path prefix, as ``mock_openai``: ``/x/<directives>/...`` with ``refuse=403`` (answer the
upgrade with that status), ``delay=1.5`` (wait before answering the handshake), ``redirect=1``
(answer 302). Every session is recorded (path, query, headers, frames received, close, end time).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response


@dataclass
class MockSession:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    received: list[str | bytes] = field(default_factory=list)
    close_code: int | None = None
    close_reason: str | None = None
    ended_at: float | None = None
    """``time.monotonic()`` when the connection was over."""


def _directives(path: str) -> tuple[dict[str, str], str]:
    if not path.startswith("/x/"):
        return {}, path
    spec, _, tail = path[3:].partition("/")
    return dict(p.split("=", 1) if "=" in p else (p, "1") for p in spec.split(",") if p), "/" + tail


def _key(request: Request) -> str:
    auth = request.headers.get("Authorization", "")
    return auth[7:] if auth.lower().startswith("bearer ") else request.headers.get("api-key", "")


class MockRealtime:
    def __init__(self) -> None:
        self.port = 0
        self.sessions: list[MockSession] = []
        self.refused: list[dict[str, str]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Future[None] | None = None
        self._thread: threading.Thread | None = None

    def url(self, path: str = "/v1", **directives: Any) -> str:
        """A custom host for the gateway (it appends ``/realtime``, Azure's builders more)."""
        spec = ",".join(f"{k}={v}" for k, v in directives.items())
        return f"http://127.0.0.1:{self.port}" + (f"/x/{spec}" if spec else "") + path

    def reset(self) -> None:
        self.sessions.clear()
        self.refused.clear()

    def wait_sessions(self, count: int, ended: bool = False, timeout: float = 5.0) -> list[MockSession]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = [s for s in self.sessions if s.ended_at is not None or not ended]
            if len(done) >= count:
                return self.sessions
            time.sleep(0.01)
        raise AssertionError(f"expected {count} sessions (ended={ended}), have {self.sessions}")

    async def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        directives, _ = _directives(urlsplit(request.path).path)
        if "delay" in directives:
            await asyncio.sleep(float(directives["delay"]))
        if "redirect" in directives:
            response = connection.respond(302, "moved")
            response.headers["Location"] = f"ws://127.0.0.1:{self.port}/v1/realtime"
            return response
        status = int(directives.get("refuse", 0)) or (401 if _key(request) in ("", "bad") else 0)
        if not status:
            return None
        self.refused.append(dict(request.headers.raw_items()))
        message = "Incorrect API key provided" if status == 401 else f"mock refusal {status}"
        body = json.dumps({"error": {"message": message, "type": "invalid_request_error",
                                     "code": "invalid_api_key" if status == 401 else f"mock_{status}"}})
        response = connection.respond(status, body)
        del response.headers["Content-Type"]
        response.headers["Content-Type"] = "application/json"
        return response

    async def _handler(self, ws: ServerConnection) -> None:
        request = ws.request
        assert request is not None
        parts = urlsplit(request.path)
        session = MockSession(_directives(parts.path)[1], parse_qs(parts.query),
                              {k.lower(): v for k, v in request.headers.raw_items()})
        self.sessions.append(session)
        model = (session.query.get("model") or session.query.get("deployment") or ["?"])[0]
        try:
            await ws.send(json.dumps({"type": "session.created", "event_id": "evt_0", "session": {
                "id": "sess_mock", "object": "realtime.session", "type": "realtime", "model": model}}))
            async for message in ws:
                session.received.append(message)
                await self._answer(ws, message)
        except ConnectionClosed:
            pass
        finally:
            session.close_code, session.close_reason = ws.close_code, ws.close_reason
            session.ended_at = time.monotonic()

    async def _answer(self, ws: ServerConnection, message: str | bytes) -> None:
        if isinstance(message, bytes):
            await ws.send(message)
            return
        try:
            event = json.loads(message)
        except ValueError:
            await ws.send(message)
            return
        kind = event.get("type") if isinstance(event, dict) else None
        if kind == "mock.close":  # code 1005: a close frame without a code
            code = int(event.get("code", 1000))
            await ws.close(None if code == 1005 else code, str(event.get("reason", "")))  # type: ignore[arg-type]
        elif kind == "mock.drop":
            ws.transport.abort()
        elif kind == "mock.burst":
            for i in range(int(event.get("n", 10))):
                await ws.send(json.dumps({"type": "mock.seq", "seq": i}))
        elif kind == "conversation.item.create":
            await ws.send(json.dumps({"type": "conversation.item.created", "event_id": "evt_1",
                                      "previous_item_id": None, "item": event.get("item")}))
        elif kind == "response.create":
            for reply in _response_events():
                await ws.send(json.dumps(reply))
        else:
            await ws.send(json.dumps({"type": "mock.echo", "event": event}))

    def start(self) -> MockRealtime:
        ready = threading.Event()

        async def main() -> None:
            self._stop = asyncio.get_running_loop().create_future()
            async with serve(self._handler, "127.0.0.1", 0, process_request=self._process_request,
                             compression=None, max_size=None) as server:
                self.port = next(iter(server.sockets)).getsockname()[1]
                ready.set()
                await self._stop

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(main())
            self._loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("mock realtime server did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._stop.set_result, None)
            self._thread.join(10)


def _response_events() -> list[dict[str, Any]]:
    response = {"id": "resp_1", "object": "realtime.response", "status": "in_progress", "output": []}
    deltas = [{"type": "response.output_text.delta", "event_id": f"evt_d{i}", "response_id": "resp_1",
               "item_id": "item_1", "output_index": 0, "content_index": 0, "delta": text}
              for i, text in enumerate(["Hello", " from", " mock"])]
    done = {**response, "status": "completed"}
    return [{"type": "response.created", "event_id": "evt_r", "response": response}, *deltas,
            {"type": "response.done", "event_id": "evt_done", "response": done}]
