"""``/v1/messages`` end to end with the official anthropic SDK -> gateway (uvicorn, real socket) -> mock.

Native: provider anthropic passes Messages through (whitelisted body, Anthropic's SSE as is) to the
mock's Anthropic wire format. Translated: any OpenAI-shaped provider is reached through OpenAI chat,
and the answer, stream and errors come back in Anthropic's shapes (DESIGN "one hub format").

The SDK pinned here sends its key as ``Authorization: Bearer``; Claude Code and older SDKs send a bare
``x-api-key``. ``sdk()`` sends ``x-api-key`` (the Claude Code way) unless told ``bearer=True``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anthropic
import httpx2
import pytest
from anthropic._constants import ANTHROPIC_API_VERSION

from tests.support import mock_anthropic
from tests.support.mock_openai import MockOpenAI
from tests.support.servers import GatewayServer

KEY = "sk-ant-client-key"
USER: Any = [{"role": "user", "content": "hi"}]
WEATHER: Any = {"name": "get_weather", "description": "Weather in a city",
           "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
BROKEN = (anthropic.APIError, httpx2.HTTPError)  # an error event, or the connection itself breaking

Sdk = Callable[..., anthropic.Anthropic]


@pytest.fixture
def sdk(gateway: GatewayServer, mock: MockOpenAI) -> Sdk:
    def make(provider: str = "anthropic", headers: dict[str, str] | None = None, bearer: bool = False,
             **directives: Any) -> anthropic.Anthropic:
        default_headers: dict[str, Any] = {"x-portkey-provider": provider,
                                           "x-portkey-custom-host": mock.url(**directives)}
        if not bearer:
            default_headers.update({"x-api-key": KEY, "Authorization": anthropic.Omit()})
        default_headers.update(headers or {})
        return anthropic.Anthropic(base_url=gateway.url, api_key=KEY, max_retries=0, timeout=20,
                                   default_headers=default_headers)

    return make


def config_sdk(gateway: GatewayServer, config: dict[str, Any]) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=gateway.url, api_key="sk-client-unused", max_retries=0, timeout=20,
                               default_headers={"x-portkey-config": json.dumps(config)})


def texts(message: Any) -> str:
    return "".join(block.text for block in message.content if block.type == "text")


def drain(stream: Any) -> tuple[list[Any], BaseException | None]:
    """The events of a stream up to the error that ended it, and that error (None when none)."""
    events: list[Any] = []
    try:
        for event in stream:
            events.append(event)
    except BROKEN as exc:
        return events, exc
    return events, None


# --- the mock itself: Anthropic's SDK straight at it (no gateway) -------------------------------

def test_mock_speaks_anthropic(mock: MockOpenAI) -> None:
    """Guards the mock: if this fails, the gateway tests below say nothing."""
    headers: dict[str, Any] = {"x-api-key": KEY, "Authorization": anthropic.Omit()}
    client = anthropic.Anthropic(base_url=mock.url(tool=1, thinking=1, cache=1, name="m")[:-3], api_key=KEY,
                                 max_retries=0, default_headers=headers)
    message = client.messages.create(model="c", max_tokens=10, messages=USER, tools=[WEATHER])
    assert [b.type for b in message.content] == ["thinking", "text", "tool_use"]
    assert message.usage.cache_read_input_tokens == 20 and message.stop_reason == "tool_use"
    with client.messages.stream(model="c", max_tokens=10, messages=USER, tools=[WEATHER]) as stream:
        final = stream.get_final_message()
    assert [b.type for b in final.content] == ["thinking", "text", "tool_use"]
    assert final.content[2].input == {"city": "Paris"}  # type: ignore[union-attr]
    assert final.content[0].signature == mock_anthropic.SIGNATURE  # type: ignore[union-attr]
    with pytest.raises(anthropic.BadRequestError):
        client.messages.create(model="c", max_tokens=10, messages=[{"role": "system", "content": "x"}])  # type: ignore[list-item]
    without_key = anthropic.Anthropic(base_url=mock.url()[:-3], api_key=KEY, max_retries=0)
    with pytest.raises(anthropic.AuthenticationError):
        without_key.messages.create(model="c", max_tokens=10, messages=USER)


# --- native: provider anthropic -------------------------------------------------------------------

def test_native_create(sdk: Sdk, mock: MockOpenAI) -> None:
    message = sdk(name="n").messages.create(model="claude-test", max_tokens=64, system="be brief", messages=USER,
                                            extra_body={"unknown_field": 1})
    assert texts(message) == "hello from n"
    assert message.stop_reason == "end_turn" and message.model == "claude-test"
    assert (message.usage.input_tokens, message.usage.output_tokens) == (10, 5)
    sent = mock.state.requests[-1]
    assert sent.path == "/v1/messages"
    assert sent.headers["x-api-key"] == KEY
    assert sent.headers["anthropic-version"] == ANTHROPIC_API_VERSION  # the SDK's, not a default
    assert sent.json() == {"model": "claude-test", "max_tokens": 64, "system": "be brief", "messages": USER}


def test_native_with_the_sdks_bearer_key(sdk: Sdk, mock: MockOpenAI) -> None:
    message = sdk(bearer=True).messages.create(model="claude-test", max_tokens=64, messages=USER)
    assert texts(message) == "hello from mock"
    assert mock.state.requests[-1].headers["x-api-key"] == KEY


def test_native_stream(sdk: Sdk, mock: MockOpenAI) -> None:
    with sdk(chunks=3).messages.stream(model="claude-test", max_tokens=64, messages=USER) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == "tok0 tok1 tok2 " and texts(final) == text
    assert final.stop_reason == "end_turn"
    assert (final.usage.input_tokens, final.usage.output_tokens) == (10, 5)
    events = [event.type for event in sdk(chunks=2).messages.create(
        model="claude-test", max_tokens=64, messages=USER, stream=True)]
    assert events == ["message_start", "content_block_start", "content_block_delta", "content_block_delta",
                      "content_block_stop", "message_delta", "message_stop"]
    assert mock.state.requests[-1].json()["stream"] is True


def test_native_stream_with_thinking_and_tool_use(sdk: Sdk) -> None:
    with sdk(tool=1, thinking=1, chunks=1).messages.stream(
            model="claude-test", max_tokens=2048, messages=USER, tools=[WEATHER],
            thinking={"type": "enabled", "budget_tokens": 1024}) as stream:
        final = stream.get_final_message()
    assert [block.type for block in final.content] == ["thinking", "text", "tool_use"]
    assert final.content[0].thinking == mock_anthropic.THINKING  # type: ignore[union-attr]
    assert final.content[2].input == {"city": "Paris"} and final.stop_reason == "tool_use"  # type: ignore[union-attr]


def test_native_count_tokens(sdk: Sdk, mock: MockOpenAI) -> None:
    count = sdk().messages.count_tokens(model="claude-test", messages=USER, system="be brief")
    sent = mock.state.requests[-1]
    assert sent.path == "/v1/messages/count_tokens" and sent.headers["x-api-key"] == KEY
    assert count.input_tokens == len(sent.body) // 4
    assert sent.json() == {"model": "claude-test", "messages": USER, "system": "be brief"}


def test_native_beta_header_reaches_upstream(sdk: Sdk, mock: MockOpenAI) -> None:
    message = sdk().beta.messages.create(model="claude-test", max_tokens=64, messages=USER, betas=["x-test-beta"])
    assert "".join(b.text for b in message.content if b.type == "text") == "hello from mock"
    sent = mock.state.requests[-1]
    assert sent.path == "/v1/messages" and sent.headers["anthropic-beta"] == "x-test-beta"


def test_native_rate_limit_keeps_anthropics_error_shape(sdk: Sdk) -> None:
    with pytest.raises(anthropic.RateLimitError) as caught:
        sdk(status=429).messages.create(model="claude-test", max_tokens=64, messages=USER)
    body = caught.value.response.json()
    assert body["type"] == "error" and body["error"]["type"] == "rate_limit_error"
    assert "mock failure 429" in body["error"]["message"]
    assert KEY not in caught.value.response.text


def test_native_stream_cut_raises(sdk: Sdk) -> None:
    events, error = drain(sdk(chunks=5, cut=2).messages.create(
        model="claude-test", max_tokens=64, messages=USER, stream=True))
    assert isinstance(error, anthropic.APIStatusError)  # an error event in Anthropic's shape (DESIGN)
    assert error.body["type"] == "error" and KEY not in str(error.body)  # type: ignore[index]
    types = [event.type for event in events]
    assert "message_stop" not in types and types.count("content_block_delta") == 2


def test_native_stream_error_event_raises(sdk: Sdk) -> None:
    events, error = drain(sdk(chunks=5, stream_error=1).messages.create(
        model="claude-test", max_tokens=64, messages=USER, stream=True))
    assert isinstance(error, anthropic.APIStatusError)
    assert error.body == mock_anthropic.error_body("overloaded_error", "Overloaded")
    assert [event.type for event in events].count("content_block_delta") == 1


# --- translated: OpenAI-shaped providers --------------------------------------------------------

@pytest.mark.parametrize("provider", ["openai", "groq"])
def test_translated_create(sdk: Sdk, mock: MockOpenAI, provider: str) -> None:
    message = sdk(provider, name="t").messages.create(
        model="gpt-4o", max_tokens=100, system="be brief", messages=USER, stop_sequences=["END"],
        metadata={"user_id": "user-1"}, tools=[WEATHER], tool_choice={"type": "auto"},
        extra_body={"temperature": 0.5})  # this SDK no longer has a temperature argument; Claude Code sends one
    assert [block.type for block in message.content] == ["text"] and texts(message) == "hello from t"
    assert message.stop_reason == "end_turn" and message.type == "message" and message.id.startswith("msg_")
    assert (message.usage.input_tokens, message.usage.output_tokens) == (3, 3)
    sent = mock.state.requests[-1]
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert "x-api-key" not in sent.headers
    body = sent.json()
    assert body["messages"] == [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    assert body["stop"] == ["END"] and body["user"] == "user-1" and body["temperature"] == 0.5
    assert body.get("max_completion_tokens", body.get("max_tokens")) == 100
    assert body["tools"] == [{"type": "function", "function": {
        "name": "get_weather", "description": "Weather in a city", "parameters": WEATHER["input_schema"]}}]
    assert body["tool_choice"] == "auto"
    assert not {"system", "stop_sequences", "metadata"} & set(body)


def test_translated_with_the_sdks_bearer_key(sdk: Sdk, mock: MockOpenAI) -> None:
    message = sdk("openai", bearer=True).messages.create(model="gpt-4o", max_tokens=100, messages=USER)
    assert texts(message) == "hello from mock"
    assert mock.state.requests[-1].headers["authorization"] == f"Bearer {KEY}"


def test_translated_tool_use(sdk: Sdk) -> None:
    message = sdk("openai", tool=1).messages.create(model="gpt-4o", max_tokens=100, messages=USER, tools=[WEATHER])
    (block,) = [b for b in message.content if b.type == "tool_use"]
    assert (block.id, block.name, block.input) == ("call_1", "get_weather", {"city": "Paris"})
    assert message.stop_reason == "tool_use"


def test_translated_tool_round_trip(sdk: Sdk, mock: MockOpenAI) -> None:
    history = [
        {"role": "user", "content": "weather in Paris?"},
        {"role": "assistant", "content": [
            {"type": "text", "text": "checking"},
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny"}]},
    ]
    sdk("openai").messages.create(model="gpt-4o", max_tokens=100, messages=history, tools=[WEATHER])  # type: ignore[arg-type]
    messages = mock.state.requests[-1].json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "tool"]
    (call,) = messages[1]["tool_calls"]
    assert messages[1]["content"] == "checking"
    assert (call["id"], call["type"], call["function"]["name"]) == ("toolu_1", "function", "get_weather")
    assert json.loads(call["function"]["arguments"]) == {"city": "Paris"}
    assert messages[2] == {"role": "tool", "tool_call_id": "toolu_1", "content": "sunny"}


def test_translated_stream(sdk: Sdk, mock: MockOpenAI) -> None:
    with sdk("openai", chunks=3).messages.stream(model="gpt-4o", max_tokens=100, messages=USER) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == "tok0 tok1 tok2 " and texts(final) == text
    assert final.stop_reason == "end_turn" and final.usage.output_tokens == 3
    body = mock.state.requests[-1].json()
    assert body["stream"] is True and mock.state.requests[-1].path == "/v1/chat/completions"


def test_translated_stream_with_tool_use(sdk: Sdk) -> None:
    events: list[str] = []
    with sdk("openai", tool=1).messages.stream(model="gpt-4o", max_tokens=100, messages=USER,
                                               tools=[WEATHER]) as stream:
        for event in stream:
            if event.type == "content_block_delta":
                events.append(event.delta.type)
        final = stream.get_final_message()
    (block,) = [b for b in final.content if b.type == "tool_use"]
    assert (block.id, block.name, block.input) == ("call_1", "get_weather", {"city": "Paris"})
    assert final.stop_reason == "tool_use"
    assert events.count("input_json_delta") >= 2  # the input arrives in pieces


def test_translated_count_tokens_is_an_estimate(sdk: Sdk, mock: MockOpenAI) -> None:
    raw = sdk("openai").messages.with_raw_response.count_tokens(model="gpt-4o", messages=USER, system="be brief")
    assert raw.parse().input_tokens > 0
    assert raw.headers["x-portkey-token-count"] == "estimate"
    assert mock.state.requests == []


def test_translated_rate_limit_is_anthropic_shaped(sdk: Sdk) -> None:
    with pytest.raises(anthropic.RateLimitError) as caught:
        sdk("openai", status=429).messages.create(model="gpt-4o", max_tokens=100, messages=USER)
    body = caught.value.response.json()
    assert body["type"] == "error" and body["error"]["type"] == "rate_limit_error"
    assert "mock failure 429" in body["error"]["message"]
    assert KEY not in caught.value.response.text


def test_translated_stream_cut_raises(sdk: Sdk) -> None:
    events, error = drain(sdk("openai", chunks=5, cut=2).messages.create(
        model="gpt-4o", max_tokens=100, messages=USER, stream=True))
    assert isinstance(error, anthropic.APIStatusError)  # an error event in Anthropic's shape (DESIGN)
    assert error.body["type"] == "error" and KEY not in str(error.body)  # type: ignore[index]
    types = [event.type for event in events]
    assert "message_stop" not in types and "message_delta" not in types
    assert types.count("content_block_delta") == 2


# --- fallback across formats on /v1/messages ----------------------------------------------------

ANT = {"provider": "anthropic", "api_key": "sk-ant-a"}
OAI = {"provider": "openai", "api_key": "sk-oai-b"}


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(("first", "second", "paths"), [
    (ANT, OAI, ["/v1/messages", "/v1/chat/completions"]),
    (OAI, ANT, ["/v1/chat/completions", "/v1/messages"]),
], ids=["anthropic-to-openai", "openai-to-anthropic"])
def test_fallback_across_formats(gateway: GatewayServer, mock: MockOpenAI, stream: bool, first: dict[str, str],
                                 second: dict[str, str], paths: list[str]) -> None:
    config = {"strategy": {"mode": "fallback"}, "targets": [
        {**first, "custom_host": mock.url(name="x", status=529)},
        {**second, "custom_host": mock.url(name="y", chunks=2)}]}
    client = config_sdk(gateway, config)
    if stream:
        with client.messages.stream(model="m", max_tokens=100, messages=USER) as events:
            assert texts(events.get_final_message()) == "tok0 tok1 "
    else:
        assert texts(client.messages.create(model="m", max_tokens=100, messages=USER)) == "hello from y"
    assert [r.path for r in mock.state.requests] == paths
    ant, oai = sorted(mock.state.requests, key=lambda r: r.path != "/v1/messages")
    assert ant.headers["x-api-key"] == "sk-ant-a" and oai.headers["authorization"] == "Bearer sk-oai-b"
    if first is OAI:
        assert ant.json()["messages"] == USER  # native: the client's body, not a translation


# --- a Claude Code sized request to an OpenAI-shaped provider ------------------------------------

def _claude_code_request() -> dict[str, Any]:
    tools = [{"name": f"tool_{i}", "description": f"Tool number {i}",
              "input_schema": {"type": "object", "properties": {"arg": {"type": "string"}}, "required": ["arg"],
                               "additionalProperties": False, "$schema": "http://json-schema.org/draft-07/schema#"}}
             for i in range(30)]
    tools[-1]["cache_control"] = {"type": "ephemeral"}
    system = [{"type": "text", "text": "You are Claude Code, Anthropic's official CLI for Claude."},
              {"type": "text", "text": "Long instructions " * 200, "cache_control": {"type": "ephemeral"}},
              {"type": "text", "text": "Environment: linux", "cache_control": {"type": "ephemeral", "ttl": "1h"}}]
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "<system-reminder>ctx</system-reminder>"},
                                     {"type": "text", "text": "fix the bug", "cache_control": {"type": "ephemeral"}}]},
        {"role": "assistant", "content": [
            {"type": "thinking", "thinking": "I should read the file.", "signature": "sig-from-claude"},
            {"type": "tool_use", "id": "toolu_9", "name": "tool_0", "input": {"arg": "main.py"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_9",
                                      "content": [{"type": "text", "text": "print('hi')"}]}]},
    ]
    return {"model": "claude-sonnet-4-5", "max_tokens": 16000, "system": system, "messages": messages,
            "tools": tools, "tool_choice": {"type": "auto"}, "thinking": {"type": "enabled", "budget_tokens": 10000},
            "metadata": {"user_id": "user_abc_account_def_session_ghi"}}


@pytest.mark.parametrize("stream", [False, True])
def test_claude_code_request_to_openai(sdk: Sdk, mock: MockOpenAI, stream: bool) -> None:
    client = sdk("openai", name="cc", chunks=2)
    request = _claude_code_request()
    betas = ["claude-code-20250219", "interleaved-thinking-2025-05-14", "fine-grained-tool-streaming-2025-05-14"]
    extra = {"temperature": 1, "context_management": {"edits": []}, "future_top_level_field": {"x": 1}}
    if stream:
        with client.beta.messages.stream(**request, betas=betas, extra_body=extra) as events:
            final = events.get_final_message()
        assert "".join(b.text for b in final.content if b.type == "text") == "tok0 tok1 "
    else:
        message = client.beta.messages.create(**request, betas=betas, extra_body=extra)
        assert "".join(b.text for b in message.content if b.type == "text") == "hello from cc"
    sent = mock.state.requests[-1]
    assert sent.path == "/v1/chat/completions"
    body = sent.json()
    assert body["reasoning_effort"] in ("low", "medium", "high")
    assert len(body["tools"]) == 30 and all(tool["type"] == "function" for tool in body["tools"])
    assert body["messages"][0]["role"] == "system" and "Claude Code" in body["messages"][0]["content"]
    assert [m["role"] for m in body["messages"]] == ["system", "user", "assistant", "tool"]
    assert body["user"] == "user_abc_account_def_session_ghi"
    assert not {"thinking", "future_top_level_field", "context_management", "metadata", "system"} & set(body)
    assert "cache_control" not in sent.body.decode()


# --- conditional routing and load balancing mix native and translated leaves --------------------

def test_conditional_routing_picks_native_or_translated_leaf(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {"strategy": {"mode": "conditional", "default": "oai",
                           "conditions": [{"query": {"params.model": {"$eq": "claude-x"}}, "then": "claude"}]},
              "targets": [{"name": "claude", "provider": "anthropic", "api_key": "sk-ant-a",
                           "custom_host": mock.url(name="a")},
                          {"name": "oai", "provider": "openai", "api_key": "sk-oai-b",
                           "custom_host": mock.url(name="b")}]}
    client = config_sdk(gateway, config)
    assert texts(client.messages.create(model="claude-x", max_tokens=10, messages=USER)) == "hello from a"
    assert texts(client.messages.create(model="gpt-x", max_tokens=10, messages=USER)) == "hello from b"
    assert [r.path for r in mock.state.requests] == ["/v1/messages", "/v1/chat/completions"]


@pytest.mark.parametrize(("draw", "path"), [(0.1, "/v1/messages"), (0.9, "/v1/chat/completions")])
def test_loadbalance_across_formats(mock: MockOpenAI, draw: float, path: str) -> None:
    config = {"strategy": {"mode": "loadbalance"},
              "targets": [{"provider": "anthropic", "api_key": "k", "custom_host": mock.url(name="a"), "weight": 1},
                          {"provider": "openai", "api_key": "k", "custom_host": mock.url(name="b"), "weight": 1}]}
    server = GatewayServer(draw=draw).start()
    try:
        message = config_sdk(server, config).messages.create(model="m", max_tokens=10, messages=USER)
        assert message.stop_reason == "end_turn" and texts(message).startswith("hello from")
        assert [r.path for r in mock.state.requests] == [path]
    finally:
        server.stop()
