"""Hostile clients and broken providers over real sockets (uvicorn + a loopback provider that
misbehaves on purpose): every case answers a clean 4xx/5xx with a JSON body naming the cause, or a
stream that ends with a visible error event, within a bound set in the settings, never a hang.

The gateway here runs with small bounds (``UPSTREAM_IDLE_TIMEOUT`` 0.4 s, ``MAX_RESPONSE_BYTES``
256 KiB) so each case takes well under a second.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from aiohttp import web

from tests.support.loopback import LoopbackServer
from tests.support.servers import GatewayServer

IDLE = 0.4
CAP = 256 << 10
CHUNK = (b"data: " + json.dumps({"id": "c", "object": "chat.completion.chunk", "choices": [
    {"index": 0, "delta": {"content": "x" * 200}, "finish_reason": None}]}).encode() + b"\n\n")
ANTHROPIC_START = (b'event: message_start\ndata: {"type":"message_start","message":{"id":"m","type":"message",'
                   b'"role":"assistant","model":"c","content":[],"usage":{"input_tokens":1,"output_tokens":0}}}\n\n')


async def _misbehave(request: web.Request) -> web.StreamResponse:
    """The provider's behaviour is the first path segment: /<how>/v1/..."""
    await request.read()
    how = request.path.split("/")[1]
    if how == "notjson":
        return web.Response(body=b"<html>upstream proxy error</html>", content_type="application/json")
    if how == "silent":  # accepts the request, never answers
        await asyncio.sleep(2.5)  # past the idle limit; short so the mock stops promptly
    stream = web.StreamResponse(headers={"content-type": "text/event-stream" if how != "endlessfile"
                                         else "application/octet-stream"})
    await stream.prepare(request)
    if how in ("stall", "stall-anthropic"):
        await stream.write(ANTHROPIC_START if how == "stall-anthropic" else CHUNK)
        await asyncio.sleep(2.5)  # past the idle limit; short so the mock stops promptly
    elif how in ("endless", "endlessfile"):
        for _ in range(100_000):  # bounded: ~22 MB, and stops as soon as the gateway hangs up
            await stream.write(CHUNK)
    return stream


@pytest.fixture(scope="module")
def provider() -> Iterator[LoopbackServer]:
    server = LoopbackServer(_misbehave).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def bounded() -> Iterator[GatewayServer]:
    server = GatewayServer({"UPSTREAM_IDLE_TIMEOUT": str(IDLE), "MAX_RESPONSE_BYTES": str(CAP)}).start()
    yield server
    server.stop()


def _headers(provider: LoopbackServer, how: str, slug: str = "openai") -> dict[str, str]:
    return {"x-portkey-provider": slug, "x-portkey-custom-host": f"{provider.base}/{how}/v1",
            "authorization": "Bearer sk-test", "anthropic-version": "2023-06-01"}


def _chat(**extra: Any) -> dict[str, Any]:
    return {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}], **extra}


# --- hostile input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("headers", "status", "says"), [
    ({f"x-h{i}": "v" for i in range(150)}, 431, "header fields; the limit is 100"),
    ({"x-big": "a" * (1 << 20)}, 431, "the limit is 65536"),
    ({"x-portkey-config": json.dumps({"provider": "openai", "pad": "a" * 40_000})}, 431,
     "x-portkey-config is 40"),
    ({"x-portkey-config": "[" * 5000 + "]" * 5000}, 400, "x-portkey-config is nested deeper than 64 levels"),
    ({"x-portkey-provider": "openai", "x-portkey-metadata": '{"a":' * 3000 + "1" + "}" * 3000}, 400,
     "x-portkey-metadata is nested deeper"),
])
def test_absurd_headers_answer_a_json_4xx(bounded: GatewayServer, headers: dict[str, str], status: int,
                                          says: str) -> None:
    answer = httpx.post(bounded.url + "/v1/chat/completions", headers=headers, json=_chat(), timeout=10)
    assert answer.status_code == status and answer.headers["content-type"] == "application/json"
    assert says in answer.json()["message"]


@pytest.mark.parametrize(("body", "says"), [
    (_chat(messages="hi"), "'messages' must be an array, not a string"),
    (_chat(model=4), "'model' must be a string, not an integer"),
    (_chat(messages=[{"role": "user", "content": 7}]),
     "'messages[0].content' must be a string, an array or null, not an integer"),
    (_chat(stream="yes"), "'stream' must be a boolean or null, not a string"),
])
def test_mistyped_fields_answer_400_naming_the_field_before_any_upstream_call(
        bounded: GatewayServer, provider: LoopbackServer, body: dict[str, Any], says: str) -> None:
    answer = httpx.post(bounded.url + "/v1/chat/completions", headers=_headers(provider, "never"), json=body)
    assert answer.status_code == 400 and answer.json()["message"] == f"Invalid request body: {says}"


def test_a_body_nested_thousands_deep_is_a_400(bounded: GatewayServer, provider: LoopbackServer) -> None:
    deep = b'{"model": "m", "messages": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    answer = httpx.post(bounded.url + "/v1/chat/completions", headers={**_headers(provider, "never"),
                                                                        "content-type": "application/json"},
                        content=deep)
    assert answer.status_code == 400 and "nested deeper than 64 levels" in answer.json()["message"]


def test_a_routing_regex_that_could_freeze_the_process_is_a_400(bounded: GatewayServer,
                                                                 provider: LoopbackServer) -> None:
    leaf = {"provider": "openai", "api_key": "sk-t", "custom_host": f"{provider.base}/never/v1", "name": "a"}
    config = {"strategy": {"mode": "conditional", "default": "a",
                           "conditions": [{"query": {"params.model": {"$regex": "(a+)+$"}}, "then": "a"}]},
              "targets": [leaf]}
    started = time.monotonic()
    answer = httpx.post(bounded.url + "/v1/chat/completions", headers={"x-portkey-config": json.dumps(config)},
                        json=_chat(model="a" * 40 + "!"), timeout=10)
    assert time.monotonic() - started < 2  # (a+)+$ on that model would backtrack 2^40 times
    assert answer.status_code == 400 and "repetition inside a repetition" in answer.json()["message"]


# --- broken providers ------------------------------------------------------------------------------
def test_a_200_that_is_not_json_is_a_502_naming_the_provider(bounded: GatewayServer,
                                                               provider: LoopbackServer) -> None:
    for slug in ("openai", "anthropic"):  # passthrough (read whole, so checked) and translated
        answer = httpx.post(bounded.url + "/v1/chat/completions", headers=_headers(provider, "notjson", slug),
                            json=_chat())
        assert answer.status_code == 502, answer.text
        message = answer.json()["error"]["message"]
        assert message.startswith(f"{slug} error: invalid response from the provider") and "<html>" in message


def _stream(gateway: GatewayServer, headers: dict[str, str]) -> tuple[bytes, float]:
    started = time.monotonic()
    with httpx.stream("POST", gateway.url + "/v1/chat/completions", headers=headers, json=_chat(stream=True),
                      timeout=10) as answer:
        assert answer.status_code == 200
        body = b"".join(answer.iter_raw())
    return body, time.monotonic() - started


@pytest.mark.parametrize("slug", ["openai", "anthropic"])
def test_a_stalled_stream_ends_with_an_error_event_after_the_idle_limit(bounded: GatewayServer,
                                                                        provider: LoopbackServer, slug: str) -> None:
    how = "stall" if slug == "openai" else "stall-anthropic"
    body, took = _stream(bounded, _headers(provider, how, slug))
    events = [e for e in body.split(b"\n\n") if e.strip()]
    error = json.loads(events[-1].removeprefix(b"data: "))
    assert f"the provider sent nothing for {IDLE:g} s" in error["error"]["message"]
    assert error["provider"] == slug and b"[DONE]" not in body
    assert IDLE <= took < IDLE + 3


def test_an_endless_stream_is_cut_at_the_bound_with_an_error_event(bounded: GatewayServer,
                                                                   provider: LoopbackServer) -> None:
    body, _ = _stream(bounded, _headers(provider, "endless"))
    assert len(body) < CAP + 1024  # the chunk that crosses the bound is dropped whole, then the error event
    assert b"is larger than 262144 bytes; cut off there" in body.rsplit(b"\n\n", 2)[-2]


def test_an_endless_file_is_cut_and_the_client_sees_an_incomplete_body(bounded: GatewayServer,
                                                                        provider: LoopbackServer) -> None:
    with pytest.raises(httpx.RemoteProtocolError):  # not a clean end that would pass for the whole file
        with httpx.stream("GET", bounded.url + "/v1/files/f/content", headers=_headers(provider, "endlessfile"),
                          timeout=10) as answer:
            assert answer.status_code == 200
            for _ in answer.iter_raw():
                pass


def test_a_provider_that_never_answers_is_given_up_after_the_idle_limit(bounded: GatewayServer,
                                                                        provider: LoopbackServer) -> None:
    started = time.monotonic()
    answer = httpx.post(bounded.url + "/v1/chat/completions", headers=_headers(provider, "silent"), json=_chat(),
                        timeout=10)
    assert time.monotonic() - started < IDLE + 3
    assert answer.status_code == 500
    assert answer.json()["error"]["message"] == f"openai error: upstream request failed: the provider sent no " \
                                                f"answer within {IDLE:g} s"
