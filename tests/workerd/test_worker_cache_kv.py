"""The response cache and a guardrail inside workerd: the Worker builds a new Gateway (and a new
in-memory store) for every request, so a hit on the second request can only come from Workers KV
(``worker_runtime/kv.py`` over the local ``CACHE`` namespace). KV keeps a value at least 60 s, so the
entry carries its own expiry and ``max_age`` still holds; a stream is replayed from the entry too."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from tests.support.mock_openai import MockOpenAI

pytestmark = pytest.mark.workerd


def _send(worker: Any, config: dict[str, Any], body: dict[str, Any]) -> httpx.Response:
    headers = {"x-portkey-config": json.dumps(config), "authorization": "Bearer sk-kv",
               "content-type": "application/json"}
    return httpx.post(f"{worker.url}/v1/chat/completions", headers=headers, json=body, timeout=60)


def test_cache_hit_comes_from_workers_kv(worker: Any, mock: MockOpenAI) -> None:
    config = {"provider": "openai", "api_key": "sk-kv", "custom_host": mock.url(),
              "cache": {"mode": "simple", "max_age": 30}}
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"kv {uuid.uuid4()}"}]}
    first = _send(worker, config, body)
    second = _send(worker, config, body)
    streamed = _send(worker, config, {**body, "stream": True})
    assert first.status_code == 200, first.text + worker.log()[-3000:]
    assert (first.headers["x-portkey-cache-status"], second.headers["x-portkey-cache-status"]) == ("MISS", "HIT")
    assert second.json() == first.json() and len(mock.state.requests) == 1
    assert streamed.headers["x-portkey-cache-status"] == "HIT" and len(mock.state.requests) == 1
    assert streamed.text.rstrip().endswith("data: [DONE]") and "hello from mock" in streamed.text


def test_guardrail_deny_inside_workerd(worker: Any, mock: MockOpenAI) -> None:
    config = {"provider": "openai", "api_key": "sk-kv", "custom_host": mock.url(),
              "input_guardrails": [{"regexMatch": {"rule": "(?<word>zebra)", "not": True}, "deny": True}]}
    denied = _send(worker, config, {"model": "m", "messages": [{"role": "user", "content": "a zebra"}]})
    assert denied.status_code == 446, denied.text + worker.log()[-3000:]
    assert denied.json()["error"]["type"] == "hooks_failed" and mock.state.requests == []
    allowed = _send(worker, config, {"model": "m", "messages": [{"role": "user", "content": "a horse"}]})
    assert allowed.status_code == 200 and allowed.json()["hook_results"]["before_request_hooks"][0]["verdict"]
