"""Clients that can set only a base URL and a key (issue 12): server-side configs, model-string
routing and gateway tokens, through the real server with the official SDKs and the `llm` CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import anthropic
import httpx
import openai
import pytest

from gateway.access import hash_token
from tests.support.mock_openai import MockOpenAI
from tests.support.servers import GatewayServer

TOKEN = "gw-team-token-1"
OPENAI_KEY = "sk-server-openai-key"
ANTHROPIC_KEY = "sk-ant-server-key"
CHAT = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def served(mock: MockOpenAI) -> Iterator[GatewayServer]:
    """A gateway holding provider keys (from environment references) and named configs."""
    configs = {
        "configs": {
            "default": {"provider": "openai", "api_key": "env:SRV_OPENAI", "custom_host": mock.url(name="default")},
            "fast": {"strategy": {"mode": "fallback"}, "targets": [
                {"provider": "openai", "api_key": "env:SRV_OPENAI", "custom_host": mock.url(name="a", status=500)},
                {"provider": "openai", "api_key": "env:SRV_OPENAI", "custom_host": mock.url(name="b"),
                 "override_params": {"model": "gpt-fast"}}]},
        },
        "providers": {"anthropic": {"api_key": "env:SRV_ANT", "custom_host": mock.url(name="ant")},
                      "openai": {"api_key": "env:SRV_OPENAI", "custom_host": mock.url(name="oai")}},
    }
    env = {"GATEWAY_CONFIGS": json.dumps(configs), "GATEWAY_TOKENS": hash_token(TOKEN),
           "SRV_OPENAI": OPENAI_KEY, "SRV_ANT": ANTHROPIC_KEY}
    server = GatewayServer(env).start()
    yield server
    server.stop()


def _client(server: GatewayServer, key: str = TOKEN, **headers: str) -> openai.OpenAI:
    """What a base-URL-only client is: a base URL and a key, nothing else."""
    return openai.OpenAI(base_url=server.url + "/v1", api_key=key, max_retries=0, timeout=20,
                         default_headers=headers or None)


def test_default_config_serves_a_client_with_only_base_url_and_token(served: GatewayServer,
                                                                     mock: MockOpenAI) -> None:
    answer = _client(served).chat.completions.create(model="gpt-4o-mini", messages=CHAT)
    assert answer.choices[0].message.content == "hello from default"
    upstream = mock.state.requests[-1]
    assert upstream.headers["authorization"] == f"Bearer {OPENAI_KEY}"  # the server's key, not the token
    assert TOKEN not in json.dumps(upstream.headers)


@pytest.mark.parametrize(("key", "message"), [(None, "A gateway token is required"),
                                              ("wrong-token", "Invalid gateway token")])
def test_missing_or_wrong_token_is_401_before_any_upstream_call(served: GatewayServer, mock: MockOpenAI,
                                                                key: str | None, message: str) -> None:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    for path, body in (("/v1/chat/completions", {"model": "m", "messages": CHAT}),
                       ("/v1/chat/completions", {"model": "anthropic/claude-x", "messages": CHAT}),
                       ("/v1/messages", {"model": "m", "max_tokens": 5, "messages": CHAT})):
        response = httpx.post(served.url + path, headers=headers, json=body, timeout=10)
        assert response.status_code == 401 and message in response.json()["message"]
    named = httpx.post(served.url + "/v1/chat/completions", json={"model": "m", "messages": CHAT},
                       headers={**headers, "x-portkey-config": "fast"}, timeout=10)
    assert named.status_code == 401
    assert mock.state.requests == []


def test_named_config_by_header(served: GatewayServer, mock: MockOpenAI) -> None:
    answer = _client(served, **{"x-portkey-config": "fast"}).chat.completions.create(model="m", messages=CHAT)
    assert answer.choices[0].message.content == "hello from b"
    assert mock.state.requests[-1].json()["model"] == "gpt-fast"


def test_model_string_routes_to_the_provider_with_the_servers_key(served: GatewayServer, mock: MockOpenAI) -> None:
    answer = _client(served).chat.completions.create(model="anthropic/claude-sonnet-4-5", messages=CHAT)
    assert answer.choices[0].message.content == "hello from ant"
    upstream = mock.state.requests[-1]
    assert upstream.path == "/v1/messages" and upstream.json()["model"] == "claude-sonnet-4-5"
    assert upstream.headers["x-api-key"] == ANTHROPIC_KEY and "authorization" not in upstream.headers


def test_anthropic_sdk_with_only_base_url_and_token(served: GatewayServer, mock: MockOpenAI) -> None:
    client = anthropic.Anthropic(base_url=served.url, api_key=TOKEN, max_retries=0, timeout=20)
    message = client.messages.create(model="openai/gpt-4o-mini", max_tokens=20, messages=CHAT)
    assert message.content[0].text == "hello from oai"  # type: ignore[union-attr]
    upstream = mock.state.requests[-1]
    assert upstream.path == "/v1/chat/completions" and upstream.json()["model"] == "gpt-4o-mini"
    assert upstream.headers["authorization"] == f"Bearer {OPENAI_KEY}"


def test_a_slash_in_a_model_name_is_not_a_route(served: GatewayServer, mock: MockOpenAI) -> None:
    _client(served).chat.completions.create(model="meta-llama/Llama-3.3-70B", messages=CHAT)
    assert mock.state.requests[-1].json()["model"] == "meta-llama/Llama-3.3-70B"  # the default config took it
    byo = _client(served, "sk-client-own", **{"x-portkey-provider": "together-ai",
                                              "x-portkey-custom-host": mock.url()})
    byo.chat.completions.create(model="meta-llama/Llama-3.3-70B", messages=CHAT)
    assert mock.state.requests[-1].json()["model"] == "meta-llama/Llama-3.3-70B"
    assert mock.state.requests[-1].headers["authorization"] == "Bearer sk-client-own"


def test_server_keys_cannot_be_sent_to_a_host_of_the_clients_choice(served: GatewayServer,
                                                                    mock: MockOpenAI) -> None:
    response = httpx.post(served.url + "/v1/chat/completions", json={"model": "m", "messages": CHAT},
                          headers={"authorization": f"Bearer {TOKEN}", "x-portkey-custom-host": mock.url()})
    assert response.status_code == 400 and "x-portkey-custom-host" in response.json()["message"]
    assert mock.state.requests == []


def test_models_lists_what_the_server_configs_reach(served: GatewayServer) -> None:
    ids = [m.id for m in _client(served).models.list()]
    assert {"default", "fast", "anthropic/", "openai/", "openai/gpt-fast"} <= set(ids)


def test_model_string_with_the_clients_own_key(gateway: GatewayServer, mock: MockOpenAI) -> None:
    """No server config at all: the model string routes, and the client's key is the provider key."""
    client = _client(gateway, "gsk-client-key", **{"x-portkey-custom-host": mock.url()})
    client.chat.completions.create(model="groq/llama-3.3-70b-versatile", messages=CHAT)
    upstream = mock.state.requests[-1]
    assert upstream.json()["model"] == "llama-3.3-70b-versatile"
    assert upstream.headers["authorization"] == "Bearer gsk-client-key"
    response = httpx.post(gateway.url + "/v1/chat/completions", json={"model": "gpt-4o", "messages": CHAT})
    assert response.status_code == 400 and "header is required" in response.json()["message"]


def test_llm_cli_with_only_base_url_and_key(served: GatewayServer, mock: MockOpenAI, tmp_path: Path) -> None:
    """Simon Willison's `llm`, configured the way its docs describe OpenAI-compatible models."""
    (tmp_path / "extra-openai-models.yaml").write_text(
        f"- model_id: gw\n  model_name: gpt-4o-mini\n  api_base: {served.url}/v1\n  api_key_name: gateway\n"
        f"- model_id: gw-claude\n  model_name: anthropic/claude-x\n  api_base: {served.url}/v1\n"
        "  api_key_name: gateway\n")
    (tmp_path / "keys.json").write_text(json.dumps({"gateway": TOKEN}))
    env = {**os.environ, "LLM_USER_PATH": str(tmp_path)}
    llm = str(Path(sys.executable).parent / "llm")
    for model, expected in (("gw", "hello from default"), ("gw-claude", "hello from ant")):
        done = subprocess.run([llm, "-m", model, "--no-stream", "--no-log", "hi"], env=env, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == expected
    assert mock.state.requests[-1].headers["x-api-key"] == ANTHROPIC_KEY
