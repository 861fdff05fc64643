"""Anthropic as a translated provider, end to end: the official openai SDK -> gateway (uvicorn,
real socket) -> the loopback mock speaking Anthropic's wire format (``tests/support/mock_anthropic``).

``/v1/chat/completions`` becomes Anthropic's ``/v1/messages`` and ``/v1/completions`` its legacy
``/v1/complete``; answers, streams and errors come back in OpenAI's shape (reference §7.3). The
mock enforces what Anthropic's API does (``x-api-key``, ``anthropic-version``, ``max_tokens``,
temperature <= 1, no unknown top-level field), so a request that reaches it unmapped fails here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import openai
import pytest

from tests.support import mock_anthropic
from tests.support.mock_openai import MockOpenAI
from tests.support.sdk import MESSAGES, NON_STRICT, WEATHER, broken_stream, finishes, openai_client, text_of, tool_calls
from tests.support.servers import GatewayServer

KEY = "sk-test-key"  # what ``client_for`` sends as the bearer key

Factory = Callable[..., openai.OpenAI]


def system_text(body: dict[str, Any]) -> str:
    """Anthropic's ``system`` as text, whether a string or text blocks."""
    system = body.get("system")
    if isinstance(system, str):
        return system
    return "".join(block["text"] for block in system or [])


def config_client(gateway: GatewayServer, config: dict[str, Any], headers: dict[str, str] | None = None,
                  ) -> openai.OpenAI:
    return openai_client(gateway, api_key="sk-client-unused",
                         headers={"x-portkey-config": json.dumps(config), **(headers or {})})


def anthropic_leaf(mock: MockOpenAI, **directives: Any) -> dict[str, Any]:
    return {"provider": "anthropic", "api_key": "sk-ant-" + str(directives.get("name", "x")),
            "custom_host": mock.url(**directives)}


def openai_leaf(mock: MockOpenAI, **directives: Any) -> dict[str, Any]:
    return {"provider": "openai", "api_key": "sk-oai-" + str(directives.get("name", "x")),
            "custom_host": mock.url(**directives)}




# --- chat -> messages ---------------------------------------------------------------------------

def test_chat_is_sent_as_a_messages_request(client_for: Factory, mock: MockOpenAI) -> None:
    raw = client_for("anthropic").chat.completions.with_raw_response.create(
        model="claude-test", messages=MESSAGES, temperature=1.5)
    completion = raw.parse()
    assert completion.choices[0].message.content == "hello from mock"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == "claude-test"
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens,  # type: ignore[union-attr]
            completion.usage.total_tokens) == (10, 5, 15)  # type: ignore[union-attr]
    assert raw.headers["x-portkey-provider"] == "anthropic"
    sent = mock.state.requests[-1]
    assert sent.path == "/v1/messages"
    assert sent.headers["x-api-key"] == KEY
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in sent.headers
    body = sent.json()
    assert system_text(body) == "be brief"
    assert body["messages"] == [{"role": "user", "content": "hi"}]
    assert body["model"] == "claude-test"
    assert body["max_tokens"] == 4096  # the client sent none and Anthropic requires one
    assert body["temperature"] == 1  # clamped to Anthropic's [0, 1]


def test_openai_only_params_are_mapped_or_dropped(client_for: Factory, mock: MockOpenAI) -> None:
    completion = client_for("anthropic").chat.completions.create(
        model="claude-test", messages=MESSAGES, max_tokens=50, stop=["END"], user="user-1", top_p=0.5, n=1,
        seed=7, response_format={"type": "text"}, logprobs=False)
    assert completion.choices[0].message.content == "hello from mock"
    body = mock.state.requests[-1].json()
    assert body["max_tokens"] == 50 and body["stop_sequences"] == ["END"] and body["top_p"] == 0.5
    assert body["metadata"] == {"user_id": "user-1"}
    assert not {"n", "seed", "response_format", "logprobs", "user", "stop"} & set(body)


def test_streamed_chat_text_finish_and_usage(client_for: Factory, mock: MockOpenAI) -> None:
    chunks = list(client_for("anthropic", chunks=3).chat.completions.create(
        model="claude-test", messages=MESSAGES, stream=True, stream_options={"include_usage": True}))
    assert text_of(chunks) == "tok0 tok1 tok2 "
    assert finishes(chunks) == ["stop"]
    usage = [chunk.usage for chunk in chunks if chunk.usage]
    assert usage and (usage[-1].prompt_tokens, usage[-1].completion_tokens) == (10, 5)
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    sent = mock.state.requests[-1]
    assert sent.path == "/v1/messages" and sent.json()["stream"] is True


def test_tool_call(client_for: Factory, mock: MockOpenAI) -> None:
    completion = client_for("anthropic", tool=1).chat.completions.create(
        model="claude-test", messages=MESSAGES, tools=[WEATHER], tool_choice="required")
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content == "hello from mock"
    (call,) = choice.message.tool_calls or []
    assert call.id == mock_anthropic.TOOL_ID and call.type == "function"
    assert call.function.name == "get_weather"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments) == {"city": "Paris"}  # type: ignore[union-attr]
    body = mock.state.requests[-1].json()
    assert body["tools"] == [{"name": "get_weather", "description": "Weather in a city",
                              "input_schema": WEATHER["function"]["parameters"]}]  # type: ignore[index]
    assert body["tool_choice"] == {"type": "any"}


def test_tool_call_streamed(client_for: Factory, mock: MockOpenAI) -> None:
    chunks = list(client_for("anthropic", tool=1, chunks=2).chat.completions.create(
        model="claude-test", messages=MESSAGES, tools=[WEATHER], stream=True))
    assert text_of(chunks) == "tok0 tok1 "
    calls = tool_calls(chunks)
    assert list(calls) == [0]
    assert (calls[0]["id"], calls[0]["name"]) == (mock_anthropic.TOOL_ID, "get_weather")
    assert json.loads(calls[0]["arguments"]) == {"city": "Paris"}
    assert finishes(chunks) == ["tool_calls"]


def test_tool_results_go_back_as_tool_result_blocks(client_for: Factory, mock: MockOpenAI) -> None:
    history = [*MESSAGES,
               {"role": "assistant", "content": None, "tool_calls": [
                   {"id": "toolu_1", "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
               {"role": "tool", "tool_call_id": "toolu_1", "content": "sunny"}]
    client_for("anthropic").chat.completions.create(model="claude-test", messages=history, tools=[WEATHER])
    messages = mock.state.requests[-1].json()["messages"]
    assert messages[0] == {"role": "user", "content": "hi"}
    assert messages[1]["role"] == "assistant"
    assert [b for b in messages[1]["content"] if b["type"] == "tool_use"] == [
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]
    assert messages[2]["role"] == "user"
    (result,) = messages[2]["content"]
    assert result["type"] == "tool_result" and result["tool_use_id"] == "toolu_1"
    assert result["content"] in ("sunny", [{"type": "text", "text": "sunny"}])


def test_cache_usage(client_for: Factory) -> None:
    client = client_for("anthropic", cache=1)
    usage = client.chat.completions.create(model="claude-test", messages=MESSAGES).usage
    assert usage is not None
    assert usage.completion_tokens == 5 and usage.total_tokens == 10 + 20 + 3 + 5
    assert usage.prompt_tokens_details is not None and usage.prompt_tokens_details.cached_tokens == 20
    chunks = list(client.chat.completions.create(model="claude-test", messages=MESSAGES, stream=True,
                                                 stream_options={"include_usage": True}))
    streamed = [chunk.usage for chunk in chunks if chunk.usage][-1]
    assert streamed.total_tokens == 38 and streamed.completion_tokens == 5
    assert streamed.prompt_tokens_details is not None and streamed.prompt_tokens_details.cached_tokens == 20
    assert streamed.prompt_tokens == usage.prompt_tokens


def test_thinking_non_strict_keeps_content_blocks_and_raw_finish(client_for: Factory, mock: MockOpenAI) -> None:
    thinking = {"type": "enabled", "budget_tokens": 1024}
    completion = client_for("anthropic", headers=NON_STRICT, thinking=1).chat.completions.create(
        model="claude-test", messages=MESSAGES, max_tokens=2048, extra_body={"thinking": thinking})
    choice = completion.choices[0]
    assert choice.finish_reason == "end_turn"  # raw Anthropic value when not strict
    assert choice.message.content == "hello from mock"
    blocks = choice.message.to_dict()["content_blocks"]
    assert blocks == [{"type": "thinking", "thinking": mock_anthropic.THINKING, "signature": mock_anthropic.SIGNATURE},
                      {"type": "text", "text": "hello from mock"}]
    assert mock.state.requests[-1].json()["thinking"] == thinking


def test_thinking_strict_shows_only_the_answer(client_for: Factory) -> None:
    client = client_for("anthropic", thinking=1, chunks=2)
    message = client.chat.completions.create(model="claude-test", messages=MESSAGES).choices[0].message
    assert message.content == "hello from mock" and "content_blocks" not in message.to_dict()
    chunks = list(client.chat.completions.create(model="claude-test", messages=MESSAGES, stream=True))
    assert text_of(chunks) == "tok0 tok1 " and finishes(chunks) == ["stop"]
    assert all("content_blocks" not in chunk.choices[0].delta.to_dict() for chunk in chunks if chunk.choices)


def test_thinking_streamed_non_strict(client_for: Factory) -> None:
    chunks = list(client_for("anthropic", headers=NON_STRICT, thinking=1, chunks=2).chat.completions.create(
        model="claude-test", messages=MESSAGES, stream=True))
    assert text_of(chunks) == "tok0 tok1 "  # thinking never lands in content
    blocks: list[Any] = [chunk.choices[0].delta.to_dict().get("content_blocks", []) for chunk in chunks
                         if chunk.choices]
    deltas = [block.get("delta", {}) for chunk_blocks in blocks for block in chunk_blocks]
    assert "".join(d.get("thinking", "") for d in deltas) == mock_anthropic.THINKING
    assert mock_anthropic.SIGNATURE in [d.get("signature") for d in deltas]
    assert finishes(chunks) == ["end_turn"]


# --- errors, retries, broken streams ------------------------------------------------------------

def test_rate_limit_error_is_normalised(client_for: Factory) -> None:
    with pytest.raises(openai.RateLimitError) as caught:
        client_for("anthropic", status=429).chat.completions.create(model="claude-test", messages=MESSAGES)
    body = caught.value.response.json()
    assert caught.value.status_code == 429
    assert body["error"]["message"] == "anthropic error: mock failure 429"
    assert body["error"]["type"] == "rate_limit_error"
    assert body["provider"] == "anthropic"
    assert KEY not in caught.value.response.text


@pytest.mark.parametrize("status", [429, 529])
def test_retry_then_success(gateway: GatewayServer, mock: MockOpenAI, status: int) -> None:
    config = {"provider": "anthropic", "api_key": "sk-ant-config", "retry": {"attempts": 2},
              "custom_host": mock.url(fail=1, status=status, key=f"anthropic-retry-{status}")}
    raw = config_client(gateway, config).chat.completions.with_raw_response.create(
        model="claude-test", messages=MESSAGES)
    assert raw.parse().choices[0].message.content == "hello from mock"
    assert raw.headers["x-portkey-retry-attempt-count"] == "1"
    assert gateway.sleep.waits == [1.0] and len(mock.state.requests) == 2
    assert {r.headers["x-api-key"] for r in mock.state.requests} == {"sk-ant-config"}


def test_retries_exhausted_return_the_anthropic_error(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {"provider": "anthropic", "api_key": "sk-ant-config", "retry": {"attempts": 2},
              "custom_host": mock.url(status=429)}
    with pytest.raises(openai.RateLimitError) as caught:
        config_client(gateway, config).chat.completions.create(model="claude-test", messages=MESSAGES)
    assert caught.value.response.headers["x-portkey-retry-attempt-count"] == "-1"
    assert caught.value.response.json()["error"]["message"] == "anthropic error: mock failure 429"
    assert "sk-ant-config" not in caught.value.response.text and len(mock.state.requests) == 3


def test_stream_cut_mid_way_raises(client_for: Factory) -> None:
    chunks, error = broken_stream(client_for("anthropic", chunks=5, cut=2), model="claude-test", messages=MESSAGES)
    # an error event in the client's format (DESIGN), not merely a dropped connection
    assert not isinstance(error, openai.APIConnectionError)
    assert KEY not in str(error.body)
    assert text_of(chunks) == "tok0 tok1 "
    assert finishes(chunks) == []


def test_stream_error_event_raises(client_for: Factory) -> None:
    chunks, error = broken_stream(client_for("anthropic", chunks=5, stream_error=2), model="claude-test",
                                  messages=MESSAGES)
    assert "Overloaded" in str(error)
    assert text_of(chunks) == "tok0 tok1 " and finishes(chunks) == []
    assert KEY not in str(error.body)


# --- legacy completions -------------------------------------------------------------------------

def test_completions_use_the_legacy_complete_api(client_for: Factory, mock: MockOpenAI) -> None:
    completion = client_for("anthropic").completions.create(model="claude-2.1", prompt="Say hi", max_tokens=20)
    assert completion.choices[0].text == " hello from mock"
    assert completion.choices[0].finish_reason == "stop"
    sent = mock.state.requests[-1]
    assert sent.path == "/v1/complete" and sent.headers["x-api-key"] == KEY
    body = sent.json()
    assert body["max_tokens_to_sample"] == 20
    assert body["prompt"].startswith("\n\nHuman:") and "Say hi" in body["prompt"]
    assert body["prompt"].endswith("\n\nAssistant:")


def test_completions_streamed(client_for: Factory, mock: MockOpenAI) -> None:
    chunks = list(client_for("anthropic", chunks=3).completions.create(
        model="claude-2.1", prompt="Say hi", max_tokens=20, stream=True))
    assert "".join(chunk.choices[0].text for chunk in chunks) == " tok0 tok1 tok2"
    assert [chunk.choices[0].finish_reason for chunk in chunks if chunk.choices[0].finish_reason] == ["stop"]
    assert mock.state.requests[-1].json()["stream"] is True


# --- fallback across formats --------------------------------------------------------------------

@pytest.mark.parametrize("stream", [False, True])
def test_fallback_from_anthropic_to_openai(gateway: GatewayServer, mock: MockOpenAI, stream: bool) -> None:
    config = {"strategy": {"mode": "fallback"},
              "targets": [anthropic_leaf(mock, name="a", status=529), openai_leaf(mock, name="b", chunks=2)]}
    client = config_client(gateway, config)
    if stream:
        text = text_of(list(client.chat.completions.create(model="m", messages=MESSAGES, stream=True)))
        assert text == "tok0 tok1 "
    else:
        raw = client.chat.completions.with_raw_response.create(model="m", messages=MESSAGES)
        assert raw.parse().choices[0].message.content == "hello from b"
        assert raw.headers["x-portkey-last-used-option-index"] == "config.targets[1]"
    assert [r.path for r in mock.state.requests] == ["/v1/messages", "/v1/chat/completions"]
    assert mock.state.requests[0].headers["x-api-key"] == "sk-ant-a"
    assert mock.state.requests[1].headers["authorization"] == "Bearer sk-oai-b"


@pytest.mark.parametrize("stream", [False, True])
def test_fallback_from_openai_to_anthropic(gateway: GatewayServer, mock: MockOpenAI, stream: bool) -> None:
    config = {"strategy": {"mode": "fallback"},
              "targets": [openai_leaf(mock, name="b", status=500), anthropic_leaf(mock, name="a", chunks=2)]}
    client = config_client(gateway, config)
    if stream:
        chunks = list(client.chat.completions.create(model="m", messages=MESSAGES, stream=True))
        assert text_of(chunks) == "tok0 tok1 " and finishes(chunks) == ["stop"]
    else:
        raw = client.chat.completions.with_raw_response.create(model="m", messages=MESSAGES)
        assert raw.parse().choices[0].message.content == "hello from a"
        assert raw.headers["x-portkey-last-used-option-index"] == "config.targets[1]"
        assert raw.headers["x-portkey-provider"] == "anthropic"
    assert [r.path for r in mock.state.requests] == ["/v1/chat/completions", "/v1/messages"]
    assert mock.state.requests[1].headers["x-api-key"] == "sk-ant-a"
