"""Vertex AI end to end: the official openai and anthropic SDKs -> gateway (uvicorn, real socket)
-> the loopback mock speaking Vertex's wire formats (``tests/support/mock_vertex``): Gemini through
generateContent, Claude through rawPredict, an open model through the OpenAI-compatible endpoint,
embeddings through predict, and a service-account token endpoint.

The gateway fixture lives for the whole session and so does its key-value store: every
service-account test uses an account of its own (a fresh client email), so a token cached by one
test never answers another.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import openai
import pytest

from tests.support.loopback import serve
from tests.support.mock_vertex import MockVertex
from tests.support.sdk import USER, WEATHER, anthropic_client, openai_client, text_of
from tests.support.servers import GatewayServer

TOKEN = "ya29.client-token"
PROJECT, REGION = "test-proj", "us-east5"
VERTEX_PATH = f"/v1/projects/{PROJECT}/locations/{REGION}"
KEY_PEM = (Path(__file__).resolve().parents[1] / "fixtures" / "vertex_ai" /
           "TEST-ONLY-not-a-real-key-rsa-2048.pem").read_text(encoding="ascii")
GEMINI, CLAUDE, LLAMA = "gemini-2.5-flash", "claude-sonnet-4@20250514", "meta.llama-3.3-70b-instruct-maas"

Factory = Callable[..., openai.OpenAI]


vertex = serve(MockVertex)


@pytest.fixture(autouse=True)
def _clean(vertex: MockVertex) -> None:
    vertex.reset()


def _headers(extra: dict[str, str] | None) -> dict[str, str]:
    return {"x-portkey-vertex-project-id": PROJECT, "x-portkey-vertex-region": REGION, **(extra or {})}


@pytest.fixture
def client_for(gateway: GatewayServer, vertex: MockVertex) -> Factory:
    def make(headers: dict[str, str] | None = None, api_key: str = TOKEN, **directives: Any) -> openai.OpenAI:
        return openai_client(gateway, "vertex-ai", vertex.url(**directives), api_key, _headers(headers))

    return make


def _service_account(vertex: MockVertex, **token_directives: Any) -> dict[str, Any]:
    """A fresh account (its own client email, so its own cache entry) whose token URI is the mock."""
    email = f"svc-{uuid.uuid4().hex[:10]}@{PROJECT}.iam.gserviceaccount.com"
    return {"type": "service_account", "project_id": PROJECT, "private_key_id": "test-kid-1", "private_key": KEY_PEM,
            "client_email": email, "token_uri": vertex.token_uri(**token_directives)}


def _upstream(vertex: MockVertex) -> list[Any]:
    return [r for r in vertex.state.requests if r.path != "/token"]


# --- the mock itself ------------------------------------------------------------------------------
def test_mock_speaks_vertex_claude(vertex: MockVertex) -> None:
    """Guards the mock with Anthropic's own Vertex client (model in the URL, anthropic_version in the
    body): if this fails, the Claude tests below say nothing."""
    client = anthropic.AnthropicVertex(region=REGION, project_id=PROJECT, access_token="ya29.direct",
                                       base_url=vertex.url() + "/v1", max_retries=0)
    message = client.messages.create(model=CLAUDE, max_tokens=10, messages=USER)
    assert message.content[0].text == "hello from vertex"  # type: ignore[union-attr]
    assert vertex.state.requests[-1].path == f"{VERTEX_PATH}/publishers/anthropic/models/{CLAUDE}:rawPredict"
    with client.messages.stream(model=CLAUDE, max_tokens=10, messages=USER) as stream:
        assert stream.get_final_text() == "tok0 tok1 tok2 "
    assert client.messages.count_tokens(model=CLAUDE, messages=USER).input_tokens > 0


# --- Gemini ---------------------------------------------------------------------------------------
def test_gemini_chat(client_for: Factory, vertex: MockVertex) -> None:
    reply = client_for().chat.completions.create(model=GEMINI, messages=[
        {"role": "system", "content": "be brief"}, *USER], max_tokens=20)
    assert reply.choices[0].message.content == "hello from gemini"
    assert reply.usage is not None and reply.usage.total_tokens == 15
    (sent,) = vertex.state.requests
    assert sent.path == f"{VERTEX_PATH}/publishers/google/models/{GEMINI}:generateContent"
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert sent.json()["systemInstruction"] == {"parts": [{"text": "be brief"}]}


def test_gemini_stream(client_for: Factory, vertex: MockVertex) -> None:
    chunks = list(client_for().chat.completions.create(model=GEMINI, messages=USER, stream=True))
    assert text_of(chunks) == "tok0 tok1 tok2 "
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
    (sent,) = vertex.state.requests
    assert (sent.path, sent.query) == (f"{VERTEX_PATH}/publishers/google/models/{GEMINI}:streamGenerateContent",
                                       "alt=sse")


def test_gemini_tools(client_for: Factory) -> None:
    reply = client_for(tool=1).chat.completions.create(model=GEMINI, messages=USER, tools=[WEATHER])
    (call,) = reply.choices[0].message.tool_calls or []
    assert call.function.name == "get_weather" and json.loads(call.function.arguments) == {"city": "Paris"}  # type: ignore[union-attr]


def test_gemini_error_status_is_kept(client_for: Factory) -> None:
    with pytest.raises(openai.RateLimitError) as raised:
        client_for(status=429).chat.completions.create(model=GEMINI, messages=USER)
    assert raised.value.body["message"].startswith("vertex-ai error: mock failure 429")  # type: ignore[index]


def test_gemini_stream_cut_ends_in_an_error(client_for: Factory) -> None:
    chunks: list[Any] = []
    with pytest.raises((openai.APIError, httpx2.HTTPError)):
        for chunk in client_for(cut=1).chat.completions.create(model=GEMINI, messages=USER, stream=True):
            chunks.append(chunk)
    assert text_of(chunks) == "tok0 "


def test_embeddings(client_for: Factory, vertex: MockVertex) -> None:
    reply = client_for().embeddings.create(model="text-embedding-005", input=["one two", "three"], dimensions=3)
    assert [item.embedding for item in reply.data] == [[0.1, 0.11, 0.12], [0.2, 0.21, 0.22]]
    assert reply.usage.prompt_tokens == 3
    (sent,) = vertex.state.requests
    assert sent.path == f"{VERTEX_PATH}/publishers/google/models/text-embedding-005:predict"
    assert sent.json() == {"instances": [{"content": "one two"}, {"content": "three"}],
                           "parameters": {"outputDimensionality": 3}}


# --- Claude through chat --------------------------------------------------------------------------
def test_claude_chat(client_for: Factory, vertex: MockVertex) -> None:
    reply = client_for().chat.completions.create(model=CLAUDE, messages=USER, max_tokens=50)
    assert reply.choices[0].message.content == "hello from vertex"
    assert reply.model == CLAUDE and reply.id == "msg_vrtx_mock"
    (sent,) = vertex.state.requests
    assert sent.path == f"{VERTEX_PATH}/publishers/anthropic/models/{CLAUDE}:rawPredict"
    assert sent.json()["anthropic_version"] == "vertex-2023-10-16" and "model" not in sent.json()


def test_claude_stream_with_tools(client_for: Factory, vertex: MockVertex) -> None:
    chunks = list(client_for(tool=1).chat.completions.create(
        model="anthropic." + CLAUDE, messages=USER, tools=[WEATHER], stream=True))
    assert text_of(chunks) == "tok0 tok1 tok2 "
    calls = [call for c in chunks if c.choices for call in (c.choices[0].delta.tool_calls or [])]
    assert calls[0].function.name == "get_weather"  # type: ignore[union-attr]
    assert json.loads("".join(call.function.arguments or "" for call in calls)) == {"city": "Paris"}  # type: ignore[union-attr]
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    assert vertex.state.requests[0].path == f"{VERTEX_PATH}/publishers/anthropic/models/{CLAUDE}:streamRawPredict"


def test_claude_errors_in_both_shapes(client_for: Factory) -> None:
    with pytest.raises(openai.BadRequestError) as own:
        client_for(status=400).chat.completions.create(model=CLAUDE, messages=USER)
    assert own.value.body == {"message": "vertex-ai error: mock failure 400", "type": "invalid_request_error",  # type: ignore[comparison-overlap]
                              "param": None, "code": None}
    with pytest.raises(openai.NotFoundError) as front:
        client_for(front=404).chat.completions.create(model=CLAUDE, messages=USER)
    assert front.value.body["type"] == "NOT_FOUND"  # type: ignore[index]


# --- open models ----------------------------------------------------------------------------------
def test_open_model_plain_and_stream(client_for: Factory, vertex: MockVertex) -> None:
    client = client_for()
    reply = client.chat.completions.create(model=LLAMA, messages=USER, extra_body={"top_k": 3})
    assert reply.choices[0].message.content == "hello from llama"
    chunks = list(client.chat.completions.create(model=LLAMA, messages=USER, stream=True))
    assert text_of(chunks) == "tok0 tok1 tok2 "
    assert [r.path for r in vertex.state.requests] == [f"{VERTEX_PATH}/endpoints/openapi/chat/completions"] * 2
    assert vertex.state.requests[0].json() == {"model": "meta/llama-3.3-70b-instruct-maas", "messages": USER}


# --- service accounts -----------------------------------------------------------------------------
def test_service_account_exchanged_once_then_cached(client_for: Factory, vertex: MockVertex) -> None:
    account = json.dumps(_service_account(vertex))
    client = client_for({"x-portkey-vertex-service-account-json": account}, api_key="unused-by-vertex")
    for _ in range(2):
        assert client.chat.completions.create(model=GEMINI, messages=USER).choices[0].message.content
    assert len(vertex.state.token_requests) == 1
    assert [r.headers["authorization"] for r in _upstream(vertex)] == ["Bearer ya29.mock-1"] * 2


def test_service_account_in_a_config(gateway: GatewayServer, vertex: MockVertex) -> None:
    """Config mode: the account as an object, the project from the account."""
    config = {"provider": "vertex-ai", "vertex_region": "global", "custom_host": vertex.url(),
              "vertex_service_account_json": _service_account(vertex)}
    client = openai_client(gateway, api_key="unused", headers={"x-portkey-config": json.dumps(config)})
    reply = client.chat.completions.create(model=CLAUDE, messages=USER, max_tokens=5)
    assert reply.choices[0].message.content == "hello from vertex"
    (sent,) = _upstream(vertex)
    assert sent.path == f"/v1/projects/{PROJECT}/locations/global/publishers/anthropic/models/{CLAUDE}:rawPredict"
    assert sent.headers["authorization"].startswith("Bearer ya29.mock-")


@pytest.mark.parametrize(("token", "error", "status"), [("refuse", openai.AuthenticationError, 401),
                                                        ("down", openai.InternalServerError, 502)])
def test_bad_token_endpoint_answer_is_a_clear_error(client_for: Factory, vertex: MockVertex, token: str,
                                                    error: type[openai.APIStatusError], status: int) -> None:
    account = json.dumps(_service_account(vertex, token=token))
    with pytest.raises(error) as raised:
        client_for({"x-portkey-vertex-service-account-json": account}).chat.completions.create(
            model=GEMINI, messages=USER)
    response = raised.value.response
    assert response.status_code == status
    text = response.text
    assert "vertex-ai: the service account token exchange" in text
    assert "PRIVATE KEY" not in text and "assertion" not in text and KEY_PEM.splitlines()[1][:20] not in text
    assert _upstream(vertex) == []  # nothing reached the model


# --- /v1/messages with the anthropic SDK ----------------------------------------------------------
@pytest.fixture
def sdk(gateway: GatewayServer, vertex: MockVertex) -> Callable[..., anthropic.Anthropic]:
    def make(**directives: Any) -> anthropic.Anthropic:
        return anthropic_client(gateway, "vertex-ai", vertex.url(**directives), TOKEN, _headers(None))

    return make


def test_messages_claude_natively(sdk: Callable[..., anthropic.Anthropic], vertex: MockVertex) -> None:
    message = sdk().messages.create(model=CLAUDE, max_tokens=10, messages=USER, system="be brief")
    assert message.id == "msg_vrtx_mock" and message.content[0].text == "hello from vertex"  # type: ignore[union-attr]
    (sent,) = vertex.state.requests
    assert sent.path == f"{VERTEX_PATH}/publishers/anthropic/models/{CLAUDE}:rawPredict"
    body = sent.json()
    assert body["anthropic_version"] == "vertex-2023-10-16" and "model" not in body and body["system"] == "be brief"


def test_messages_claude_stream_passes_through(sdk: Callable[..., anthropic.Anthropic], vertex: MockVertex) -> None:
    with sdk().messages.stream(model=CLAUDE, max_tokens=10, messages=USER) as stream:
        events = [event.type for event in stream]
        assert stream.get_final_message().content[0].text == "tok0 tok1 tok2 "  # type: ignore[union-attr]
    assert events[0] == "message_start" and events[-1] == "message_stop"
    assert vertex.state.requests[0].path.endswith(":streamRawPredict")


def test_messages_claude_error_keeps_anthropics_shape(sdk: Callable[..., anthropic.Anthropic]) -> None:
    with pytest.raises(anthropic.RateLimitError) as raised:
        sdk(status=429).messages.create(model=CLAUDE, max_tokens=10, messages=USER)
    assert raised.value.body == {"type": "error", "error": {"type": "rate_limit_error",  # type: ignore[comparison-overlap]
                                                            "message": "mock failure 429"}}


def test_messages_count_tokens_for_claude(sdk: Callable[..., anthropic.Anthropic], vertex: MockVertex) -> None:
    counted = sdk().messages.count_tokens(model="anthropic.claude-3-haiku@20240307", messages=USER)
    assert counted.input_tokens > 0
    (sent,) = vertex.state.requests
    assert sent.path == f"{VERTEX_PATH}/publishers/anthropic/models/count-tokens:rawPredict"
    assert sent.json()["model"] == "claude-3-haiku@20240307"


def test_messages_gemini_through_the_hub(sdk: Callable[..., anthropic.Anthropic], vertex: MockVertex) -> None:
    client = sdk()
    message = client.messages.create(model=GEMINI, max_tokens=10, messages=USER)
    assert message.content[0].text == "hello from gemini" and message.stop_reason == "end_turn"  # type: ignore[union-attr]
    with client.messages.stream(model=GEMINI, max_tokens=10, messages=USER) as stream:
        assert stream.get_final_text() == "tok0 tok1 tok2 "
    assert [r.path.rpartition(":")[2] for r in vertex.state.requests] == ["generateContent", "streamGenerateContent"]
    estimate = client.messages.count_tokens(model=GEMINI, messages=USER)  # no Gemini count here: an estimate
    assert estimate.input_tokens > 0 and len(vertex.state.requests) == 2


def test_messages_claude_front_end_error_in_anthropics_shape(sdk: Callable[..., anthropic.Anthropic]) -> None:
    """Vertex's front end answers Google's shape even for Claude; the client still gets Anthropic's."""
    with pytest.raises(anthropic.NotFoundError) as raised:
        sdk(front=404).messages.create(model=CLAUDE, max_tokens=10, messages=USER)
    body: Any = raised.value.body
    assert body["type"] == "error" and body["error"]["message"].startswith("vertex-ai error: ")


def test_claude_stream_cut_ends_in_an_error(client_for: Factory, sdk: Callable[..., anthropic.Anthropic]) -> None:
    chunks: list[Any] = []
    with pytest.raises((openai.APIError, httpx2.HTTPError)):
        for chunk in client_for(cut=1).chat.completions.create(model=CLAUDE, messages=USER, stream=True):
            chunks.append(chunk)
    assert text_of(chunks) == "tok0 "
    with pytest.raises((anthropic.APIError, httpx2.HTTPError)):
        with sdk(cut=1).messages.stream(model=CLAUDE, max_tokens=10, messages=USER) as stream:
            for _ in stream:
                pass
