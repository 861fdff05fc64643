"""Cohere provider: golden fixtures (tests/fixtures/cohere/*.json) plus the few behaviours that are
not a body-to-body mapping (registry, headers, robustness, stream cost).

The fixtures' format and the five tests they drive are ``tests/support/golden.py``'s.

The upstream sides follow Cohere's v2 wire format (API reference, the official SDK's types, and
captured streams); every expected output was written by hand.
"""

from __future__ import annotations

from typing import Any

import pytest

from gateway.errors import GatewayError
from gateway.providers import get_provider
from gateway.providers.cohere import DEFAULT_INPUT_TYPE, PROVIDER
from gateway.providers.unserved import REASONS
from gateway.transform.events import DONE, Event, MapContext
from tests.support.golden import GoldenSuite

FNS = ("chatComplete", "complete", "embed")
GOLDEN = GoldenSuite({"cohere": "cohere"}, minimum=50)
test_every_fixture_has_exactly_one_kind, test_request, test_response, test_error, test_stream = GOLDEN.tests()


def test_registry_and_endpoints() -> None:
    provider = get_provider("cohere")
    assert provider is PROVIDER and "cohere" not in REASONS
    assert provider.base_url == "https://api.cohere.com"
    assert provider.endpoints == {"chatComplete": "/v2/chat", "complete": "/v2/chat", "embed": "/v2/embed"}
    assert set(provider.translations) == set(FNS)
    for fn in ("uploadFile", "listFiles", "createBatch", "retrieveBatch", "cancelBatch", "messages"):
        assert not provider.supports(fn)  # files and batches (Cohere datasets, embed jobs) are not served
    assert DEFAULT_INPUT_TYPE == "search_document"


def test_bearer_auth() -> None:
    assert PROVIDER.request_headers({"api_key": "co-key"}, "chatComplete") == {"authorization": "Bearer co-key"}
    assert PROVIDER.request_headers({}, "embed") == {}


def test_embeddings_refuse_a_stream() -> None:
    with pytest.raises(GatewayError) as caught:
        PROVIDER.translations["embed"].request({"model": "embed-v4.0", "input": "x", "stream": True}, {},
                                               MapContext(provider="cohere"))
    assert caught.value.status == 400


ODD_PARAMS: list[Any] = [
    {}, {"messages": None}, {"messages": "hi"}, {"messages": [{}]}, {"messages": [{"role": "assistant"}]},
    {"messages": [{"role": "assistant", "tool_calls": [None, {"function": None}, {"function": {"arguments": 3}}]}]},
    {"messages": [{"role": "tool", "tool_call_id": 5, "content": None}]},
    {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": 3}}]}]},
    {"tools": [None, {"type": 3}, {"function": "x"}], "tool_choice": {"type": "function"}},
    {"thinking": {"type": 1}, "reasoning_effort": 3, "stop": [1, None], "temperature": "hot", "top_k": 2.5,
     "prompt": 42, "input": {"text": 1}, "dimensions": "big", "response_format": {"type": "json_schema"}},
]


@pytest.mark.parametrize("params", ODD_PARAMS)
def test_odd_requests_never_raise(params: dict[str, Any]) -> None:
    ctx = MapContext(provider="cohere")
    for fn in FNS:
        assert isinstance(PROVIDER.translations[fn].request(params, {}, ctx), dict)


@pytest.mark.parametrize("body", [None, [], "text", {"message": "not an object"}, {"message": {"content": 5,
                                  "tool_calls": [None, 1]}}, {"embeddings": None}])
def test_odd_responses_never_raise(body: Any) -> None:
    for fn in FNS:
        out = PROVIDER.translations[fn].response(body, MapContext(provider="cohere"))
        assert "error" in out or "choices" in out or "data" in out


@pytest.mark.parametrize("data", [None, "x", [], {"type": "content-delta"}, {"type": "content-delta", "delta": None},
                                  {"type": "tool-call-start", "delta": {"message": {"tool_calls": []}}},
                                  {"type": "tool-call-start", "delta": {"message": {"tool_calls": 1}}},
                                  {"type": "citation-start", "delta": {"message": {"citations": 2}}},
                                  {"type": "message-start", "id": None}, {"type": "unknown-future-event"}])
def test_odd_stream_events_never_raise(data: Any) -> None:
    for fn in ("chatComplete", "complete"):
        for strict in (True, False):
            mapper = PROVIDER.translations[fn].stream(MapContext(provider="cohere", strict=strict))
            assert isinstance(mapper.feed(Event(data)), list)
            assert mapper.end() == []


def test_an_error_body_in_place_of_an_event_ends_the_stream() -> None:
    """Not in Cohere's documented event list, but an error body sent mid-stream must not read as
    a normal ending: it becomes the hub error event, and nothing follows it."""
    for fn in ("chatComplete", "complete"):
        mapper = PROVIDER.translations[fn].stream(MapContext(provider="cohere"))
        (event,) = mapper.feed(Event({"message": "too many tokens"}, "error"))
        assert event.name == "error" and event.data["error"]["message"] == "cohere error: too many tokens"
        assert mapper.feed(Event({"type": "message-end", "delta": {"finish_reason": "COMPLETE"}})) == []


def test_done_only_after_message_end() -> None:
    mapper = PROVIDER.translations["chatComplete"].stream(MapContext(provider="cohere"))
    assert mapper.feed(Event(DONE)) == []  # a bare [DONE] does not complete an answer
    out = mapper.feed(Event({"type": "message-end", "delta": {"finish_reason": "COMPLETE"}}, "message-end"))
    assert [e.data for e in out][-1] == DONE
