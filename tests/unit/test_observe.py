"""Observability in the core, without sockets: token scans, redaction, the metrics text (read back by
prometheus_client's parser), settings, the live log's bounds, and the OTLP span shapes."""

from __future__ import annotations

import asyncio
import json

import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.clock import Clock
from gateway.http import Headers, Request, Response
from gateway.observe import Observability
from gateway.observe.livelog import QUEUE_LIMIT, LiveLog
from gateway.observe.metrics import Metrics
from gateway.observe.otlp import parse_traceparent, spans, start
from gateway.observe.scrub import MASK, body_view, headers_view
from gateway.observe.settings import ObserveSettings, OtlpSettings, token_digest
from gateway.observe.trace import Trace, route_template
from gateway.observe.usage import UsageScan
from gateway.serverconfig import ServerConfigError
from gateway.settings import Settings


class FakePrepared:
    def __init__(self, slug: str = "openai", url: str = "https://api.example/v1/chat?key=SECRET", model: str = "m"):
        self.provider = type("P", (), {"slug": slug})()
        self.url = url
        self.plan = type("Plan", (), {"ctx": type("Ctx", (), {"model": model})()})()
        self.streaming = False


class FakeOutcome:
    def __init__(self, status: int) -> None:
        self.status = status


def _trace(path: str = "/v1/chat/completions", fn: str = "chatComplete", **headers: str) -> Trace:
    request = Request("POST", path, "", Headers(headers), b'{"model":"m"}')
    trace = Trace(request, iter(range(0, 1000, 1)).__next__, 1_700_000_000.0, True, 4096)
    trace.fn = fn
    return trace


def _run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


# --- token counts ----------------------------------------------------------------------------------
def test_usage_from_a_whole_openai_body() -> None:
    scan = UsageScan()
    scan.feed(b'{"choices":[{"message":{"content":"say \\"usage\\": no"}}],"usage":{"prompt_tokens":12,'
              b'"completion_tokens":7,"total_tokens":19}}')
    assert (scan.input, scan.output) == (12, 7)


def test_usage_split_across_chunks_and_nulls_ignored() -> None:
    scan = UsageScan()
    stream = (b'data: {"choices":[{"delta":{"content":"a"}}],"usage":null}\n\n'
              b'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5}}\n\ndata: [DONE]\n\n')
    for i in range(0, len(stream), 7):
        scan.feed(stream[i:i + 7])
    assert (scan.input, scan.output) == (3, 5)


def test_usage_from_anthropic_events() -> None:
    scan = UsageScan()
    scan.feed(b'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":25,'
              b'"output_tokens":1}}}\n\n')
    scan.feed(b'event: message_delta\ndata: {"type":"message_delta","usage":{"output_tokens":42}}\n\n')
    assert (scan.input, scan.output) == (25, 42)


# --- redaction ---------------------------------------------------------------------------------------
def test_headers_view_masks_credentials_but_not_portkey_names() -> None:
    headers = Headers({"authorization": "Bearer sk-live-abcdefghijklmnopqrstuvwxyz", "x-api-key": "k",
                       "x-portkey-api-key": "pk", "x-portkey-provider": "openai", "cookie": "a=b",
                       "x-portkey-aws-secret-access-key": "s", "x-portkey-vertex-service-account-json": "{}",
                       "x-portkey-config": '{"provider":"openai","api_key":"sk-inline-1234567890abcdef"}'})
    view = headers_view(headers)
    for name in ("authorization", "x-api-key", "x-portkey-api-key", "cookie", "x-portkey-aws-secret-access-key",
                 "x-portkey-vertex-service-account-json"):
        assert view[name] == MASK, name
    assert view["x-portkey-provider"] == "openai"
    assert json.loads(view["x-portkey-config"]) == {"provider": "openai", "api_key": MASK}


def test_body_view_truncates_masks_and_hides_binary() -> None:
    body = b'{"api_key":"abc","max_tokens":64,"note":"my key is sk-proj-0123456789abcdefghij","x":"' \
        + b"y" * 100 + b'"}'
    text, cut = body_view(body, 80, secrets=("server-held-secret",))
    assert cut and len(text.encode()) <= 90
    assert '"api_key":"[REDACTED]"' in text and '"max_tokens":64' in text and "sk-proj" not in text
    assert body_view(b"server-held-secret!", 100, ("server-held-secret",))[0] == MASK + "!"
    assert body_view(b"\x89PNG\x00\x01", 100)[0].startswith("[binary body")


# --- metrics -----------------------------------------------------------------------------------------
def _families(text: bytes) -> dict[str, list[tuple[str, dict[str, str], float]]]:
    out: dict[str, list[tuple[str, dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text.decode()):
        out[family.name] = [(s.name, s.labels, s.value) for s in family.samples]
    return out


def test_metrics_text_parses_and_counts() -> None:
    metrics = Metrics()
    trace = _trace()
    trace.status, trace.provider, trace.duration_ms, trace.ttfb_ms = 200, "groq", 120.0, 30.0
    trace.attempts = []
    for slug, target, status in (("openai", "config.targets[0]", 500), ("openai", "config.targets[0]", 503),
                                 ("groq", "config.targets[1]", 200)):
        attempt = _run(trace.attempt(FakePrepared(slug), target, asyncio.sleep(0, FakeOutcome(status))))
        assert attempt.status == status
    trace.usage.feed(b'"usage":{"prompt_tokens":10,"completion_tokens":4}')
    trace.cache("MISS")
    trace.guardrail("default.regexMatch", "pass")
    trace.retries = trace.retry_count  # as Observability.end sets it
    metrics.record(trace)
    families = _families(metrics.text())
    assert ("gateway_requests_total", {"route": "/v1/chat/completions", "provider": "groq", "status": "200"},
            1.0) in families["gateway_requests"]
    attempts = {(s[1]["provider"], s[1]["status"]): s[2] for s in families["gateway_upstream_attempts"]}
    assert attempts == {("openai", "500"): 1, ("openai", "503"): 1, ("groq", "200"): 1}
    assert families["gateway_upstream_retries"][0][2] == 1
    assert families["gateway_fallbacks"][0][2] == 1
    assert families["gateway_cache_requests"][0][1] == {"status": "miss"}
    assert families["gateway_guardrail_verdicts"][0][1] == {"check": "default.regexMatch", "verdict": "pass"}
    tokens = {s[1]["type"]: s[2] for s in families["gateway_tokens"]}
    assert tokens == {"input": 10, "output": 4}
    buckets = {s[1]["le"]: s[2] for s in families["gateway_request_duration_seconds"] if s[0].endswith("_bucket")}
    assert buckets["0.1"] == 0 and buckets["0.25"] == 1 and buckets["+Inf"] == 1
    assert families["gateway_open_streams"][0][2] == 0


def test_metric_label_values_are_escaped() -> None:
    metrics = Metrics()
    trace = _trace()
    trace.status, trace.provider = 400, 'odd"name\\with\nnewline'
    metrics.record(trace)
    samples = _families(metrics.text())["gateway_requests"]
    assert samples[0][1]["provider"] == 'odd"name\\with\nnewline'


def test_route_templates_bound_the_labels() -> None:
    assert route_template("retrieveFile") == "/v1/files/{id}"
    assert route_template("proxy") == "/v1/*"
    assert route_template("") == "unmatched"


# --- settings ----------------------------------------------------------------------------------------
def test_observability_is_off_by_default() -> None:
    settings = Settings.from_mapping({})
    assert settings.observe.otlp is None and not settings.observe.metrics_on
    observe = Observability.build(settings.observe, transport=None, clock=Clock(), runtime="test")  # type: ignore[arg-type]
    assert observe.sinks == ()
    request = Request("POST", "/v1/chat/completions", "", Headers(), b"{}")
    trace = observe.begin(request)
    response = Response(200, Headers(), b"{}")
    assert not trace.recorded and observe.end(trace, response) is response


def test_tokens_may_be_configured_hashed() -> None:
    assert token_digest("sha256:" + "A" * 64) == "a" * 64
    assert token_digest("plain") == token_digest("sha256:" + token_digest("plain"))  # type: ignore[operator]
    assert ObserveSettings.from_mapping({"ADMIN_TOKEN": "secret-admin"}).secrets == ("secret-admin",)


def test_otel_settings_follow_the_spec_variables() -> None:
    otlp = OtlpSettings.from_mapping({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/",
                                      "OTEL_EXPORTER_OTLP_HEADERS": "x-team=a%20b,authorization=Bearer%20t",
                                      "OTEL_SERVICE_NAME": "edge", "OTEL_TRACES_SAMPLER": "traceidratio",
                                      "OTEL_TRACES_SAMPLER_ARG": "0.25"})
    assert otlp is not None
    assert otlp.url == "http://collector:4318/v1/traces"
    assert dict(otlp.headers) == {"x-team": "a b", "authorization": "Bearer t"}
    assert (otlp.service_name, otlp.ratio, otlp.parent_based) == ("edge", 0.25, False)
    exact = OtlpSettings.from_mapping({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://x/api/traces",
                                       "OTEL_EXPORTER_OTLP_ENDPOINT": "http://ignored"})
    assert exact is not None and exact.url == "https://x/api/traces"
    for off in ({"OTEL_SDK_DISABLED": "true"}, {"OTEL_TRACES_EXPORTER": "none"}):
        assert OtlpSettings.from_mapping({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", **off}) is None


@pytest.mark.parametrize(("env", "message"), [
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "http/json"),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, "http(s) URL"),
    ({"LIVE_LOG_SIZE": "many"}, "whole number"),
    ({"REQUEST_LOG": "xml"}, "REQUEST_LOG"),
])
def test_bad_settings_stop_start_up_with_the_reason(env: dict[str, str], message: str) -> None:
    with pytest.raises(ServerConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_mapping(env)


# --- live log ----------------------------------------------------------------------------------------
def test_live_log_is_a_bounded_ring_with_replay() -> None:
    async def scenario() -> list[bytes]:
        live = LiveLog(size=3, body_bytes=16)
        for number in range(1, 6):
            trace = _trace(authorization="Bearer sk-top-secret-value-123456")
            trace.id, trace.status = number, 200
            live.record(trace)
        assert [e.id for e in live.entries] == [3, 4, 5]
        feed = live.feed(last_id=3, heartbeat=60)
        events = [await feed.__anext__() for _ in range(2)]
        await feed.aclose()
        assert live.subscribers == 0
        return events

    events = _run(scenario())
    assert events[0].startswith(b"retry: 2000\nevent: connected")
    assert events[1].startswith(b"id: 4\nevent: log") and b"\n\nid: 5\n" in events[1]
    assert b"sk-top-secret" not in b"".join(events)


def test_a_slow_subscriber_is_dropped_not_buffered_forever() -> None:
    async def scenario() -> int:
        live = LiveLog(size=10, body_bytes=0)
        feed = live.feed(last_id=0, heartbeat=60)
        await feed.__anext__()  # connected: now subscribed, but reads nothing more
        for number in range(QUEUE_LIMIT + 5):
            trace = _trace()
            trace.id = number + 1
            live.record(trace)
        subscribers = live.subscribers
        await feed.aclose()
        return subscribers

    assert _run(scenario()) == 0


# --- traces ------------------------------------------------------------------------------------------
def test_traceparent_is_parsed_or_refused() -> None:
    good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    assert parse_traceparent(good) == ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", True)
    for bad in ("", "00-xyz-00f067aa0ba902b7-01", "00-" + "0" * 32 + "-00f067aa0ba902b7-01", "ff-" + good[3:]):
        assert parse_traceparent(bad) is None


def test_spans_follow_the_genai_conventions() -> None:
    settings = OtlpSettings(url="http://c/v1/traces")
    trace = _trace(traceparent="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    start(trace, settings)
    assert trace.sampled and trace.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    trace.status, trace.provider, trace.duration_ms = 200, "openai", 50.0
    _run(trace.attempt(FakePrepared(model="gpt-4o-mini"), "config", asyncio.sleep(0, FakeOutcome(200))))
    trace.usage.feed(b'"usage":{"prompt_tokens":10,"completion_tokens":4}')
    root, child = (json.loads(span) for span in spans(trace))
    assert root["kind"] == 2 and root["parentSpanId"] == "00f067aa0ba902b7"
    assert child["kind"] == 3 and child["parentSpanId"] == root["spanId"] and child["traceId"] == root["traceId"]
    assert child["name"] == "chat gpt-4o-mini"
    attributes = {a["key"]: a["value"] for a in child["attributes"]}
    assert attributes["gen_ai.operation.name"] == {"stringValue": "chat"}
    assert attributes["gen_ai.provider.name"] == {"stringValue": "openai"}
    assert attributes["gen_ai.usage.input_tokens"] == {"intValue": "10"}
    assert attributes["url.full"] == {"stringValue": "https://api.example/v1/chat"}  # the query (?key=) is gone
    assert attributes["server.address"] == {"stringValue": "api.example"}


def test_sampling_ratio_zero_records_nothing() -> None:
    trace = _trace()
    start(trace, OtlpSettings(url="http://c", ratio=0.0, parent_based=False))
    assert not trace.sampled


def test_hook_results_become_check_verdicts() -> None:
    trace = _trace()
    trace.hooks([{"id": "h1", "deny": True, "checks": [{"id": "default.contains", "verdict": True},
                                                       {"id": "default.regexMatch", "verdict": False}]},
                 {"id": "h2", "deny": False, "checks": [{"id": "default.webhook", "verdict": False, "error": {}},
                                                        {"id": "default.wordCount", "verdict": False}]}])
    assert trace.guardrails == [("default.contains", "pass"), ("default.regexMatch", "deny"),
                                ("default.webhook", "error"), ("default.wordCount", "fail")]


def test_client_chosen_check_names_cannot_grow_the_metrics_forever() -> None:
    metrics = Metrics()
    for number in range(1000):
        trace = _trace()
        trace.guardrail(f"plugin.check{number}", "error")
        metrics.record(trace)
    assert len(metrics.guardrails.values) <= 257


def test_the_edge_says_why_there_is_no_live_log_or_metrics() -> None:
    settings = ObserveSettings.from_mapping({"ADMIN_TOKEN": "edge-admin-token", "METRICS_TOKEN": "edge-metrics"})
    observe = Observability(settings, runtime="Cloudflare Workers")  # what worker_runtime builds per request

    def answer(path: str, token: str) -> Response:
        request = Request("GET", path, "", Headers({"authorization": f"Bearer {token}"}))
        routed = observe.route(request)
        assert routed is not None
        return _run(routed)

    for path, token in (("/log/stream", "edge-admin-token"), ("/metrics", "edge-metrics")):
        response = answer(path, token)
        assert response.status == 501 and b"Cloudflare Workers" in response.body, path  # type: ignore[operator]
    assert observe.route(Request("POST", "/v1/chat/completions")) is None


@pytest.mark.parametrize(("url", "expected"), [
    ("https://api.openai.com/v1/chat", ("api.openai.com", None)),
    ("http://127.0.0.1:8080/v1", ("127.0.0.1", 8080)),
    ("http://[::1]:9/v1", ("::1", 9)),
    ("https://user:pw@host.example/x", ("host.example", None)),
])
def test_server_address_and_port_from_an_upstream_url(url: str, expected: tuple[str, int | None]) -> None:
    from gateway.observe.otlp import _host_port

    assert _host_port(url) == expected
