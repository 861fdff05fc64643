"""The Anthropic Messages client format (``/v1/messages`` on chat providers): golden cases, one JSON
file each under tests/fixtures/messages/ (``request_*``, ``response_*``, ``stream_*``, ``error_*``),
built from Anthropic's and OpenAI's documented wire formats; then what the anthropic SDK makes of
the output, and the count_tokens estimate."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import pytest

from gateway.formats import client_format
from gateway.formats.messages import FORMAT, error, estimate, request, response, stream
from gateway.transform.events import DONE, Event, MapContext

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "messages"
CTX = MapContext(provider="openai", model="gpt-4o-mini", fallback_id="openai-1700000000000")


def _cases(kind: str) -> list[Any]:
    paths = sorted(FIXTURES.glob(f"{kind}_*.json"))
    assert paths, f"no {kind} fixtures"
    return [pytest.param(json.loads(path.read_text()), id=path.stem[len(kind) + 1:]) for path in paths]


def _run(hub_events: list[dict[str, Any]]) -> list[Event]:
    mapper = stream(CTX)
    out: list[Event] = []
    for item in hub_events:
        out += mapper.feed(Event(item["data"], item.get("event")))
    return out + mapper.end()


# --- golden cases ---------------------------------------------------------------------------------
@pytest.mark.parametrize("case", _cases("request"))
def test_request(case: dict[str, Any]) -> None:
    body = case["client_request"]
    before = copy.deepcopy(body)
    assert request(body, CTX) == case["hub_request"]
    assert body == before  # the client's body is not touched


@pytest.mark.parametrize("case", _cases("response"))
def test_response(case: dict[str, Any]) -> None:
    assert response(case["hub_response"], CTX) == case["client_response"]


@pytest.mark.parametrize("case", _cases("stream"))
def test_stream(case: dict[str, Any]) -> None:
    out = _run(case["hub_events"])
    assert [{"event": e.name, "data": e.data} for e in out] == case["client_events"]
    assert all(e.name == e.data["type"] for e in out)


@pytest.mark.parametrize("case", _cases("error"))
def test_error(case: dict[str, Any]) -> None:
    assert error(case["status"], case["hub_error"]) == case["client_error"]


# --- details the fixtures do not show -------------------------------------------------------------
def test_format_is_registered_for_both_routes() -> None:
    assert client_format("messages") is FORMAT
    assert client_format("messagesCountTokens") is FORMAT
    assert (FORMAT.hub_fn, FORMAT.framing, FORMAT.count_fn) == ("chatComplete", "named-sse", "messagesCountTokens")


@pytest.mark.parametrize(("budget", "effort"), [(1024, "low"), (4095, "low"), (4096, "medium"), (16383, "medium"),
                                                (16384, "high"), (64000, "high")])
def test_thinking_budget_to_effort(budget: int, effort: str) -> None:
    thinking = {"type": "enabled", "budget_tokens": budget}
    hub = request({"model": "m", "max_tokens": 99999, "thinking": thinking, "messages": []}, CTX)
    assert hub["reasoning_effort"] == effort
    assert hub["thinking"] == thinking


def test_tool_results_go_before_text_of_the_same_turn() -> None:
    content = [{"type": "text", "text": "before"},
               {"type": "tool_result", "tool_use_id": "t1", "content": [{"type": "text", "text": "a"},
                                                                         {"type": "text", "text": "b"}]},
               {"type": "image", "source": {"type": "url", "url": "https://x.test/i.png"}}]
    hub = request({"messages": [{"role": "user", "content": content}]}, CTX)
    assert hub["messages"] == [
        {"role": "tool", "tool_call_id": "t1", "content": "a\n\nb"},
        {"role": "user", "content": [{"type": "text", "text": "before"},
                                     {"type": "image_url", "image_url": {"url": "https://x.test/i.png"}}]}]


def test_garbage_never_raises() -> None:
    body = {"model": "m", "system": 7, "messages": [None, {"role": "user", "content": [1, {"type": "image"}]},
                                                    {"role": "tool", "content": "x"}],
            "tools": "no", "tool_choice": "auto", "thinking": "yes", "metadata": [], "output_config": 3}
    assert request(body, CTX) == {"model": "m", "messages": []}
    assert response({"choices": "none"}, CTX)["content"] == []
    mapper = stream(CTX)
    assert mapper.feed(Event("not json")) == []
    assert mapper.feed(Event({"choices": [{"delta": None, "finish_reason": None}]}))[0].name == "message_start"


def test_nothing_after_done_and_end_owes_nothing() -> None:
    mapper = stream(CTX)
    assert [e.name for e in mapper.feed(Event(DONE))] == ["message_start", "message_delta", "message_stop"]
    assert mapper.feed(Event({"id": "x", "choices": [{"index": 0, "delta": {"content": "late"}}]})) == []
    assert mapper.feed(Event(DONE)) == []
    assert mapper.end() == []


def test_unfinished_stream_gets_no_invented_stop() -> None:
    mapper = stream(CTX)
    mapper.feed(Event({"id": "c", "choices": [{"index": 0, "delta": {"content": "Hel"}}]}))
    assert mapper.end() == []


def test_servers_that_number_every_call_zero() -> None:
    def call(call_id: str, name: str) -> Event:
        delta = {"tool_calls": [{"index": 0, "id": call_id, "function": {"name": name, "arguments": "{}"}}]}
        return Event({"id": "c", "choices": [{"index": 0, "delta": delta}]})

    mapper = stream(CTX)
    out = mapper.feed(call("a", "one")) + mapper.feed(call("b", "two")) + mapper.feed(Event(DONE))
    starts = [e.data["content_block"] for e in out if e.name == "content_block_start"]
    assert [(b["id"], b["name"]) for b in starts] == [("a", "one"), ("b", "two")]
    assert [e.data["index"] for e in out if e.name == "content_block_stop"] == [0, 1]


# --- the anthropic SDK accepts what the gateway sends ---------------------------------------------
def _sse(events: list[Event]) -> bytes:
    return b"".join(f"event: {e.name}\ndata: {json.dumps(e.data)}\n\n".encode() for e in events)


def _client(status: int, content: bytes, content_type: str) -> anthropic.Anthropic:
    def handler(req: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(status, headers={"content-type": content_type}, content=content)

    transport = httpx2.MockTransport(handler)
    return anthropic.Anthropic(api_key="test", base_url="http://gateway.test", max_retries=0,
                               http_client=httpx2.Client(transport=transport))


def _stream_fixture(name: str) -> list[dict[str, Any]]:
    hub_events: list[dict[str, Any]] = json.loads((FIXTURES / f"stream_{name}.json").read_text())["hub_events"]
    return hub_events


def _final_message(hub_events: list[dict[str, Any]]) -> Any:
    client = _client(200, _sse(_run(hub_events)), "text/event-stream")
    with client.messages.stream(model="gpt-4o-mini", max_tokens=100,
                                messages=[{"role": "user", "content": "hi"}]) as events:
        return events.get_final_message()


def test_sdk_accumulates_interleaved_tool_calls() -> None:
    message = _final_message(_stream_fixture("text_then_parallel_tools_interleaved"))
    assert [block.type for block in message.content] == ["text", "tool_use", "tool_use"]
    assert message.content[0].text == "Checking both."
    assert [(b.id, b.name, b.input) for b in message.content[1:]] == [
        ("call_paris", "get_weather", {"location": "Paris"}), ("call_tokyo", "get_weather", {"location": "Tokyo"})]
    assert message.stop_reason == "tool_use"
    assert (message.usage.input_tokens, message.usage.output_tokens, message.usage.cache_read_input_tokens) == (
        16, 40, 64)


def test_sdk_accumulates_thinking_then_text() -> None:
    message = _final_message(_stream_fixture("reasoning_then_text"))
    assert [block.type for block in message.content] == ["thinking", "text"]
    assert (message.content[0].thinking, message.content[0].signature) == ("The user wants a sum.", "")
    assert message.content[1].text == "2 + 2 = 4"
    assert (message.model, message.stop_reason, message.usage.output_tokens) == ("deepseek-reasoner", "end_turn", 30)


def test_sdk_accepts_an_empty_stream() -> None:
    message = _final_message([{"data": DONE}])
    assert (message.content, message.stop_reason, message.id) == ([], "end_turn", "msg_openai-1700000000000")


def test_sdk_raises_on_the_error_event() -> None:
    with pytest.raises(anthropic.APIStatusError, match="connection reset"):
        _final_message(_stream_fixture("error_mid_stream"))


def test_sdk_parses_the_translated_response() -> None:
    case = json.loads((FIXTURES / "response_reasoning_content.json").read_text())
    client = _client(200, json.dumps(case["client_response"]).encode(), "application/json")
    message = client.messages.create(model="deepseek-reasoner", max_tokens=100,
                                     messages=[{"role": "user", "content": "hi"}])
    assert isinstance(message.content[0], anthropic.types.ThinkingBlock)
    assert isinstance(message.content[1], anthropic.types.TextBlock)
    tools = json.loads((FIXTURES / "response_tool_calls.json").read_text())["client_response"]
    message = _client(200, json.dumps(tools).encode(), "application/json").messages.create(
        model="m", max_tokens=1, messages=[{"role": "user", "content": "hi"}])
    assert isinstance(message.content[1], anthropic.types.ToolUseBlock)
    assert message.content[1].input == {"location": "東京"}


@pytest.mark.parametrize(("status", "exception"), [(400, anthropic.BadRequestError),
                                                   (401, anthropic.AuthenticationError),
                                                   (429, anthropic.RateLimitError),
                                                   (529, anthropic.InternalServerError)])
def test_sdk_raises_the_right_error(status: int, exception: type[Exception]) -> None:
    body = error(status, {"error": {"message": "boom", "type": "x"}, "provider": "openai"})
    client = _client(status, json.dumps(body).encode(), "application/json")
    with pytest.raises(exception) as raised:
        client.messages.create(model="m", max_tokens=1, messages=[{"role": "user", "content": "hi"}])
    assert isinstance(raised.value, anthropic.APIStatusError)
    assert raised.value.body["error"]["message"] == "boom"  # type: ignore[index]


# --- count_tokens estimate ------------------------------------------------------------------------
def test_estimate_floor_and_text() -> None:
    assert estimate({}) == 1
    assert estimate({"messages": [{"role": "user", "content": "a" * 400}]}) == 100 + 4
    blocks = [{"type": "text", "text": "c" * 40}]
    assert estimate({"system": "b" * 40, "messages": [{"role": "user", "content": blocks}]}) == 20 + 4


def test_estimate_counts_tools_images_and_pdf_pages() -> None:
    tools = [{"name": "get_weather", "input_schema": {"type": "object"}}]
    with_tools = estimate({"tools": tools, "messages": []})
    assert with_tools == len(json.dumps(tools)) // 4
    image = {"type": "image", "source": {"type": "url", "url": "https://x.test/a.png"}}
    assert estimate({"messages": [{"role": "user", "content": [image, image]}]}) == 2 * 1600 + 4
    pdf = base64.b64encode(b"%PDF-1.4 <</Type /Pages /Count 2>> <</Type /Page>> <</Type/Page>>").decode()
    document = {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": pdf}}
    assert estimate({"messages": [{"role": "user", "content": [document]}]}) == 2 * 2250 + 4
    broken = {"type": "document", "source": {"type": "base64", "data": "%%%"}}
    assert estimate({"messages": [{"role": "user", "content": [broken]}]}) == 2250 + 4


def test_estimate_counts_tool_turns() -> None:
    body = {"messages": [
        {"role": "assistant", "content": [{"type": "thinking", "thinking": "x" * 4000, "signature": "s"},
                                          {"type": "tool_use", "id": "t", "name": "ab", "input": {"k": "v" * 38}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "r" * 80}]}]}
    # tool_use: name (2) + JSON input (48) = 50 chars; tool result 80 chars; thinking is not counted
    assert estimate(body) == (50 + 80) // 4 + 2 * 4
