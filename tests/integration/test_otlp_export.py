"""Trace export over OTLP/HTTP (JSON) to a real receiver on loopback: one SERVER span per request, a
CLIENT span per upstream attempt, GenAI attributes, the caller's traceparent joined, and a collector that
is down never hurting a request."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from aiohttp import web

from tests.support.loopback import LoopbackServer
from tests.support.mock_openai import MockOpenAI
from tests.support.servers import GatewayServer, free_port

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
PARENT = "4bf92f3577b34da6a3ce929d0e0e4736"


class Receiver:
    """An OTLP/HTTP endpoint that keeps every export it is sent."""

    def __init__(self) -> None:
        self.exports: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.server = LoopbackServer(self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        assert request.path == "/v1/traces" and request.method == "POST"
        self.exports.append((dict(request.headers), json.loads(await request.read())))
        return web.json_response({"partialSuccess": {}})

    def spans(self) -> list[dict[str, Any]]:
        return [span for _, body in self.exports for rs in body["resourceSpans"] for ss in rs["scopeSpans"]
                for span in ss["spans"]]

    def wait_for(self, count: int) -> list[dict[str, Any]]:
        deadline = time.monotonic() + 10
        while len(self.spans()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.spans()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver.server.start()
    yield receiver
    receiver.server.stop()


def _attributes(span: dict[str, Any]) -> dict[str, Any]:
    return {a["key"]: next(iter(a["value"].values())) for a in span["attributes"]}


def test_a_fallback_request_exports_one_server_span_and_a_client_span_per_attempt(
        receiver: Receiver, mock: MockOpenAI) -> None:
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.server.base, "OTEL_SERVICE_NAME": "gw-test",
           "OTEL_EXPORTER_OTLP_HEADERS": "x-tenant=blue", "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=ci"}
    server = GatewayServer(env).start()
    config = json.dumps({"strategy": {"mode": "fallback"}, "targets": [
        {"provider": "openai", "api_key": "sk-a", "custom_host": mock.url(status=500)},
        {"provider": "groq", "api_key": "sk-b", "custom_host": mock.url(),
         "override_params": {"model": "llama-3.3-70b"}}]})
    try:
        response = httpx.post(server.url + "/v1/chat/completions", json=CHAT, timeout=10, headers={
            "x-portkey-config": config, "traceparent": f"00-{PARENT}-00f067aa0ba902b7-01"})
        assert response.status_code == 200
        spans = receiver.wait_for(3)
    finally:
        server.stop()
    assert len(spans) == 3
    headers, body = receiver.exports[0]
    assert headers["Content-Type"] == "application/json" and headers["x-tenant"] == "blue"
    resource = _attributes(body["resourceSpans"][0]["resource"])
    assert resource["service.name"] == "gw-test" and resource["deployment.environment"] == "ci"
    root = next(s for s in spans if s["kind"] == 2)
    children = sorted((s for s in spans if s["kind"] == 3), key=lambda s: int(s["startTimeUnixNano"]))
    assert root["traceId"] == PARENT and root["parentSpanId"] == "00f067aa0ba902b7"
    assert root["name"] == "POST /v1/chat/completions"
    assert all(c["traceId"] == PARENT and c["parentSpanId"] == root["spanId"] for c in children)
    first, second = (_attributes(c) for c in children)
    assert first["gen_ai.provider.name"] == "openai" and first["http.response.status_code"] == "500"
    assert children[0]["status"]["code"] == 2 and first["error.type"] == "500"
    assert second["gen_ai.provider.name"] == "groq" and second["gen_ai.request.model"] == "llama-3.3-70b"
    assert second["gen_ai.operation.name"] == "chat" and children[1]["name"] == "chat llama-3.3-70b"
    assert second["gen_ai.usage.input_tokens"] == "3" and second["gen_ai.usage.output_tokens"] == "3"
    assert second["server.address"] == "127.0.0.1" and "sk-" not in json.dumps(spans)
    top = _attributes(root)
    assert top["http.route"] == "/v1/chat/completions" and top["gen_ai.provider.name"] == "groq"
    assert top["portkey.target"] == "config.targets[1]"
    assert int(root["startTimeUnixNano"]) <= int(children[0]["startTimeUnixNano"])
    assert int(children[1]["endTimeUnixNano"]) <= int(root["endTimeUnixNano"])


def test_a_stream_span_ends_with_the_stream(receiver: Receiver, mock: MockOpenAI) -> None:
    server = GatewayServer({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": receiver.server.base + "/v1/traces"}).start()
    try:
        with httpx.stream("POST", server.url + "/v1/chat/completions", json={**CHAT, "stream": True}, headers={
                "x-portkey-provider": "openai", "x-portkey-custom-host": mock.url(chunks=3, gap=0.05),
                "authorization": "Bearer k"}, timeout=10) as response:
            response.read()
        spans = receiver.wait_for(2)
    finally:
        server.stop()
    root = next(s for s in spans if s["kind"] == 2)
    child = next(s for s in spans if s["kind"] == 3)
    assert _attributes(root)["portkey.stream"] is True
    assert int(root["endTimeUnixNano"]) - int(root["startTimeUnixNano"]) >= 150_000_000  # 3 gaps of 50 ms
    assert child["endTimeUnixNano"] == root["endTimeUnixNano"]


def test_a_collector_that_is_down_costs_no_request(mock: MockOpenAI) -> None:
    server = GatewayServer({"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{free_port()}"}).start()
    try:
        for _ in range(3):
            response = httpx.post(server.url + "/v1/chat/completions", json=CHAT, timeout=10, headers={
                "x-portkey-provider": "openai", "x-portkey-custom-host": mock.url(), "authorization": "Bearer k"})
            assert response.status_code == 200
        exporter = server.app.gateway.observe.exporter
        assert exporter is not None
        deadline = time.monotonic() + 10
        while exporter.failures == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert exporter.failures >= 1 and exporter.sent == 0
    finally:
        server.stop()


def test_no_otel_variables_means_no_exporter(gateway: GatewayServer) -> None:
    assert gateway.app.gateway.observe.exporter is None
    assert gateway.app.gateway.observe.sinks == ()
