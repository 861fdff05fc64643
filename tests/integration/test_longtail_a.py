"""The long tail, part A, end to end: the official openai SDK (httpx for the proxy-only providers)
-> the gateway on a real socket -> loopback mocks. OpenAI-shaped endpoints go to the suite's
``MockOpenAI``; translated ones, Predibase's URL and the proxies to ``tests/support/mock_longtail_a``,
which speaks each provider's own wire format."""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest

from tests.support.loopback import serve
from tests.support.mock_longtail_a import IMAGE, USAGE, LongtailMock
from tests.support.mock_openai import MockOpenAI
from tests.support.sdk import anthropic_client, openai_client
from tests.support.servers import GatewayServer

MESSAGES: Any = [{"role": "user", "content": "hi"}]


longtail = serve(LongtailMock)


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> None:
    if "longtail" in request.fixturenames:
        request.getfixturevalue("longtail").reset()


def sdk(gateway: GatewayServer, provider: str, host: str | None = None, **headers: str) -> openai.OpenAI:
    return openai_client(gateway, provider, host, headers=headers)


def root(mock: MockOpenAI, **directives: Any) -> str:
    """MockOpenAI's base without its ``/v1``: for providers whose paths start with ``/v1`` themselves."""
    return mock.url(**directives).removesuffix("/v1")


# --- workers-ai --------------------------------------------------------------------------------
def test_workers_ai_chat_passes_through_cloudflares_openai_endpoint(gateway: GatewayServer,
                                                                    mock: MockOpenAI) -> None:
    client = sdk(gateway, "workers-ai", root(mock, name="cf"))
    answer = client.chat.completions.create(model="@cf/meta/llama-3.1-8b-instruct", messages=MESSAGES)
    assert answer.choices[0].message.content == "hello from cf"
    seen = mock.state.requests[-1]
    assert seen.path == "/v1/chat/completions" and seen.headers["authorization"] == "Bearer sk-test-key"
    chunks = list(client.chat.completions.create(model="@cf/x", messages=MESSAGES, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "tok0 tok1 tok2 tok3 tok4 "


def test_workers_ai_serves_the_anthropic_sdk_through_the_hub(gateway: GatewayServer, mock: MockOpenAI) -> None:
    client = anthropic_client(gateway, "workers-ai", root(mock, name="cfm"))
    message = client.messages.create(model="@cf/meta/llama-3.1-8b-instruct", max_tokens=10, messages=MESSAGES)
    assert message.content[0].text == "hello from cfm"  # type: ignore[union-attr]
    assert mock.state.requests[-1].path == "/v1/chat/completions"
    with client.messages.stream(model="@cf/x", max_tokens=10, messages=MESSAGES) as stream:
        assert "".join(stream.text_stream) == "tok0 tok1 tok2 tok3 tok4 "


def test_workers_ai_completions_are_translated(gateway: GatewayServer, longtail: LongtailMock) -> None:
    client = sdk(gateway, "workers-ai", longtail.url())
    answer = client.completions.create(model="@cf/meta/llama-3.1-8b-instruct", prompt="Once", max_tokens=9)
    assert answer.choices[0].text == "echo: Once" and answer.usage is not None
    assert answer.usage.total_tokens == USAGE["total_tokens"]
    seen = longtail.state.requests[-1]
    assert seen.path == "/run/@cf/meta/llama-3.1-8b-instruct" and seen.json() == {"prompt": "Once", "max_tokens": 9}
    chunks = list(client.completions.create(model="@cf/m", prompt="Once", stream=True))
    assert "".join(c.choices[0].text for c in chunks) == "tok0 tok1 tok2 "
    assert chunks[-1].choices[0].finish_reason == "stop" and chunks[-1].usage is not None


def test_workers_ai_errors_and_breaks(gateway: GatewayServer, longtail: LongtailMock) -> None:
    with pytest.raises(openai.APIStatusError) as caught:
        sdk(gateway, "workers-ai", longtail.url(status=429)).completions.create(model="@cf/m", prompt="x")
    assert caught.value.status_code == 429
    assert caught.value.body["message"] == ("workers-ai error: Error 3040: Capacity temporarily exceeded, "  # type: ignore[index]
                                            "please try again.")
    stream = sdk(gateway, "workers-ai", longtail.url(cut=2)).completions.create(model="@cf/m", prompt="x",
                                                                                stream=True)
    texts = []
    with pytest.raises(openai.APIError, match="stream"):
        for chunk in stream:
            texts.append(chunk.choices[0].text)
    assert texts == ["tok0 ", "tok1 "]


def test_workers_ai_images(gateway: GatewayServer, longtail: LongtailMock) -> None:
    client = sdk(gateway, "workers-ai", longtail.url())
    image = client.images.generate(model="@cf/black-forest-labs/flux-1-schnell", prompt="a cat", size="512x256")
    assert image.data is not None and image.data[0].b64_json == IMAGE
    assert longtail.state.requests[-1].json() == {"prompt": "a cat", "width": 512, "height": 256}


# --- huggingface, azure-ai: OpenAI-shaped ------------------------------------------------------------
def test_huggingface_passes_through(gateway: GatewayServer, mock: MockOpenAI) -> None:
    client = sdk(gateway, "huggingface", root(mock, name="hf"))
    answer = client.chat.completions.create(model="meta-llama/Llama-3.1-8B-Instruct:novita", messages=MESSAGES)
    assert answer.choices[0].message.content == "hello from hf"
    assert mock.state.requests[-1].path == "/v1/chat/completions"
    chunks = list(client.chat.completions.create(model="m", messages=MESSAGES, stream=True))
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_azure_ai_passes_through_with_its_headers(gateway: GatewayServer, mock: MockOpenAI) -> None:
    client = sdk(gateway, "azure-ai", mock.url(name="az"), **{"x-portkey-azure-api-version": "2024-05-01-preview"})
    answer = client.chat.completions.create(model="Llama-3.3-70B-Instruct", messages=MESSAGES)
    assert answer.choices[0].message.content == "hello from az"
    seen = mock.state.requests[-1]
    assert (seen.path, seen.query) == ("/v1/chat/completions", "api-version=2024-05-01-preview")
    assert seen.headers["api-key"] == "sk-test-key" and seen.headers["extra-parameters"] == "drop"
    with pytest.raises(openai.RateLimitError) as caught:
        sdk(gateway, "azure-ai", mock.url(status=429)).chat.completions.create(model="m", messages=MESSAGES)
    assert caught.value.body["message"] == "azure-ai error: mock failure 429"  # type: ignore[index]


# --- predibase ---------------------------------------------------------------------------------
def test_predibase_url_from_tenant_and_model(gateway: GatewayServer, longtail: LongtailMock) -> None:
    client = sdk(gateway, "predibase", longtail.url())
    answer = client.chat.completions.create(model="llama-3-8b:sentiment/1", messages=MESSAGES, user="tenant-1")
    assert answer.choices[0].message.content == "hello from predibase"
    seen = longtail.state.requests[-1]
    assert seen.path == "/tenant-1/deployments/v2/llms/llama-3-8b/v1/chat/completions"
    assert seen.json()["model"] == "sentiment/1" and "user" not in seen.json()
    chunks = list(client.chat.completions.create(model="llama-3-8b", messages=MESSAGES, user="t", stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "tok0 tok1 tok2 "
    stream = sdk(gateway, "predibase", longtail.url(cut=2)).chat.completions.create(
        model="llama-3-8b", messages=MESSAGES, user="t", stream=True)
    with pytest.raises(openai.APIError, match="stream"):
        list(stream)


# --- nomic, triton, segmind ----------------------------------------------------------------------
def test_nomic_embeddings(gateway: GatewayServer, longtail: LongtailMock) -> None:
    client = sdk(gateway, "nomic", longtail.url())
    out = client.embeddings.create(model="nomic-embed-text-v1.5", input=["a", "b"], dimensions=64)
    assert [d.embedding for d in out.data] == [[0.5, -0.25, 0.0], [0.5, -0.25, 1.0]]
    assert longtail.state.requests[-1].json() == {"model": "nomic-embed-text-v1.5", "texts": ["a", "b"],
                                                  "dimensionality": 64}
    with pytest.raises(openai.UnprocessableEntityError) as caught:
        sdk(gateway, "nomic", longtail.url(status=422)).embeddings.create(model="n", input="a")
    assert caught.value.body["message"] == "nomic error: body.texts: field required"  # type: ignore[index]


def test_triton_completions(gateway: GatewayServer, longtail: LongtailMock) -> None:
    client = sdk(gateway, "triton", longtail.url("/v2/models/ensemble"))
    answer = client.completions.create(model="ensemble", prompt="What is ML?", max_tokens=8)
    assert answer.choices[0].text == "echo: What is ML?" and answer.model == "ensemble"
    seen = longtail.state.requests[-1]
    assert seen.path == "/v2/models/ensemble/generate" and "authorization" not in seen.headers
    assert seen.json() == {"text_input": "What is ML?", "max_tokens": 8, "temperature": 0.7, "top_p": 0.7, "top_k": 50}
    with pytest.raises(openai.BadRequestError) as caught:
        client.completions.create(model="ensemble", prompt="x", stream=True)
    assert "does not stream" in caught.value.body["message"]  # type: ignore[index]
    with pytest.raises(openai.InternalServerError) as failed:
        sdk(gateway, "triton", longtail.url("/v2/models/e", status=500)).completions.create(model="e", prompt="x")
    assert failed.value.body["message"] == "triton error: failed to parse the request JSON buffer"  # type: ignore[index]


def test_segmind_images(gateway: GatewayServer, longtail: LongtailMock) -> None:
    client = sdk(gateway, "segmind", longtail.url("/segmind"))
    out = client.images.generate(model="sdxl1.0-txt2img", prompt="a lighthouse", n=2, size="1024x768")
    assert out.data is not None and [d.b64_json for d in out.data] == [IMAGE, IMAGE]
    seen = longtail.state.requests[-1]
    assert seen.path == "/segmind/sdxl1.0-txt2img" and seen.headers["x-api-key"] == "sk-test-key"
    assert seen.json() == {"prompt": "a lighthouse", "samples": 2, "img_height": 768, "img_width": 1024,
                         "num_inference_steps": 20, "base64": True}
    with pytest.raises(openai.APIStatusError) as caught:
        sdk(gateway, "segmind", longtail.url("/segmind", status=503)).images.generate(model="m", prompt="p")
    assert caught.value.status_code == 503
    assert caught.value.body["message"] == "segmind error: Model is busy"  # type: ignore[index]


# --- proxy-only and unserved -----------------------------------------------------------------------
def test_qdrant_and_meshy_proxy(gateway: GatewayServer, longtail: LongtailMock) -> None:
    qdrant = httpx.post(gateway.url + "/v1/collections/docs/points/search", json={"vector": [0.1], "limit": 2},
                        headers={"x-portkey-provider": "qdrant", "x-portkey-custom-host": longtail.url(),
                                 "authorization": "Bearer qk"})
    assert qdrant.status_code == 200 and qdrant.json()["echo"]["path"] == "/collections/docs/points/search"
    assert longtail.state.requests[-1].headers["api-key"] == "qk"
    meshy = httpx.post(gateway.url + "/v1/text-to-3d", json={"mode": "preview", "prompt": "a chair"},
                       headers={"x-portkey-provider": "meshy", "x-portkey-custom-host": longtail.url("/openapi"),
                                "authorization": "Bearer mk"})
    assert meshy.status_code == 200 and meshy.json()["echo"]["path"] == "/openapi/v2/text-to-3d"
    meshy_headers = {"x-portkey-provider": "meshy", "authorization": "Bearer mk",
                     "x-portkey-custom-host": longtail.url("/openapi")}
    balance = httpx.get(gateway.url + "/v1/balance", headers=meshy_headers)
    assert balance.json()["echo"]["path"] == "/openapi/v1/balance"


def test_palm_is_refused_with_its_reason(gateway: GatewayServer) -> None:
    with pytest.raises(openai.APIStatusError) as caught:
        sdk(gateway, "palm").chat.completions.create(model="chat-bison-001", messages=MESSAGES)
    assert caught.value.status_code == 501
    assert "decommissioned" in json.dumps(caught.value.body)
