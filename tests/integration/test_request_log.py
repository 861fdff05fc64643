"""``python -m local_dev --request-log json`` as users run it: one JSON line per request on stdout, with
the live log's summary fields and no credential; ``--headless`` removes the console."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time

import httpx

from tests.support.mock_openai import MockOpenAI
from tests.support.servers import free_port

KEY = "sk-json-log-secret-abcdefghijkl"


def test_one_json_line_per_request_and_headless(mock: MockOpenAI) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "local_dev", "--port", str(port), "--log-level", "warning", "--request-log", "json",
         "--headless"], env={**os.environ, "ADMIN_TOKEN": "admin-token-json-log"},
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                httpx.get(base + "/", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.1)
        assert httpx.get(base + "/public/").status_code == 404  # headless
        response = httpx.post(base + "/v1/chat/completions", json={"model": "m", "messages": []}, headers={
            "x-portkey-provider": "openai", "x-portkey-custom-host": mock.url(), "authorization": f"Bearer {KEY}"})
        assert response.status_code == 200
        line = lines.get(timeout=10)
    finally:
        process.terminate()
        process.wait(10)
    record = json.loads(line)
    assert KEY not in line
    assert record["event"] == "request" and record["ts"].endswith("Z")
    for name, value in (("method", "POST"), ("route", "/v1/chat/completions"), ("status", 200),
                        ("provider", "openai"), ("target", "config"), ("retries", 0), ("cache", "DISABLED")):
        assert record[name] == value, name
    assert record["tokens"] == {"input": 3, "output": 3} and record["duration_ms"] > 0
    assert "request" not in record and "response" not in record  # no headers, no bodies in the log stack
