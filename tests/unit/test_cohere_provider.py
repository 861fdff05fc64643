"""Cohere provider: golden fixtures (tests/fixtures/cohere/*.json) plus the few behaviours that are
not a body-to-body mapping (registry, headers, robustness, stream cost).

A fixture is one JSON object. ``endpoint`` (default ``chatComplete``), ``strict`` (default true)
and ``model`` (the MapContext model, default null) set the context; its kind is given by the
input key it holds:

- ``hub_request`` -> ``upstream_request`` (Translation.request)
- ``upstream_response`` -> ``hub_response`` (Translation.response, a 2xx body)
- ``upstream_error`` ``{status, body | text}`` -> ``hub_response`` (Translation.error)
- ``upstream_events`` -> ``hub_events`` (Translation.stream), each ``{"event"?: name, "data": ...}``

The upstream sides follow Cohere's v2 wire format (API reference, the official SDK's types, and
captured streams); every expected output was written by hand.
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
from gateway.providers.cohere import DEFAULT_INPUT_TYPE, PROVIDER
from gateway.providers.unserved import REASONS
from gateway.transform.events import DONE, Event, MapContext

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cohere"
KINDS = {"hub_request": "upstream_request", "upstream_response": "hub_response",
         "upstream_error": "hub_response", "upstream_events": "hub_events"}
FNS = ("chatComplete", "complete", "embed")


def _cases(kind: str) -> list[Any]:
    cases = []
    for path in sorted(FIXTURES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        if kind in case:
            cases.append(pytest.param(case, id=path.stem))
    return cases


def _ctx(case: dict[str, Any]) -> MapContext:
    return MapContext(provider="cohere", model=case.get("model"), strict=case.get("strict", True),
                      created=1700000000, fallback_id="cohere-1")


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
