"""The core's bounds, request validator, upstream watchdog and answer checks, with fake ports."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.bounded import BoundedTransport
from gateway.errors import GatewayError
from gateway.http import Headers
from gateway.integrity import checked_answer
from gateway.limits import ENV_NAMES, Limits, check_headers, depth_exceeds, parse_json
from gateway.openapi import document, schema_of
from gateway.ports import TransportError
from gateway.providers import get_provider
from gateway.regexguard import check_pattern
from gateway.requestschema import BODIES, validate_body
from gateway.routes import ROUTE_TABLE
from gateway.serverconfig import ServerConfigError
from gateway.settings import Settings
from gateway.transform.events import MapContext
from gateway.translation import plan_for


# --- limits ----------------------------------------------------------------------------------------
def test_limits_come_from_the_settings_mapping_and_bad_values_stop_start_up() -> None:
    limits = Settings.from_mapping({"MAX_HEADER_COUNT": "7", "UPSTREAM_IDLE_TIMEOUT": "2.5"}).limits
    assert (limits.max_header_count, limits.upstream_idle_seconds, limits.max_json_depth) == (7, 2.5, 64)
    assert set(ENV_NAMES) == {f for f in Limits.__dataclass_fields__}
    for name, bad in (("MAX_HEADER_BYTES", "lots"), ("MAX_JSON_DEPTH", "0"), ("SHUTDOWN_GRACE_SECONDS", "-1"),
                      ("MAX_CONFIG_BYTES", "1.5")):
        with pytest.raises(ServerConfigError, match=name):
            Limits.from_mapping({name: bad})


@pytest.mark.parametrize(("headers", "status"), [
    ({f"h{i}": "v" for i in range(101)}, 431),
    ({"a": "x" * 70_000}, 431),
    ({"x-portkey-config": "{" + " " * 33_000 + "}"}, 431),
    ({"x-portkey-config": "[" * 65 + "]" * 65}, 400),
    ({"x-portkey-metadata": '{"a":' * 65 + "1" + "}" * 65}, 400),
])
def test_header_bounds(headers: dict[str, str], status: int) -> None:
    with pytest.raises(GatewayError) as refused:
        check_headers(Headers(headers), Limits())
    assert refused.value.status == status and not refused.value.exception


def test_headers_within_bounds_and_bracket_text_that_is_not_json_pass() -> None:
    check_headers(Headers({f"h{i}": "v" for i in range(100)}), Limits())
    check_headers(Headers({"x-portkey-config": "[" * 70 + "]" * 70}), Limits(max_json_depth=70))
    check_headers(Headers({"x-portkey-config": "[" * 200}), Limits())  # not JSON: the config parser says so


def test_parse_json_counts_depth_only_when_it_could_matter() -> None:
    assert parse_json(b'{"a": [1, {"b": 2}]}', 3) == {"a": [1, {"b": 2}]}
    assert parse_json(b'{"s": "[[[[[[[[[[[["}', 2) == {"s": "[[[[[[[[[[[["}  # brackets in strings are text
    with pytest.raises(GatewayError, match="nested deeper than 2 levels"):
        parse_json(b'{"a": [[1]]}', 2)
    with pytest.raises(GatewayError, match="nested deeper"):
        parse_json(b"[" * 50_000 + b"]" * 50_000, 64)  # json's own RecursionError, answered as a 400
    with pytest.raises(ValueError):
        parse_json(b"{nope", 64)
    assert depth_exceeds([[[]]], 2) and not depth_exceeds([[[]]], 3) and not depth_exceeds(5, 1)


# --- the request validator -------------------------------------------------------------------------
@pytest.mark.parametrize(("fn", "body", "message"), [
    ("chatComplete", {"messages": "hi"}, "'messages' must be an array, not a string"),
    ("chatComplete", {"model": 1.5, "messages": []}, "'model' must be a string, not a number"),
    ("chatComplete", {"messages": [{"content": "x"}]}, "'messages[0].role' is required"),
    ("chatComplete", {"messages": [], "tools": [{"function": "f"}]}, "'tools[0].function' must be an object or null"),
    ("chatComplete", {"messages": [], "max_tokens": True}, "'max_tokens' must be an integer or null, not a boolean"),
    ("messages", {"model": "m", "max_tokens": 5}, "'messages' is required"),
    ("messages", {"messages": [{"role": "user", "content": [1]}]}, "'messages[0].content[0]' must be an object"),
    ("embed", {"model": "m"}, "'input' is required"),
])
def test_mistyped_fields_are_named(fn: str, body: dict[str, Any], message: str) -> None:
    with pytest.raises(GatewayError) as refused:
        validate_body(fn, body)
    assert refused.value.status == 400 and refused.value.message.startswith(f"Invalid request body: {message}")


def test_what_the_apis_accept_passes() -> None:
    validate_body("chatComplete", {"model": "m", "messages": [{"role": "user", "content": [{"type": "text"}]}],
                                   "max_tokens": 10.0, "temperature": 1, "stop": None, "tools": None,
                                   "unknown_new_field": {"anything": [1]}})
    validate_body("chatComplete", {"model": "codestral", "prompt": "def f(", "suffix": "x"})  # Mistral FIM
    validate_body("proxy", {"messages": "whatever the provider takes"})


def test_at_most_five_problems_are_listed() -> None:
    with pytest.raises(GatewayError) as refused:
        validate_body("chatComplete", {"messages": [1] * 1000})
    assert len(refused.value.errors or []) == 5


# --- the OpenAPI document --------------------------------------------------------------------------
def test_the_document_describes_every_route_with_the_validators_body_rules() -> None:
    doc = document()
    described = {(method.upper(), path) for path, ops in doc["paths"].items() for method in ops}
    expected = {(m, p) for m, p, fn, _ in ROUTE_TABLE if fn not in ("realtime", "prompts")}
    assert expected <= described and ("GET", "/openapi.json") in described
    chat = doc["paths"]["/v1/chat/completions"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert chat["properties"]["messages"] == schema_of(BODIES["chatComplete"]["messages"])
    assert chat["properties"]["messages"]["items"]["required"] == ["role"]
    headers = {p["name"] for p in doc["paths"]["/v1/embeddings"]["post"]["parameters"]}
    assert {"x-portkey-provider", "x-portkey-config", "authorization"} <= headers
    json.dumps(doc)  # serialisable as served


# --- the upstream watchdog -------------------------------------------------------------------------
class _Stalling:
    """Sends ``chunks``, then goes silent until closed (like a socket whose peer stopped writing)."""

    def __init__(self, chunks: list[bytes], headers: dict[str, str] | None = None) -> None:
        self.status, self.headers, self.chunks = 200, Headers(headers or {}), chunks
        self.closed = asyncio.Event()

    async def stream(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        await self.closed.wait()
        raise TransportError("connection closed")

    async def read(self) -> bytes:
        raise AssertionError("the bounded response reads through stream()")

    async def close(self) -> None:
        self.closed.set()


class _Transport:
    def __init__(self, upstream: Any, delay: float = 0) -> None:
        self.upstream, self.delay = upstream, delay

    async def send(self, *_args: Any) -> Any:
        await asyncio.sleep(self.delay)
        return self.upstream


def _drain(limits: Limits, upstream: Any, delay: float = 0) -> tuple[list[bytes], str | None]:
    async def go() -> tuple[list[bytes], str | None]:
        got: list[bytes] = []
        try:
            answer = await BoundedTransport(_Transport(upstream, delay), limits).send("GET", "u", Headers(), None)
            async for chunk in answer.stream():
                got.append(chunk)
        except TransportError as error:
            return got, str(error)
        return got, None
    return asyncio.run(go())


def test_a_silent_provider_is_closed_after_the_idle_limit() -> None:
    upstream = _Stalling([b"a", b"b"])
    got, error = _drain(Limits(upstream_idle_seconds=0.05), upstream)
    assert got == [b"a", b"b"] and error == "the provider sent nothing for 0.05 s" and upstream.closed.is_set()


def test_a_slow_consumer_is_not_a_silent_provider() -> None:
    async def go() -> list[bytes]:
        answer = await BoundedTransport(_Transport(_Stalling([b"a", b"b", b"c"])), Limits(upstream_idle_seconds=0.05)
                                        ).send("GET", "u", Headers(), None)
        got = []
        chunks = answer.stream().__aiter__()
        for _ in range(3):
            got.append(await chunks.__anext__())
            await asyncio.sleep(0.12)  # the client reads slowly: no provider silence is being timed
        await answer.close()
        return got
    assert asyncio.run(go()) == [b"a", b"b", b"c"]


def test_answers_are_cut_at_their_bounds_and_headers_are_waited_for_only_so_long() -> None:
    got, error = _drain(Limits(max_response_bytes=5), _Stalling([b"abc", b"def"]))
    assert got == [b"abc"] and error == "the answer is larger than 5 bytes; cut off there"
    got, error = _drain(Limits(upstream_idle_seconds=0.05), _Stalling([]), delay=1)
    assert error == "the provider sent no answer within 0.05 s"

    async def read() -> bytes:
        upstream = _Stalling([b"x" * 10])
        upstream.closed.set()
        answer = await BoundedTransport(_Transport(upstream), Limits(max_read_bytes=8)).send("GET", "u", Headers(),
                                                                                            None)
        return await answer.read()
    with pytest.raises(TransportError, match="larger than 8 bytes"):
        asyncio.run(read())


# --- passthrough answers that are not what they claim -----------------------------------------------
def _plan() -> Any:
    provider = get_provider("openai")
    assert provider is not None
    return plan_for(provider, "chatComplete", MapContext("openai", "m", True, 1, "x"))


def test_a_2xx_claiming_json_that_is_not_is_a_502_naming_the_provider() -> None:
    headers = Headers({"content-type": "application/json"})
    status, body = checked_answer(_plan(), 200, headers, b"<html>oops</html>", "application/json")
    assert status == 502 and json.loads(body)["error"]["message"].startswith("openai error: invalid response")
    for args in ((200, b'{"ok": true}', "application/json"), (200, b"<html>", "text/html"),
                 (400, b"<html>", "application/json"), (200, b"", "application/json")):
        assert checked_answer(_plan(), args[0], Headers(), args[1], args[2]) == (args[0], args[1])


# --- client regular expressions ----------------------------------------------------------------------
@pytest.mark.parametrize("pattern", ["(a+)+$", r"(\w+\s?)+$", "(a*)*", "((x)*y)+", "(a{2,})*", "x" * 1001])
def test_patterns_that_can_take_exponential_time_are_refused(pattern: str) -> None:
    with pytest.raises(GatewayError) as refused:
        check_pattern(pattern)
    assert refused.value.status == 400


@pytest.mark.parametrize("pattern", ["^gpt-4", "(gpt|o)[0-9]+", ".*embeddings$", "(?:ab+c){2}", "a{1,3}", "[", ""])
def test_ordinary_patterns_pass(pattern: str) -> None:
    check_pattern(pattern)
