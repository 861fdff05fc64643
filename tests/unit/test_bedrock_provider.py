"""Bedrock provider: golden fixtures (tests/fixtures/bedrock/*.json) plus what is not a body-to-body
mapping (URLs, planning per model, auth headers, refusals, robustness).

The fixtures' format and the five tests they drive are ``tests/support/golden.py``'s; stream
events are as the core's ``aws-eventstream`` framing decodes them (``exception`` for exception frames).
"""

from __future__ import annotations

from typing import Any

import pytest

from gateway.errors import GatewayError
from gateway.formats import client_format
from gateway.providers import get_provider
from gateway.providers.bedrock import PROVIDER
from gateway.providers.bedrock.models import family, foundation_id, is_claude
from gateway.transform.events import MapContext
from gateway.translation import plan_for
from tests.support.golden import GoldenSuite

CLAUDE = "us.anthropic.claude-sonnet-4-20250514-v1:0"
GOLDEN = GoldenSuite({"bedrock": "bedrock"}, minimum=60)
test_every_fixture_has_exactly_one_kind, test_request, test_response, test_error, test_stream = GOLDEN.tests()


# --- registry, URLs, planning ------------------------------------------------------------------

def _url(fn: str, model: str, stream: bool = False, **options: Any) -> str:
    assert PROVIDER.build_url is not None and PROVIDER.dynamic_base is not None
    opts = {**options, "model": model, "stream": stream}
    return PROVIDER.build_url(PROVIDER, opts, fn, PROVIDER.dynamic_base(opts), {}, "")


def test_registry_endpoints_and_framing() -> None:
    assert get_provider("bedrock") is PROVIDER
    assert set(PROVIDER.translations) == {"chatComplete", "embed", "messages", "messagesCountTokens"}
    assert PROVIDER.translations["chatComplete"].framing == "aws-eventstream"
    assert PROVIDER.translations["messages"].framing == "aws-eventstream"
    assert PROVIDER.sign is not None and PROVIDER.native is not None


@pytest.mark.parametrize(("fn", "model", "stream", "expected"), [
    ("chatComplete", "anthropic.claude-3-haiku-20240307-v1:0", False,
     "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1:0/converse"),
    ("chatComplete", "meta.llama3-70b-instruct-v1:0", True,
     "https://bedrock-runtime.us-east-1.amazonaws.com/model/meta.llama3-70b-instruct-v1:0/converse-stream"),
    ("chatComplete", "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5:0", False,
     "https://bedrock-runtime.us-east-1.amazonaws.com/model/"
     "arn:aws:bedrock:us-east-1:123456789012:inference-profile%2Fus.anthropic.claude-3-5:0/converse"),
    ("messages", CLAUDE, False,
     f"https://bedrock-runtime.us-east-1.amazonaws.com/model/{CLAUDE}/invoke"),
    ("messages", CLAUDE, True,
     f"https://bedrock-runtime.us-east-1.amazonaws.com/model/{CLAUDE}/invoke-with-response-stream"),
    ("embed", "amazon.titan-embed-text-v2:0", False,
     "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2:0/invoke"),
    ("messagesCountTokens", CLAUDE, False,
     "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-sonnet-4-20250514-v1:0/count-tokens"),
    ("chatComplete", "weird id/with space?", False,
     "https://bedrock-runtime.us-east-1.amazonaws.com/model/weird%20id%2Fwith%20space%3F/converse"),
])
def test_urls(fn: str, model: str, stream: bool, expected: str) -> None:
    assert _url(fn, model, stream) == expected


def test_region_and_its_validation() -> None:
    assert _url("chatComplete", "m.x", aws_region="eu-west-3").startswith("https://bedrock-runtime.eu-west-3.")
    for bad in ("evil.com/", "us-east-1.attacker.net", "a b"):
        with pytest.raises(GatewayError) as caught:
            _url("chatComplete", "m.x", aws_region=bad)
        assert caught.value.status == 400


@pytest.mark.parametrize("model", [None, "", ".", ".."])
def test_a_missing_or_dot_model_is_a_400(model: str | None) -> None:
    assert PROVIDER.build_url is not None
    with pytest.raises(GatewayError) as caught:
        PROVIDER.build_url(PROVIDER, {"model": model}, "chatComplete", "https://x", {}, "")
    assert caught.value.status == 400 and not caught.value.exception


def test_proxy_keeps_the_path_and_query() -> None:
    assert PROVIDER.build_url is not None
    url = PROVIDER.build_url(PROVIDER, {}, "proxy", "https://b", {"path": "/v1/proxy/foundation-models"}, "a=1")
    assert url == "https://b/foundation-models?a=1"
    path = "/v1/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Aapplication-inference-profile%2Fab c/invoke"
    url = PROVIDER.build_url(PROVIDER, {}, "proxy", "https://b", {"path": path}, "")
    assert url == "https://b/model/arn:aws:bedrock:us-east-1:1:application-inference-profile%2Fab%20c/invoke"


@pytest.mark.parametrize(("model", "kind", "base"), [
    ("anthropic.claude-3-haiku-20240307-v1:0", "anthropic", "anthropic.claude-3-haiku-20240307-v1:0"),
    ("global.anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic", "anthropic.claude-sonnet-4-5-20250929-v1:0"),
    ("apac.amazon.nova-pro-v1:0", "amazon", "amazon.nova-pro-v1:0"),
    ("arn:aws:bedrock:us-east-1::foundation-model/cohere.command-r-v1:0", "cohere", "cohere.command-r-v1:0"),
    ("arn:aws:bedrock:us-east-1:1:inference-profile/eu.meta.llama3-2-1b-instruct-v1:0", "meta",
     "meta.llama3-2-1b-instruct-v1:0"),
    ("arn:aws:bedrock:us-east-1:1:application-inference-profile/a1b2c3", "", "a1b2c3"),
])
def test_model_families(model: str, kind: str, base: str) -> None:
    assert (family(model), foundation_id(model)) == (kind, base)
    assert is_claude(model) == (kind == "anthropic")


def _plan(fn: str, model: str) -> Any:
    return plan_for(PROVIDER, fn, MapContext("bedrock", model))


def test_messages_are_native_for_claude_and_go_through_the_hub_otherwise() -> None:
    native = _plan("messages", CLAUDE)
    assert native.provider_fn == "messages" and native.client is None
    assert native.translation is PROVIDER.translations["messages"]
    assert native.route_format is client_format("messages")
    hub = _plan("messages", "amazon.nova-pro-v1:0")
    assert hub.provider_fn == "chatComplete" and hub.client is client_format("messages")
    assert hub.translation is PROVIDER.translations["chatComplete"]
    assert _plan("messagesCountTokens", CLAUDE).provider_fn == "messagesCountTokens"
    assert _plan("messagesCountTokens", "meta.llama3-70b-instruct-v1:0").estimate
    assert _plan("chatComplete", CLAUDE).provider_fn == "chatComplete"


# --- auth headers ------------------------------------------------------------------------------

@pytest.mark.parametrize(("options", "expected"), [
    ({"aws_access_key_id": "AKID", "aws_secret_access_key": "s", "api_key": "sk-x"}, {}),
    ({"aws_auth_type": "apiKey", "api_key": "ABSK123"}, {"authorization": "Bearer ABSK123"}),
    ({"api_key": "ABSKxyz"}, {"authorization": "Bearer ABSKxyz"}),
    ({"api_key": "bedrock-api-key-abc"}, {"authorization": "Bearer bedrock-api-key-abc"}),
    ({"api_key": "sk-not-a-bedrock-key"}, {}),
])
def test_headers(options: dict[str, str], expected: dict[str, str]) -> None:
    assert PROVIDER.request_headers(options, "chatComplete") == expected


def test_assumed_role_is_a_clear_501() -> None:
    with pytest.raises(GatewayError) as caught:
        PROVIDER.request_headers({"aws_auth_type": "assumedRole", "aws_role_arn": "arn:aws:iam::1:role/r"}, "embed")
    assert caught.value.status == 501 and "assumedRole" in caught.value.message


def test_option_headers_follow_the_reference_row() -> None:
    names = {name: option for name, option, _ in PROVIDER.option_headers}
    assert names["aws-access-key-id"] == "aws_access_key_id"
    assert names["aws-secret-access-key"] == "aws_secret_access_key"
    assert names["aws-session-token"] == "aws_session_token"
    assert names["aws-region"] == "aws_region"
    assert names["aws-auth-type"] == "aws_auth_type"
    assert {name for name, _, bare in PROVIDER.option_headers if bare} == {"anthropic-beta", "anthropic-version"}


# --- refusals: what Converse or InvokeModel cannot take is a 400 that says so ---------------------

def _chat(content: Any) -> dict[str, Any]:
    return {"model": "anthropic.claude-3-haiku-20240307-v1:0", "messages": [{"role": "user", "content": content}]}


@pytest.mark.parametrize(("content", "words"), [
    ([{"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}], "does not fetch media from a URL"),
    ([{"type": "image_url", "image_url": {"url": "data:image/bmp;base64,Qk0="}}], "does not accept image/bmp"),
    ([{"type": "image_url", "image_url": {"url": "data:image/png,rawbytes"}}], "must be base64"),
    ([{"type": "image_url", "image_url": {"url": "s3://bucket/noext"}}], "does not accept"),
    ([{"type": "file", "file": {"file_id": "file-123"}}], "no file ids"),
    ([{"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}], "no audio"),
])
def test_unsupported_media_is_a_400(content: Any, words: str) -> None:
    with pytest.raises(GatewayError) as caught:
        PROVIDER.translations["chatComplete"].request(_chat(content), {}, MapContext("bedrock"))
    assert caught.value.status == 400 and not caught.value.exception and words in caught.value.message


@pytest.mark.parametrize(("params", "words"), [
    ({"model": "amazon.titan-embed-text-v2:0", "input": ["a", "b"]}, "one input per request"),
    ({"model": "amazon.titan-embed-text-v2:0", "input": [1, 2, 3]}, "take text input"),
    ({"model": "cohere.embed-english-v3", "input": []}, "take text input"),
    ({"model": "amazon.nova-2-multimodal-embeddings-v1:0", "input": "x"}, "Titan"),
])
def test_embedding_refusals(params: dict[str, Any], words: str) -> None:
    with pytest.raises(GatewayError) as caught:
        PROVIDER.translations["embed"].request(params, {}, MapContext("bedrock"))
    assert caught.value.status == 400 and words in caught.value.message


ODD_PARAMS: list[Any] = [
    {}, {"messages": None}, {"messages": "hi"}, {"messages": [{}]}, {"messages": [{"role": "assistant"}]},
    {"messages": [{"role": "assistant", "tool_calls": [None, {"function": None}, {"function": {"arguments": 3}}]}]},
    {"messages": [{"role": "assistant", "content_blocks": [None, 1, {"type": "thinking"}], "content": 5}]},
    {"messages": [{"role": "tool", "tool_call_id": "t", "content": {"x": 1}}]},
    {"tools": [None, {"type": 3}, {"function": "x"}], "tool_choice": {"type": "function"}},
    {"top_k": "big", "stop": [1, None], "temperature": True, "thinking": "yes", "model": None,
     "additional_model_request_fields": "nope"},
]


@pytest.mark.parametrize("params", ODD_PARAMS)
def test_odd_requests_never_raise(params: dict[str, Any]) -> None:
    body = PROVIDER.translations["chatComplete"].request(params, {}, MapContext("bedrock"))
    assert isinstance(body, dict) and isinstance(body["messages"], list)
