"""Fixtures for the workerd smoke tests: a loopback mock OpenAI and a real ``wrangler dev``.

The Worker runs under wrangler 3.92.0 (pinned in this folder's package.json), the last release
with Pyodide built into workerd, so everything works without network. Wrangler uploads every
``*.py`` next to ``main``, so the Worker is assembled in a temp dir from ``src/gateway``,
``src/worker_runtime`` and ``worker_entry.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
WRANGLER = HERE / "node_modules" / ".bin" / "wrangler"
SSE_CHUNKS = 5
SSE_DELAY = 0.15  # seconds between mock SSE events, so separate arrival is measurable
READY_TIMEOUT = 90.0


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "workerd: runs the Worker inside real workerd via wrangler dev")


def wrangler_bin() -> Path:
    """The pinned wrangler, or a test failure that says how to install it."""
    if not WRANGLER.exists():
        pytest.fail(
            f"wrangler 3.92.0 is not installed ({WRANGLER} missing). "
            "Run `make setup` or `npm ci --prefix tests/workerd` first.",
            pytrace=False,
        )
    return WRANGLER


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- mock upstream


@dataclass
class MockUpstream:
    port: int
    requests: list[dict] = field(default_factory=list)
    sse_chunks: int = SSE_CHUNKS
    sse_delay: float = SSE_DELAY
    aborted_streams: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


def _completion(model: str) -> dict:
    return {
        "id": "chatcmpl-mock",
        "object": "chat.completion",
        "created": 1700000000,
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "Hello from mock"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6},
    }


def _chunk(model: str, index: int) -> dict:
    return {
        "id": "chatcmpl-mock",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": model,
        "choices": [{"index": 0, "delta": {"content": f"tok{index} "}, "finish_reason": None}],
    }


def _make_handler(state: MockUpstream) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in separate writes; without this, Nagle + delayed ACK add ~40 ms.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, *args: object) -> None:  # keep pytest output clean
            pass

        def _read_body(self) -> bytes:
            """Content-Length or chunked: a streamed upload from the Worker arrives chunked."""
            if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
                parts = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return b"".join(parts)
                    parts.append(self.rfile.read(size))
                    self.rfile.readline()
            length = int(self.headers.get("content-length") or 0)
            return self.rfile.read(length) if length else b""

        def do_POST(self) -> None:  # noqa: N802 - http.server API
            raw = self._read_body()
            headers = {k.lower(): v for k, v in self.headers.items()}
            if self.path == "/v1/audio/transcriptions":  # multipart passthrough: echo what arrived
                state.requests.append({"path": self.path, "headers": headers, "body": raw})
                return self._json(
                    200,
                    {
                        "text": "transcribed",
                        "received_bytes": len(raw),
                        "sha256": hashlib.sha256(raw).hexdigest(),
                        "content_type": headers.get("content-type", ""),
                        "transfer_encoding": headers.get("transfer-encoding", ""),
                        "content_length": headers.get("content-length", ""),
                    },
                )
            payload = json.loads(raw or b"{}")
            state.requests.append({"path": self.path, "headers": headers, "body": payload})
            if self.path != "/v1/chat/completions":
                return self._json(404, {"error": {"message": "no route", "type": "invalid_request_error"}})
            model = str(payload.get("model", ""))
            if model == "mock-429":
                return self._json(
                    429,
                    {
                        "error": {
                            "message": "Rate limit reached for mock",
                            "type": "requests",
                            "param": None,
                            "code": "rate_limit_exceeded",
                        }
                    },
                )
            if payload.get("stream"):
                return self._sse(model, slow=model == "mock-slow")
            return self._json(200, _completion(model))

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _sse(self, model: str, slow: bool = False) -> None:
            """SSE events with pauses; ``slow`` streams long enough for a client to leave mid-way."""
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("cache-control", "no-cache")
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            count = 40 if slow else SSE_CHUNKS
            events = [f"data: {json.dumps(_chunk(model, i))}\n\n" for i in range(count)]
            events.append("data: [DONE]\n\n")
            try:
                for number, event in enumerate(events):
                    if number:
                        time.sleep(SSE_DELAY)
                    data = event.encode()
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                state.aborted_streams += 1  # the gateway hung up on us: upstream was cancelled

    return Handler


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture
def free_tcp_port() -> int:
    """A loopback port with nothing listening (connection refused)."""
    return free_port()


@pytest.fixture(scope="session")
def wrangler() -> Path:
    """Path of the pinned wrangler 3.92.0; fails (never skips) when it is not installed."""
    return wrangler_bin()


@pytest.fixture(scope="session")
def mock_upstream() -> Iterator[MockUpstream]:
    state = MockUpstream(port=0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="mock-openai", daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


# --------------------------------------------------------------------------- the Worker


WRANGLER_TOML = """\
name = "gateway-workerd-test"
main = "worker_entry.py"
compatibility_date = "2024-11-01"
compatibility_flags = ["python_workers"]

[vars]
TRUSTED_CUSTOM_HOSTS = "127.0.0.1,localhost"
"""


def assemble_worker(target: Path) -> Path:
    """Copy the core, the adapter and the test entry into ``target`` with a test wrangler.toml."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("gateway", "worker_runtime"):
        shutil.copytree(REPO / "src" / package, target / package, ignore=ignore)
    shutil.copy(HERE / "worker_entry.py", target / "worker_entry.py")
    (target / "wrangler.toml").write_text(WRANGLER_TOML)
    return target


@dataclass
class RunningWorker:
    url: str
    cold_start_seconds: float
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _wrangler_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "WRANGLER_SEND_METRICS": "false",
            "XDG_CONFIG_HOME": str(home / "config"),  # wrangler writes logs/config here, not in ~
            "NO_COLOR": "1",
            "CI": "1",
        }
    )
    return env


@pytest.fixture(scope="session")
def worker(tmp_path_factory: pytest.TempPathFactory, wrangler: Path) -> Iterator[RunningWorker]:
    app_dir = assemble_worker(tmp_path_factory.mktemp("worker"))
    # Logs and wrangler's config dir stay OUTSIDE app_dir: wrangler watches it and would reload forever.
    home = tmp_path_factory.mktemp("wrangler-home")
    port = free_port()
    log_path = home / "wrangler.log"
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(wrangler), "dev", "--ip", "127.0.0.1", "--port", str(port)],
            cwd=app_dir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_wrangler_env(home),
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        cold = _wait_ready(url, process, started, log_path)
        yield RunningWorker(url=url, cold_start_seconds=cold, log_path=log_path)
    finally:
        _stop(process)


def _wait_ready(url: str, process: subprocess.Popen, started: float, log_path: Path) -> float:
    """Poll until the Worker answers any HTTP response; the first one pays Pyodide's start."""
    deadline = started + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"wrangler dev exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            response = httpx.get(url + "/__workerd_ready", timeout=30.0)
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        if response.status_code < 500:
            return time.monotonic() - started
        pytest.fail(
            f"Worker answered {response.status_code} on start:\n{response.text}\n{log_path.read_text(errors='replace')}"
        )
    pytest.fail(f"wrangler dev not ready after {READY_TIMEOUT}s:\n{log_path.read_text(errors='replace')}")


def _stop(process: subprocess.Popen) -> None:
    """Kill wrangler and its workerd child: they share the session/process group we created."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass
