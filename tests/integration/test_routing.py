"""Issue 3 through the real server: x-portkey-config with fallback, load balancing, conditional
routing, retries and timeouts, against a mock provider that fails on demand."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.mock_openai import MockOpenAI
from tests.support.servers import GatewayServer, free_port

CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def leaf(mock: MockOpenAI, **directives: Any) -> dict[str, Any]:
    return {"provider": "openai", "api_key": "sk-" + str(directives.get("name", "x")),
            "custom_host": mock.url(**directives)}


def send(gateway: GatewayServer, config: Any, body: Any = CHAT, headers: dict[str, str] | None = None,
         path: str = "/v1/chat/completions") -> httpx.Response:
    raw = config if isinstance(config, str) else json.dumps(config)
    return httpx.post(gateway.url + path, json=body, timeout=20,
                      headers={"x-portkey-config": raw, **(headers or {})})


def names(mock: MockOpenAI) -> list[str]:
    return [r.directives.get("name", "mock") for r in mock.state.requests]


# --- parsing and validation (§3.1-§3.4) --------------------------------------------------

@pytest.mark.parametrize(("config", "message", "errors"), [
    ("{not json", "Invalid config passed. You need to pass a valid json", None),
    ({"retry": {"attempts": 1}}, "Either x-portkey-provider needs to be passed. Or the x-portkey-config header "
     "should have a valid config with provider details in it.", None),
    ({"strategy": {"mode": "roundrobin"}, "targets": [{"provider": "openai", "api_key": "k"}]},
     "Invalid config passed",
     ["path: strategy,mode, message: Invalid 'mode' value. Must be one of: single, loadbalance, fallback, "
      "conditional"]),
    ({"provider": "openai", "api_key": "k", "retry": {"attempts": "3"}}, "Invalid config passed",
     ["path: retry,attempts, message: Expected number, received string"]),
    ({"strategy": {"mode": "fallback"}, "targets": [{"provider": "openai"}]}, "Invalid config passed",
     ["path: targets,0, message: Invalid configuration. It must have either 'provider' and 'api_key', or "
      "'strategy' and 'targets', or 'cache', or 'retry', or 'request_timeout'"]),
    ({"provider": "openai", "api_key": "k", "custom_host": "http://169.254.169.254/v1"},
     "Invalid config passed", ["path: , message: Invalid custom host"]),
    ({"provider": "openai", "api_key": "k", "options": [{}]},
     "This version of config is not supported in this route. Please migrate to the latest version", None),
])
def test_invalid_configs_get_400(gateway: GatewayServer, config: Any, message: str, errors: Any) -> None:
    response = send(gateway, config)
    assert response.status_code == 400
    expected: dict[str, Any] = {"status": "failure", "message": message}
    if errors is not None:
        expected["errors"] = errors
    assert response.json() == expected


def test_targets_without_strategy_and_all_zero_weights_are_400(gateway: GatewayServer, mock: MockOpenAI) -> None:
    response = send(gateway, {"strategy": {"mode": "loadbalance"},
                              "targets": [{**leaf(mock), "weight": 0}, {**leaf(mock), "weight": 0}]})
    assert response.status_code == 400 and "weight" in response.json()["message"]
    response = send(gateway, {"targets": [leaf(mock)], "retry": {"attempts": 1}},
                    headers={"x-portkey-provider": "openai"})
    assert response.status_code == 400 and "strategy" in response.json()["message"]
    assert mock.state.requests == []


def test_header_provider_fills_a_config_without_targets(gateway: GatewayServer, mock: MockOpenAI) -> None:
    response = send(gateway, {"retry": {"attempts": 2}, "custom_host": mock.url(name="h")},
                    headers={"x-portkey-provider": "openai", "authorization": "Bearer sk-header"})
    assert response.status_code == 200
    assert mock.state.requests[0].headers["authorization"] == "Bearer sk-header"


# --- strategies (§4.1) --------------------------------------------------------------------

def test_single_uses_first_target(gateway: GatewayServer, mock: MockOpenAI) -> None:
    response = send(gateway, {"strategy": {"mode": "single"},
                              "targets": [leaf(mock, name="a"), leaf(mock, name="b")]})
    assert names(mock) == ["a"] and response.headers["x-portkey-last-used-option-index"] == "config.targets[0]"


def test_fallback_moves_on_and_reports_the_path(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {"strategy": {"mode": "fallback"},
              "targets": [leaf(mock, name="a", status=500), leaf(mock, name="b", status=401), leaf(mock, name="c")]}
    response = send(gateway, config)
    assert response.status_code == 200 and names(mock) == ["a", "b", "c"]
    assert response.headers["x-portkey-last-used-option-index"] == "config.targets[2]"
    assert response.json()["choices"][0]["message"]["content"] == "hello from c"


def test_fallback_on_status_codes_limits_when_to_move_on(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {"strategy": {"mode": "fallback", "on_status_codes": [429]},
              "targets": [leaf(mock, name="a", status=500), leaf(mock, name="b")]}
    response = send(gateway, config)
    assert response.status_code == 500 and names(mock) == ["a"]
    config["targets"][0] = leaf(mock, name="a2", status=429)
    assert send(gateway, config).status_code == 200


def test_fallback_returns_last_target_when_all_fail(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {"strategy": {"mode": "fallback"},
              "targets": [leaf(mock, name="a", status=500), leaf(mock, name="b", status=503)]}
    response = send(gateway, config)
    assert response.status_code == 503
    assert response.json()["error"]["message"] == "openai error: mock failure 503"
    assert response.headers["x-portkey-last-used-option-index"] == "config.targets[1]"


def test_fallback_stops_on_gateway_exception(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {"strategy": {"mode": "fallback"}, "targets": [{"retry": {"attempts": 1}}, leaf(mock, name="b")]}
    response = send(gateway, config)
    assert response.status_code == 500 and response.headers["x-portkey-gateway-exception"] == "true"
    assert response.json() == {"status": "failure", "message": "Provider  not found"}
    assert mock.state.requests == []


def test_fallback_moves_past_a_provider_not_built_yet(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {"strategy": {"mode": "fallback"},
              "targets": [{"provider": "cortex", "api_key": "a"},
                          leaf(mock, name="b")]}
    response = send(gateway, config)
    assert response.status_code == 200 and names(mock) == ["b"]


def test_nested_targets_and_inheritance(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {
        "strategy": {"mode": "fallback"},
        "override_params": {"temperature": 0.5, "max_tokens": 10},
        "targets": [
            leaf(mock, name="a", status=500),
            {"strategy": {"mode": "single"}, "override_params": {"max_tokens": 20},
             "targets": [{**leaf(mock, name="b"), "override_params": {"seed": 7}}]},
        ],
    }
    response = send(gateway, config)
    assert response.headers["x-portkey-last-used-option-index"] == "config.targets[1].targets[0]"
    body = mock.state.requests[-1].json()
    assert (body["temperature"], body["max_tokens"], body["seed"]) == (0.5, 20, 7)


def test_loadbalance_follows_weights(mock: MockOpenAI) -> None:
    config = {"strategy": {"mode": "loadbalance"},
              "targets": [{**leaf(mock, name="a"), "weight": 0.75}, {**leaf(mock, name="b"), "weight": 0.25},
                          {**leaf(mock, name="z"), "weight": 0}]}
    for draw, expected in ((0.1, "a"), (0.8, "b"), (0.999, "b")):
        server = GatewayServer(draw=draw).start()
        try:
            response = send(server, config)
        finally:
            server.stop()
        assert mock.state.requests[-1].directives["name"] == expected
    assert response.headers["x-portkey-last-used-option-index"] == "config.targets[1]"


def test_loadbalance_never_picks_weight_zero(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {"strategy": {"mode": "loadbalance"},
              "targets": [{**leaf(mock, name="z"), "weight": 0}, {**leaf(mock, name="a")}, leaf(mock, name="b")]}
    for _ in range(30):
        send(gateway, config)
    seen = set(names(mock))
    assert "z" not in seen and seen == {"a", "b"}


CONDITIONAL = {
    "strategy": {"mode": "conditional", "default": "cheap", "conditions": [
        {"query": {"metadata.user_plan": {"$eq": "paid"}}, "then": "premium"},
        {"query": {"$or": [{"params.model": {"$in": ["gpt-5", "o3"]}},
                           {"params.max_tokens": {"$gt": 1000}}]}, "then": "premium"},
        {"query": {"url.pathname": {"$regex": "embeddings$"}}, "then": "embedder"},
    ]},
}


@pytest.mark.parametrize(("metadata", "body", "path", "expected"), [
    ({"user_plan": "paid"}, CHAT, "/v1/chat/completions", "premium"),
    ({"user_plan": "free"}, CHAT, "/v1/chat/completions", "cheap"),
    ({}, {**CHAT, "model": "o3"}, "/v1/chat/completions", "premium"),
    ({}, {**CHAT, "max_tokens": 2000}, "/v1/chat/completions", "premium"),
    ({}, {"model": "e", "input": "x"}, "/v1/embeddings", "embedder"),
])
def test_conditional_routing(gateway: GatewayServer, mock: MockOpenAI, metadata: dict[str, Any],
                             body: Any, path: str, expected: str) -> None:
    config = {**CONDITIONAL, "targets": [{**leaf(mock, name=n), "name": n} for n in ("cheap", "premium", "embedder")]}
    response = send(gateway, config, body, {"x-portkey-metadata": json.dumps(metadata)}, path)
    assert response.status_code == 200 and names(mock) == [expected]


@pytest.mark.parametrize(("strategy", "message"), [
    ({"mode": "conditional", "conditions": [{"query": {"metadata.x": "y"}, "then": "a"}]},
     "Query router did not resolve to any valid target"),
    ({"mode": "conditional", "conditions": [{"query": {"metadata.x": {"$foo": 1}}, "then": "a"}]},
     "Unsupported operator used in the query router: $foo"),
    ({"mode": "conditional", "conditions": [{"query": {}, "then": "ghost"}]},
     "Invalid target name found in the query router: ghost"),
    ({"mode": "conditional", "conditions": []}, "No conditions passed in the query router"),
])
def test_conditional_router_errors(gateway: GatewayServer, mock: MockOpenAI, strategy: Any, message: str) -> None:
    response = send(gateway, {"strategy": strategy, "targets": [{**leaf(mock), "name": "a"}]})
    assert (response.status_code, response.json()) == (400, {"status": "failure", "message": message})


# --- retry (§4.2) ---------------------------------------------------------------------------

def test_retry_until_success_with_exponential_backoff(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {**leaf(mock, name="r", key="retry-ok", status=503, fail=2), "retry": {"attempts": 3}}
    response = send(gateway, config)
    assert response.status_code == 200 and response.headers["x-portkey-retry-attempt-count"] == "2"
    assert gateway.sleep.waits == [1.0, 2.0] and len(mock.state.requests) == 3


def test_retry_exhausted_reports_minus_one(gateway: GatewayServer, mock: MockOpenAI) -> None:
    response = send(gateway, {**leaf(mock, status=429), "retry": {"attempts": 3}})
    assert response.status_code == 429 and response.headers["x-portkey-retry-attempt-count"] == "-1"
    assert gateway.sleep.waits == [1.0, 2.0, 4.0] and len(mock.state.requests) == 4


def test_custom_status_list_replaces_default(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {**leaf(mock, status=500), "retry": {"attempts": 2, "on_status_codes": [400]}}
    assert send(gateway, config).status_code == 500 and len(mock.state.requests) == 1
    config = {**leaf(mock, status=400), "retry": {"attempts": 2, "on_status_codes": [400]}}
    assert send(gateway, config).status_code == 400 and len(mock.state.requests) == 4


def test_retry_after_header_is_honoured(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {**leaf(mock, status=429, retry_after_ms=1500, key="ra", fail=2),
              "retry": {"attempts": 3, "use_retry_after_header": True}}
    response = send(gateway, config)
    assert response.status_code == 200 and gateway.sleep.waits == [1.5, 1.5]


def test_retry_after_beyond_budget_stops_at_once(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {**leaf(mock, status=429, retry_after=61), "retry": {"attempts": 3, "use_retry_after_header": True}}
    response = send(gateway, config)
    assert response.headers["x-portkey-retry-attempt-count"] == "-1"
    assert gateway.sleep.waits == [] and len(mock.state.requests) == 1


def test_network_errors_are_retried(gateway: GatewayServer) -> None:
    dead = {"provider": "openai", "api_key": "sk-x", "custom_host": f"http://127.0.0.1:{free_port()}/v1"}
    response = send(gateway, {**dead, "retry": {"attempts": 2}})
    assert response.status_code == 503 and response.headers["x-portkey-retry-attempt-count"] == "-1"
    assert gateway.sleep.waits == [1.0, 2.0]


# --- timeouts (§4.4) --------------------------------------------------------------------------

def test_request_timeout_answers_408_and_cancels_upstream(gateway: GatewayServer, mock: MockOpenAI) -> None:
    started = time.monotonic()
    response = send(gateway, {**leaf(mock, delay=1.5), "request_timeout": 200})
    assert time.monotonic() - started < 1.2
    assert response.status_code == 408
    assert response.json() == {"error": {"message": "Request exceeded the timeout sent in the request: 200ms",
                                         "type": "timeout_error", "param": None, "code": None}}
    deadline = time.monotonic() + 3
    while mock.state.disconnects == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert mock.state.disconnects == 1


def test_timeout_header_beats_config_and_triggers_fallback(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {"strategy": {"mode": "fallback"}, "request_timeout": 5000,
              "targets": [leaf(mock, name="slow", delay=1.5), leaf(mock, name="fast")]}
    response = send(gateway, config, headers={"x-portkey-request-timeout": "200"})
    assert response.status_code == 200 and names(mock) == ["slow", "fast"]
    assert response.headers["x-portkey-last-used-option-index"] == "config.targets[1]"


# --- the rest of the config (§3.1) --------------------------------------------------------------

def test_forward_headers_and_override_params_from_config(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {**leaf(mock), "forward_headers": ["X-Tenant"], "override_params": {"model": "forced"}}
    send(gateway, config, headers={"x-tenant": "acme"})
    sent = mock.state.requests[-1]
    assert sent.headers["x-tenant"] == "acme" and sent.json()["model"] == "forced"


def test_header_custom_host_beats_config(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {**leaf(mock, name="config-host")}
    send(gateway, config, headers={"x-portkey-custom-host": mock.url(name="header-host")})
    assert names(mock) == ["header-host"]


# --- streams (issue 3 §6) ------------------------------------------------------------------------

def _stream_lines(gateway: GatewayServer, config: Any) -> Iterator[str]:
    with httpx.stream("POST", gateway.url + "/v1/chat/completions", timeout=20, json={**CHAT, "stream": True},
                      headers={"x-portkey-config": json.dumps(config)}) as response:
        assert response.status_code == 200
        try:
            yield from (line for line in response.iter_lines() if line)
        except httpx.HTTPError:
            return


def test_stream_falls_back_before_first_byte(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {"strategy": {"mode": "fallback"}, "targets": [leaf(mock, name="a", status=500),
                                                            leaf(mock, name="b", chunks=2)]}
    lines = list(_stream_lines(gateway, config))
    assert lines[-1] == "data: [DONE]" and names(mock) == ["a", "b"]


def test_started_stream_is_never_restarted(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {"strategy": {"mode": "fallback"}, "retry": {"attempts": 2},
              "targets": [leaf(mock, name="a", chunks=5, cut=2), leaf(mock, name="b")]}
    lines = list(_stream_lines(gateway, config))
    assert "data: [DONE]" not in lines and len(lines) == 4
    error = json.loads(lines[-1].removeprefix("data: "))["error"]  # the break is visible, not a silent cut
    assert error["type"] == "stream_error" and "openai error: the stream broke" in error["message"]
    assert names(mock) == ["a"]


def test_guardrails_that_cannot_work_are_refused_before_upstream(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {"strategy": {"mode": "fallback"},
              "targets": [{**leaf(mock), "input_guardrails": [{"portkey.pii": {}}]}]}
    response = send(gateway, config)
    assert response.status_code == 501 and "portkey.pii" in response.json()["message"]
    response = send(gateway, leaf(mock), headers={"x-portkey-default-input-guardrails": "[]x"})
    assert response.status_code == 400 and "x-portkey-default-input-guardrails" in response.json()["message"]
    assert mock.state.requests == []


def test_fallback_moves_past_a_provider_lacking_the_endpoint(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {"strategy": {"mode": "fallback"},
              "targets": [{**leaf(mock, name="g"), "provider": "groq"}, leaf(mock, name="o")]}
    response = send(gateway, config, {"model": "e", "input": "x"}, path="/v1/embeddings")
    assert response.status_code == 200 and names(mock) == ["o"]
    assert response.headers["x-portkey-last-used-option-index"] == "config.targets[1]"


def test_json_passthrough_gets_override_params_and_conditional_params(gateway: GatewayServer,
                                                                      mock: MockOpenAI) -> None:
    config = {"strategy": {"mode": "conditional", "default": "a",
                           "conditions": [{"query": {"params.tier": "gold"}, "then": "b"}]},
              "targets": [{**leaf(mock, name="a"), "name": "a"},
                          {**leaf(mock, name="b"), "name": "b", "override_params": {"extra": True}}]}
    response = send(gateway, config, {"tier": "gold", "query": "x"}, path="/v1/rerank")
    assert response.status_code == 200 and names(mock) == ["b"]
    sent = mock.state.requests[-1]
    assert sent.path == "/v1/rerank" and sent.json() == {"tier": "gold", "query": "x", "extra": True}
    assert sent.headers["content-length"] == str(len(sent.body))
