"""Guardrail hooks through the real server (uvicorn on a socket) to the loopback mock, which counts
every upstream call: 446 with no upstream call, 246, hook_results, mutators, inheritance, default
guardrail headers, fallback and retry, streams, ``/v1/messages``, and every built-in check."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import httpx
import openai
import pytest
from aiohttp import web

from tests.support.loopback import LoopbackServer
from tests.support.mock_openai import MockOpenAI
from tests.support.servers import GatewayServer

CHAT: Any = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hello world. This is fine."}]}
JWT = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "guardrails" / "jwt_openssl.json").read_text())


class Web:
    """A loopback service for the checks that call out: a JWKS, webhooks, a log sink, URLs to probe."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, bytes]] = []
        self.server = LoopbackServer(self._handle)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append((request.path, await request.read()))
        if request.path == "/jwks":
            return web.json_response(JWT["jwks"])
        if request.path.startswith("/hook/"):
            return web.json_response({"verdict": request.path.endswith("/pass")})
        if request.path in ("/log", "/ok"):
            return web.json_response({})
        return web.Response(status=404)

    @property
    def base(self) -> str:
        return self.server.base


@pytest.fixture(scope="module")
def hooks_web() -> Iterator[Web]:
    server = Web()
    server.server.start()
    yield server
    server.server.stop()


def leaf(mock: MockOpenAI, **directives: Any) -> dict[str, Any]:
    return {"provider": "openai", "api_key": "sk-" + str(directives.get("name", "x")),
            "custom_host": mock.url(**directives)}


def send(gateway: GatewayServer, config: Any, body: Any = CHAT, headers: dict[str, str] | None = None,
         path: str = "/v1/chat/completions") -> httpx.Response:
    return httpx.post(gateway.url + path, json=body, timeout=20,
                      headers={"x-portkey-config": json.dumps(config), **(headers or {})})


def calls(mock: MockOpenAI) -> int:
    return len(mock.state.requests)


# --- outcomes -----------------------------------------------------------------------------------
def test_input_deny_answers_446_without_calling_upstream(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {**leaf(mock), "input_guardrails": [{"wordCount": {"maxWords": 2}, "deny": True}]}
    response = send(gateway, config)
    assert response.status_code == 446 and calls(mock) == 0
    body = response.json()
    assert body["error"] == {"message": "The guardrail checks defined in the config failed. You can find more "
                                        "information in the `hook_results` object.",
                             "type": "hooks_failed", "param": None, "code": None}
    before = body["hook_results"]["before_request_hooks"]
    assert body["hook_results"]["after_request_hooks"] == [] and before[0]["deny"] is True
    assert before[0]["checks"][0]["id"] == "default.wordCount" and before[0]["checks"][0]["verdict"] is False
    assert response.headers["x-portkey-provider"] == "openai" and "x-portkey-cache-status" not in response.headers


def test_failed_check_without_deny_answers_246(gateway: GatewayServer, mock: MockOpenAI) -> None:
    response = send(gateway, {**leaf(mock), "input_guardrails": [{"wordCount": {"maxWords": 2}}]})
    assert response.status_code == 246 and calls(mock) == 1
    body = response.json()
    assert body["choices"][0]["message"]["content"] == "hello from mock"
    assert body["hook_results"]["before_request_hooks"][0]["verdict"] is False


def test_passing_hooks_add_their_results(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {**leaf(mock), "input_guardrails": [{"wordCount": {"maxWords": 50}}],
              "output_guardrails": [{"contains": {"words": ["hello"]}, "deny": True}]}
    response = send(gateway, config)
    assert response.status_code == 200
    results = response.json()["hook_results"]
    assert [len(results["before_request_hooks"]), len(results["after_request_hooks"])] == [1, 1]


def test_output_deny_answers_446_after_the_call(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {**leaf(mock), "output_guardrails": [{"contains": {"words": ["zebra"], "operator": "any"},
                                                   "deny": True}]}
    response = send(gateway, config)
    assert response.status_code == 446 and calls(mock) == 1
    assert response.json()["hook_results"]["after_request_hooks"][0]["deny"] is True
    assert response.headers["x-portkey-cache-status"] == "DISABLED"


def test_a_retry_listing_446_repeats_an_output_deny(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {**leaf(mock), "retry": {"attempts": 2, "on_status_codes": [446]},
              "output_guardrails": [{"contains": {"words": ["zebra"]}, "deny": True}]}
    response = send(gateway, config)
    assert response.status_code == 446 and calls(mock) == 3
    assert response.headers["x-portkey-retry-attempt-count"] == "-1"
    plain = send(gateway, {**config, "retry": {"attempts": 2}})  # 446 is not in the default list (#1205)
    assert plain.status_code == 446 and calls(mock) == 4


def test_fallback_moves_past_a_446(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {"strategy": {"mode": "fallback"}, "targets": [
        {**leaf(mock, name="a"), "input_guardrails": [{"contains": {"words": ["zebra"]}, "deny": True}]},
        leaf(mock, name="b")]}
    response = send(gateway, config)
    assert response.status_code == 200 and response.json()["choices"][0]["message"]["content"] == "hello from b"
    assert response.headers["x-portkey-last-used-option-index"] == "config.targets[1]"
    assert [r.directives.get("name") for r in mock.state.requests] == ["b"]


def test_guardrails_are_inherited_until_a_target_declares_its_own(gateway: GatewayServer, mock: MockOpenAI) -> None:
    deny_all = [{"contains": {"words": ["zebra"]}, "deny": True}]
    config = {"strategy": {"mode": "fallback"}, "input_guardrails": deny_all,
              "targets": [leaf(mock, name="a"), {**leaf(mock, name="b"), "input_guardrails": [{"wordCount": {}}]}]}
    response = send(gateway, config)
    assert response.status_code == 200 and [r.directives.get("name") for r in mock.state.requests] == ["b"]


def test_default_guardrail_headers_apply_at_every_leaf(gateway: GatewayServer, mock: MockOpenAI) -> None:
    headers = {"x-portkey-default-input-guardrails": json.dumps([{"regexMatch": {"rule": "zebra"}, "deny": True}]),
               "x-portkey-default-output-guardrails": json.dumps([{"endsWith": {"suffix": "mock"}}])}
    assert send(gateway, leaf(mock), headers=headers).status_code == 446 and calls(mock) == 0
    headers["x-portkey-default-input-guardrails"] = "[]"
    response = send(gateway, leaf(mock), headers=headers)
    assert response.status_code == 200 and response.json()["hook_results"]["after_request_hooks"][0]["verdict"]


def test_mutators_rewrite_what_goes_upstream_and_what_comes_back(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {**leaf(mock), "input_mutators": [{"regexReplace": {"rule": "/world/g", "redactText": "***"}}],
              "output_guardrails": [{"regexReplace": {"rule": "mock", "redactText": "[model]"}}]}
    response = send(gateway, config)
    assert mock.state.requests[0].json()["messages"][-1]["content"] == "Hello ***. This is fine."
    assert response.json()["choices"][0]["message"]["content"] == "hello from [model]"
    prefix = send(gateway, {**leaf(mock), "before_request_hooks": [
        {"type": "mutator", "checks": [{"id": "default.addPrefix", "parameters": {"prefix": "Be kind: "}}]}]})
    assert prefix.status_code == 200
    assert mock.state.requests[-1].json()["messages"][-1]["content"] == "Be kind: Hello world. This is fine."


def test_feedback_sequential_and_fail_on_error(gateway: GatewayServer, mock: MockOpenAI) -> None:
    hook = {"id": "mine", "type": "guardrail", "sequential": True, "deny": True,
            "on_fail": {"feedback": {"value": -5, "weight": 1}},
            "checks": [{"id": "default.wordCount", "parameters": {"maxWords": 1}},
                       {"id": "default.endsWith", "parameters": {}}]}
    body = send(gateway, {**leaf(mock), "before_request_hooks": [hook]}).json()
    result = body["hook_results"]["before_request_hooks"][0]
    assert result["id"] == "mine" and result["feedback"]["metadata"] == {
        "successfulChecks": "", "failedChecks": "default.wordCount", "erroredChecks": "default.endsWith"}
    lenient = {**hook, "checks": [{"id": "default.endsWith", "parameters": {}}]}
    assert send(gateway, {**leaf(mock), "before_request_hooks": [lenient]}).status_code == 200
    strict = {**hook, "checks": [{"id": "default.endsWith", "parameters": {"failOnError": True}}]}
    assert send(gateway, {**leaf(mock), "before_request_hooks": [strict]}).status_code == 446


# --- streams ----------------------------------------------------------------------------------------
def stream_events(response: httpx.Response) -> list[str]:
    return [line[len("data: "):] for line in response.text.split("\n") if line.startswith("data: ")]


def test_stream_ends_with_the_verdict_event(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {**leaf(mock, chunks=3), "input_guardrails": [{"wordCount": {"maxWords": 2}}],
              "output_guardrails": [{"contains": {"words": ["tok2"]}}]}
    response = send(gateway, config, {**CHAT, "stream": True})
    assert response.status_code == 246  # an input check failed (no deny)
    events = stream_events(response)
    assert events[-1] == "[DONE]"
    verdict = json.loads(events[-2])
    assert verdict["choices"] == [] and verdict["object"] == "chat.completion.chunk"
    after = verdict["hook_results"]["after_request_hooks"]
    assert after[0]["verdict"] is True and after[0]["checks"][0]["data"]["foundWords"] == ["tok2"]


def test_stream_output_deny_ends_with_an_error_event(client_for: Any, mock: MockOpenAI) -> None:
    config = {**leaf(mock), "output_guardrails": [{"contains": {"words": ["zebra"]}, "deny": True}]}
    client = client_for(headers={"x-portkey-config": json.dumps(config)}, chunks=3)
    seen = []
    with pytest.raises(openai.APIError) as raised:
        for chunk in client.chat.completions.create(model="gpt-4o", messages=CHAT["messages"], stream=True):
            seen += [c.delta.content for c in chunk.choices if c.delta.content]
    assert "".join(seen) == "tok0 tok1 tok2 " and "guardrail" in str(raised.value)


def test_sdk_streams_through_the_verdict_chunk(client_for: Any, mock: MockOpenAI) -> None:
    config = {**leaf(mock), "output_guardrails": [{"contains": {"words": ["tok1"]}}]}
    client = client_for(headers={"x-portkey-config": json.dumps(config)}, chunks=2)
    chunks = list(client.chat.completions.create(model="gpt-4o", messages=CHAT["messages"], stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "tok0 tok1 "
    assert chunks[-1].choices == [] and chunks[-1].model_extra["hook_results"]["after_request_hooks"]


def test_stream_input_deny_is_a_446_json(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {**leaf(mock), "input_guardrails": [{"contains": {"words": ["zebra"]}, "deny": True}]}
    response = send(gateway, config, {**CHAT, "stream": True})
    assert response.status_code == 446 and response.json()["error"]["type"] == "hooks_failed" and calls(mock) == 0


def test_non_strict_stream_starts_with_the_input_results(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {**leaf(mock, chunks=1), "input_guardrails": [{"wordCount": {"maxWords": 50}}]}
    response = send(gateway, config, {**CHAT, "stream": True}, {"x-portkey-strict-open-ai-compliance": "false"})
    first = json.loads(stream_events(response)[0])
    assert list(first) == ["hook_results"] and first["hook_results"]["before_request_hooks"][0]["verdict"]


# --- /v1/messages -----------------------------------------------------------------------------------
MESSAGES: Any = {"model": "claude-x", "max_tokens": 32, "messages": [{"role": "user", "content": [
    {"type": "text", "text": "first part"}, {"type": "text", "text": "secret zebra"}]}]}


@pytest.mark.parametrize("provider", ["openai", "anthropic"], ids=["via the hub", "native"])
def test_messages_route_hooks(gateway: GatewayServer, mock: MockOpenAI, provider: str) -> None:
    target = {"provider": provider, "api_key": "sk-ant-x", "custom_host": mock.url()}
    no_zebra = [{"contains": {"words": ["zebra"], "operator": "none"}, "deny": True}]  # text of the last message
    denied = send(gateway, {**target, "input_guardrails": no_zebra}, MESSAGES, path="/v1/messages")
    assert denied.status_code == 446 and calls(mock) == 0
    assert denied.json()["type"] == "error" and denied.json()["error"]["type"] == "hooks_failed"
    judged = send(gateway, {**target, "output_guardrails": [{"endsWith": {"suffix": "mock"}}]}, MESSAGES,
                  path="/v1/messages")
    assert judged.status_code == 200 and judged.json()["content"][0]["text"] == "hello from mock"
    assert judged.json()["hook_results"]["after_request_hooks"][0]["verdict"] is True


def test_messages_stream_with_the_anthropic_sdk(gateway: GatewayServer, mock: MockOpenAI) -> None:
    config = {"provider": "anthropic", "api_key": "sk-ant-x", "custom_host": mock.url(chunks=2),
              "output_guardrails": [{"contains": {"words": ["tok1"]}}]}
    client = anthropic.Anthropic(base_url=gateway.url, api_key="unused", max_retries=0, timeout=20,
                                 default_headers={"x-portkey-config": json.dumps(config)})
    with client.messages.stream(model="claude-x", max_tokens=10, messages=MESSAGES["messages"]) as stream:
        assert "".join(stream.text_stream) == "tok0 tok1 "
    raw = send(gateway, config, {**MESSAGES, "stream": True}, path="/v1/messages").text
    assert raw.index("event: hook_results\n") < raw.index("event: message_stop\n")
    denied = {**config, "output_guardrails": [{"contains": {"words": ["zebra"]}, "deny": True}]}
    client = anthropic.Anthropic(base_url=gateway.url, api_key="unused", max_retries=0, timeout=20,
                                 default_headers={"x-portkey-config": json.dumps(denied)})
    with pytest.raises(anthropic.APIError), client.messages.stream(model="claude-x", max_tokens=10,
                                                                   messages=MESSAGES["messages"]) as stream:
        list(stream.text_stream)


# --- every built-in check, passing and failing (deny) through the server -------------------------
PROMPT = "Hello world. This is fine."


def check_cases(base: str) -> list[tuple[str, dict[str, Any], dict[str, Any] | None, str, str]]:
    """(check, passing params, failing params, prompt when passing, prompt when failing)."""
    token = {"jwksUri": f"{base}/jwks", "headerKey": "x-user-jwt", "maxTokenAge": "100y"}
    return [
        ("regexMatch", {"rule": "world"}, {"rule": "zebra"}, PROMPT, PROMPT),
        ("regexReplace", {"rule": "zebra"}, {"rule": "world", "failOnDetection": True}, PROMPT, PROMPT),
        ("sentenceCount", {"maxSentences": 5}, {"maxSentences": 1}, PROMPT, PROMPT),
        ("wordCount", {"maxWords": 10}, {"maxWords": 2}, PROMPT, PROMPT),
        ("characterCount", {"maxCharacters": 100}, {"maxCharacters": 5}, PROMPT, PROMPT),
        ("jsonSchema", {"schema": {"required": ["a"]}}, {"schema": {"required": ["b"]}}, '{"a": 1}', '{"a": 1}'),
        ("jsonKeys", {"keys": ["a"]}, {"keys": ["b"], "operator": "all"}, '{"a": 1}', '{"a": 1}'),
        ("contains", {"words": ["world"]}, {"words": ["zebra"]}, PROMPT, PROMPT),
        ("validUrls", {}, {}, f"see {base}/ok", f"see {base}/gone"),
        ("containsCode", {"format": "Python"}, {"format": "SQL"}, "```py\nprint(1)\n```", "```py\nprint(1)\n```"),
        ("alluppercase", {}, {"not": True}, "HELLO", "HELLO"),
        ("alllowercase", {}, {"not": True}, "hello", "hello"),
        ("endsWith", {"suffix": "fine"}, {"suffix": "zebra"}, PROMPT, PROMPT),
        ("modelWhitelist", {"models": ["gpt-4o"]}, {"models": ["other"]}, PROMPT, PROMPT),
        ("modelRules", {"rules": {"defaults": ["gpt-4o"]}}, {"rules": {"defaults": ["x"]}}, PROMPT, PROMPT),
        ("allowedRequestTypes", {"allowedTypes": ["chatComplete"]}, {"blockedTypes": ["chatComplete"]}, PROMPT,
         PROMPT),
        ("requiredMetadataKeys", {"metadataKeys": ["user"]}, {"metadataKeys": ["team"]}, PROMPT, PROMPT),
        ("jwt", token, {**token, "headerKey": "x-missing"}, PROMPT, PROMPT),
        ("webhook", {"webhookURL": f"{base}/hook/pass"}, {"webhookURL": f"{base}/hook/fail"}, PROMPT, PROMPT),
        ("log", {"logURL": f"{base}/log"}, {"logURL": f"{base}/gone", "failOnError": True}, PROMPT, PROMPT),
        ("addPrefix", {"prefix": "Note: "}, None, PROMPT, PROMPT),
        ("notNull", {}, {"not": True}, PROMPT, PROMPT),
    ]


CHECK_NAMES = [case[0] for case in check_cases("")]


@pytest.mark.parametrize("check", CHECK_NAMES)
def test_every_check_through_the_server(gateway: GatewayServer, mock: MockOpenAI, hooks_web: Web,
                                        check: str) -> None:
    _, good, bad, good_prompt, bad_prompt = next(c for c in check_cases(hooks_web.base) if c[0] == check)
    side = "output_guardrails" if check == "notNull" else "input_guardrails"
    headers = {"x-portkey-metadata": json.dumps({"user": "u-1"}), "x-user-jwt": f"Bearer {JWT['tokens']['ES256']}"}

    def body(prompt: str) -> dict[str, Any]:
        return {**CHAT, "messages": [{"role": "user", "content": prompt}]}

    passed = send(gateway, {**leaf(mock), side: [{check: good, "deny": True}]}, body(good_prompt), headers)
    assert passed.status_code == 200, passed.text
    assert passed.json()["hook_results"][side.replace("input_guardrails", "before_request_hooks").replace(
        "output_guardrails", "after_request_hooks")][0]["verdict"] is True
    if bad is None:
        return
    before = calls(mock)
    failed = send(gateway, {**leaf(mock), side: [{check: bad, "deny": True}]}, body(bad_prompt), headers)
    assert failed.status_code == 446, failed.text
    assert calls(mock) == before + (1 if side == "output_guardrails" else 0)
