"""Cohere as a translated provider, end to end: the official openai SDK (and the anthropic SDK on
``/v1/messages``) -> gateway (uvicorn, real socket) -> the loopback mock speaking Cohere's v2 wire
format (``tests/support/mock_cohere``).

``/v1/chat/completions`` and ``/v1/completions`` become ``/v2/chat``, ``/v1/embeddings``
``/v2/embed``; answers, streams and errors come back in OpenAI's shape. The mock rejects what
Cohere rejects (a missing bearer key, any field outside v2's request schema such as OpenAI's
``top_p``, out-of-range ``p``/``k``/penalties, a lowercase tool_choice), so a request that reaches
it unmapped fails here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2
import openai
import pytest

from tests.support.loopback import serve
from tests.support.mock_cohere import THINKING, TOKENS, MockCohere, vector
from tests.support.sdk import (
    MESSAGES,
    NON_STRICT,
    WEATHER,
    anthropic_client,
    broken_stream,
    finishes,
    scenario_clients,
    text_of,
    tool_calls,
)
from tests.support.servers import GatewayServer

KEY = "co-test-key"

Factory = Callable[..., openai.OpenAI]


cohere = serve(MockCohere)


@pytest.fixture
def client_for(gateway: GatewayServer, cohere: MockCohere) -> Factory:
    return scenario_clients(gateway, "cohere", cohere, KEY)


# --- chat ---------------------------------------------------------------------------------------

def test_chat_is_sent_to_v2_chat(client_for: Factory, cohere: MockCohere) -> None:
    raw = client_for().chat.completions.with_raw_response.create(
        model="command-a-03-2025", messages=MESSAGES, top_p=1, max_completion_tokens=50, n=1, user="u-1",
        presence_penalty=-1)
    completion = raw.parse()
    assert completion.choices[0].message.content == "hello from mock"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == "command-a-03-2025" and completion.id == "gen-mock"
    usage = completion.usage
    assert usage is not None and (usage.prompt_tokens, usage.completion_tokens) == (TOKENS["input_tokens"], 5)
    assert raw.headers["x-portkey-provider"] == "cohere"
    sent = cohere.state.requests[-1]
    assert sent.path == "/v2/chat" and sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.json() == {"model": "command-a-03-2025", "messages": MESSAGES, "p": 0.99, "max_tokens": 50,
                           "presence_penalty": 0}


def test_streamed_chat(client_for: Factory, cohere: MockCohere) -> None:
    chunks = list(client_for(chunks=3, done=1).chat.completions.create(
        model="command-a-03-2025", messages=MESSAGES, stream=True, stream_options={"include_usage": True}))
    assert text_of(chunks) == "tok0 tok1 tok2 "
    assert finishes(chunks) == ["stop"]
    assert {chunk.id for chunk in chunks} == {"gen-mock"}
    usage = [chunk.usage for chunk in chunks if chunk.usage]
    assert usage and usage[-1].prompt_tokens == TOKENS["input_tokens"]
    assert cohere.state.requests[-1].json()["stream"] is True


def test_tool_call(client_for: Factory, cohere: MockCohere) -> None:
    completion = client_for(tool=1).chat.completions.create(
        model="command-a-03-2025", messages=MESSAGES, tools=[WEATHER], tool_choice="required")
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content is None
    (call,) = choice.message.tool_calls or []
    assert (call.id, call.type) == ("get_weather_mock1", "function")
    assert call.function.name == "get_weather"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments) == {"city": "Paris"}  # type: ignore[union-attr]
    assert "tool_plan" not in choice.message.to_dict()  # strict by default
    body = cohere.state.requests[-1].json()
    assert body["tools"] == [WEATHER] and body["tool_choice"] == "REQUIRED"


def test_tool_call_streamed(client_for: Factory) -> None:
    chunks = list(client_for(tool=1).chat.completions.create(
        model="command-a-03-2025", messages=MESSAGES, tools=[WEATHER], stream=True))
    calls = tool_calls(chunks)
    assert list(calls) == [0]
    assert (calls[0]["id"], calls[0]["name"]) == ("get_weather_mock1", "get_weather")
    assert json.loads(calls[0]["arguments"]) == {"city": "Paris"}
    assert finishes(chunks) == ["tool_calls"] and text_of(chunks) == ""


def test_tool_plan_for_non_strict_clients(client_for: Factory) -> None:
    client = client_for(headers=NON_STRICT, tool=1)
    message = client.chat.completions.create(model="command-a-03-2025", messages=MESSAGES, tools=[WEATHER])
    assert message.choices[0].message.to_dict()["tool_plan"] == "I will call get_weather."
    assert message.choices[0].finish_reason == "TOOL_CALL"  # Cohere's raw value when not strict
    chunks = list(client.chat.completions.create(model="command-a-03-2025", messages=MESSAGES, tools=[WEATHER],
                                                 stream=True))
    plan = "".join(chunk.choices[0].delta.to_dict().get("tool_plan", "") for chunk in chunks if chunk.choices)
    assert plan == "I will call get_weather."


def test_tool_results_go_back_as_tool_messages(client_for: Factory, cohere: MockCohere) -> None:
    history = [*MESSAGES,
               {"role": "assistant", "content": None, "tool_calls": [
                   {"id": "call_1", "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
               {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}]
    client_for().chat.completions.create(model="command-a-03-2025", messages=history, tools=[WEATHER])
    messages = cohere.state.requests[-1].json()["messages"]
    assert messages[2] == {"role": "assistant", "tool_calls": history[2]["tool_calls"]}
    assert messages[3] == {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}


def test_thinking_non_strict(client_for: Factory, cohere: MockCohere) -> None:
    client = client_for(headers=NON_STRICT, thinking=1, chunks=2)
    message = client.chat.completions.create(model="command-a-reasoning-08-2025", messages=MESSAGES,
                                             reasoning_effort="high").choices[0].message
    assert message.content == "hello from mock" and message.to_dict()["reasoning_content"] == THINKING
    assert cohere.state.requests[-1].json()["thinking"] == {"type": "enabled"}
    chunks = list(client.chat.completions.create(model="command-a-reasoning-08-2025", messages=MESSAGES,
                                                 stream=True))
    thought = "".join(c.choices[0].delta.to_dict().get("reasoning_content", "") for c in chunks if c.choices)
    assert thought == THINKING and text_of(chunks) == "tok0 tok1 "


def test_cached_tokens(client_for: Factory) -> None:
    usage = client_for(cache=1).chat.completions.create(model="command-a-03-2025", messages=MESSAGES).usage
    assert usage is not None and usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cached_tokens == 4


# --- errors and broken streams --------------------------------------------------------------------

def test_rate_limit_keeps_429(client_for: Factory) -> None:
    with pytest.raises(openai.RateLimitError) as caught:
        client_for(status=429).chat.completions.create(model="command-a-03-2025", messages=MESSAGES)
    body = caught.value.response.json()
    assert caught.value.status_code == 429
    assert body == {"error": {"message": "cohere error: mock failure 429", "type": None, "param": None, "code": None},
                    "provider": "cohere"}
    assert KEY not in caught.value.response.text


def test_cohere_validation_error_is_normalised(client_for: Factory) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client_for().chat.completions.create(model="command-a-03-2025", messages=[])
    assert caught.value.response.json()["error"]["message"] == (
        "cohere error: invalid request: messages must be a non-empty list")


def test_stream_cut_mid_way_raises(client_for: Factory) -> None:
    chunks, error = broken_stream(client_for(chunks=5, cut=2), model="command-a-03-2025", messages=MESSAGES)
    assert not isinstance(error, openai.APIConnectionError)  # an error event, not a dropped socket
    assert text_of(chunks) == "tok0 tok1 " and finishes(chunks) == []
    assert KEY not in str(error.body)


def test_failed_generation_mid_stream_raises(client_for: Factory) -> None:
    chunks, error = broken_stream(client_for(chunks=5, stream_error=2), model="command-a-03-2025", messages=MESSAGES)
    assert "mock generation failed" in str(error)
    assert text_of(chunks) == "tok0 tok1 " and finishes(chunks) == []


# --- completions and embeddings -------------------------------------------------------------------

def test_completions_go_through_v2_chat(client_for: Factory, cohere: MockCohere) -> None:
    completion = client_for().completions.create(model="command-r-08-2024", prompt="Say hi", max_tokens=20)
    assert completion.choices[0].text == "hello from mock" and completion.choices[0].finish_reason == "stop"
    sent = cohere.state.requests[-1]
    assert sent.path == "/v2/chat"
    assert sent.json() == {"model": "command-r-08-2024", "messages": [{"role": "user", "content": "Say hi"}],
                           "max_tokens": 20}
    chunks = list(client_for(chunks=3).completions.create(model="command-r-08-2024", prompt="Say hi", stream=True))
    assert "".join(chunk.choices[0].text for chunk in chunks) == "tok0 tok1 tok2 "
    assert [c.choices[0].finish_reason for c in chunks if c.choices[0].finish_reason] == ["stop"]


@pytest.mark.parametrize("encoding", [None, "float"])
def test_embeddings(client_for: Factory, cohere: MockCohere, encoding: str | None) -> None:
    extra: dict[str, Any] = {"encoding_format": encoding} if encoding else {}
    result = client_for().embeddings.create(model="embed-v4.0", input=["a", "b"], dimensions=256, **extra)
    assert [item.embedding for item in result.data] == [vector(0), vector(1)]
    assert [item.index for item in result.data] == [0, 1]
    assert result.usage.prompt_tokens == 4 and result.model == "embed-v4.0"
    body = cohere.state.requests[-1].json()
    # the SDK asks for base64 unless told otherwise, and decodes it: Cohere's base64 type serves that
    assert body == {"model": "embed-v4.0", "texts": ["a", "b"], "input_type": "search_document",
                    "embedding_types": ["float" if encoding else "base64"], "output_dimension": 256}
    assert cohere.state.requests[-1].path == "/v2/embed"


def test_files_and_batches_are_not_served(client_for: Factory, cohere: MockCohere) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client_for().batches.create(input_file_id="file-1", endpoint="/v1/embeddings", completion_window="24h")
    assert "not supported by cohere" in caught.value.response.text
    assert cohere.state.requests == []


# --- /v1/messages with the anthropic SDK ----------------------------------------------------------

def test_anthropic_sdk_stream_on_v1_messages(gateway: GatewayServer, cohere: MockCohere) -> None:
    cohere.reset()
    client = anthropic_client(gateway, "cohere", cohere.url(chunks=3), KEY)
    try:
        with client.messages.stream(model="command-a-03-2025", max_tokens=100, system="be brief",
                                    messages=[{"role": "user", "content": "hi"}]) as stream:
            text = "".join(stream.text_stream)
            final = stream.get_final_message()
    except httpx2.HTTPError as error:  # pragma: no cover - a transport failure is a test failure
        raise AssertionError(error) from error
    assert text == "tok0 tok1 tok2 "
    assert final.stop_reason == "end_turn" and final.usage.output_tokens == 5
    sent = cohere.state.requests[-1]
    assert sent.path == "/v2/chat" and sent.headers["authorization"] == f"Bearer {KEY}"
    body = sent.json()
    assert body["messages"] == [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    assert body["stream"] is True and body["max_tokens"] == 100
