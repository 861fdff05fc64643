"""Long-tail providers, part B: golden fixtures for the translated ones (``reka-ai``, ``bytez``,
``stability-ai``, ``oracle``, ``perplexity-ai``'s stream) and URL/header/whitelist checks for the
data-only rows (``ai21``, the reviewed OpenAI-shaped rows, ``sagemaker``).

The fixtures (``tests/fixtures/<module>/*.json``) and the five tests they drive are
``tests/support/golden.py``'s (``upstream_content_type`` checks Stability's multipart encoding).
"""

from __future__ import annotations

import base64
import hashlib
import json
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import pytest

from gateway import rsa
from gateway.errors import GatewayError
from gateway.http import Headers
from gateway.providers import get_provider
from gateway.providers.base import Provider, SignRequest
from gateway.providers.unserved import REASONS
from gateway.transform.events import DONE, MapContext
from gateway.transform.framing import DECODERS
from gateway.transform.params import map_params
from tests.support.golden import FIXTURES, GoldenSuite

ORACLE_KEY = (FIXTURES / "oracle" / "TEST-ONLY-not-a-real-key-rsa-2048.pem").read_text(encoding="ascii")
GOLDEN = GoldenSuite({"reka_ai": "reka-ai", "bytez": "bytez", "stability_ai": "stability-ai", "oracle": "oracle",
                      "perplexity_ai": "perplexity-ai"}, minimum=6)
test_every_fixture_has_exactly_one_kind, test_request, test_response, test_error, test_stream = GOLDEN.tests()


# --- registry ------------------------------------------------------------------------------------

SERVED = ("ai21", "reka-ai", "stability-ai", "bytez", "oracle", "sagemaker", "perplexity-ai", "mistral-ai")


@pytest.mark.parametrize("slug", SERVED)
def test_served_and_not_listed_as_unserved(slug: str) -> None:
    provider = get_provider(slug)
    assert provider is not None and provider.slug == slug
    assert slug not in REASONS


def _provider(slug: str) -> Provider:
    provider = get_provider(slug)
    assert provider is not None
    return provider


ODD: list[Any] = [{}, {"messages": None}, {"messages": "hi"}, {"messages": [None, 1, {}, {"role": "tool"}]},
                  {"messages": [{"role": "user", "content": [None, {"type": "image_url", "image_url": None},
                                                             {"type": "image_url", "image_url": {"url": 3}}]}]},
                  {"messages": [{"role": "assistant", "tool_calls": [None, {"function": None},
                                                                     {"function": {"arguments": "{bad"}}]}]},
                  {"tools": [None, {"function": "x"}, {"type": "function", "function": {"name": 3}}],
                   "tool_choice": {"function": None}, "stop": 5, "response_format": {"type": "json_schema"}},
                  {"prompt": None, "size": "big", "n": "two", "model": "stable-diffusion-v1-6"}]


@pytest.mark.parametrize("params", ODD)
@pytest.mark.parametrize(("slug", "fn"), [("reka-ai", "chatComplete"), ("bytez", "chatComplete"),
                                          ("oracle", "chatComplete"), ("stability-ai", "imageGenerate")])
def test_odd_requests_never_raise(slug: str, fn: str, params: dict[str, Any]) -> None:
    body = _provider(slug).translations[fn].request(params, {}, MapContext(provider=slug))
    assert isinstance(body, dict)


@pytest.mark.parametrize("body", [None, [], "x", {"responses": None}, {"chatResponse": {"choices": [None, 3]}},
                                  {"output": {"content": 3}}, {"artifacts": [None]}])
@pytest.mark.parametrize(("slug", "fn"), [("reka-ai", "chatComplete"), ("bytez", "chatComplete"),
                                          ("oracle", "chatComplete"), ("stability-ai", "imageGenerate")])
def test_odd_responses_never_raise(slug: str, fn: str, body: Any) -> None:
    out = _provider(slug).translations[fn].response(body, MapContext(provider=slug))
    assert "error" in out or "choices" in out or "data" in out


# --- headers and URLs ----------------------------------------------------------------------------

def test_reka_and_bytez_auth_headers() -> None:
    assert _provider("reka-ai").request_headers({"api_key": "rk-1"}, "chatComplete") == {"x-api-key": "rk-1"}
    assert _provider("bytez").request_headers({"api_key": "bz-1"}, "chatComplete") == {"authorization": "Key bz-1"}
    assert _provider("reka-ai").base_url + _provider("reka-ai").endpoints["chatComplete"] == "https://api.reka.ai/v1/chat"
    bytez = _provider("bytez")
    assert bytez.base_url == "https://api.bytez.com" and bytez.endpoints["chatComplete"] == "/models/v2/{model}"
    assert bytez.translations["chatComplete"].framing == "text"


def test_ai21_is_jamba_chat_at_studio_v1() -> None:
    ai21 = _provider("ai21")
    assert ai21.base_url == "https://api.ai21.com/studio/v1"
    assert dict(ai21.endpoints) == {"chatComplete": "/chat/completions"}
    body = {"model": "jamba-large", "messages": [{"role": "developer", "content": "x"}],
            "documents": [{"content": "d"}], "max_completion_tokens": 5}
    assert map_params(ai21.params["chatComplete"], body, {}) == {
        "model": "jamba-large", "messages": [{"role": "system", "content": "x"}], "documents": [{"content": "d"}],
        "max_tokens": 5}


def test_stability_urls_headers_and_form() -> None:
    stability = _provider("stability-ai")
    url = stability.build_url
    assert url is not None
    base = "https://api.stability.ai"
    assert url(stability, {"model": "stable-diffusion-xl-1024-v1-0"}, "imageGenerate", base, {}, "") == \
        base + "/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image"
    assert url(stability, {"model": "ultra"}, "imageGenerate", base, {}, "") == \
        base + "/v2beta/stable-image/generate/ultra"
    assert url(stability, {}, "proxy", base, {"path": "/v1/v1/engines/list"}, "a=1") == base + "/v1/engines/list?a=1"
    with pytest.raises(GatewayError):
        url(stability, {}, "imageGenerate", base, {}, "")
    options = {"api_key": "sk-st", "stability_client_id": "my-app", "stability_client_version": "1.2"}
    assert stability.request_headers(options, "imageGenerate") == {
        "accept": "application/json", "authorization": "Bearer sk-st", "stability-client-id": "my-app",
        "stability-client-version": "1.2"}
    assert ("stability-client-user-id", "stability_client_user_id", False) in stability.option_headers


def test_stability_v2_form_data_parses_back() -> None:
    translation = _provider("stability-ai").translations["imageGenerate"]
    assert translation.encode is not None
    fields = {"prompt": 'a "quoted" lighthouse\r\nsecond line', "seed": 5, "output_format": "png"}
    body, content_type = translation.encode(fields)
    assert body == translation.encode(dict(fields))[0]  # reproducible
    message = BytesParser(policy=HTTP).parsebytes(f"content-type: {content_type}\r\n\r\n".encode() + body)
    parts = {part.get_param("name", header="content-disposition"): part.get_content() for part in message.iter_parts()}
    assert parts == {"prompt": 'a "quoted" lighthouse\r\nsecond line', "seed": "5", "output_format": "png"}


def test_stability_refuses_a_stream() -> None:
    with pytest.raises(GatewayError) as raised:
        _provider("stability-ai").translations["imageGenerate"].request(
            {"model": "core", "prompt": "x", "stream": True}, {}, MapContext(provider="stability-ai"))
    assert raised.value.status == 400


def test_text_framing_splits_utf8_and_ends_with_done() -> None:
    decoder = DECODERS["text"]()
    snowman = "☃".encode()
    events = decoder.feed(b"Hi " + snowman[:1]) + decoder.feed(snowman[1:] + b"!")
    assert [e.data for e in events] == ["Hi ", "☃!"]
    assert [e.data for e in decoder.end()] == [DONE]


# --- reviewed OpenAI-shaped rows -----------------------------------------------------------------

def _chat(slug: str, body: dict[str, Any]) -> dict[str, Any]:
    return map_params(_provider(slug).params["chatComplete"], {"model": "m", "messages": [], **body}, {})


def test_mistral_tool_choice_seed_and_safe_prompt() -> None:
    out = _chat("mistral-ai", {"tool_choice": "required", "seed": 3, "safe_mode": True})
    assert out["tool_choice"] == "any" and out["random_seed"] == 3 and out["safe_prompt"] is True
    assert "seed" not in out and "safe_mode" not in out
    assert _chat("mistral-ai", {"tool_choice": {"type": "function", "function": {"name": "f"}}})["tool_choice"] == {
        "type": "function", "function": {"name": "f"}}


def test_mistral_fim_completion_header() -> None:
    mistral = _provider("mistral-ai")
    assert ("mistral-fim-completion", "mistral_fim_completion", False) in mistral.option_headers
    url = mistral.build_url
    assert url is not None
    base = mistral.base_url
    assert url(mistral, {"mistral_fim_completion": "true"}, "chatComplete", base, {}, "") == base + "/fim/completions"
    assert url(mistral, {}, "chatComplete", base, {}, "") == base + "/chat/completions"
    assert url(mistral, {"mistral_fim_completion": "true"}, "embed", base, {}, "") == base + "/embeddings"
    assert url(mistral, {}, "proxy", base, {"path": "/v1/models"}, "") == base + "/models"
    fim = _chat("mistral-ai", {"prompt": "def f(", "suffix": "return x", "max_tokens": 20})
    assert fim == {"model": "m", "messages": [], "prompt": "def f(", "suffix": "return x", "max_tokens": 20}


@pytest.mark.parametrize(("slug", "kept"), [
    ("together-ai", {"top_k": 5, "repetition_penalty": 1.1}),
    ("fireworks-ai", {"top_k": 5, "prompt_truncate_len": 100, "context_length_exceeded_behavior": "truncate"}),
    ("perplexity-ai", {"top_k": 5, "search_domain_filter": ["a.com"], "search_recency_filter": "day",
                       "return_images": True, "search_mode": "web"}),
    ("openrouter", {"transforms": ["middle-out"], "provider": {"order": ["a"]}, "models": ["x", "y"]}),
])
def test_provider_specific_params_pass(slug: str, kept: dict[str, Any]) -> None:
    assert _chat(slug, {**kept, "not_a_param": 1}) == {"model": "m", "messages": [], **kept}


def test_provider_specific_completion_params_pass() -> None:
    for slug in ("together-ai", "fireworks-ai"):
        spec = _provider(slug).params["complete"]
        assert map_params(spec, {"model": "m", "prompt": "p", "top_k": 3}, {})["top_k"] == 3


def test_openrouter_folds_reasoning_effort_and_include_usage() -> None:
    out = _chat("openrouter", {"reasoning_effort": "high", "reasoning": {"max_tokens": 100},
                               "stream_options": {"include_usage": True}})
    assert out["reasoning"] == {"max_tokens": 100, "effort": "high"}
    assert out["usage"] == {"include": True}
    assert "reasoning_effort" not in out and "stream_options" not in out


def test_groq_drops_what_it_rejects() -> None:
    out = _chat("groq", {"logprobs": True, "top_logprobs": 2, "logit_bias": {"1": 1}, "temperature": 1})
    assert out == {"model": "m", "messages": [], "temperature": 1}


def test_perplexity_translation_keeps_the_row_whitelist() -> None:
    perplexity = _provider("perplexity-ai")
    translation = perplexity.translations["chatComplete"]
    body = {"model": "sonar", "messages": [], "search_mode": "academic", "junk": 1}
    assert translation.request(body, {}, MapContext(provider="perplexity-ai")) == \
        map_params(perplexity.params["chatComplete"], body, {})


# --- signing -------------------------------------------------------------------------------------

ORACLE_OPTIONS = {"oracle_tenancy": "ocid1.tenancy.oc1..aaa", "oracle_user": "ocid1.user.oc1..bbb",
                  "oracle_fingerprint": "20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34",
                  "oracle_private_key": ORACLE_KEY, "oracle_region": "us-chicago-1",
                  "oracle_compartment_id": "ocid1.compartment.oc1..ccc"}
ORACLE_URL = "https://inference.generativeai.us-chicago-1.oci.oraclecloud.com/20231130/actions/chat"


def _verifies(pem: str, message: bytes, signature: bytes) -> bool:
    """Textbook RSASSA-PKCS1-v1_5 verification with the public half of the key."""
    key = rsa.load_pem(pem)
    digest_info = bytes.fromhex("3031300d060960864801650304020105000420") + hashlib.sha256(message).digest()
    expected = b"\x00\x01" + b"\xff" * (key.size - len(digest_info) - 3) + b"\x00" + digest_info
    return pow(int.from_bytes(signature, "big"), key.e, key.n).to_bytes(key.size, "big") == expected


def test_oracle_url_and_option_headers() -> None:
    oracle = _provider("oracle")
    assert oracle.dynamic_base is not None and oracle.build_url is not None
    base = oracle.dynamic_base(ORACLE_OPTIONS)
    assert oracle.build_url(oracle, ORACLE_OPTIONS, "chatComplete", base, {}, "") == ORACLE_URL
    assert oracle.build_url(oracle, {"oracle_api_version": "20240101"}, "chatComplete", "http://h", {}, "") == \
        "http://h/20240101/actions/chat"
    with pytest.raises(GatewayError):
        oracle.dynamic_base({"oracle_region": "us-chicago-1.evil.com/x"})
    names = {name for name, _, _ in oracle.option_headers}
    assert names == {"oracle-api-version", "oracle-region", "oracle-compartment-id", "oracle-serving-mode",
                     "oracle-tenancy", "oracle-user", "oracle-fingerprint", "oracle-private-key",
                     "oracle-key-passphrase"}


def test_oracle_signature_is_ocis_draft_cavage_rsa_sha256() -> None:
    oracle = _provider("oracle")
    assert oracle.sign is not None
    body = b'{"compartmentId":"ocid1.compartment.oc1..ccc"}'
    headers = Headers({"content-type": "application/json"})
    out = oracle.sign(SignRequest("POST", ORACLE_URL, headers, body, ORACLE_OPTIONS, 1700000000.0))
    sha = base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert out["date"] == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert out["x-content-sha256"] == sha
    expected_string = (
        "(request-target): post /20231130/actions/chat\n"
        "date: Tue, 14 Nov 2023 22:13:20 GMT\n"
        "host: inference.generativeai.us-chicago-1.oci.oraclecloud.com\n"
        f"x-content-sha256: {sha}\n"
        "content-type: application/json\n"
        f"content-length: {len(body)}")
    prefix = ('Signature version="1",keyId="ocid1.tenancy.oc1..aaa/ocid1.user.oc1..bbb/'
              '20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34",algorithm="rsa-sha256",'
              'headers="(request-target) date host x-content-sha256 content-type content-length",signature="')
    authorization = out["authorization"]
    assert authorization.startswith(prefix) and authorization.endswith('"')
    signature = base64.b64decode(authorization[len(prefix):-1])
    assert _verifies(ORACLE_KEY, expected_string.encode(), signature)
    assert ORACLE_KEY.split("\n")[1] not in json.dumps(out)  # the key itself never leaves


@pytest.mark.parametrize(("change", "needle"), [
    ({"oracle_user": ""}, "oracle_user"),
    ({"oracle_private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"}, "unusable"),
    ({"oracle_key_passphrase": "pw"}, "encrypted"),
])
def test_oracle_signing_refuses_bad_credentials(change: dict[str, str], needle: str) -> None:
    oracle = _provider("oracle")
    assert oracle.sign is not None
    request = SignRequest("POST", ORACLE_URL, Headers(), b"{}", {**ORACLE_OPTIONS, **change}, 0.0)
    with pytest.raises(GatewayError) as raised:
        oracle.sign(request)
    assert raised.value.status == 400 and needle in str(raised.value)
    assert "AAAA" not in str(raised.value)


def test_sagemaker_is_proxy_only_signed_for_sagemaker() -> None:
    sagemaker = _provider("sagemaker")
    assert not sagemaker.endpoints and sagemaker.supports("proxy") and not sagemaker.supports("chatComplete")
    assert sagemaker.dynamic_base is not None and sagemaker.sign is not None
    options = {"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
               "aws_session_token": "tok", "aws_region": "eu-west-1",
               "amzn_sagemaker_target_model": "model-a.tar.gz", "amzn_sagemaker_inference_component": "ic-1",
               "amzn_sagemaker_model_name": "not-sent"}
    assert sagemaker.dynamic_base(options) == "https://runtime.sagemaker.eu-west-1.amazonaws.com"
    headers = sagemaker.request_headers(options, "proxy")
    assert headers == {"x-amzn-sagemaker-target-model": "model-a.tar.gz",
                       "x-amzn-sagemaker-inference-component": "ic-1"}
    url = "https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/my-endpoint/invocations"
    out = sagemaker.sign(SignRequest("POST", url, Headers({"content-type": "application/json", **headers}), b"{}",
                                     options, 1700000000.0))
    assert out["x-amz-date"] == "20231114T221320Z"
    assert out["x-amz-content-sha256"] == hashlib.sha256(b"{}").hexdigest()
    assert out["x-amz-security-token"] == "tok"
    assert out["authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/eu-west-1/sagemaker/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;"
        "x-amzn-sagemaker-inference-component;x-amzn-sagemaker-target-model, Signature=")
    names = {name for name, _, _ in sagemaker.option_headers}
    assert {"aws-access-key-id", "aws-region", "amzn-sagemaker-custom-attributes", "amzn-sagemaker-session-id"} <= names


def test_sagemaker_refuses_assumed_role_and_missing_keys() -> None:
    sagemaker = _provider("sagemaker")
    with pytest.raises(GatewayError) as raised:
        sagemaker.request_headers({"aws_auth_type": "assumedRole"}, "proxy")
    assert raised.value.status == 501
    assert sagemaker.sign is not None
    with pytest.raises(GatewayError):
        sagemaker.sign(SignRequest("POST", "https://x/e", Headers(), b"", {}, 0.0))
