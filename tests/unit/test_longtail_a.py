"""The long tail, part A: workers-ai, huggingface, azure-ai, predibase, triton, nomic, qdrant, meshy,
segmind (served) and palm (501).

Translated endpoints have golden fixtures (``tests/fixtures/<folder>/*.json``, run by
``tests/support/golden.py``; here every fixture names its ``endpoint``). The
OpenAI-shaped ones are data, so their tests drive the real core with a fake transport and check the
URL, the headers and the body that would leave the gateway.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from gateway.app import Gateway
from gateway.http import Headers, Request, Response
from gateway.providers import get_provider
from gateway.providers.unserved import REASONS
from gateway.settings import Settings
from gateway.transform.events import Event, MapContext
from tests.support.golden import GoldenSuite
from tests.unit.fakes import FakeTransport, InstantClock, Sent, json_reply

TRANSLATED = {"workers-ai": "workers_ai", "nomic": "nomic", "triton": "triton", "segmind": "segmind"}
GOLDEN = GoldenSuite({folder: slug for slug, folder in TRANSLATED.items()}, minimum=6, default_endpoint=None)
test_every_fixture_has_exactly_one_kind, test_request, test_response, test_error, test_stream = GOLDEN.tests()


@pytest.mark.parametrize("slug", sorted(TRANSLATED))
@pytest.mark.parametrize("body", [None, [], "text", {"result": 3}, {"embeddings": None}, {"image": [1]}])
def test_odd_answers_never_raise(slug: str, body: Any) -> None:
    provider = get_provider(slug)
    assert provider is not None
    for translation in provider.translations.values():
        assert "error" in translation.response(body, MapContext(provider=slug))
        assert "error" in translation.error(500, body, "x", MapContext(provider=slug))


@pytest.mark.parametrize("data", [None, "x", [], {"response": 3}, {"errors": "no"}, {"usage": "no"}])
def test_odd_workers_ai_events_never_raise(data: Any) -> None:
    provider = get_provider("workers-ai")
    assert provider is not None
    mapper = provider.translations["complete"].stream(MapContext(provider="workers-ai"))
    assert mapper.feed(Event(data)) == [] and mapper.end() == []


# --- the whole core with a fake transport --------------------------------------------------------
def _call(headers: dict[str, str], body: Any = None, path: str = "/v1/chat/completions", method: str = "POST",
          reply: Any = None) -> tuple[Response, list[Sent]]:
    transport = FakeTransport(reply or (lambda sent: json_reply()))
    gateway = Gateway(Settings(), transport, InstantClock())
    raw = b"" if body is None else json.dumps(body).encode()
    response = asyncio.run(gateway.handle(Request(method, path, "", Headers(headers), raw)))
    return response, transport.sent


def _only(headers: dict[str, str], body: Any = None, path: str = "/v1/chat/completions",
          method: str = "POST", reply: Any = None) -> Sent:
    response, sent = _call(headers, body, path, method, reply)
    assert response.status == 200, response.body
    assert len(sent) == 1
    return sent[0]


CHAT = {"model": "m", "messages": [{"role": "developer", "content": "be brief"}, {"role": "user", "content": "hi"}],
        "max_completion_tokens": 20, "stream": False}
SYSTEM_FIRST = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]


def _provider(slug: str, **extra: str) -> dict[str, str]:
    return {"x-portkey-provider": slug, "authorization": "Bearer sk-1", **extra}


def test_workers_ai_chat_and_embeddings_use_cloudflares_openai_endpoints() -> None:
    headers = _provider("workers-ai", **{"x-portkey-workers-ai-account-id": "acc123"})
    chat = {**CHAT, "model": "@cf/meta/llama-3.1-8b-instruct"}
    sent = _only(headers, chat)
    assert sent.url == "https://api.cloudflare.com/client/v4/accounts/acc123/ai/v1/chat/completions"
    assert sent.headers["authorization"] == "Bearer sk-1"
    assert json.loads(sent.body or b"") == {"model": "@cf/meta/llama-3.1-8b-instruct", "messages": SYSTEM_FIRST,
                                            "max_tokens": 20, "stream": False}
    sent = _only(headers, {"model": "@cf/baai/bge-base-en-v1.5", "input": "x"}, "/v1/embeddings")
    assert sent.url == "https://api.cloudflare.com/client/v4/accounts/acc123/ai/v1/embeddings"


def test_workers_ai_native_endpoints_name_the_model_in_the_path() -> None:
    headers = _provider("workers-ai", **{"x-portkey-workers-ai-account-id": "acc123"})
    reply = json_reply(body=b'{"result": {"response": "hi"}, "success": true, "errors": [], "messages": []}')
    response, sent = _call(headers, {"model": "@cf/meta/llama-3.1-8b-instruct", "prompt": "x"}, "/v1/completions",
                           reply=lambda s: reply)
    assert response.status == 200 and json.loads(response.body)["choices"][0]["text"] == "hi"  # type: ignore[arg-type]
    assert sent[0].url == "https://api.cloudflare.com/client/v4/accounts/acc123/ai/run/@cf/meta/llama-3.1-8b-instruct"
    config = {"provider": "workers-ai", "api_key": "k", "workers_ai_account_id": "acc9"}
    image = json_reply(body=b'{"result": {"image": "AAAA"}, "success": true}')
    sent_image = _only({"x-portkey-config": json.dumps(config)}, {"model": "@cf/bfl/flux", "prompt": "a cat"},
                       "/v1/images/generations", reply=lambda s: image)
    assert sent_image.url == "https://api.cloudflare.com/client/v4/accounts/acc9/ai/run/@cf/bfl/flux"
    assert sent_image.headers["authorization"] == "Bearer k"


@pytest.mark.parametrize("account", [None, "../../other", "a b"])
def test_workers_ai_needs_a_plain_account_id(account: str | None) -> None:
    extra = {"x-portkey-workers-ai-account-id": account} if account else {}
    response, sent = _call(_provider("workers-ai", **extra), CHAT)
    assert response.status == 400 and b"account id" in response.body and sent == []  # type: ignore[operator]


def test_huggingface_router_by_default_and_a_dedicated_endpoint_by_option() -> None:
    sent = _only(_provider("huggingface"), {**CHAT, "model": "meta-llama/Llama-3.1-8B-Instruct:novita"})
    assert sent.url == "https://router.huggingface.co/v1/chat/completions"
    assert sent.headers["authorization"] == "Bearer sk-1"
    assert json.loads(sent.body or b"")["messages"] == SYSTEM_FIRST
    endpoint = "https://xyz.us-east-1.aws.endpoints.huggingface.cloud/"
    sent = _only(_provider("huggingface", **{"x-portkey-huggingface-base-url": endpoint}),
                 {"model": "tgi", "prompt": "x"}, "/v1/completions")
    assert sent.url == "https://xyz.us-east-1.aws.endpoints.huggingface.cloud/v1/completions"


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest", "http://localhost:8080", "file:///etc/passwd"])
def test_url_options_get_the_custom_host_ssrf_check(url: str) -> None:
    for slug, header in (("huggingface", "huggingface-base-url"), ("azure-ai", "azure-foundry-url")):
        response, sent = _call(_provider(slug, **{f"x-portkey-{header}": url}), CHAT)
        assert response.status == 400 and sent == [], (slug, response.body)


FOUNDRY = "https://res.services.ai.azure.com/models"


def test_azure_ai_url_api_version_and_key_headers() -> None:
    headers = _provider("azure-ai", **{"x-portkey-azure-foundry-url": FOUNDRY + "/",
                                       "x-portkey-azure-api-version": "2024-05-01-preview"})
    sent = _only(headers, CHAT)
    assert sent.url == FOUNDRY + "/chat/completions?api-version=2024-05-01-preview"
    assert (sent.headers["api-key"], sent.headers["authorization"]) == ("sk-1", "Bearer sk-1")
    assert sent.headers["extra-parameters"] == "drop"
    body = json.loads(sent.body or b"")
    assert body == {"model": "m", "messages": SYSTEM_FIRST, "max_completion_tokens": 20, "stream": False}
    sent = _only(headers, {"input": "x"}, "/v1/embeddings")
    assert sent.url == FOUNDRY + "/embeddings?api-version=2024-05-01-preview"
    assert json.loads(sent.body or b"") == {"input": "x"}  # no model default: the deployment decides


def test_azure_ai_files_go_to_the_resource_openai_api_and_tokens_win() -> None:
    config = {"provider": "azure-ai", "api_key": "k", "azure_foundry_url": FOUNDRY, "azure_api_version": "2025-01-01",
              "azure_ad_token": "Bearer tok", "azure_extra_parameters": "pass-through",
              "azure_deployment_name": "dep-1"}
    sent = _only({"x-portkey-config": json.dumps(config)}, None, "/v1/batches/b1", "GET")
    assert sent.url == "https://res.services.ai.azure.com/openai/batches/b1?api-version=2025-01-01"
    assert sent.headers["authorization"] == "Bearer tok" and "api-key" not in sent.headers
    assert sent.headers["extra-parameters"] == "pass-through"
    assert sent.headers["azureml-model-deployment"] == "dep-1"


@pytest.mark.parametrize(("extra", "status", "words"), [
    ({}, 400, b"azure_foundry_url"),
    ({"x-portkey-azure-foundry-url": "https://res.services.ai.azure.com/anthropic"}, 400, b"provider anthropic"),
    ({"x-portkey-azure-foundry-url": FOUNDRY, "x-portkey-azure-auth-mode": "entra"}, 501, b"entra"),
])
def test_azure_ai_refusals(extra: dict[str, str], status: int, words: bytes) -> None:
    response, sent = _call(_provider("azure-ai", **extra), CHAT)
    assert response.status == status and words in response.body and sent == []  # type: ignore[operator]


def test_azure_ai_messages_go_through_the_hub() -> None:
    headers = _provider("azure-ai", **{"x-portkey-azure-foundry-url": FOUNDRY})
    body = {"model": "gpt-4o", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}
    reply = json_reply(body=json.dumps({"id": "c1", "object": "chat.completion", "created": 1, "model": "gpt-4o",
                                        "choices": [{"index": 0, "finish_reason": "stop", "message": {
                                            "role": "assistant", "content": "hello"}}]}).encode())
    response, sent = _call(headers, body, "/v1/messages", reply=lambda s: reply)
    assert sent[0].url == FOUNDRY + "/chat/completions"
    answer = json.loads(response.body)  # type: ignore[arg-type]
    assert answer["type"] == "message" and answer["content"][0]["text"] == "hello"


def test_predibase_tenant_from_user_deployment_and_adapter_from_model() -> None:
    body = {**CHAT, "model": "llama-3-8b-instruct:sentiment/1", "user": "tenant-42", "temperature": 1.7, "top_k": 5}
    sent = _only(_provider("predibase"), body)
    assert sent.url == ("https://serving.app.predibase.com/tenant-42/deployments/v2/llms/llama-3-8b-instruct"
                        "/v1/chat/completions")
    assert sent.headers["authorization"] == "Bearer sk-1"
    assert json.loads(sent.body or b"") == {"model": "sentiment/1", "messages": SYSTEM_FIRST, "max_tokens": 20,
                                            "temperature": 1, "stream": False, "top_k": 5}
    sent = _only(_provider("predibase"), {**CHAT, "model": "mistral-7b", "user": "t/../x"})
    assert sent.url.startswith("https://serving.app.predibase.com/t%2F..%2Fx/deployments/v2/llms/mistral-7b/")
    assert json.loads(sent.body or b"")["model"] == ""  # the base model: no adapter


def test_predibase_needs_the_tenant() -> None:
    response, sent = _call(_provider("predibase"), CHAT)
    assert response.status == 400 and b"tenant" in response.body and sent == []  # type: ignore[operator]


def test_translated_urls_and_auth_headers() -> None:
    nomic = json_reply(body=b'{"embeddings": [[0.1]], "model": "n", "usage": {"prompt_tokens": 1, "total_tokens": 1}}')
    response, calls = _call(_provider("nomic"), {"model": "n", "input": "x"}, "/v1/embeddings", reply=lambda s: nomic)
    assert response.status == 200 and calls[0].url == "https://api-atlas.nomic.ai/v1/embedding/text"
    assert calls[0].headers["authorization"] == "Bearer sk-1"
    segmind = json_reply(body=b'{"image": "AAAA"}')
    response, calls = _call(_provider("segmind"), {"model": "sdxl1.0-txt2img", "prompt": "p"},
                            "/v1/images/generations", reply=lambda s: segmind)
    assert response.status == 200 and calls[0].url == "https://api.segmind.com/v1/sdxl1.0-txt2img"
    assert calls[0].headers["x-api-key"] == "sk-1" and "authorization" not in calls[0].headers
    triton = json_reply(body=b'{"model_name": "ensemble", "text_output": "ok"}')
    response, calls = _call({"x-portkey-provider": "triton", "x-portkey-custom-host": "http://127.0.0.1:8000/v2/models/e"},
                            {"prompt": "p"}, "/v1/completions", reply=lambda s: triton)
    assert response.status == 200 and calls[0].url == "http://127.0.0.1:8000/v2/models/e/generate"
    assert "authorization" not in calls[0].headers


@pytest.mark.parametrize(("slug", "path", "body"), [
    ("nomic", "/v1/embeddings", {"model": "n", "input": "x", "stream": True}),
    ("segmind", "/v1/images/generations", {"model": "m", "prompt": "p", "stream": True}),
    ("triton", "/v1/completions", {"prompt": "p", "stream": True}),
    ("workers-ai", "/v1/images/generations", {"model": "m", "prompt": "p", "stream": True}),
])
def test_one_piece_endpoints_refuse_a_stream(slug: str, path: str, body: dict[str, Any]) -> None:
    headers = _provider(slug, **{"x-portkey-workers-ai-account-id": "a", "x-portkey-custom-host": "https://h.example"})
    response, sent = _call(headers, body, path)
    assert response.status == 400 and b"does not stream" in response.body and sent == []  # type: ignore[operator]


def test_triton_needs_a_custom_host() -> None:
    response, sent = _call({"x-portkey-provider": "triton"}, {"prompt": "p"}, "/v1/completions")
    assert response.status == 400 and b"custom host" in response.body and sent == []  # type: ignore[operator]


def test_qdrant_proxies_with_its_api_key_header() -> None:
    headers = _provider("qdrant", **{"x-portkey-custom-host": "https://xyz.cloud.qdrant.io:6333"})
    sent = _only(headers, {"vector": [0.1], "limit": 3}, "/v1/collections/docs/points/search")
    assert sent.url == "https://xyz.cloud.qdrant.io:6333/collections/docs/points/search"
    assert sent.headers["api-key"] == "sk-1"
    response, _ = _call(_provider("qdrant"), None, "/v1/collections", "GET")
    assert response.status == 400 and b"custom host" in response.body  # type: ignore[operator]


@pytest.mark.parametrize(("path", "url"), [
    ("/v1/text-to-3d", "https://api.meshy.ai/openapi/v2/text-to-3d"),
    ("/v1/text-to-3d/task-1?x=1", "https://api.meshy.ai/openapi/v2/text-to-3d/task-1?x=1"),
    ("/v1/image-to-3d", "https://api.meshy.ai/openapi/v1/image-to-3d"),
    ("/v1/balance", "https://api.meshy.ai/openapi/v1/balance"),
])
def test_meshy_proxies_to_the_api_version_of_the_path(path: str, url: str) -> None:
    route, _, query = path.partition("?")
    transport = FakeTransport(lambda sent: json_reply())
    gateway = Gateway(Settings(), transport, InstantClock())
    method = "POST" if route in ("/v1/text-to-3d", "/v1/image-to-3d") else "GET"
    raw = b'{"mode": "preview", "prompt": "a chair"}' if method == "POST" else b""
    headers = Headers({**_provider("meshy"), "content-type": "application/json"})
    response = asyncio.run(gateway.handle(Request(method, route, query, headers, raw)))
    assert response.status == 200 and transport.sent[0].url == url
    assert transport.sent[0].headers["authorization"] == "Bearer sk-1"


def test_palm_answers_501_with_its_reason() -> None:
    response, sent = _call(_provider("palm"), CHAT)
    assert response.status == 501 and sent == []
    message = json.loads(response.body)["message"]  # type: ignore[arg-type]
    assert message.endswith(REASONS["palm"]) and "decommissioned" in message


def test_github_stays_consistent_with_azure_ai() -> None:
    sent = _only(_provider("github"), CHAT)
    assert sent.url == "https://models.inference.ai.azure.com/chat/completions"
    assert sent.headers["extra-parameters"] == "drop"
    assert json.loads(sent.body or b"")["max_completion_tokens"] == 20
