"""The real core and the Workers adapter inside workerd (wrangler 3.92.0), against a loopback mock.

Fixtures (``worker``, ``mock_upstream``) live in conftest.py; they are typed ``Any`` here because
test modules must not import conftest (module-name clashes between test folders).
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.workerd


def _headers(mock: Any) -> dict[str, str]:
    return {
        "x-portkey-provider": "openai",
        "x-portkey-custom-host": mock.base_url,
        "authorization": "Bearer sk-test",
        "content-type": "application/json",
    }


def _chat(model: str, **extra: object) -> dict:
    return {"model": model, "messages": [{"role": "user", "content": "hi"}], **extra}


def test_chat_completion_goes_through_the_worker(worker: Any, mock_upstream: Any) -> None:
    print(f"\ncold start (wrangler dev launch -> first response): {worker.cold_start_seconds:.2f}s")
    response = httpx.post(
        f"{worker.url}/v1/chat/completions", headers=_headers(mock_upstream), json=_chat("gpt-4o-mini"), timeout=30
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["choices"][0]["message"]["content"] == "Hello from mock"
    seen = mock_upstream.requests[-1]
    assert seen["path"] == "/v1/chat/completions"
    assert {k.lower(): v for k, v in seen["headers"].items()}["authorization"] == "Bearer sk-test"
    assert seen["body"]["model"] == "gpt-4o-mini"


def test_stream_arrives_chunk_by_chunk(worker: Any, mock_upstream: Any) -> None:
    arrivals: list[tuple[float, bytes]] = []
    with httpx.Client(timeout=30) as client:
        started = time.monotonic()
        with client.stream(
            "POST",
            f"{worker.url}/v1/chat/completions",
            headers=_headers(mock_upstream),
            json=_chat("gpt-4o-mini", stream=True),
        ) as response:
            assert response.status_code == 200, response.read()
            assert response.headers["content-type"].startswith("text/event-stream")
            for raw in response.iter_raw():
                arrivals.append((time.monotonic() - started, raw))

    text = b"".join(chunk for _, chunk in arrivals).decode()
    events = [block.strip() for block in text.split("\n\n") if block.strip()]
    assert events[-1] == "data: [DONE]"
    payloads = [json.loads(event[len("data: ") :]) for event in events[:-1]]
    assert len(payloads) == mock_upstream.sse_chunks
    assert "".join(p["choices"][0]["delta"].get("content", "") for p in payloads) == "".join(
        f"tok{i} " for i in range(mock_upstream.sse_chunks)
    )

    spread = arrivals[-1][0] - arrivals[0][0]
    print(f"\nSSE: {len(arrivals)} network reads over {spread:.2f}s; arrivals {[round(t, 2) for t, _ in arrivals]}")
    # The mock pauses between events: a buffering adapter would deliver one lump at the end.
    assert len(arrivals) >= 3
    assert spread >= (mock_upstream.sse_chunks - 1) * mock_upstream.sse_delay * 0.6


def test_provider_error_status_passes_through(worker: Any, mock_upstream: Any) -> None:
    response = httpx.post(
        f"{worker.url}/v1/chat/completions", headers=_headers(mock_upstream), json=_chat("mock-429"), timeout=30
    )

    assert response.status_code == 429, response.text
    body = response.json()
    assert body["provider"] == "openai"
    # The core normalises provider errors (reference §11): message prefixed with the provider.
    assert body["error"]["message"].endswith("Rate limit reached for mock")
    assert body["error"]["code"] == "rate_limit_exceeded"


def test_request_latency_is_small(worker: Any, mock_upstream: Any) -> None:
    """Not a benchmark: catches a pathological slowdown and prints the figure for the record."""
    timings = []
    with httpx.Client(timeout=30) as client:
        for _ in range(30):
            started = time.perf_counter()
            response = client.post(
                f"{worker.url}/v1/chat/completions", headers=_headers(mock_upstream), json=_chat("gpt-4o-mini")
            )
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200
    median = statistics.median(timings)
    print(
        f"\nchat completion through workerd: median {median * 1000:.1f} ms, "
        f"max {max(timings) * 1000:.1f} ms over {len(timings)} requests"
    )
    assert median < 0.5


def test_multipart_upload_streams_through_intact(worker: Any, mock_upstream: Any) -> None:
    """A ``raw`` route: the adapter hands the body over as a stream and fetch sends it on."""
    audio = bytes(range(256)) * 2048  # 512 KiB, not valid UTF-8, so any re-encoding would show
    headers = {k: v for k, v in _headers(mock_upstream).items() if k != "content-type"}
    response = httpx.post(
        f"{worker.url}/v1/audio/transcriptions",
        headers=headers,
        timeout=30,
        data={"model": "whisper-1"},
        files={"file": ("a.wav", audio, "audio/wav")},
    )

    assert response.status_code == 200, response.text
    echoed = response.json()
    seen = mock_upstream.requests[-1]["body"]
    assert echoed["received_bytes"] == len(seen) and audio in seen
    assert echoed["content_type"].startswith("multipart/form-data; boundary=")
    # Streamed, yet sent with the client's Content-Length (FixedLengthStream), not chunked.
    assert echoed["content_length"] == str(len(seen)) and not echoed["transfer_encoding"]


def test_client_leaving_mid_stream_cancels_upstream(worker: Any, mock_upstream: Any) -> None:
    before = mock_upstream.aborted_streams
    with httpx.Client(timeout=30) as client:
        with client.stream(
            "POST",
            f"{worker.url}/v1/chat/completions",
            headers=_headers(mock_upstream),
            json=_chat("mock-slow", stream=True),
        ) as response:
            assert response.status_code == 200
            next(response.iter_raw())  # one chunk, then hang up
        left = time.monotonic()
    # The mock streams for ~6 s; a cancelled upstream shows up as a broken pipe well before that.
    deadline = time.monotonic() + 4.0
    while mock_upstream.aborted_streams == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert mock_upstream.aborted_streams > before, "upstream kept streaming after the client left"
    print(f"\nupstream saw the hang-up {time.monotonic() - left:.2f}s after the client left")


def test_unreachable_upstream_is_a_transport_error(worker: Any, mock_upstream: Any, free_tcp_port: int) -> None:
    """JS fetch failures must reach the core as ``TransportError(connect=True)``, never a JS exception."""
    headers = {**_headers(mock_upstream), "x-portkey-custom-host": f"http://127.0.0.1:{free_tcp_port}/v1"}
    response = httpx.post(f"{worker.url}/v1/chat/completions", headers=headers, json=_chat("gpt-4o-mini"), timeout=30)

    assert response.status_code == 503, response.text
    body = response.json()
    assert body["provider"] == "openai" and body["error"]["type"] == "network_error"
    assert "upstream request failed" in body["error"]["message"]


def test_fallback_config_moves_to_the_next_target(worker: Any, mock_upstream: Any) -> None:
    """Issue 3 inside workerd: a 429 on the first target falls back to the second."""
    target = {"provider": "openai", "api_key": "sk-a", "custom_host": mock_upstream.base_url}
    config = {
        "strategy": {"mode": "fallback"},
        "targets": [{**target, "override_params": {"model": "mock-429"}}, {**target, "api_key": "sk-b"}],
    }
    before = len(mock_upstream.requests)
    response = httpx.post(
        f"{worker.url}/v1/chat/completions",
        headers={"x-portkey-config": json.dumps(config), "content-type": "application/json"},
        json=_chat("gpt-4o-mini"),
        timeout=30,
    )

    assert response.status_code == 200, response.text
    assert response.headers["x-portkey-last-used-option-index"] == "config.targets[1]"
    seen = mock_upstream.requests[before:]
    assert [r["body"]["model"] for r in seen] == ["mock-429", "gpt-4o-mini"]
    assert [r["headers"]["authorization"] for r in seen] == ["Bearer sk-a", "Bearer sk-b"]
