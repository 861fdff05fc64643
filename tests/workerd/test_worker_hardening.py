"""The limits of gateway/limits.py and the request validator inside real workerd: the Worker answers
hostile input with the same JSON 4xx as the ASGI server, serves the OpenAPI document, and ends a
stream whose provider goes silent with an error event (``UPSTREAM_IDLE_TIMEOUT`` is 3 s in the test
Worker's wrangler.toml). wrangler dev's own Node front refuses headers past 16 KiB with a bare 431
before the Worker sees them (Cloudflare's edge: 128 KB), so the cases here stay under that."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from tests.support.mock_openai import MockOpenAI

pytestmark = pytest.mark.workerd

CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def _headers(mock: MockOpenAI, **directives: Any) -> dict[str, str]:
    return {"x-portkey-provider": "openai", "x-portkey-custom-host": mock.url(**directives),
            "authorization": "Bearer sk-test"}


@pytest.mark.parametrize(("extra", "body", "status", "says"), [
    ({f"x-h{i}": "v" for i in range(120)}, CHAT, 431, "header fields; the limit is 100"),
    ({"x-portkey-config": "[" * 4000 + "]" * 4000}, CHAT, 400, "x-portkey-config is nested deeper than 64 levels"),
    ({}, {**CHAT, "messages": "hi"}, 400, "Invalid request body: 'messages' must be an array, not a string"),
])
def test_hostile_input_answers_the_same_json_4xx_as_the_asgi_server(worker: Any, mock: MockOpenAI,
                                                                     extra: dict[str, str], body: dict[str, Any],
                                                                     status: int, says: str) -> None:
    answer = httpx.post(f"{worker.url}/v1/chat/completions", headers={**_headers(mock), **extra}, json=body,
                        timeout=30)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json") and says in answer.json()["message"]
    assert mock.state.requests == []


def test_the_openapi_document_is_served(worker: Any) -> None:
    answer = httpx.get(f"{worker.url}/openapi.json", timeout=30)
    assert answer.status_code == 200 and "/v1/messages" in answer.json()["paths"]


def test_a_silent_provider_ends_the_stream_with_an_error_event(worker: Any, mock: MockOpenAI) -> None:
    started = time.monotonic()
    with httpx.stream("POST", f"{worker.url}/v1/chat/completions", headers=_headers(mock, chunks=2, gap=6),
                      json={**CHAT, "stream": True}, timeout=30) as answer:
        assert answer.status_code == 200
        body = b"".join(answer.iter_raw())
    events = [e for e in body.split(b"\n\n") if e.strip()]
    error = json.loads(events[-1].removeprefix(b"data: "))
    assert error["error"]["message"] == "openai error: the stream broke: the provider sent nothing for 3 s"
    assert 3 <= time.monotonic() - started < 6 and b"[DONE]" not in body
