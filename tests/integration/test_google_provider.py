"""Google Gemini as a translated provider, end to end: the official openai SDK (and the anthropic SDK
on ``/v1/messages``) -> gateway (uvicorn, real socket) -> a loopback mock speaking Gemini's wire
format (``tests/support/mock_google``).

The mock validates what Gemini does (the API key, only Gemini's fields, no JSON Schema keywords
its Schema lacks, non-empty turns), so a request that reaches it unmapped fails here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anthropic
import httpx
import httpx2
import openai
import pytest

from tests.support import mock_google
from tests.support.loopback import serve
from tests.support.mock_google import MockGemini
from tests.support.sdk import (
    MESSAGES,
    NON_STRICT,
    anthropic_client,
    broken_stream,
    finishes,
    scenario_clients,
    text_of,
    tool_calls,
)
from tests.support.servers import GatewayServer

KEY = "AIza-test-key"
MODEL = "gemini-2.5-flash"
WEATHER: Any = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather in a city", "strict": True,
    "parameters": {"type": "object", "additionalProperties": False,
                   "properties": {"city": {"type": "string"}}, "required": ["city"]}}}

Factory = Callable[..., openai.OpenAI]


gemini = serve(MockGemini)


@pytest.fixture
def client_for(gateway: GatewayServer, gemini: MockGemini) -> Factory:
    return scenario_clients(gateway, "google", gemini, KEY)


def test_mock_speaks_gemini(gemini: MockGemini) -> None:
    """Guards the mock: it must refuse what Gemini refuses, or the tests below say nothing."""
    base = gemini.url() + f"/v1beta/models/{MODEL}"
    ok = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    assert httpx.post(base + ":generateContent", json=ok).status_code == 403
    headers = {"x-goog-api-key": KEY}
    assert httpx.post(base + ":generateContent", json=ok, headers=headers).status_code == 200
    bad_bodies = [{**ok, "messages": []}, {"contents": []}, {"contents": [{"role": "assistant", "parts": [{}]}]},
                  {**ok, "generationConfig": {"max_tokens": 5}},
                  {**ok, "tools": [{"functionDeclarations": [{"name": "f", "parameters": {
                      "type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False}}]}]},
                  {**ok, "tools": [{"functionDeclarations": [{"name": "f", "parameters": {
                      "type": "object", "properties": {}}}]}]}]
    for body in bad_bodies:
        response = httpx.post(base + ":generateContent", json=body, headers=headers)
        assert response.status_code == 400 and response.json()["error"]["status"] == "INVALID_ARGUMENT", body
    streamed = httpx.post(base + ":streamGenerateContent?alt=sse", json=ok, headers=headers)
    assert streamed.text.count("data: ") == 3 and '"finishReason": "STOP"' in streamed.text


# --- chat ---------------------------------------------------------------------------------------

def test_chat(client_for: Factory, gemini: MockGemini) -> None:
    raw = client_for().chat.completions.with_raw_response.create(
        model=MODEL, messages=MESSAGES, temperature=0.3, max_tokens=50, stop=["END"], user="u-1", seed=3)
    completion = raw.parse()
    assert completion.choices[0].message.content == "hello from gemini"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.id == mock_google.RESPONSE_ID and completion.model == mock_google.MODEL_VERSION
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens) == \
        (10, 5, 15)
    assert raw.headers["x-portkey-provider"] == "google"
    sent = gemini.state.requests[-1]
    assert sent.path == f"/v1beta/models/{MODEL}:generateContent" and sent.query == ""
    assert sent.headers["x-goog-api-key"] == KEY and "authorization" not in sent.headers
    assert sent.json() == {
        "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
        "systemInstruction": {"parts": [{"text": "be brief"}]},
        "generationConfig": {"temperature": 0.3, "maxOutputTokens": 50, "stopSequences": ["END"], "seed": 3}}


def test_streamed_chat(client_for: Factory, gemini: MockGemini) -> None:
    chunks = list(client_for(chunks=4).chat.completions.create(
        model=MODEL, messages=MESSAGES, stream=True, stream_options={"include_usage": True}))
    assert text_of(chunks) == "tok0 tok1 tok2 tok3 "
    assert finishes(chunks) == ["stop"]
    usage = [chunk.usage for chunk in chunks if chunk.usage]
    assert usage and (usage[-1].prompt_tokens, usage[-1].completion_tokens) == (10, 5)
    assert {chunk.id for chunk in chunks} == {mock_google.RESPONSE_ID}
    sent = gemini.state.requests[-1]
    assert sent.path == f"/v1beta/models/{MODEL}:streamGenerateContent" and sent.query == "alt=sse"


def test_tool_call(client_for: Factory, gemini: MockGemini) -> None:
    completion = client_for(tool=1).chat.completions.create(
        model=MODEL, messages=MESSAGES, tools=[WEATHER], tool_choice="required")
    message = completion.choices[0].message
    assert completion.choices[0].finish_reason == "tool_calls"
    assert message.content == "Let me look."
    assert message.tool_calls is not None and len(message.tool_calls) == 1
    call = message.tool_calls[0]
    assert call.function.name == "get_weather" and json.loads(call.function.arguments) == mock_google.TOOL_ARGS  # type: ignore[union-attr]
    body = gemini.state.requests[-1].json()
    assert body["tools"] == [{"functionDeclarations": [{
        "name": "get_weather", "description": "Weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]}]
    assert body["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}

    # the tool loop: the result goes back as a functionResponse named after the call
    follow_up = [*MESSAGES, message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": "18C"}]
    again = client_for().chat.completions.create(model=MODEL, messages=follow_up, tools=[WEATHER])
    assert again.choices[0].message.content == "hello from gemini"
    contents = gemini.state.requests[-1].json()["contents"]
    assert [turn["role"] for turn in contents] == ["user", "model", "user"]
    assert contents[1]["parts"][1] == {"functionCall": {"name": "get_weather", "args": mock_google.TOOL_ARGS}}
    assert contents[2]["parts"] == [{"functionResponse": {"name": "get_weather", "response": {"output": "18C"}}}]


def test_tool_call_streamed(client_for: Factory) -> None:
    chunks = list(client_for(tool=1).chat.completions.create(
        model=MODEL, messages=MESSAGES, tools=[WEATHER], stream=True))
    assert text_of(chunks) == "Let me look."
    calls = tool_calls(chunks)
    assert list(calls) == [0] and calls[0]["name"] == "get_weather" and calls[0]["id"]
    assert json.loads(calls[0]["arguments"]) == mock_google.TOOL_ARGS
    assert finishes(chunks) == ["tool_calls"]


def test_response_format_json_schema(client_for: Factory, gemini: MockGemini) -> None:
    schema = {"type": "object", "additionalProperties": False, "required": ["name", "age"],
              "properties": {"name": {"type": "string"}, "age": {"type": ["integer", "null"]}}}
    completion = client_for().chat.completions.create(model=MODEL, messages=MESSAGES, response_format={
        "type": "json_schema", "json_schema": {"name": "person", "strict": True, "schema": schema}})
    assert json.loads(completion.choices[0].message.content or "") == {"name": "Ada", "age": 36}
    config = gemini.state.requests[-1].json()["generationConfig"]
    assert config == {"responseMimeType": "application/json", "responseSchema": {
        "type": "object", "required": ["name", "age"],
        "properties": {"name": {"type": "string"}, "age": {"type": "integer", "nullable": True}}}}


def test_thinking_reaches_only_non_strict_clients(client_for: Factory, gemini: MockGemini) -> None:
    completion = client_for(NON_STRICT, thinking=1).chat.completions.create(
        model="gemini-3-pro-preview", messages=MESSAGES, reasoning_effort="low")
    assert gemini.state.requests[-1].json()["generationConfig"]["thinkingConfig"] == {
        "thinkingLevel": "low", "includeThoughts": True}
    message = completion.choices[0].message
    assert message.content == "hello from gemini"
    assert (message.model_extra or {})["content_blocks"][0] == {"type": "thinking", "thinking": mock_google.THOUGHT}
    assert completion.usage is not None and completion.usage.completion_tokens == 5 + mock_google.THOUGHTS
    strict = client_for(thinking=1).chat.completions.create(
        model="gemini-3-pro-preview", messages=MESSAGES, reasoning_effort="low")
    assert gemini.state.requests[-1].json()["generationConfig"]["thinkingConfig"] == {"thinkingLevel": "low"}
    assert strict.choices[0].message.content == "hello from gemini"
    assert "content_blocks" not in (strict.choices[0].message.model_extra or {})


def test_blocked_prompt_is_a_content_filter_finish(client_for: Factory) -> None:
    completion = client_for(blocked=1).chat.completions.create(model=MODEL, messages=MESSAGES)
    assert completion.choices[0].finish_reason == "content_filter"
    assert completion.choices[0].message.content == ""
    chunks = list(client_for(blocked=1).chat.completions.create(model=MODEL, messages=MESSAGES, stream=True))
    assert finishes(chunks) == ["content_filter"]


# --- errors -------------------------------------------------------------------------------------

def test_rate_limit_keeps_429_and_googles_message(client_for: Factory) -> None:
    with pytest.raises(openai.RateLimitError) as caught:
        client_for(status=429).chat.completions.create(model=MODEL, messages=MESSAGES)
    assert caught.value.status_code == 429
    body = caught.value.response.json()
    assert body["error"] == {"message": "google error: mock failure 429", "type": "RESOURCE_EXHAUSTED",
                             "param": None, "code": "429"}
    assert body["provider"] == "google" and KEY not in caught.value.response.text


def test_streamed_request_error_keeps_its_status(client_for: Factory) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client_for(status=400).chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
    assert caught.value.response.json()["error"]["type"] == "INVALID_ARGUMENT"


def test_stream_cut_mid_way_raises(client_for: Factory) -> None:
    chunks, error = broken_stream(client_for(chunks=5, cut=2), model=MODEL, messages=MESSAGES)
    assert not isinstance(error, openai.APIConnectionError)  # an error event, not a dropped socket
    assert KEY not in str(error.body)
    assert text_of(chunks) == "tok0 tok1 " and finishes(chunks) == []


def test_stream_error_event_raises(client_for: Factory) -> None:
    chunks, error = broken_stream(client_for(chunks=5, stream_error=2), model=MODEL, messages=MESSAGES)
    assert "The model is overloaded." in str(error)
    assert text_of(chunks) == "tok0 tok1 " and finishes(chunks) == []


# --- embeddings ---------------------------------------------------------------------------------

def test_embeddings(client_for: Factory, gemini: MockGemini) -> None:
    result = client_for().embeddings.create(model="gemini-embedding-001", input=["a", "b", "c"], dimensions=3)
    assert [item.index for item in result.data] == [0, 1, 2]
    assert result.data[1].embedding == [0.2, 0.21, 0.22]
    assert result.model == "gemini-embedding-001" and result.usage.prompt_tokens == 0
    sent = gemini.state.requests[-1]
    assert sent.path == "/v1beta/models/gemini-embedding-001:batchEmbedContents"
    assert sent.json()["requests"][0] == {"model": "models/gemini-embedding-001",
                                          "content": {"parts": [{"text": "a"}]}, "outputDimensionality": 3}
    single = client_for().embeddings.create(model="gemini-embedding-001", input="one")
    assert len(single.data) == 1 and len(single.data[0].embedding) == 4


def test_embeddings_of_token_arrays_are_refused(client_for: Factory, gemini: MockGemini) -> None:
    with pytest.raises(openai.BadRequestError):
        client_for().embeddings.create(model="gemini-embedding-001", input=[[1, 2, 3]])
    assert gemini.state.requests == []


# --- /v1/messages with the anthropic SDK ----------------------------------------------------------

@pytest.fixture
def claude(gateway: GatewayServer, gemini: MockGemini) -> Callable[..., anthropic.Anthropic]:
    gemini.reset()

    def make(**directives: Any) -> anthropic.Anthropic:
        return anthropic_client(gateway, "google", gemini.url(**directives), KEY)

    return make


CLAUDE_TOOL: Any = {"name": "get_weather", "description": "Weather in a city",
                    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}},
                                     "required": ["city"]}}


def test_messages_create(claude: Callable[..., anthropic.Anthropic], gemini: MockGemini) -> None:
    message = claude().messages.create(model=MODEL, max_tokens=64, system="be brief",
                                       messages=[{"role": "user", "content": "hi"}])
    assert [block.type for block in message.content] == ["text"]
    assert message.content[0].text == "hello from gemini"  # type: ignore[union-attr]
    assert message.stop_reason == "end_turn"
    assert (message.usage.input_tokens, message.usage.output_tokens) == (10, 5)
    sent = gemini.state.requests[-1]
    assert sent.headers["x-goog-api-key"] == KEY
    assert sent.json()["systemInstruction"] == {"parts": [{"text": "be brief"}]}
    assert sent.json()["generationConfig"] == {"maxOutputTokens": 64}


def test_messages_stream(claude: Callable[..., anthropic.Anthropic]) -> None:
    with claude(chunks=3).messages.stream(model=MODEL, max_tokens=64,
                                          messages=[{"role": "user", "content": "hi"}]) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == "tok0 tok1 tok2 " and final.stop_reason == "end_turn"
    assert (final.usage.input_tokens, final.usage.output_tokens) == (10, 5)


@pytest.mark.parametrize("streamed", [False, True])
def test_messages_tool_use(claude: Callable[..., anthropic.Anthropic], gemini: MockGemini, streamed: bool) -> None:
    client = claude(tool=1)
    kwargs: Any = {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": "weather?"}],
                   "tools": [CLAUDE_TOOL], "tool_choice": {"type": "any"}}
    if streamed:
        with client.messages.stream(**kwargs) as stream:
            message = stream.get_final_message()
    else:
        message = client.messages.create(**kwargs)
    assert [block.type for block in message.content] == ["text", "tool_use"]
    use = message.content[1]
    assert use.name == "get_weather" and use.input == mock_google.TOOL_ARGS  # type: ignore[union-attr]
    assert message.stop_reason == "tool_use"
    assert gemini.state.requests[-1].json()["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}


def test_messages_stream_cut_raises(claude: Callable[..., anthropic.Anthropic]) -> None:
    with pytest.raises((anthropic.APIError, httpx2.HTTPError)):
        with claude(chunks=5, cut=2).messages.stream(model=MODEL, max_tokens=64,
                                                     messages=[{"role": "user", "content": "hi"}]) as stream:
            for _ in stream:
                pass
