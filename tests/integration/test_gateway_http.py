"""Issue 2 over plain HTTP: validation errors, headers, passthrough, providers' URL shapes,
streaming timing and client disconnects, through the real server."""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest

from tests.support.mock_openai import MockOpenAI
from tests.support.servers import GatewayServer

CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def post(gateway: GatewayServer, headers: dict[str, str], body: object = CHAT,
         path: str = "/v1/chat/completions") -> httpx.Response:
    return httpx.post(gateway.url + path, headers=headers, json=body, timeout=20)


def test_health_and_unknown_route(gateway: GatewayServer) -> None:
    assert httpx.get(gateway.url + "/").text == "AI Gateway says hey!"
    missing = httpx.get(gateway.url + "/nope")
    assert (missing.status_code, missing.json()) == (404, {"message": "Not Found", "ok": False})
    put = httpx.put(gateway.url + "/v1/chat/completions", headers={"x-portkey-provider": "openai"})
    assert put.status_code == 404


@pytest.mark.parametrize(("headers", "message"), [
    ({}, "Either x-portkey-config or x-portkey-provider header is required"),
    ({"x-portkey-provider": "nope"}, "Invalid provider passed"),
    ({"x-portkey-provider": "openai", "x-portkey-custom-host": "http://169.254.169.254/v1"}, "Invalid custom host"),
    ({"x-portkey-provider": "openai", "x-portkey-custom-host": "http://10.1.2.3/v1"}, "Invalid custom host"),
    ({"x-portkey-provider": "openai", "x-portkey-forward-headers": "a, x-portkey-forward-headers"},
     "forward_headers must not contain the 'x-portkey-forward-headers' header"),
    ({"x-portkey-provider": "openai", "content-type": "text/plain"}, "Invalid content type passed"),
])
def test_validation_errors_are_400_failure(gateway: GatewayServer, headers: dict[str, str], message: str) -> None:
    response = httpx.post(gateway.url + "/v1/chat/completions", headers=headers, content=b"{}")
    assert response.status_code == 400
    assert response.json() == {"status": "failure", "message": message}


def test_bad_json_body_is_a_clear_400(gateway: GatewayServer, mock: MockOpenAI) -> None:
    response = httpx.post(gateway.url + "/v1/chat/completions", content=b"{not json",
                          headers={"x-portkey-provider": "openai", "x-portkey-custom-host": mock.url(),
                                   "content-type": "application/json"})
    assert response.status_code == 400
    assert "JSON" in response.json()["message"]
    assert mock.state.requests == []


def test_trace_id_and_forward_headers(gateway: GatewayServer, mock: MockOpenAI) -> None:
    response = post(gateway, {"x-portkey-provider": "openai", "x-portkey-custom-host": mock.url(),
                              "authorization": "Bearer sk-1", "x-portkey-trace-id": "trace-42",
                              "x-portkey-forward-headers": "x-tenant", "x-tenant": "acme", "x-other": "no"})
    assert response.headers["x-portkey-trace-id"] == "trace-42"
    sent = mock.state.requests[-1].headers
    assert sent["x-tenant"] == "acme" and "x-other" not in sent
    assert not any(name.startswith("x-portkey") for name in sent)


def test_passthrough_keeps_query_and_client_headers(gateway: GatewayServer, mock: MockOpenAI) -> None:
    response = httpx.get(gateway.url + "/v1/vector_stores/vs_1/files?limit=2&order=asc",
                         headers={"x-portkey-provider": "openai", "x-portkey-custom-host": mock.url(),
                                  "authorization": "Bearer sk-1", "x-custom": "kept"})
    assert response.status_code == 200
    sent = mock.state.requests[-1]
    assert (sent.method, sent.path, sent.query) == ("GET", "/v1/vector_stores/vs_1/files", "limit=2&order=asc")
    assert sent.headers["x-custom"] == "kept" and sent.headers["authorization"] == "Bearer sk-1"
    assert "x-portkey-provider" not in sent.headers
    deleted = httpx.delete(gateway.url + "/v1/vector_stores/vs_1",
                           headers={"x-portkey-provider": "openai", "x-portkey-custom-host": mock.url()})
    assert deleted.json()["method"] == "DELETE"


def test_azure_openai_url_shape_and_api_key(gateway: GatewayServer, mock: MockOpenAI) -> None:
    headers = {"x-portkey-provider": "azure-openai", "x-portkey-custom-host": mock.url().removesuffix("/v1"),
               "authorization": "Bearer az-key", "x-portkey-azure-resource-name": "res",
               "x-portkey-azure-deployment-id": "dep", "x-portkey-azure-api-version": "2024-10-21"}
    post(gateway, headers)
    sent = mock.state.requests[-1]
    assert (sent.path, sent.query) == ("/deployments/dep/chat/completions", "api-version=2024-10-21")
    assert sent.headers["api-key"] == "az-key" and "authorization" not in sent.headers
    post(gateway, {**headers, "x-portkey-azure-api-version": "v1"})
    v1 = mock.state.requests[-1]
    assert (v1.path, v1.query, v1.json()["model"]) == ("/v1/chat/completions", "", "dep")


def test_azure_without_deployment_is_a_clear_error(gateway: GatewayServer, mock: MockOpenAI) -> None:
    response = post(gateway, {"x-portkey-provider": "azure-openai", "x-portkey-custom-host": mock.url(),
                              "x-portkey-azure-resource-name": "res"})
    assert response.status_code == 400 and "deployment" in response.json()["message"]


def test_compatible_provider_paths_and_role_rewrite(gateway: GatewayServer, mock: MockOpenAI) -> None:
    body = {"model": "llama", "messages": [{"role": "developer", "content": "be brief"}]}
    ok = post(gateway, {"x-portkey-provider": "groq", "x-portkey-custom-host": mock.url()}, body)
    assert ok.status_code == 200 and ok.headers["x-portkey-provider"] == "groq"
    assert mock.state.requests[-1].json()["messages"][0]["role"] == "system"
    host = mock.url().removesuffix("/v1")  # together's endpoints carry their own /v1 prefix
    post(gateway, {"x-portkey-provider": "together-ai", "x-portkey-custom-host": host}, body)
    assert mock.state.requests[-1].path == "/v1/chat/completions"


def test_missing_endpoint_and_unimplemented_provider(gateway: GatewayServer, mock: MockOpenAI) -> None:
    response = post(gateway, {"x-portkey-provider": "groq", "x-portkey-custom-host": mock.url()},
                    {"model": "e", "input": "x"}, "/v1/embeddings")
    assert (response.status_code, response.json()["message"]) == (400, "embed is not supported by groq")
    response = post(gateway, {"x-portkey-provider": "palm"})
    assert response.status_code == 501 and "not implemented" in response.json()["message"]
    response = post(gateway, {"x-portkey-provider": "ollama"})
    assert response.status_code == 400 and "custom host" in response.json()["message"]
    assert mock.state.requests == []


def test_text_error_and_unreachable_upstream(gateway: GatewayServer, mock: MockOpenAI) -> None:
    html = post(gateway, {"x-portkey-provider": "openai", "x-portkey-custom-host": mock.url(status=502, text=1)})
    assert html.status_code == 502 and html.json() == {"html-message": "<html>upstream broke</html>"}
    from tests.support.servers import free_port

    dead = post(gateway, {"x-portkey-provider": "openai", "authorization": "Bearer sk-secret-123",
                          "x-portkey-custom-host": f"http://127.0.0.1:{free_port()}/v1"})
    assert dead.status_code == 503
    assert dead.json()["error"]["type"] == "network_error" and "sk-secret-123" not in dead.text


def test_stream_first_byte_arrives_before_the_end(gateway: GatewayServer, mock: MockOpenAI) -> None:
    headers = {"x-portkey-provider": "openai", "x-portkey-custom-host": mock.url(chunks=4, gap=0.3)}
    start = time.monotonic()
    with httpx.stream("POST", gateway.url + "/v1/chat/completions", headers=headers,
                      json={**CHAT, "stream": True}, timeout=20) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        arrivals = []
        for line in response.iter_lines():
            if line.startswith("data: "):
                arrivals.append((time.monotonic() - start, line))
    assert arrivals[-1][1] == "data: [DONE]"
    assert arrivals[0][0] < 0.25 < arrivals[-1][0]  # the role chunk came 1.2 s before the end
    assert json.loads(arrivals[1][1][6:])["choices"][0]["delta"]["content"] == "tok0 "


def test_client_disconnect_cancels_upstream(gateway: GatewayServer, mock: MockOpenAI) -> None:
    headers = {"x-portkey-provider": "openai", "x-portkey-custom-host": mock.url(chunks=50, gap=0.1)}
    with httpx.stream("POST", gateway.url + "/v1/chat/completions", headers=headers,
                      json={**CHAT, "stream": True}, timeout=20) as response:
        next(response.iter_raw())
    deadline = time.monotonic() + 5
    while mock.state.disconnects == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert mock.state.disconnects == 1 and mock.state.stream_finished == 0


@pytest.mark.parametrize(("provider", "path", "extra"), [
    ("anthropic", "/v1/chat/completions", {}),  # Anthropic events translated to OpenAI chunks
    ("openai", "/v1/messages", {"max_tokens": 10}),  # OpenAI chunks translated to Anthropic events
])
def test_client_disconnect_cancels_a_translated_stream(gateway: GatewayServer, mock: MockOpenAI, provider: str,
                                                       path: str, extra: dict[str, int]) -> None:
    headers = {"x-portkey-provider": provider, "x-portkey-custom-host": mock.url(chunks=50, gap=0.1),
               "authorization": "Bearer k", "anthropic-version": "2023-06-01"}
    with httpx.stream("POST", gateway.url + path, headers=headers, json={**CHAT, **extra, "stream": True},
                      timeout=20) as response:
        assert response.status_code == 200
        next(response.iter_raw())
    deadline = time.monotonic() + 5
    while mock.state.disconnects == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert mock.state.disconnects == 1 and mock.state.stream_finished == 0


def test_client_hanging_up_before_the_answer_cancels_upstream(gateway: GatewayServer, mock: MockOpenAI) -> None:
    """The client hangs up only once the provider has the request (polled, not timed: a loaded
    machine once let a 0.3 s client timeout fire before the gateway had forwarded anything)."""
    body = json.dumps(CHAT).encode()
    head = (f"POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nx-portkey-provider: openai\r\n"
            f"x-portkey-custom-host: {mock.url(delay=2.0)}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=5) as client:
        client.sendall(head + body)
        deadline = time.monotonic() + 5
        while not mock.state.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        assert mock.state.requests, "the gateway never forwarded the request"
    deadline = time.monotonic() + 5
    while mock.state.disconnects == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert mock.state.disconnects == 1


def test_query_goes_upstream_only_where_it_means_something(gateway: GatewayServer, mock: MockOpenAI) -> None:
    headers = {"x-portkey-provider": "openai", "x-portkey-custom-host": mock.url()}
    httpx.post(gateway.url + "/v1/chat/completions?pretty&foo=1", headers=headers, json=CHAT)
    httpx.get(gateway.url + "/v1/files?limit=2&after=f1", headers={**headers, "content-type": "application/json"})
    chat, files = mock.state.requests
    assert chat.query == "" and files.query == "limit=2&after=f1"
    assert "content-type" not in files.headers


def test_provider_specific_parameter_names(gateway: GatewayServer, mock: MockOpenAI) -> None:
    body = {**CHAT, "seed": 5, "logprobs": True}
    post(gateway, {"x-portkey-provider": "mistral-ai", "x-portkey-custom-host": mock.url()}, body)
    post(gateway, {"x-portkey-provider": "groq", "x-portkey-custom-host": mock.url()}, body)
    mistral, groq = (r.json() for r in mock.state.requests)
    assert mistral["random_seed"] == 5 and "seed" not in mistral
    assert groq["seed"] == 5 and "logprobs" not in groq


def test_empty_body_prompts_and_bodyless_cancel(gateway: GatewayServer, mock: MockOpenAI) -> None:
    headers = {"x-portkey-provider": "openai", "x-portkey-custom-host": mock.url(),
               "content-type": "application/json"}
    empty = httpx.post(gateway.url + "/v1/chat/completions", headers=headers, content=b"")
    assert empty.status_code == 400 and "JSON" in empty.json()["message"]
    prompts = httpx.post(gateway.url + "/v1/prompts/pp-1/completions", headers=headers, json={})
    assert prompts.status_code == 501 and "prompt" in prompts.json()["message"]
    assert mock.state.requests == []
    cancel = httpx.post(gateway.url + "/v1/batches/b1/cancel", headers=headers)
    assert cancel.status_code == 200 and mock.state.requests[-1].body == b""
