"""Vertex AI inside workerd: the service-account token is exchanged once and then served from Workers
KV (``worker_runtime/kv.py`` over the local ``CACHE`` namespace), although the Worker builds a new
Gateway, and so a new in-memory store, for every request. It also runs the pure-Python RS256
signature in Pyodide, whose cost the first request's latency bounds.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.mock_vertex import MockVertex

pytestmark = pytest.mark.workerd

KEY_PEM = (Path(__file__).resolve().parents[1] / "fixtures" / "vertex_ai" /
           "TEST-ONLY-not-a-real-key-rsa-2048.pem").read_text(encoding="ascii")


@pytest.fixture(scope="module")
def vertex() -> Iterator[MockVertex]:
    server = MockVertex().start()
    yield server
    server.stop()


def test_service_account_token_is_cached_in_workers_kv(worker: Any, vertex: MockVertex) -> None:
    account = {"type": "service_account", "project_id": "kv-proj", "private_key_id": "kid-kv",
               "private_key": KEY_PEM, "client_email": f"svc-{uuid.uuid4().hex[:8]}@kv-proj.iam.gserviceaccount.com",
               "token_uri": vertex.token_uri()}
    headers = {"x-portkey-provider": "vertex-ai", "x-portkey-custom-host": vertex.url(),
               "x-portkey-vertex-region": "us-central1", "x-portkey-vertex-service-account-json": json.dumps(account),
               "authorization": "Bearer unused", "content-type": "application/json"}
    body = {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}]}
    timings = []
    for _ in range(3):
        started = time.monotonic()
        response = httpx.post(f"{worker.url}/v1/chat/completions", headers=headers, json=body, timeout=60)
        timings.append(time.monotonic() - started)
        assert response.status_code == 200, response.text + worker.log()[-3000:]
        assert response.json()["choices"][0]["message"]["content"] == "hello from gemini"
    print(f"\nvertex-ai in workerd: first request (JWT signed in Pyodide + token exchange) {timings[0] * 1000:.0f} ms, "
          f"then {timings[1] * 1000:.0f} ms and {timings[2] * 1000:.0f} ms from the KV-cached token")
    assert len(vertex.state.token_requests) == 1
    upstream = [r for r in vertex.state.requests if r.path != "/token"]
    assert [r.headers["authorization"] for r in upstream] == ["Bearer ya29.mock-1"] * 3
