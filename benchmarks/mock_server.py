"""Loopback OpenAI mock for the benchmark, run in its own process (so it shares no GIL with the
gateway or the load generator).

    python benchmarks/mock_server.py [--impl raw|aiohttp] [--port 0]

Prints one JSON line ``{"port": N, "impl": "..."}`` on stdout once it is listening, then serves
until stdin closes (the parent died or closed the pipe) or it gets SIGTERM/SIGINT.

Two implementations, same wire behaviour for what the benchmark sends:

* ``raw`` (default): an asyncio Protocol on uvloop with httptools' parser. It answers
  ``POST .../v1/chat/completions`` with the same JSON body as tests/support/mock_openai.py, and
  with ``"stream": true`` an SSE stream (chunked encoding) honouring the ``/x/chunks=N,gap=S/``
  path directives. ``POST .../v1/messages`` is answered in Anthropic's wire format: a ``message``
  JSON body, or with ``"stream": true`` Anthropic's named-event SSE (``message_start``,
  ``content_block_start``, N ``content_block_delta`` text deltas with the same chunks/gap
  directives, ``content_block_stop``, ``message_delta``, ``message_stop``). It checks no headers
  and no body fields. Measured at roughly 3x MockOpenAI's req/s on one core, so it does not cap
  the gateway's figures.
* ``aiohttp``: tests/support/mock_openai.py's MockOpenAI itself (its recorded-request list is
  cleared every second so memory stays flat under load).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import threading
import time
from collections import deque
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _parse_directives(path: str) -> tuple[dict[str, str], str]:
    if not path.startswith("/x/"):
        return {}, path
    spec, _, tail = path[3:].partition("/")
    directives: dict[str, str] = {}
    for part in filter(None, spec.split(",")):
        key, _, value = part.partition("=")
        directives[key] = value if "=" in part else "1"
    return directives, "/" + tail


def _completion(model: str, name: str) -> bytes:
    return json.dumps({
        "id": f"chatcmpl-{name}", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": f"hello from {name}"}}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6},
    }).encode()


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> bytes:
    payload = {"id": "chatcmpl-stream", "object": "chat.completion.chunk", "created": 1, "model": model,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


def _message(model: str, name: str) -> bytes:
    """Anthropic's non-streaming ``/v1/messages`` answer."""
    return json.dumps({
        "id": "msg_bench", "type": "message", "role": "assistant", "model": model,
        "content": [{"type": "text", "text": f"hello from {name}"}],
        "stop_reason": "end_turn", "stop_sequence": None, "usage": {"input_tokens": 3, "output_tokens": 3},
    }).encode()


def _named(name: str, payload: dict[str, Any]) -> bytes:
    """One event in Anthropic's SSE framing."""
    return b"event: " + name.encode() + b"\ndata: " + json.dumps(payload).encode() + b"\n\n"


def _anthropic_head(model: str) -> bytes:
    start = {"type": "message_start", "message": {
        "id": "msg_bench", "type": "message", "role": "assistant", "model": model, "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 3, "output_tokens": 1}}}
    block = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
    return _named("message_start", start) + _named("content_block_start", block)


def _anthropic_delta(text: str) -> bytes:
    return _named("content_block_delta",
                  {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}})


_ANTHROPIC_TAIL = (
    _named("content_block_stop", {"type": "content_block_stop", "index": 0})
    + _named("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                               "usage": {"output_tokens": 3}})
    + _named("message_stop", {"type": "message_stop"})
)


def _chunked(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


_COMPLETIONS: dict[tuple[str, str], bytes] = {}
_MESSAGES: dict[tuple[str, str], bytes] = {}
_ROUTES = {"/v1/chat/completions": (_COMPLETIONS, _completion), "/v1/messages": (_MESSAGES, _message)}


class _RawProtocol(asyncio.Protocol):
    """One connection. HTTP/1.1 keep-alive; requests are answered strictly in order."""

    def __init__(self) -> None:
        import httptools

        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.url = b""
        self.body: list[bytes] = []
        self.pending: deque[tuple[bytes, bytes, bool]] = deque()
        self.streaming = False

    # --- asyncio -----------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except Exception:  # noqa: BLE001 - bad request: drop the connection
            self.transport.close()  # type: ignore[union-attr]

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    # --- httptools callbacks ---------------------------------------------------------
    def on_message_begin(self) -> None:
        self.url = b""
        self.body = []

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.pending.append((self.url, b"".join(self.body), self.parser.should_keep_alive()))
        if not self.streaming:
            self._drain()

    # --- answering -------------------------------------------------------------------
    def _drain(self) -> None:
        while self.pending and not self.streaming and self.transport is not None:
            url, body, keep_alive = self.pending.popleft()
            self._answer(url.split(b"?", 1)[0].decode("latin-1"), body, keep_alive)

    def _answer(self, raw_path: str, body: bytes, keep_alive: bool) -> None:
        directives, path = _parse_directives(raw_path)
        name = directives.get("name", "mock")
        conn = b"" if keep_alive else b"connection: close\r\n"
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            data = {}
        model = data.get("model", "unknown") if isinstance(data, dict) else "unknown"
        route = _ROUTES.get(path)
        if route is None:
            payload = json.dumps({"object": "echo", "path": path, "name": name}).encode()
            self._send(b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n"
                       b"content-length: %d\r\n%s\r\n%s" % (len(payload), conn, payload), keep_alive)
            return
        if data.get("stream"):
            self.streaming = True
            asyncio.ensure_future(self._stream(model, name, directives, keep_alive, path == "/v1/messages"))
            return
        cache, build = route
        key = (model, name)
        cached = cache.get(key)
        if cached is None:
            cached = cache[key] = build(model, name)
        payload = cached
        self._send(b"HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\n"
                   b"x-mock-name: %s\r\ncontent-length: %d\r\n%s\r\n%s"
                   % (name.encode(), len(payload), conn, payload), keep_alive)

    def _send(self, data: bytes, keep_alive: bool) -> None:
        if self.transport is None:
            return
        self.transport.write(data)
        if not keep_alive:
            self.transport.close()

    async def _stream(self, model: str, name: str, d: dict[str, str], keep_alive: bool,
                      anthropic: bool = False) -> None:
        chunks, gap = int(d.get("chunks", 5)), float(d.get("gap", 0.01))
        conn = b"" if keep_alive else b"connection: close\r\n"
        try:
            head = (b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nx-mock-name: %s\r\n"
                    b"transfer-encoding: chunked\r\n%s\r\n" % (name.encode(), conn))
            if anthropic:
                first, tail = _anthropic_head(model), _chunked(_ANTHROPIC_TAIL)
            else:
                first = _chunk(model, {"role": "assistant", "content": ""})
                tail = _chunked(_chunk(model, {}, "stop")) + _chunked(b"data: [DONE]\n\n")
            self._write(head + _chunked(first))
            for i in range(chunks):
                await asyncio.sleep(gap)
                text = f"tok{i} "
                self._write(_chunked(_anthropic_delta(text) if anthropic else _chunk(model, {"content": text})))
            self._write(tail + b"0\r\n\r\n")
            if not keep_alive and self.transport is not None:
                self.transport.close()
        except ConnectionError:
            pass
        finally:
            self.streaming = False
        self._drain()

    def _write(self, data: bytes) -> None:
        if self.transport is None:
            raise ConnectionResetError("client went away")
        self.transport.write(data)


def _serve_raw(port: int, ready: Any) -> None:
    try:
        import uvloop

        loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    except ImportError:
        loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(_RawProtocol, "127.0.0.1", port, backlog=1024))
    ready(server.sockets[0].getsockname()[1], "raw")
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    _watch_stdin(lambda: loop.call_soon_threadsafe(stop.set))
    loop.run_until_complete(stop.wait())
    server.close()


def _serve_aiohttp(port: int, ready: Any) -> None:
    sys.path.insert(0, ROOT)
    from tests.support.mock_openai import MockOpenAI

    mock = MockOpenAI().start()
    ready(mock.port, "aiohttp")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    _watch_stdin(stop.set)
    while not stop.wait(1.0):
        mock.reset()  # the mock records every request; keep its memory flat under load
    mock.stop()


def _watch_stdin(on_eof: Any) -> None:
    def watch() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        on_eof()

    threading.Thread(target=watch, daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--impl", choices=("raw", "aiohttp"), default="raw")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)

    def ready(port: int, impl: str) -> None:
        print(json.dumps({"port": port, "impl": impl, "pid": os.getpid()}), flush=True)

    (_serve_raw if args.impl == "raw" else _serve_aiohttp)(args.port, ready)


if __name__ == "__main__":
    main()
