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
  directives, ``content_block_stop``, ``message_delta``, ``message_stop``). Two more wire formats,
  streamed by URL as their APIs do:
    - Gemini: ``.../v1beta/models/{m}:generateContent`` (a ``GenerateContentResponse``) and
      ``:streamGenerateContent``: with ``?alt=sse`` SSE events ``\\r\\n\\r\\n`` apart, as Google
      sends them (a text chunk at once, N text chunks, then a chunk with ``finishReason`` and
      the usage); without it Gemini's streamed JSON array (what upstream Portkey asks for).
    - Bedrock: ``.../model/{id}/converse`` (a Converse answer) and ``/converse-stream``: AWS
      event-stream frames with real CRCs (``application/vnd.amazon.eventstream``; messageStart at
      once, N contentBlockDelta, then contentBlockStop, messageStop and metadata). The SigV4
      signature is not checked (tests/support/mock_bedrock.py does that).
  It checks no headers and no body fields. Measured at roughly 3x MockOpenAI's req/s on one core,
  so it does not cap the gateway's figures.
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
from collections.abc import Callable
from typing import Any, NamedTuple

from aws_frames import PAD, event_frame  # same folder: run as a script, benchmarks/ is on sys.path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEMINI_PREFIX = "/v1beta/models/"
BEDROCK_PREFIX = "/model/"


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


def _gemini_chunk(model: str, text: str, finish: bool = False) -> dict[str, Any]:
    """One ``GenerateContentResponse``; the last of a stream (or a whole answer) has the finish
    reason and the output token count."""
    candidate: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "model"}, "index": 0}
    usage: dict[str, Any] = {"promptTokenCount": 3, "totalTokenCount": 3}
    if finish:
        candidate["finishReason"] = "STOP"
        usage = {"promptTokenCount": 3, "candidatesTokenCount": 3, "totalTokenCount": 6}
    return {"candidates": [candidate], "usageMetadata": usage, "modelVersion": model, "responseId": "bench-gemini"}


def _gemini(model: str, name: str) -> bytes:
    return json.dumps(_gemini_chunk(model, f"hello from {name}", True)).encode()


def _converse(model: str, name: str) -> bytes:
    """Bedrock's Converse answer."""
    return json.dumps({"output": {"message": {"role": "assistant", "content": [{"text": f"hello from {name}"}]}},
                       "stopReason": "end_turn", "usage": {"inputTokens": 3, "outputTokens": 3, "totalTokens": 6},
                       "metrics": {"latencyMs": 42}}).encode()


class _Shape(NamedTuple):
    """One streamed answer: content type, what goes out at once, the ``i``-th delta, the tail."""

    content_type: bytes
    first: bytes
    delta: Callable[[int], bytes]
    tail: bytes


def _openai_shape(model: str) -> _Shape:
    return _Shape(b"text/event-stream", _chunk(model, {"role": "assistant", "content": ""}),
                  lambda i: _chunk(model, {"content": f"tok{i} "}), _chunk(model, {}, "stop") + b"data: [DONE]\n\n")


def _anthropic_shape(model: str) -> _Shape:
    return _Shape(b"text/event-stream", _anthropic_head(model), lambda i: _anthropic_delta(f"tok{i} "), _ANTHROPIC_TAIL)


def _gemini_shape(model: str, sse: bool) -> _Shape:
    """``alt=sse``: SSE with Google's ``\\r\\n\\r\\n``; otherwise Gemini's streamed JSON array,
    one element per write (``[{..}\\n``, ``,\\r\\n{..}\\n``, ..., ``]``)."""
    def dump(chunk: dict[str, Any]) -> bytes:
        return json.dumps(chunk).encode()

    if sse:
        return _Shape(b"text/event-stream", b"data: " + dump(_gemini_chunk(model, "Hi ")) + b"\r\n\r\n",
                      lambda i: b"data: " + dump(_gemini_chunk(model, f"tok{i} ")) + b"\r\n\r\n",
                      b"data: " + dump(_gemini_chunk(model, "", True)) + b"\r\n\r\n")
    return _Shape(b"application/json", b"[" + dump(_gemini_chunk(model, "Hi ")) + b"\n",
                  lambda i: b",\r\n" + dump(_gemini_chunk(model, f"tok{i} ")) + b"\n",
                  b",\r\n" + dump(_gemini_chunk(model, "", True)) + b"\n]")


def _converse_shape() -> _Shape:
    tail = (event_frame("contentBlockStop", {"contentBlockIndex": 0, "p": PAD[:10]})
            + event_frame("messageStop", {"p": PAD[:14], "stopReason": "end_turn"})
            + event_frame("metadata", {"metrics": {"latencyMs": 42}, "p": PAD[:7],
                                       "usage": {"inputTokens": 3, "outputTokens": 3, "totalTokens": 6}}))
    start = event_frame("messageStart", {"p": PAD[:4], "role": "assistant"})
    return _Shape(b"application/vnd.amazon.eventstream", start,
                  lambda i: event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": f"tok{i} "},
                                                              "p": PAD[:i % 24 + 1]}), tail)


def _chunked(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


_JSON_ANSWERS: dict[tuple[str, str, str], bytes] = {}
_BUILDERS: dict[str, Callable[[str, str], bytes]] = {"openai": _completion, "anthropic": _message, "gemini": _gemini,
                                                     "converse": _converse}


def _route(path: str, data: Any) -> tuple[str, str | None, bool] | None:
    """(wire format, model named by the URL or None, streamed) of a path, None when unknown. OpenAI
    and Anthropic stream when the body says so; Gemini and Bedrock by the method in the URL."""
    streamed = bool(isinstance(data, dict) and data.get("stream"))
    if path == "/v1/chat/completions":
        return "openai", None, streamed
    if path == "/v1/messages":
        return "anthropic", None, streamed
    if path.startswith(GEMINI_PREFIX) and ":" in path:
        model, _, method = path[len(GEMINI_PREFIX):].rpartition(":")
        if method in ("generateContent", "streamGenerateContent"):
            return "gemini", model, method == "streamGenerateContent"
    if path.startswith(BEDROCK_PREFIX):
        model, _, action = path[len(BEDROCK_PREFIX):].rpartition("/")
        if action in ("converse", "converse-stream"):
            return "converse", model, action == "converse-stream"
    return None


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
            self._answer(url.decode("latin-1"), body, keep_alive)

    def _answer(self, url: str, body: bytes, keep_alive: bool) -> None:
        raw_path, _, query = url.partition("?")
        directives, path = _parse_directives(raw_path)
        name = directives.get("name", "mock")
        conn = b"" if keep_alive else b"connection: close\r\n"
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            data = {}
        route = _route(path, data)
        if route is None:
            payload = json.dumps({"object": "echo", "path": path, "name": name}).encode()
            self._send(b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n"
                       b"content-length: %d\r\n%s\r\n%s" % (len(payload), conn, payload), keep_alive)
            return
        wire, url_model, streamed = route
        model = url_model or (data.get("model", "unknown") if isinstance(data, dict) else "unknown")
        if streamed:
            self.streaming = True
            shape = (_openai_shape(model) if wire == "openai" else _anthropic_shape(model) if wire == "anthropic"
                     else _gemini_shape(model, "alt=sse" in query.split("&")) if wire == "gemini"
                     else _converse_shape())
            asyncio.ensure_future(self._stream(shape, name, directives, keep_alive))
            return
        key = (wire, model, name)
        payload = _JSON_ANSWERS.get(key)
        if payload is None:
            payload = _JSON_ANSWERS[key] = _BUILDERS[wire](model, name)
        self._send(b"HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\n"
                   b"x-mock-name: %s\r\ncontent-length: %d\r\n%s\r\n%s"
                   % (name.encode(), len(payload), conn, payload), keep_alive)

    def _send(self, data: bytes, keep_alive: bool) -> None:
        if self.transport is None:
            return
        self.transport.write(data)
        if not keep_alive:
            self.transport.close()

    async def _stream(self, shape: _Shape, name: str, d: dict[str, str], keep_alive: bool) -> None:
        chunks, gap = int(d.get("chunks", 5)), float(d.get("gap", 0.01))
        conn = b"" if keep_alive else b"connection: close\r\n"
        try:
            head = (b"HTTP/1.1 200 OK\r\ncontent-type: %s\r\nx-mock-name: %s\r\n"
                    b"transfer-encoding: chunked\r\n%s\r\n" % (shape.content_type, name.encode(), conn))
            self._write(head + _chunked(shape.first))
            for i in range(chunks):
                await asyncio.sleep(gap)
                self._write(_chunked(shape.delta(i)))
            self._write(_chunked(shape.tail) + b"0\r\n\r\n")
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
