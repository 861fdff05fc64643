"""The real core and the Workers adapter inside workerd (wrangler 3.92.0), against a loopback mock.

``mock`` is the suite-wide ``MockOpenAI`` (tests/conftest.py), reset before each test; scenarios are
chosen by its URL directives (``mock.url(status=429)``, ``mock.url(chunks=5, gap=0.15)``).
``worker`` lives in this folder's conftest.py; it is typed ``Any`` here because test modules must not
import conftest (module-name clashes between test folders).
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

import httpx
import pytest

from tests.support.mock_openai import MockOpenAI

pytestmark = pytest.mark.workerd

SSE_CHUNKS = 5
SSE_GAP = 0.15  # seconds between mock SSE events, so separate arrival is measurable


def _headers(upstream: str) -> dict[str, str]:
    """Gateway headers for an OpenAI call sent to ``upstream``, a ``mock.url(...)`` base URL."""
    return {
        "x-portkey-provider": "openai",
        "x-portkey-custom-host": upstream,
        "authorization": "Bearer sk-test",
        "content-type": "application/json",
    }


def _chat(model: str, **extra: object) -> dict:
    return {"model": model, "messages": [{"role": "user", "content": "hi"}], **extra}


def test_chat_completion_goes_through_the_worker(worker: Any, mock: MockOpenAI) -> None:
    print(f"\ncold start (wrangler dev launch -> first response): {worker.cold_start_seconds:.2f}s")
    response = httpx.post(
        f"{worker.url}/v1/chat/completions", headers=_headers(mock.url()), json=_chat("gpt-4o-mini"), timeout=30
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["choices"][0]["message"]["content"] == "hello from mock"
    seen = mock.state.requests[-1]
    assert seen.method == "POST" and seen.path == "/v1/chat/completions"
    assert seen.headers["authorization"] == "Bearer sk-test"
    assert seen.json()["model"] == "gpt-4o-mini"


def test_stream_arrives_chunk_by_chunk(worker: Any, mock: MockOpenAI) -> None:
    arrivals: list[tuple[float, bytes]] = []
    with httpx.Client(timeout=30) as client:
        started = time.monotonic()
        with client.stream(
            "POST",
            f"{worker.url}/v1/chat/completions",
            headers=_headers(mock.url(chunks=SSE_CHUNKS, gap=SSE_GAP)),
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
    # The mock frames its SSE_CHUNKS content chunks with a role chunk and a finish_reason chunk.
    contents = [p["choices"][0]["delta"].get("content") for p in payloads]
    assert [c for c in contents if c] == [f"tok{i} " for i in range(SSE_CHUNKS)]
    assert payloads[-1]["choices"][0]["finish_reason"] == "stop"
    assert mock.state.stream_finished == 1

    spread = arrivals[-1][0] - arrivals[0][0]
    print(f"\nSSE: {len(arrivals)} network reads over {spread:.2f}s; arrivals {[round(t, 2) for t, _ in arrivals]}")
    # The mock pauses between events: a buffering adapter would deliver one lump at the end.
    assert len(arrivals) >= 3
    assert spread >= (SSE_CHUNKS - 1) * SSE_GAP * 0.6


def test_provider_error_status_passes_through(worker: Any, mock: MockOpenAI) -> None:
    response = httpx.post(
        f"{worker.url}/v1/chat/completions",
        headers=_headers(mock.url(status=429)),
        json=_chat("gpt-4o-mini"),
        timeout=30,
    )

    assert response.status_code == 429, response.text
    body = response.json()
    assert body["provider"] == "openai"
    # The core normalises provider errors (reference §11): message prefixed with the provider.
    assert body["error"]["message"].endswith("mock failure 429")
    assert body["error"]["code"] == "mock_429"
    assert len(mock.state.requests) == 1  # no retry without a retry config


def test_request_latency_is_small(worker: Any, mock: MockOpenAI) -> None:
    """Not a benchmark: catches a pathological slowdown and prints the figure for the record."""
    timings = []
    with httpx.Client(timeout=30) as client:
        for _ in range(30):
            started = time.perf_counter()
            response = client.post(
                f"{worker.url}/v1/chat/completions", headers=_headers(mock.url()), json=_chat("gpt-4o-mini")
            )
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200
    median = statistics.median(timings)
    print(
        f"\nchat completion through workerd: median {median * 1000:.1f} ms, "
        f"max {max(timings) * 1000:.1f} ms over {len(timings)} requests"
    )
    assert median < 0.5


def test_multipart_upload_streams_through_intact(worker: Any, mock: MockOpenAI) -> None:
    """A ``raw`` route: the adapter hands the body over as a stream and fetch sends it on."""
    audio = bytes(range(256)) * 2048  # 512 KiB, not valid UTF-8, so any re-encoding would show
    headers = {k: v for k, v in _headers(mock.url()).items() if k != "content-type"}
    response = httpx.post(
        f"{worker.url}/v1/audio/transcriptions",
        headers=headers,
        timeout=30,
        data={"model": "whisper-1"},
        files={"file": ("a.wav", audio, "audio/wav")},
    )

    assert response.status_code == 200, response.text
    seen = mock.state.requests[-1]
    assert seen.path == "/v1/audio/transcriptions"
    assert response.json()["text"] == f"received {len(seen.body)} bytes" and audio in seen.body
    assert seen.headers["content-type"].startswith("multipart/form-data; boundary=")
    # Streamed, yet sent with the client's Content-Length (FixedLengthStream), not chunked.
    assert seen.headers.get("content-length") == str(len(seen.body))
    assert "transfer-encoding" not in seen.headers


def test_client_leaving_mid_stream_cancels_upstream(worker: Any, mock: MockOpenAI) -> None:
    with httpx.Client(timeout=30) as client:
        with client.stream(
            "POST",
            f"{worker.url}/v1/chat/completions",
            headers=_headers(mock.url(chunks=40, gap=SSE_GAP)),
            json=_chat("gpt-4o-mini", stream=True),
        ) as response:
            assert response.status_code == 200
            next(response.iter_raw())  # one chunk, then hang up
        left = time.monotonic()
    # The mock streams for ~6 s; a cancelled upstream shows up as a broken pipe well before that.
    deadline = time.monotonic() + 4.0
    while not mock.state.disconnects and time.monotonic() < deadline:
        time.sleep(0.05)
    assert mock.state.disconnects == 1, "upstream kept streaming after the client left"
    assert mock.state.stream_finished == 0
    print(f"\nupstream saw the hang-up {time.monotonic() - left:.2f}s after the client left")


def test_unreachable_upstream_is_a_transport_error(worker: Any, mock: MockOpenAI, free_tcp_port: int) -> None:
    """JS fetch failures must reach the core as ``TransportError(connect=True)``, never a JS exception."""
    headers = _headers(f"http://127.0.0.1:{free_tcp_port}/v1")
    response = httpx.post(f"{worker.url}/v1/chat/completions", headers=headers, json=_chat("gpt-4o-mini"), timeout=30)

    assert response.status_code == 503, response.text
    body = response.json()
    assert body["provider"] == "openai" and body["error"]["type"] == "network_error"
    assert "upstream request failed" in body["error"]["message"]


def test_fallback_config_moves_to_the_next_target(worker: Any, mock: MockOpenAI) -> None:
    """Issue 3 inside workerd: a 429 on the first target falls back to the second."""
    config = {
        "strategy": {"mode": "fallback"},
        "targets": [
            {
                "provider": "openai",
                "api_key": "sk-a",
                "custom_host": mock.url(status=429),
                "override_params": {"model": "gpt-4o"},
            },
            {"provider": "openai", "api_key": "sk-b", "custom_host": mock.url()},
        ],
    }
    response = httpx.post(
        f"{worker.url}/v1/chat/completions",
        headers={"x-portkey-config": json.dumps(config), "content-type": "application/json"},
        json=_chat("gpt-4o-mini"),
        timeout=30,
    )

    assert response.status_code == 200, response.text
    assert response.headers["x-portkey-last-used-option-index"] == "config.targets[1]"
    seen = mock.state.requests
    assert [r.directives for r in seen] == [{"status": "429"}, {}]
    assert [r.json()["model"] for r in seen] == ["gpt-4o", "gpt-4o-mini"]
    assert [r.headers["authorization"] for r in seen] == ["Bearer sk-a", "Bearer sk-b"]


def _sse_events(text: str) -> list[tuple[str | None, Any]]:
    """(event name, data) per SSE event; data is JSON, or the [DONE] sentinel as a string."""
    out = []
    for block in filter(None, (b.strip() for b in text.split("\n\n"))):
        fields = dict(line.split(": ", 1) for line in block.split("\n"))
        data = fields["data"]
        out.append((fields.get("event"), data if data == "[DONE]" else json.loads(data)))
    return out


def test_translated_stream_from_anthropic_arrives_chunk_by_chunk(worker: Any, mock: MockOpenAI) -> None:
    """An OpenAI-format client on the Anthropic provider: Anthropic's named events are decoded,
    mapped and re-encoded as OpenAI chunks inside workerd, each as it arrives."""
    headers = {**_headers(mock.url(chunks=SSE_CHUNKS, gap=SSE_GAP)), "x-portkey-provider": "anthropic"}
    arrivals: list[tuple[float, bytes]] = []
    with httpx.Client(timeout=30) as client:
        started = time.monotonic()
        with client.stream("POST", f"{worker.url}/v1/chat/completions", headers=headers,
                           json=_chat("claude-test", stream=True)) as response:
            assert response.status_code == 200, response.read()
            for raw in response.iter_raw():
                arrivals.append((time.monotonic() - started, raw))
    events = _sse_events(b"".join(chunk for _, chunk in arrivals).decode())
    assert events[-1] == (None, "[DONE]")
    chunks = [data for _, data in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert text.strip() != "" and chunks[-1]["choices"][0]["finish_reason"] == "stop"
    upstream = mock.state.requests[-1]
    assert upstream.path == "/v1/messages" and upstream.headers["x-api-key"] == "sk-test"
    assert upstream.json()["max_tokens"] == 4096
    assert len(arrivals) >= 3 and arrivals[-1][0] - arrivals[0][0] >= (SSE_CHUNKS - 1) * SSE_GAP * 0.6


def test_messages_route_on_openai_streams_anthropic_events(worker: Any, mock: MockOpenAI) -> None:
    """An Anthropic-format client on an OpenAI-shaped provider, translated inside workerd."""
    headers = {"x-portkey-provider": "openai", "x-portkey-custom-host": mock.url(chunks=3),
               "x-api-key": "sk-test", "anthropic-version": "2023-06-01", "content-type": "application/json"}
    body = {"model": "gpt-4o-mini", "max_tokens": 20, "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    response = httpx.post(f"{worker.url}/v1/messages", headers=headers, json=body, timeout=30)
    assert response.status_code == 200, response.text
    events = _sse_events(response.text)
    names = [name for name, _ in events]
    assert names[0] == "message_start" and names[-2:] == ["message_delta", "message_stop"]
    text = "".join(d["delta"]["text"] for n, d in events if n == "content_block_delta")
    assert text == "tok0 tok1 tok2 "
    assert mock.state.requests[-1].headers["authorization"] == "Bearer sk-test"
