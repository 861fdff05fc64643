"""The official SDKs pointed at the gateway the way the provider end-to-end tests drive it, the chat
inputs they share, and a stream read back as a client assembles it.

    client = openai_client(gateway, "cohere", cohere.url(tool=1), api_key="co-key")
    chunks = list(client.chat.completions.create(model="m", messages=MESSAGES, stream=True))
    assert text_of(chunks) == "tok0 tok1 " and finishes(chunks) == ["stop"]
"""

from __future__ import annotations

from typing import Any

import anthropic
import openai
import pytest

from tests.support.servers import GatewayServer

MESSAGES: Any = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
USER: Any = [{"role": "user", "content": "hi"}]
WEATHER: Any = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
NON_STRICT = {"x-portkey-strict-open-ai-compliance": "false"}
TIMEOUT = 20


def portkey_headers(provider: str | None, host: str | None, headers: dict[str, str] | None) -> dict[str, str]:
    """``x-portkey-provider`` and ``x-portkey-custom-host`` when given, then ``headers`` (which win)."""
    out = {} if provider is None else {"x-portkey-provider": provider}
    if host is not None:
        out["x-portkey-custom-host"] = host
    return {**out, **(headers or {})}


def openai_client(gateway: GatewayServer, provider: str | None = None, host: str | None = None,
                  api_key: str = "sk-test-key", headers: dict[str, str] | None = None) -> openai.OpenAI:
    """The openai SDK on the gateway's ``/v1``, no retries (a test sees every failure)."""
    return openai.OpenAI(base_url=gateway.url + "/v1", api_key=api_key, max_retries=0, timeout=TIMEOUT,
                         default_headers=portkey_headers(provider, host, headers))


def anthropic_client(gateway: GatewayServer, provider: str | None = None, host: str | None = None,
                     api_key: str = "sk-test-key", headers: dict[str, str] | None = None) -> anthropic.Anthropic:
    """The anthropic SDK on the gateway (its ``/v1/messages``), no retries."""
    return anthropic.Anthropic(base_url=gateway.url, api_key=api_key, max_retries=0, timeout=TIMEOUT,
                               default_headers=portkey_headers(provider, host, headers))


def text_of(chunks: list[Any]) -> str:
    """The streamed text, as a client joins the content deltas."""
    return "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)


def finishes(chunks: list[Any]) -> list[str]:
    """Every finish_reason the stream sent (one, for a well-formed stream)."""
    return [chunk.choices[0].finish_reason for chunk in chunks if chunk.choices and chunk.choices[0].finish_reason]


def tool_calls(chunks: list[Any]) -> dict[int, dict[str, str]]:
    """Streamed tool calls assembled by index, as a client does."""
    calls: dict[int, dict[str, str]] = {}
    for chunk in chunks:
        for call in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            entry = calls.setdefault(call.index, {"id": "", "name": "", "arguments": ""})
            entry["id"] += call.id or ""
            if call.function is not None:
                entry["name"] += call.function.name or ""
                entry["arguments"] += call.function.arguments or ""
    return calls


def broken_stream(client: openai.OpenAI, errors: tuple[type[BaseException], ...] = (openai.APIError,),
                  **create: Any) -> tuple[list[Any], Any]:
    """A chat stream that must end in one of ``errors`` (the test fails when it ends cleanly): the
    chunks that came before, and the error."""
    chunks: list[Any] = []
    with pytest.raises(errors) as caught:
        for chunk in client.chat.completions.create(stream=True, **create):
            chunks.append(chunk)
    return chunks, caught.value


def scenario_clients(gateway: GatewayServer, provider: str, mock: Any, api_key: str) -> Any:
    """``make(headers=None, **directives)``: an openai client on one scenario of ``mock`` (a
    ``LoopbackMock``), whose state starts empty."""
    mock.reset()

    def make(headers: dict[str, str] | None = None, **directives: Any) -> openai.OpenAI:
        return openai_client(gateway, provider, mock.url(**directives), api_key, headers)

    return make
