"""Google Gemini provider: golden fixtures (tests/fixtures/google/*.json) plus the few behaviours
that are not a body-to-body mapping (URL, auth header, registry, robustness).

The fixtures' format and the five tests they drive are ``tests/support/golden.py``'s.

The upstream sides follow Gemini's documented REST shapes (``GenerateContentResponse``,
``:streamGenerateContent?alt=sse`` events, ``google.rpc.Status`` errors).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from gateway.errors import GatewayError
from gateway.providers import get_provider
from gateway.providers.google import CHAT, EMBED, PROVIDER, gemini_schema
from gateway.providers.unserved import REASONS
from gateway.transform.events import DONE, Event, MapContext
from gateway.upstream import url_options
from tests.support.golden import GoldenSuite

GOLDEN = GoldenSuite({"google": "google"}, minimum=50)
test_every_fixture_has_exactly_one_kind, test_request, test_response, test_error, test_stream = GOLDEN.tests()


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
