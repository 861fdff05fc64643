"""The response cache through the real server, with the mock counting upstream calls: a hit makes
no call, an error is never replayed, another key misses, ``max_age`` is seconds, force refresh,
streams answered from a cached completion in the client's format, and a request with no cache
config never touches the store."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import anthropic
import httpx
import openai

from gateway.clock import Clock
from tests.support.mock_openai import MockOpenAI
from tests.support.servers import GatewayServer

CHAT: Any = {"model": "gpt-4o", "messages": [{"role": "user", "content": "cache me"}]}
MESSAGES: Any = {"model": "claude-x", "max_tokens": 16, "messages": [{"role": "user", "content": "cache me"}]}


def leaf(mock: MockOpenAI, key: str = "sk-a", cache: Any = None, **directives: Any) -> dict[str, Any]:
    target = {"provider": "openai", "api_key": key, "custom_host": mock.url(**directives)}
    if cache is not False:
        target["cache"] = cache or {"mode": "simple", "max_age": 60}
    return target


def send(gateway: GatewayServer, config: Any, body: Any = CHAT, headers: dict[str, str] | None = None,
         path: str = "/v1/chat/completions") -> httpx.Response:
    """As the SDK clients of these tests do, with the same client key (it is part of the cache key)."""
    return httpx.post(gateway.url + path, json=body, timeout=20,
                      headers={"x-portkey-config": json.dumps(config), "authorization": "Bearer sk-test-key",
                               **(headers or {})})


def status(response: httpx.Response) -> str:
    return response.headers["x-portkey-cache-status"]


def calls(mock: MockOpenAI) -> int:
    return len(mock.state.requests)


def unique(body: Any, tag: str) -> Any:
    """A body no other test sends, so entries left by earlier tests in the shared gateway never hit."""
    return {**body, "messages": [{"role": "user", "content": f"cache me ({tag})"}]}


def test_miss_then_hit_without_an_upstream_call(gateway: GatewayServer, mock: MockOpenAI) -> None:
    body = unique(CHAT, "hit")
    first = send(gateway, leaf(mock), body)
    second = send(gateway, leaf(mock), body)
    assert (status(first), status(second)) == ("MISS", "HIT") and calls(mock) == 1
    assert second.json() == first.json() and second.headers["content-type"].startswith("application/json")
    assert second.headers["x-portkey-provider"] == "openai"
    assert second.headers["x-portkey-retry-attempt-count"] == "0"


def test_two_api_keys_never_share_an_entry(gateway: GatewayServer, mock: MockOpenAI) -> None:
    body = unique(CHAT, "keys")
    send(gateway, leaf(mock, key="sk-a"), body)
    other = send(gateway, leaf(mock, key="sk-b"), body)
    assert status(other) == "MISS" and calls(mock) == 2
    assert status(send(gateway, leaf(mock, key="sk-b"), body)) == "HIT" and calls(mock) == 2


def test_errors_are_never_stored(gateway: GatewayServer, mock: MockOpenAI) -> None:
    body = unique(CHAT, "500")
    for _ in range(2):
        response = send(gateway, leaf(mock, status=500), body)
        assert response.status_code == 500 and status(response) == "MISS"
    assert calls(mock) == 2
    recovered = send(gateway, leaf(mock), body)  # the same request, now succeeding upstream
    assert recovered.status_code == 200 and status(recovered) == "MISS"


def test_max_age_is_in_seconds(gateway: GatewayServer, mock: MockOpenAI) -> None:
    now = [1_900_000_000.0]
    core = gateway.app.gateway
    core.clock = replace(core.clock, time=lambda: now[0])
    try:
        body = unique(CHAT, "max-age")
        config = leaf(mock, cache={"mode": "simple", "max_age": 60})
        send(gateway, config, body)
        now[0] += 59
        assert status(send(gateway, config, body)) == "HIT"
        now[0] += 2
        assert status(send(gateway, config, body)) == "MISS" and calls(mock) == 2
    finally:
        core.clock = replace(core.clock, time=Clock().time)


def test_force_refresh_skips_the_lookup_and_stores_again(gateway: GatewayServer, mock: MockOpenAI) -> None:
    body = unique(CHAT, "refresh")
    send(gateway, leaf(mock, name="old"), body)
    refreshed = send(gateway, leaf(mock, name="old"), body, {"x-portkey-cache-force-refresh": "true"})
    assert status(refreshed) == "REFRESH" and calls(mock) == 2
    assert status(send(gateway, leaf(mock, name="old"), body)) == "HIT" and calls(mock) == 2


def test_no_cache_config_never_touches_the_store(gateway: GatewayServer, mock: MockOpenAI) -> None:
    store = gateway.app.gateway.store
    before = store.count  # type: ignore[attr-defined]
    body = unique(CHAT, "disabled")
    for _ in range(2):
        assert status(send(gateway, leaf(mock, cache=False), body)) == "DISABLED"
    assert calls(mock) == 2 and store.count == before  # type: ignore[attr-defined]


def test_semantic_mode_is_not_offered_and_misses(gateway: GatewayServer, mock: MockOpenAI) -> None:
    body = unique(CHAT, "semantic")
    for _ in range(2):
        assert status(send(gateway, leaf(mock, cache={"mode": "semantic"}), body)) == "MISS"
    assert calls(mock) == 2


def test_a_stream_is_answered_from_a_cached_completion(client_for: Any, gateway: GatewayServer,
                                                       mock: MockOpenAI) -> None:
    body = unique(CHAT, "stream-from-json")
    plain = send(gateway, leaf(mock), body).json()
    client = client_for(headers={"x-portkey-config": json.dumps(leaf(mock))})
    raw = client.chat.completions.with_raw_response.create(stream=True, stream_options={"include_usage": True},
                                                           **body)
    chunks = list(raw.parse())
    assert raw.headers["x-portkey-cache-status"] == "HIT" and calls(mock) == 1
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "hello from mock"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens == plain["usage"]["total_tokens"]


def test_a_streamed_answer_is_stored_once_complete(gateway: GatewayServer, mock: MockOpenAI) -> None:
    body = unique(CHAT, "stored-stream")
    streamed = send(gateway, leaf(mock, chunks=3), {**body, "stream": True})
    assert status(streamed) == "MISS" and streamed.text.rstrip().endswith("data: [DONE]")
    hit = send(gateway, leaf(mock, chunks=3), body)
    assert status(hit) == "HIT" and calls(mock) == 1
    assert hit.json()["choices"][0]["message"]["content"] == "tok0 tok1 tok2 "
    assert hit.json()["object"] == "chat.completion"


def test_a_broken_stream_is_never_stored(gateway: GatewayServer, mock: MockOpenAI) -> None:
    body = {**unique(CHAT, "broken-stream"), "stream": True}
    first = send(gateway, leaf(mock, cut=1), body)
    assert "data: [DONE]" not in first.text
    assert status(send(gateway, leaf(mock, cut=1), body)) == "MISS" and calls(mock) == 2


def test_messages_route_hits_replay_anthropic_events(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {"provider": "anthropic", "api_key": "sk-ant-1", "custom_host": mock.url(),
              "cache": {"mode": "simple", "max_age": 60}}
    body = {**MESSAGES, "messages": [{"role": "user", "content": "cache me (messages)"}]}
    client = anthropic.Anthropic(base_url=gateway.url, api_key="unused", max_retries=0, timeout=20,
                                 default_headers={"x-portkey-config": json.dumps(config)})
    first = client.messages.with_raw_response.create(**body)
    assert status(first) == "MISS"  # type: ignore[arg-type]
    with client.messages.stream(**body) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    answer = first.parse()
    assert calls(mock) == 1
    assert text == "hello from mock" and final.stop_reason == answer.stop_reason
    assert final.usage.output_tokens == answer.usage.output_tokens
    again = client.messages.create(**body)
    assert again.content[0].text == "hello from mock" and calls(mock) == 1  # type: ignore[union-attr]


def test_a_hit_is_judged_by_the_output_guardrails(gateway: GatewayServer, mock: MockOpenAI) -> None:
    body = unique(CHAT, "judged")
    send(gateway, leaf(mock), body)
    judged = {**leaf(mock), "output_guardrails": [{"contains": {"words": ["zebra"]}, "deny": True}]}
    denied = send(gateway, judged, body)
    assert denied.status_code == 446 and status(denied) == "HIT" and calls(mock) == 1


def test_cache_inherits_through_targets_and_concurrent_misses_are_fine(gateway: GatewayServer,
                                                                       mock: MockOpenAI) -> None:
    body = unique(CHAT, "concurrent")
    config = {"strategy": {"mode": "fallback"}, "cache": {"mode": "simple", "max_age": 60},
              "targets": [leaf(mock, cache=False)]}
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: send(gateway, config, body), range(6)))
    assert all(a.status_code == 200 for a in answers)
    assert {a.json()["choices"][0]["message"]["content"] for a in answers} == {"hello from mock"}
    assert status(send(gateway, config, body)) == "HIT"
    assert calls(mock) == sum(status(a) == "MISS" for a in answers)


def test_official_sdk_sees_the_hit(client_for: Any, mock: MockOpenAI) -> None:
    client = client_for(headers={"x-portkey-config": json.dumps(leaf(mock))})
    body = unique(CHAT, "sdk")
    client.chat.completions.create(**body)
    raw = client.chat.completions.with_raw_response.create(**body)
    assert raw.headers["x-portkey-cache-status"] == "HIT"
    assert isinstance(raw.parse(), openai.types.chat.ChatCompletion) and calls(mock) == 1
