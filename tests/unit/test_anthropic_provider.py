"""Anthropic provider: golden fixtures (tests/fixtures/anthropic/*.json) plus the few behaviours
that are not a body-to-body mapping (headers, registry, whitelists, robustness).

The fixtures' format and the five tests they drive are ``tests/support/golden.py``'s.
"""

from __future__ import annotations

from typing import Any

import pytest

from gateway.providers import get_provider
from gateway.providers.anthropic import COUNT_TOKENS, DEFAULT_MAX_TOKENS, MESSAGES, PROVIDER
from gateway.transform.events import DONE, Event, MapContext
from gateway.transform.params import map_params
from tests.support.golden import GoldenSuite

GOLDEN = GoldenSuite({"anthropic": "anthropic"}, minimum=40)
test_every_fixture_has_exactly_one_kind, test_request, test_response, test_error, test_stream = GOLDEN.tests()


def test_registry_and_endpoints() -> None:
    provider = get_provider("anthropic")
    assert provider is PROVIDER
    assert provider.base_url == "https://api.anthropic.com/v1"
    assert provider.endpoints["chatComplete"] == provider.endpoints["messages"] == "/messages"
    assert provider.endpoints["messagesCountTokens"] == "/messages/count_tokens"
    assert set(provider.translations) == {"chatComplete", "complete"}
    assert DEFAULT_MAX_TOKENS == 4096


@pytest.mark.parametrize(("options", "expected"), [
    ({"api_key": "sk-ant-1", "anthropic_api_key": "bare"},
     {"x-api-key": "sk-ant-1", "anthropic-version": "2023-06-01"}),
    ({"anthropic_api_key": "bare", "anthropic_version": "2024-01-01", "anthropic_beta": "files-api-2025-04-14"},
     {"x-api-key": "bare", "anthropic-version": "2024-01-01", "anthropic-beta": "files-api-2025-04-14"}),
    ({}, {"anthropic-version": "2023-06-01"}),
])
def test_headers(options: dict[str, str], expected: dict[str, str]) -> None:
    assert PROVIDER.request_headers(options, "chatComplete") == expected


def test_native_messages_whitelist() -> None:
    body = {"model": "claude-opus-4-1", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 10,
            "output_format": {"type": "json_schema"}, "context_management": {"edits": []}, "unknown": 1,
            "anthropic_version": "2023-06-01"}
    mapped = map_params(PROVIDER.params["messages"], body, {})
    assert mapped == {k: v for k, v in body.items() if k not in ("unknown", "anthropic_version")}
    assert PROVIDER.params["messages"] is MESSAGES
    counted = map_params(COUNT_TOKENS, body, {})
    assert counted == {k: body[k] for k in ("model", "messages", "output_format", "context_management")}
    assert "model" not in map_params(MESSAGES, {"messages": []}, {})


ODD_PARAMS: list[Any] = [
    {}, {"messages": None}, {"messages": "hi"}, {"messages": [{}]}, {"messages": [{"role": "assistant"}]},
    {"messages": [{"role": "assistant", "tool_calls": [None, {"function": None}, {"function": {"arguments": 3}}]}]},
    {"messages": [{"role": "assistant", "content_blocks": [None, 1], "content": 5}]},
    {"messages": [{"role": "user", "content": [{"type": "file", "file": {"file_data": "data:text/plain;base64,@@"}}]}]},
    {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": None}]}]},
    {"messages": [{"role": "tool", "tool_call_id": "t", "content": {"x": 1}}]},
    {"tools": [None, {"type": 3}, {"function": "x"}, {"type": "bash_20250124", "name": "bash"}],
     "tool_choice": {"type": "function"}},
    {"thinking": {"budget_tokens": "big"}, "stop": [1, None], "temperature": True, "prompt": 42},
]


@pytest.mark.parametrize("params", ODD_PARAMS)
def test_odd_requests_never_raise(params: dict[str, Any]) -> None:
    ctx = MapContext(provider="anthropic")
    for fn in ("chatComplete", "complete"):
        body = PROVIDER.translations[fn].request(params, {}, ctx)
        assert isinstance(body, dict) and body["max_tokens" if fn == "chatComplete" else "max_tokens_to_sample"] > 0


def test_native_server_tool_passes_unchanged() -> None:
    tool = {"type": "bash_20250124", "name": "bash", "cache_control": {"type": "ephemeral"}}
    body = PROVIDER.translations["chatComplete"].request({"tools": [tool]}, {}, MapContext(provider="anthropic"))
    assert body["tools"] == [tool]


@pytest.mark.parametrize("body", [None, [], "text", {"content": "not a list"}, {"content": [None, 1]}])
def test_odd_responses_never_raise(body: Any) -> None:
    out = PROVIDER.translations["chatComplete"].response(body, MapContext(provider="anthropic"))
    assert "error" in out or out["choices"][0]["message"]["content"] == ""


@pytest.mark.parametrize("data", [None, "x", [], {"type": "content_block_delta"}, {"type": "content_block_delta",
                                  "delta": None}, {"type": "content_block_start", "content_block": 1},
                                  {"type": "message_start", "message": None}, {"type": "message_delta"},
                                  {"type": "unknown_future_event"}, {"type": "error"}])
def test_odd_stream_events_never_raise(data: Any) -> None:
    for fn in ("chatComplete", "complete"):
        mapper = PROVIDER.translations[fn].stream(MapContext(provider="anthropic"))
        assert isinstance(mapper.feed(Event(data)), list)
        assert mapper.end() == []


def test_chunk_ids_fall_back_before_message_start() -> None:
    ctx = MapContext(provider="anthropic", model="claude-x", created=5, fallback_id="anthropic-9")
    mapper = PROVIDER.translations["chatComplete"].stream(ctx)
    (event,) = mapper.feed(Event({"type": "content_block_delta", "index": 0,
                                  "delta": {"type": "text_delta", "text": "Hi"}}, "content_block_delta"))
    assert (event.data["id"], event.data["model"], event.data["created"]) == ("anthropic-9", "claude-x", 5)
    assert [e.data for e in mapper.feed(Event({"type": "message_stop"}, "message_stop"))] == [DONE]
    assert mapper.feed(Event({"type": "message_stop"}, "message_stop")) == []
