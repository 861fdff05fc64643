"""The core with fake ports: no sockets, no runtime, instant clock."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from gateway.app import Gateway
from gateway.http import Headers, Request
from gateway.providers import get_provider
from gateway.routes import match
from gateway.routing.conditional import matches
from gateway.routing.targets import inherit, pick_weighted
from gateway.settings import Settings
from gateway.transform.params import Param, map_params
from tests.unit.fakes import FakeTransport, FakeUpstream, InstantClock, json_reply, refused


def run(gateway: Gateway, headers: dict[str, str], body: Any = None, path: str = "/v1/chat/completions",
        method: str = "POST"):  # type: ignore[no-untyped-def]
    raw = b"" if body is None else json.dumps(body).encode()
    return asyncio.run(gateway.handle(Request(method, path, "", Headers(headers), raw)))


def make(reply: Any, draw: float = 0.5) -> tuple[Gateway, FakeTransport, InstantClock]:
    transport = FakeTransport(reply)
    clock = InstantClock(draw)
    return Gateway(Settings(), transport, clock), transport, clock


HEADERS = {"x-portkey-provider": "openai", "authorization": "Bearer sk-1"}
CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}


def test_param_engine_whitelists_clamps_and_defaults() -> None:
    spec = {"model": Param("model", default="m0", required=True), "t": Param("temp", min=0, max=2),
            "n": Param("n", default=1), "nested": Param("a.b"), "d": Param("d", default="dflt")}
    out = map_params(spec, {"t": 9, "unknown": 1, "nested": 3, "d": "portkey-default"}, {})
    assert out == {"model": "m0", "temp": 2, "a": {"b": 3}, "d": "dflt"}


def test_routes_table() -> None:
    assert match("GET", "/v1/files/f1/content").fn == "retrieveFileContent"  # type: ignore[union-attr]
    assert match("POST", "/v1/fine_tuning/jobs/j/cancel").path_params == {"id": "j"}  # type: ignore[union-attr]
    assert match("GET", "/v1/models").fn == "proxy"  # type: ignore[union-attr]
    assert match("PUT", "/v1/models") is None and match("GET", "/v2/x") is None


def test_openai_chat_goes_to_provider_url_with_mapped_body() -> None:
    gateway, transport, _ = make(lambda sent: json_reply())
    response = run(gateway, HEADERS, {**CHAT, "top_k": 3})
    assert response.status == 200 and response.body == b'{"ok": true}'
    sent = transport.sent[0]
    assert sent.url == "https://api.openai.com/v1/chat/completions"
    assert sent.headers["authorization"] == "Bearer sk-1"
    assert json.loads(sent.body or b"") == CHAT


def test_azure_url_is_built_from_options() -> None:
    provider = get_provider("azure-openai")
    assert provider is not None
    gateway, transport, _ = make(lambda sent: json_reply())
    run(gateway, {"x-portkey-provider": "azure-openai", "authorization": "k", "x-portkey-azure-resource-name": "r",
                  "x-portkey-azure-deployment-id": "d", "x-portkey-azure-api-version": "2024-06-01"},
        {"input": "x"}, "/v1/embeddings")
    assert transport.sent[0].url == "https://r.openai.azure.com/openai/deployments/d/embeddings?api-version=2024-06-01"
    assert transport.sent[0].headers["api-key"] == "k"


def test_every_compatible_provider_builds() -> None:
    from gateway.providers.catalog import VALID_PROVIDERS
    from gateway.providers.compatible import TABLE

    assert set(TABLE) <= VALID_PROVIDERS
    for slug, (_, prefix, fns) in TABLE.items():
        provider = get_provider(slug)
        assert provider is not None and provider.supports("proxy")
        assert all(provider.endpoints[fn].startswith(prefix + "/") for fn in fns)


def test_proxy_only_and_body_as_is_providers() -> None:
    gateway, transport, _ = make(lambda sent: json_reply())
    chat = run(gateway, {"x-portkey-provider": "replicate", "authorization": "r8"}, CHAT)
    assert chat.status == 400 and json.loads(chat.body)["message"] == "chatComplete is not supported by replicate"
    run(gateway, {"x-portkey-provider": "replicate", "authorization": "r8"}, path="/v1/predictions/p1", method="GET")
    assert transport.sent[-1].url == "https://api.replicate.com/v1/predictions/p1"
    run(gateway, {"x-portkey-provider": "jina", "authorization": "j"},
        {"model": "jina-embeddings-v3", "input": ["a"], "task": "retrieval.query"}, "/v1/embeddings")
    assert json.loads(transport.sent[-1].body or b"")["task"] == "retrieval.query"


def test_error_body_is_normalised_and_stream_closed() -> None:
    upstream = json_reply(500, b'{"error": {"message": "boom", "type": "server_error"}}')
    gateway, _, _ = make(lambda sent: upstream)
    response = run(gateway, HEADERS, CHAT)
    assert response.status == 500 and upstream.closed
    assert json.loads(response.body) == {"error": {"message": "openai error: boom", "type": "server_error",
                                                   "param": None, "code": None}, "provider": "openai"}


def test_streamed_body_is_an_iterator_that_closes_upstream() -> None:
    upstream = FakeUpstream(200, Headers({"content-type": "text/event-stream"}), [b"data: 1\n\n", b"data: [DONE]\n\n"])
    gateway, _, _ = make(lambda sent: upstream)

    async def go() -> list[bytes]:
        response = await gateway.handle(Request("POST", "/v1/chat/completions", "", Headers(HEADERS),
                                                json.dumps({**CHAT, "stream": True}).encode()))
        assert response.streaming
        return [chunk async for chunk in response.body]  # type: ignore[union-attr]

    assert asyncio.run(go()) == [b"data: 1\n\n", b"data: [DONE]\n\n"] and upstream.closed


def test_retry_waits_through_injected_clock() -> None:
    gateway, transport, clock = make(refused)
    config = {"provider": "openai", "api_key": "k", "retry": {"attempts": 3}}
    response = run(gateway, {"x-portkey-config": json.dumps(config)}, CHAT)
    assert response.status == 503 and response.headers["x-portkey-retry-attempt-count"] == "-1"
    assert clock.waits == [1.0, 2.0, 4.0] and len(transport.sent) == 4  # type: ignore[attr-defined]


def test_unexpected_exception_is_a_clean_500() -> None:
    gateway, _, _ = make(lambda sent: RuntimeError("secret internals sk-1"))
    response = run(gateway, HEADERS, CHAT)
    assert response.status == 500 and b"sk-1" not in response.body
    assert json.loads(response.body) == {"status": "failure", "message": "Something went wrong"}


@pytest.mark.parametrize(("query", "expected"), [
    ({"metadata.tier": "gold"}, True),
    ({"metadata.tier": {"$ne": "gold"}}, False),
    ({"metadata.level": {"$gte": "3"}}, True),
    ({"metadata.level": 3.0}, True),
    ({"metadata.level": "3"}, False),
    ({"metadata.tier": {"$in": "gold"}}, False),
    ({"metadata.tier": {"$nin": ["x"]}}, True),
    ({"metadata.tier": {"$regex": "^go"}}, True),
    ({"metadata.tier": {"$regex": "("}}, False),
    ({"$and": [{"metadata.tier": "gold"}, {"params.model": "m"}]}, True),
    ({"$or": [{"metadata.tier": "x"}, {"params.model": "y"}]}, False),
    ({"metadata.missing": {"$ne": 1}}, True),
    ({"metadata.tier.deep": "gold"}, False),
])
def test_conditional_operators(query: dict[str, Any], expected: bool) -> None:
    context = {"metadata": {"tier": "gold", "level": 3}, "params": {"model": "m"}}
    assert matches(query, context) is expected


def test_weighted_pick_and_inheritance() -> None:
    targets: list[dict[str, Any]] = [{"weight": 0}, {}, {"weight": 2}]
    assert [pick_weighted(targets, d) for d in (0.0, 0.33, 0.34, 0.99)] == [1, 1, 2, 2]
    parent = {"override_params": {"a": 1, "b": 1}, "retry": {"attempts": 2}, "request_timeout": 5}
    child = inherit(parent, {"override_params": {"b": 2}, "retry": {"attempts": 0}})
    assert child == {"override_params": {"a": 1, "b": 2}, "retry": {"attempts": 0}, "request_timeout": 5}


def test_oversized_json_body_is_413(monkeypatch: pytest.MonkeyPatch) -> None:
    import gateway.app

    monkeypatch.setattr(gateway.app, "MAX_JSON_BODY", 100)
    gateway_, transport, _ = make(lambda sent: json_reply())

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b"x" * 50

    response = asyncio.run(gateway_.handle(Request("POST", "/v1/chat/completions", "", Headers(HEADERS), chunks())))
    assert response.status == 413 and transport.sent == []


@pytest.mark.parametrize(("headers", "expected"), [
    ({"retry-after-ms": "250"}, 250.0),
    ({"x-ms-retry-after-ms": "300", "retry-after": "9"}, 300.0),
    ({"retry-after": "2"}, 2000.0),
    ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, None),
    ({}, None),
])
def test_retry_after_header_precedence(headers: dict[str, str], expected: float | None) -> None:
    from gateway.routing.retry import retry_after_ms

    assert retry_after_ms(Headers(headers)) == expected


def test_retry_after_applies_to_429_only() -> None:
    gateway, transport, clock = make(lambda sent: json_reply(503, b'{"error": {"message": "busy"}}',
                                                             **{"retry-after": "7"}))
    config = {"provider": "openai", "api_key": "k", "retry": {"attempts": 2, "use_retry_after_header": True}}
    response = run(gateway, {"x-portkey-config": json.dumps(config)}, CHAT)
    assert response.status == 503 and clock.waits == [1.0, 2.0]  # type: ignore[attr-defined]
    assert len(transport.sent) == 3
