"""``python -m local_dev`` as deployments run it: several processes on one port, and SIGTERM while a
slow stream is in flight. The stream completes, new connections are refused at once, the process
exits within the grace period (``SHUTDOWN_GRACE_SECONDS``), and a stream longer than the grace is cut
at its end instead of holding the restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.support.mock_openai import MockOpenAI
from tests.support.servers import free_port

CHUNKS, GAP = 8, 0.25  # a 2 s stream


def _start(port: int, workers: int, grace: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SHUTDOWN_GRACE_SECONDS": str(grace), "WORKERS": str(workers)}
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "local_dev", "--port", str(port), "--log-level", "info"],
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise AssertionError(f"gateway did not start:\n{log.read_text()}")
        time.sleep(0.1)


def _stream(port: int, upstream: str, first: threading.Event, out: dict[str, object]) -> None:
    headers = {"x-portkey-provider": "openai", "x-portkey-custom-host": upstream, "authorization": "Bearer sk-t"}
    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    received = b""
    try:
        with httpx.stream("POST", f"http://127.0.0.1:{port}/v1/chat/completions", headers=headers, json=body,
                          timeout=30) as answer:
            for chunk in answer.iter_raw():
                received += chunk
                first.set()
    except httpx.HTTPError as error:
        out["error"] = error
    finally:
        first.set()
        out["body"] = received


def _refused(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()]


def _sigterm_mid_stream(mock: MockOpenAI, tmp_path: Path, workers: int, grace: int,
                        gap: float = GAP) -> tuple[dict[str, object], float, subprocess.Popen[bytes], Path]:
    port, log = free_port(), tmp_path / "gateway.log"
    process = _start(port, workers, grace, log)
    try:
        if workers > 1:
            assert len(_children(process.pid)) == workers
        first, out = threading.Event(), {}
        client = threading.Thread(target=_stream, args=(port, mock.url(chunks=CHUNKS, gap=gap), first, out))
        client.start()
        assert first.wait(10)
        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        deadline = signalled + 3
        while not _refused(port):  # stops accepting while the stream goes on
            assert time.monotonic() < deadline, "still accepting connections after SIGTERM"
            time.sleep(0.05)
        assert client.is_alive() or grace < CHUNKS * gap
        client.join(30)
        assert process.wait(grace + 10) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once done
        return out, time.monotonic() - signalled, process, log
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_lets_a_slow_stream_finish_then_exits(mock: MockOpenAI, tmp_path: Path, workers: int) -> None:
    out, took, _, log = _sigterm_mid_stream(mock, tmp_path, workers, grace=10)
    body = out["body"]
    assert isinstance(body, bytes) and "error" not in out, out.get("error")
    assert body.count(b'"content": "tok') == CHUNKS and body.rstrip().endswith(b"data: [DONE]")
    assert took < 10
    text = log.read_text()
    assert "Waiting for connections to close" in text and "Application shutdown complete" in text


def test_a_stream_longer_than_the_grace_period_is_cut_at_its_end(mock: MockOpenAI, tmp_path: Path) -> None:
    out, took, _, log = _sigterm_mid_stream(mock, tmp_path, workers=1, grace=1, gap=1.0)  # an 8 s stream
    assert took < 1 + 5
    assert b"[DONE]" not in out["body"]  # type: ignore[operator]
    assert "timeout graceful shutdown exceeded" in log.read_text()


def test_workers_must_be_a_number() -> None:
    done = subprocess.run([sys.executable, "-m", "local_dev", "--port", str(free_port()), "--workers", "many"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode != 0 and "WORKERS must be a whole number of processes, not 'many'" in done.stderr
