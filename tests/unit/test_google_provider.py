"""Google Gemini provider: golden fixtures (tests/fixtures/google/*.json) plus the few behaviours
that are not a body-to-body mapping (URL, auth header, registry, robustness).

A fixture is one JSON object. ``endpoint`` (default ``chatComplete``), ``strict`` (default true)
and ``model`` (the MapContext model, default null) set the context; its kind is given by the
input key it holds:

- ``hub_request`` -> ``upstream_request`` (Translation.request)
- ``upstream_response`` -> ``hub_response`` (Translation.response, a 2xx body)
- ``upstream_error`` ``{status, body | text}`` -> ``hub_response`` (Translation.error)
- ``upstream_events`` -> ``hub_events`` (Translation.stream), each ``{"event"?: name, "data": ...}``

The upstream sides follow Gemini's documented REST shapes (``GenerateContentResponse``,
``:streamGenerateContent?alt=sse`` events, ``google.rpc.Status`` errors).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from gateway.errors import GatewayError
from gateway.providers import get_provider
from gateway.providers.base import Translation
from gateway.providers.google import CHAT, EMBED, PROVIDER, gemini_schema
from gateway.providers.unserved import REASONS
from gateway.transform.events import DONE, Event, MapContext
from gateway.upstream import url_options

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "google"
KINDS = {"hub_request": "upstream_request", "upstream_response": "hub_response",
         "upstream_error": "hub_response", "upstream_events": "hub_events"}


def _cases(kind: str) -> list[Any]:
    cases = []
    for path in sorted(FIXTURES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        if kind in case:
            cases.append(pytest.param(case, id=path.stem))
    return cases


def _ctx(case: dict[str, Any]) -> MapContext:
    return MapContext(provider="google", model=case.get("model"), strict=case.get("strict", True),
                      created=1700000000, fallback_id="google-1")


def _translation(case: dict[str, Any]) -> Translation:
    return PROVIDER.translations[case.get("endpoint", "chatComplete")]


def _wire(event: Event) -> dict[str, Any]:
    return {"event": event.name, "data": event.data} if event.name else {"data": event.data}


def test_every_fixture_has_exactly_one_kind() -> None:
    paths = sorted(FIXTURES.glob("*.json"))
    assert len(paths) >= 50
    for path in paths:
        case = json.loads(path.read_text(encoding="utf-8"))
        kinds = [kind for kind in KINDS if kind in case]
        assert len(kinds) == 1 and KINDS[kinds[0]] in case, path.name


@pytest.mark.parametrize("case", _cases("hub_request"))
def test_request(case: dict[str, Any]) -> None:
    hub = case["hub_request"]
    before = copy.deepcopy(hub)
    assert _translation(case).request(hub, {}, _ctx(case)) == case["upstream_request"]
    assert hub == before  # the mapper never edits the client's body


@pytest.mark.parametrize("case", _cases("upstream_response"))
def test_response(case: dict[str, Any]) -> None:
    assert _translation(case).response(case["upstream_response"], _ctx(case)) == case["hub_response"]


@pytest.mark.parametrize("case", _cases("upstream_error"))
def test_error(case: dict[str, Any]) -> None:
    error = case["upstream_error"]
    text = error["text"] if "text" in error else json.dumps(error["body"])
    out = _translation(case).error(error["status"], error.get("body"), text, _ctx(case))
    assert out == case["hub_response"]


@pytest.mark.parametrize("case", _cases("upstream_events"))
def test_stream(case: dict[str, Any]) -> None:
    mapper = _translation(case).stream(_ctx(case))
    out: list[Event] = []
    for event in case["upstream_events"]:
        out += mapper.feed(Event(event["data"], event.get("event")))
    out += mapper.end()
    assert [_wire(event) for event in out] == case["hub_events"]


# --- provider data ------------------------------------------------------------------------------

def test_registry_endpoints_and_public_names() -> None:
    provider = get_provider("google")
    assert provider is PROVIDER and "google" not in REASONS
    assert provider.base_url == "https://generativelanguage.googleapis.com"
    assert set(provider.translations) == {"chatComplete", "embed"}
    assert provider.translations["chatComplete"] is CHAT and provider.translations["embed"] is EMBED
    assert CHAT.framing == "sse"
    assert provider.option_headers == ()  # upstream reads no x-portkey-* header for google


def _url(fn: str, params: dict[str, Any], base: str = PROVIDER.base_url) -> str:
    assert PROVIDER.build_url is not None
    return PROVIDER.build_url(PROVIDER, url_options({"api_key": "k"}, params), fn, base, {}, "")


@pytest.mark.parametrize(("fn", "params", "expected"), [
    ("chatComplete", {"model": "gemini-2.5-flash"},
     "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"),
    ("chatComplete", {"model": "gemini-2.5-flash", "stream": True},
     "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"),
    ("chatComplete", {"model": "models/gemini-2.5-pro", "stream": False},
     "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent"),
    ("chatComplete", {"model": "tunedModels/my-model-7"},
     "https://generativelanguage.googleapis.com/v1beta/tunedModels/my-model-7:generateContent"),
    ("chatComplete", {"model": "gemini:evil?key=x"},
     "https://generativelanguage.googleapis.com/v1beta/models/gemini%3Aevil%3Fkey%3Dx:generateContent"),
    ("embed", {"model": "gemini-embedding-001", "stream": True},
     "https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents"),
])
def test_urls_carry_the_model_and_never_the_key(fn: str, params: dict[str, Any], expected: str) -> None:
    assert _url(fn, params) == expected


def test_custom_host_is_the_base() -> None:
    assert _url("chatComplete", {"model": "m", "stream": True}, "http://127.0.0.1:9/x") == \
        "http://127.0.0.1:9/x/v1beta/models/m:streamGenerateContent?alt=sse"


@pytest.mark.parametrize("params", [{}, {"model": ""}, {"model": 5}, {"model": "/"}])
def test_a_missing_model_is_a_400(params: dict[str, Any]) -> None:
    with pytest.raises(GatewayError) as raised:
        _url("chatComplete", params)
    assert raised.value.status == 400 and "Model is required" in raised.value.message


def test_unsupported_fn_is_refused() -> None:
    with pytest.raises(GatewayError):
        _url("imageGenerate", {"model": "m"})


@pytest.mark.parametrize(("options", "expected"), [
    ({"api_key": "AIza-test"}, {"x-goog-api-key": "AIza-test"}),
    ({}, {}),
])
def test_headers(options: dict[str, str], expected: dict[str, str]) -> None:
    assert PROVIDER.request_headers(options, "chatComplete") == expected


# --- robustness ---------------------------------------------------------------------------------

ODD_PARAMS: list[Any] = [
    {}, {"messages": None}, {"messages": "hi"}, {"messages": [{}, None, 3]}, {"messages": [{"role": "assistant"}]},
    {"messages": [{"role": "assistant", "tool_calls": [None, {"function": None}, {"function": {"arguments": 3}}]}]},
    {"messages": [{"role": "assistant", "content_blocks": [None, 1, {"type": "thinking"}], "content": 5}]},
    {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": None}, {"type": "file"},
                                               {"type": "input_audio", "input_audio": {"data": 1}}, None]}]},
    {"messages": [{"role": "tool", "tool_call_id": None, "content": {"x": 1}}]},
    {"tools": [None, {"type": 3}, {"function": "x"}, {"function": {"name": "f", "parameters": "nope"}}],
     "tool_choice": {"type": "function"}},
    {"tools": [{"function": {"name": "f", "parameters": {"properties": {"a": None, "b": {"items": 1}},
                                                           "$ref": "#/$defs/missing"}}}]},
    {"thinking": {"budget_tokens": "big", "type": "enabled"}, "stop": [1, None], "temperature": True,
     "reasoning_effort": 7, "response_format": {"type": "json_schema", "json_schema": None}, "n": "2",
     "modalities": [None], "max_tokens": 1.5},
]


@pytest.mark.parametrize("params", ODD_PARAMS)
def test_odd_requests_never_raise(params: dict[str, Any]) -> None:
    body = CHAT.request(params, {}, MapContext(provider="google"))
    assert isinstance(body, dict) and isinstance(body["contents"], list)


@pytest.mark.parametrize("body", [None, [], "text", {"candidates": "x"}, {"candidates": [None, 1]},
                                  {"candidates": [{"content": {"parts": [None, {"functionCall": 1}]}}]},
                                  {"promptFeedback": None}])
def test_odd_responses_never_raise(body: Any) -> None:
    out = CHAT.response(body, MapContext(provider="google"))
    assert "error" in out or out["choices"][0]["message"]["content"] in ("", None)


@pytest.mark.parametrize("data", [None, "x", [], {}, {"candidates": None}, {"candidates": [None]},
                                  {"candidates": [{"content": None}]}, {"promptFeedback": {}},
                                  {"candidates": [{"content": {"parts": "x"}, "index": "0"}]}, {"error": None}])
def test_odd_stream_events_never_raise(data: Any) -> None:
    mapper = CHAT.stream(MapContext(provider="google"))
    out = mapper.feed(Event(data))
    assert isinstance(out, list) and all(e.data != DONE for e in out)
    assert mapper.end() == []


def test_recursive_schema_refs_end_as_open_objects() -> None:
    schema = {"type": "object", "properties": {"child": {"$ref": "#/definitions/Node"}},
              "definitions": {"Node": {"type": "object", "properties": {"next": {"$ref": "#/definitions/Node"}}}}}
    before = copy.deepcopy(schema)
    assert gemini_schema(schema) == {"type": "object", "properties": {"child": {
        "type": "object", "properties": {"next": {"type": "object"}}}}}
    assert schema == before


def test_vertex_slug_flows_through_the_shared_mappers() -> None:
    """Another provider reusing CHAT/EMBED gets its own slug in answers and errors."""
    ctx = MapContext(provider="vertex-ai", created=1, fallback_id="vertex-ai-1")
    answer = CHAT.response({"candidates": [{"content": {"parts": [{"text": "x"}]}, "finishReason": "STOP"}]}, ctx)
    assert answer["provider"] == "vertex-ai" and answer["id"] == "vertex-ai-1"
    error = CHAT.error(400, {"error": {"code": 400, "message": "bad", "status": "INVALID_ARGUMENT"}}, "", ctx)
    assert error["provider"] == "vertex-ai" and error["error"]["message"] == "vertex-ai error: bad"


@pytest.mark.parametrize("value", [[1, 2, 3], [[1, 2]], ["ok", 5], [], None])
def test_embedding_input_gemini_cannot_take_is_a_400(value: Any) -> None:
    with pytest.raises(GatewayError) as raised:
        EMBED.request({"model": "gemini-embedding-001", "input": value}, {}, MapContext(provider="google"))
    assert raised.value.status == 400


def test_no_stream_for_embeddings() -> None:
    mapper = EMBED.stream(MapContext(provider="google"))
    assert mapper.feed(Event({"embeddings": []})) == [] and mapper.end() == []
