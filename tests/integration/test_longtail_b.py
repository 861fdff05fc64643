"""Long-tail providers, part B, end to end: the official openai SDK (and once the anthropic SDK)
-> the gateway (uvicorn, real socket) -> a loopback mock speaking each provider's wire format.

Translated providers (reka-ai, bytez, stability-ai, oracle) and the perplexity-ai stream talk to
``tests/support/mock_longtail_b`` (which checks auth, OCI signatures and SigV4 as the real APIs
would); OpenAI-shaped rows (ai21, mistral-ai's FIM, together-ai) talk to the suite's ``MockOpenAI``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import openai
import pytest

from tests.support.loopback import serve
from tests.support.mock_longtail_b import AWS_SECRET, ORACLE_PEM, MockLongtailB
from tests.support.mock_openai import MockOpenAI
from tests.support.sdk import MESSAGES, WEATHER, anthropic_client, broken_stream, finishes, openai_client, text_of
from tests.support.servers import GatewayServer

KEY = "sk-test-key"
ORACLE = {"oracle_region": "us-chicago-1", "oracle_compartment_id": "ocid1.compartment.oc1..ccc",
          "oracle_tenancy": "ocid1.tenancy.oc1..aaa", "oracle_user": "ocid1.user.oc1..bbb",
          "oracle_fingerprint": "20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34"}
Factory = Callable[..., openai.OpenAI]


longtail = serve(MockLongtailB)


@pytest.fixture
def client_b(gateway: GatewayServer, longtail: MockLongtailB) -> Factory:
    longtail.reset()

    def make(provider: str, headers: dict[str, str] | None = None, **directives: Any) -> openai.OpenAI:
        return openai_client(gateway, provider, longtail.url(**directives), KEY, headers)

    return make


def _oracle_headers(private_key: str = ORACLE_PEM) -> dict[str, str]:
    """Header mode: a PEM cannot hold newlines in a header, so they travel as ``\\n`` escapes."""
    out = {f"x-portkey-{name.replace('_', '-')}": value for name, value in ORACLE.items()}
    out["x-portkey-oracle-private-key"] = private_key.replace("\n", "\\n")
    return out


def call_deltas(chunks: list[Any]) -> list[tuple[str, str]]:
    """Each streamed tool-call delta as (name, arguments): these providers send a call whole, in one delta."""
    return [(call.function.name, call.function.arguments) for chunk in chunks if chunk.choices
            for call in chunk.choices[0].delta.tool_calls or []]


def broken(client: openai.OpenAI, model: str) -> list[Any]:
    """The chunks of a stream that must break (an error event, or the connection itself)."""
    return broken_stream(client, (openai.APIError, httpx.HTTPError), model=model, messages=MESSAGES)[0]


# --- reka-ai -------------------------------------------------------------------------------------

def test_reka_chat_plain(client_b: Factory, longtail: MockLongtailB) -> None:
    completion = client_b("reka-ai").chat.completions.create(model="reka-flash", messages=MESSAGES, max_tokens=20,
                                                             stop="END", n=1)
    assert completion.choices[0].message.content == "hello from mock"
    assert completion.choices[0].finish_reason == "stop"
    assert (completion.usage.prompt_tokens, completion.usage.total_tokens) == (10, 15)  # type: ignore[union-attr]
    sent = longtail.state.requests[-1]
    assert sent.path == "/v1/chat" and sent.headers["x-api-key"] == KEY and "authorization" not in sent.headers
    assert sent.json() == {"model": "reka-flash", "messages": [{"role": "system", "content": "be brief"},
                                                               {"role": "user", "content": "hi"}],
                           "max_tokens": 20, "stop": ["END"]}


def test_reka_stream_undoes_cumulative_content(client_b: Factory) -> None:
    chunks = list(client_b("reka-ai", chunks=3).chat.completions.create(model="reka-flash", messages=MESSAGES,
                                                                        stream=True))
    assert text_of(chunks) == "tok0 tok1 tok2 "
    assert finishes(chunks) == ["stop"]
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 5


def test_reka_tools_plain_and_streamed(client_b: Factory, longtail: MockLongtailB) -> None:
    completion = client_b("reka-ai", tool=1).chat.completions.create(
        model="reka-flash", messages=MESSAGES, tools=[WEATHER], tool_choice="required")
    call = completion.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert (call.function.name, json.loads(call.function.arguments)) == ("get_weather", {"city": "Paris"})  # type: ignore[union-attr]
    assert completion.choices[0].finish_reason == "tool_calls"
    sent = longtail.state.requests[-1].json()
    assert sent["tool_choice"] == "tool" and sent["tools"][0]["name"] == "get_weather"
    chunks = list(client_b("reka-ai", tool=1, chunks=1).chat.completions.create(
        model="reka-flash", messages=MESSAGES, tools=[WEATHER], stream=True))
    assert call_deltas(chunks) == [("get_weather", '{"city":"Paris"}')]
    assert finishes(chunks) == ["tool_calls"]


def test_reka_error_status_kept(client_b: Factory) -> None:
    with pytest.raises(openai.RateLimitError) as raised:
        client_b("reka-ai", status=429).chat.completions.create(model="reka-flash", messages=MESSAGES)
    assert raised.value.status_code == 429
    assert raised.value.body["message"] == "reka-ai error: mock failure 429"  # type: ignore[index]


def test_reka_stream_break_ends_with_an_error(client_b: Factory) -> None:
    chunks = broken(client_b("reka-ai", cut=2, chunks=5), "reka-flash")
    assert text_of(chunks) == "tok0 tok1 "


def test_reka_serves_anthropic_messages_through_the_hub(gateway: GatewayServer, longtail: MockLongtailB) -> None:
    client = anthropic_client(gateway, "reka-ai", longtail.url(), KEY)
    message = client.messages.create(model="reka-flash", max_tokens=50, system="be brief",
                                     messages=[{"role": "user", "content": "hi"}])
    assert [block.text for block in message.content if block.type == "text"] == ["hello from mock"]
    assert message.stop_reason == "end_turn" and message.usage.input_tokens == 10
    assert longtail.state.requests[-1].json()["messages"][0] == {"role": "system", "content": "be brief"}


# --- bytez ---------------------------------------------------------------------------------------

def test_bytez_chat_plain(client_b: Factory, longtail: MockLongtailB) -> None:
    completion = client_b("bytez").chat.completions.create(model="google/gemma-3-4b-it", messages=MESSAGES,
                                                           max_tokens=30, temperature=0.5)
    assert completion.choices[0].message.content == "hello from mock"
    assert completion.model == "google/gemma-3-4b-it" and completion.usage is None
    sent = longtail.state.requests[-1]
    assert sent.path == "/models/v2/google/gemma-3-4b-it" and sent.headers["authorization"] == f"Key {KEY}"
    assert sent.json() == {"messages": MESSAGES, "stream": False, "params": {"max_new_tokens": 30, "temperature": 0.5}}


def test_bytez_text_stream_becomes_chunks(client_b: Factory) -> None:
    chunks = list(client_b("bytez", chunks=4).chat.completions.create(model="m", messages=MESSAGES, stream=True))
    assert text_of(chunks) == "tok0 tok1 tok2 tok3 "
    assert finishes(chunks) == ["stop"]


def test_bytez_error_and_break(client_b: Factory) -> None:
    with pytest.raises(openai.APIStatusError) as raised:
        client_b("bytez", status=503).chat.completions.create(model="m", messages=MESSAGES)
    assert raised.value.status_code == 503
    assert raised.value.body["message"] == "bytez error: mock failure 503"  # type: ignore[index]
    chunks = broken(client_b("bytez", cut=1, chunks=3), "m")
    assert text_of(chunks) == "tok0 "


# --- stability-ai --------------------------------------------------------------------------------

def test_stability_v1_engine(client_b: Factory, longtail: MockLongtailB) -> None:
    images = client_b("stability-ai").images.generate(model="stable-diffusion-xl-1024-v1-0", prompt="a lighthouse",
                                                      n=2, size="1024x1024")
    assert [image.b64_json for image in images.data or []] == [images.data[0].b64_json] * 2  # type: ignore[index]
    sent = longtail.state.requests[-1]
    assert sent.path == "/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image"
    assert sent.headers["authorization"] == f"Bearer {KEY}" and sent.headers["content-type"] == "application/json"
    assert sent.json() == {"text_prompts": [{"text": "a lighthouse", "weight": 1}], "samples": 2, "height": 1024,
                           "width": 1024}


def test_stability_v2beta_multipart(client_b: Factory, longtail: MockLongtailB) -> None:
    images = client_b("stability-ai", headers={"x-portkey-stability-client-id": "tests"}).images.generate(
        model="core", prompt="a lighthouse", extra_body={"aspect_ratio": "16:9", "seed": 9})
    assert images.data and images.data[0].b64_json
    sent = longtail.state.requests[-1]
    assert sent.path == "/v2beta/stable-image/generate/core"
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert sent.headers["accept"] == "application/json" and sent.headers["stability-client-id"] == "tests"
    assert b'name="aspect_ratio"\r\n\r\n16:9\r\n' in sent.body


def test_stability_errors(client_b: Factory) -> None:
    with pytest.raises(openai.RateLimitError) as raised:
        client_b("stability-ai", status=429).images.generate(model="ultra", prompt="x")
    assert raised.value.body["message"] == "stability-ai error: mock failure 429"  # type: ignore[index]
    assert raised.value.body["type"] == "rate_limited"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError):
        client_b("stability-ai").images.generate(model="ultra", prompt="x", extra_body={"stream": True})


# --- oracle --------------------------------------------------------------------------------------

def test_oracle_signed_chat(client_b: Factory, longtail: MockLongtailB) -> None:
    completion = client_b("oracle", headers=_oracle_headers()).chat.completions.create(
        model="meta.llama-3.3-70b-instruct", messages=MESSAGES, max_tokens=40)
    assert completion.choices[0].message.content == "hello from mock"
    assert completion.model == "meta.llama-3.3-70b-instruct"
    assert completion.usage is not None and completion.usage.total_tokens == 15
    sent = longtail.state.requests[-1]
    assert sent.path == "/20231130/actions/chat" and sent.headers["authorization"].startswith('Signature version="1"')
    body = sent.json()
    assert body["servingMode"] == {"servingType": "ON_DEMAND", "modelId": "meta.llama-3.3-70b-instruct"}
    assert body["chatRequest"]["maxTokens"] == 40


def test_oracle_config_mode_stream_and_tools(gateway: GatewayServer, longtail: MockLongtailB) -> None:
    longtail.reset()
    config = {"provider": "oracle", "api_key": "unused", "custom_host": longtail.url(tool=1, chunks=2),
              **ORACLE, "oracle_private_key": ORACLE_PEM}
    client = openai_client(gateway, api_key="x", headers={"x-portkey-config": json.dumps(config)})
    chunks = list(client.chat.completions.create(model="m", messages=MESSAGES, tools=[WEATHER], stream=True,
                                                 stream_options={"include_usage": True}))
    assert text_of(chunks) == "tok0 tok1 "
    assert call_deltas(chunks) == [("get_weather", '{"city": "Paris"}')]
    assert finishes(chunks) == ["tool_calls"] and chunks[-1].usage is not None


def test_oracle_errors(client_b: Factory) -> None:
    wrong_key = ORACLE_PEM.replace(ORACLE_PEM.split("\n")[1], ORACLE_PEM.split("\n")[1][::-1])
    with pytest.raises(openai.APIStatusError) as raised:
        client_b("oracle", headers=_oracle_headers(wrong_key)).chat.completions.create(model="m", messages=MESSAGES)
    assert raised.value.status_code == 400  # not even a key: refused before any call, without quoting it
    with pytest.raises(openai.RateLimitError) as limited:
        client_b("oracle", headers=_oracle_headers(), status=429).chat.completions.create(model="m", messages=MESSAGES)
    assert limited.value.body["code"] == "TooManyRequests"  # type: ignore[index]
    chunks = broken(client_b("oracle", headers=_oracle_headers(), cut=1, chunks=3), "m")
    assert text_of(chunks) == "tok0 "


# --- sagemaker -----------------------------------------------------------------------------------

def test_sagemaker_proxy_is_sigv4_signed(gateway: GatewayServer, longtail: MockLongtailB) -> None:
    longtail.reset()
    headers = {"x-portkey-provider": "sagemaker", "x-portkey-custom-host": longtail.url(),
               "x-portkey-aws-access-key-id": "AKIDEXAMPLE", "x-portkey-aws-secret-access-key": AWS_SECRET,
               "x-portkey-aws-region": "eu-west-1", "x-portkey-amzn-sagemaker-target-variant": "blue",
               "x-portkey-amzn-sagemaker-custom-attributes": "trace=1"}
    answer = httpx.post(gateway.url + "/v1/endpoints/my-endpoint/invocations", json={"inputs": "hi"},
                        headers=headers, timeout=20)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"generated_text": "hello from mock", "received": {"inputs": "hi"},
                             "sagemaker_headers": {"x-amzn-sagemaker-target-variant": "blue",
                                                   "x-amzn-sagemaker-custom-attributes": "trace=1"}}
    assert "/eu-west-1/sagemaker/aws4_request" in longtail.state.requests[-1].headers["authorization"]
    refused = httpx.post(gateway.url + "/v1/endpoints/my-endpoint/invocations", json={"inputs": "hi"},
                         headers={**headers, "x-portkey-aws-secret-access-key": "wrong"}, timeout=20)
    assert refused.status_code == 403


# --- perplexity-ai -------------------------------------------------------------------------------

def test_perplexity_stream_without_done_is_complete(client_b: Factory) -> None:
    chunks = list(client_b("perplexity-ai", chunks=3).chat.completions.create(
        model="sonar", messages=MESSAGES, stream=True, extra_body={"search_recency_filter": "week"}))
    assert text_of(chunks) == "tok0 tok1 tok2 "
    assert finishes(chunks) == ["stop"]


def test_perplexity_answer_keeps_citations(client_b: Factory, longtail: MockLongtailB) -> None:
    raw = client_b("perplexity-ai").chat.completions.with_raw_response.create(
        model="sonar", messages=MESSAGES, extra_body={"search_domain_filter": ["example.com"]})
    body = json.loads(raw.text)
    assert body["citations"] == ["https://example.com/a"] and body["search_results"]
    assert longtail.state.requests[-1].json()["search_domain_filter"] == ["example.com"]


# --- OpenAI-shaped rows on MockOpenAI -------------------------------------------------------------

def test_ai21_jamba_chat(client_for: Factory, mock: MockOpenAI) -> None:
    completion = client_for("ai21").chat.completions.create(model="jamba-mini", messages=MESSAGES,
                                                            extra_body={"documents": [{"content": "doc"}]})
    assert completion.choices[0].message.content == "hello from mock"
    sent = mock.state.requests[-1]
    assert sent.path == "/v1/chat/completions" and sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.json()["documents"] == [{"content": "doc"}]


def test_mistral_fim_header_and_tool_choice(gateway: GatewayServer, mock: MockOpenAI) -> None:
    headers = {"x-portkey-provider": "mistral-ai", "x-portkey-custom-host": mock.url(),
               "authorization": f"Bearer {KEY}", "x-portkey-mistral-fim-completion": "true"}
    answer = httpx.post(gateway.url + "/v1/chat/completions", headers=headers, timeout=20,
                        json={"model": "codestral-latest", "prompt": "def f(", "suffix": "return x", "max_tokens": 9})
    assert answer.status_code == 200
    sent = mock.state.requests[-1]
    assert sent.path == "/v1/fim/completions"
    assert sent.json() == {"model": "codestral-latest", "prompt": "def f(", "suffix": "return x", "max_tokens": 9}
    del headers["x-portkey-mistral-fim-completion"]
    httpx.post(gateway.url + "/v1/chat/completions", headers=headers, timeout=20,
               json={"model": "mistral-large", "messages": MESSAGES, "tools": [WEATHER], "tool_choice": "required"})
    assert mock.state.requests[-1].path == "/v1/chat/completions"
    assert mock.state.requests[-1].json()["tool_choice"] == "any"


def test_together_top_k_reaches_the_provider(client_for: Factory, mock: MockOpenAI) -> None:
    client_for("together-ai").chat.completions.create(model="m", messages=MESSAGES, extra_body={"top_k": 40})
    assert mock.state.requests[-1].json()["top_k"] == 40
