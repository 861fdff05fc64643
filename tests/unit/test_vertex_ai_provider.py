"""Vertex AI provider: golden fixtures (tests/fixtures/vertex_ai/*.json) plus what is not a
body-to-body mapping: URL shapes (``urls.json``), the per-model plan (the ``native`` hook),
option headers, and the service-account token exchange against a scripted transport.

The body fixtures' format and the five tests they drive are ``tests/support/golden.py``'s; a
fixture without ``model`` takes its hub request's (the plan depends on the model), and for
``messages`` and ``messagesCountTokens`` (native for Claude) a request goes through the provider's
whitelist instead of a Translation.
"""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from gateway import rsa
from gateway.config import provider_fields
from gateway.errors import GatewayError
from gateway.http import Headers
from gateway.memorystore import MemoryStore
from gateway.providers import get_provider
from gateway.providers import google as google_provider
from gateway.providers.base import AuthContext, Provider
from gateway.providers.vertex_ai import PROVIDER, chat, claude, openai_compat
from gateway.providers.vertex_ai.service_account import DEFAULT_TOKEN_URI, parse_service_account
from gateway.settings import DEFAULT_TRUSTED_HOSTS
from gateway.transform.events import MapContext
from gateway.translation import plan_for
from tests.support.golden import GoldenSuite
from tests.unit.fakes import FakeTransport, Sent, json_reply, refused

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vertex_ai"
KEY_PEM = (FIXTURES / "TEST-ONLY-not-a-real-key-rsa-2048.pem").read_text(encoding="ascii")
NOW = 1_700_000_000.0
GOLDEN = GoldenSuite({"vertex_ai": "vertex-ai"}, minimum=20, model_from_request=True, skip=frozenset({"urls.json"}))
test_every_fixture_has_exactly_one_kind, test_request, test_response, test_error, test_stream = GOLDEN.tests()


# --- URLs -------------------------------------------------------------------------------------------
URL_CASES = json.loads((FIXTURES / "urls.json").read_text(encoding="utf-8"))["cases"]


def _url(case: dict[str, Any]) -> str:
    options = case["options"]
    assert PROVIDER.build_url is not None and PROVIDER.dynamic_base is not None
    if case["fn"] == "proxy":
        return PROVIDER.build_url(PROVIDER, options, "proxy", PROVIDER.dynamic_base(options),
                                  {"path": case["path"]}, case["query"])
    with_request = {**options, "stream": case["stream"], **({"model": case["model"]} if case["model"] else {})}
    return PROVIDER.build_url(PROVIDER, with_request, case["fn"], PROVIDER.dynamic_base(options), {}, "")


@pytest.mark.parametrize("case", URL_CASES, ids=[case["name"] for case in URL_CASES])
def test_url(case: dict[str, Any]) -> None:
    if "status" in case:
        with pytest.raises(GatewayError) as raised:
            _url(case)
        assert (raised.value.status, raised.value.message) == (case["status"], case["message"])
    else:
        assert _url(case) == case["url"]


# --- the per-model plan -----------------------------------------------------------------------------
def _plan(fn: str, model: str | None, provider: Provider = PROVIDER) -> tuple[str, bool, bool]:
    plan = plan_for(provider, fn, MapContext(provider=provider.slug, model=model))
    return plan.provider_fn, plan.client is not None, plan.estimate


@pytest.mark.parametrize(("fn", "model", "expected"), [
    ("messages", "claude-sonnet-4@20250514", ("messages", False, False)),  # native, Anthropic's SSE passes
    ("messages", "anthropic.claude-3-haiku@20240307", ("messages", False, False)),
    ("messages", "gemini-2.5-flash", ("chatComplete", True, False)),  # through the hub
    ("messages", "meta.llama-3.3-70b-instruct-maas", ("chatComplete", True, False)),
    ("messagesCountTokens", "claude-3-haiku@20240307", ("messagesCountTokens", False, False)),
    ("messagesCountTokens", "gemini-2.5-flash", ("messagesCountTokens", True, True)),  # a local estimate
    ("chatComplete", "claude-sonnet-4@20250514", ("chatComplete", False, False)),
    ("embed", "text-embedding-005", ("embed", False, False)),
])
def test_plan_depends_on_the_model(fn: str, model: str, expected: tuple[str, bool, bool]) -> None:
    assert _plan(fn, model) == expected


def test_embed_is_refused_for_claude() -> None:
    with pytest.raises(GatewayError, match="embed is not supported by vertex-ai"):
        _plan("embed", "claude-sonnet-4@20250514")


def test_native_hook_is_general() -> None:
    """The core hook on a provider of its own: ``native`` False plans the call as if fn were
    missing; without the hook every listed fn is native."""
    never = Provider(slug="p", base_url="http://x", endpoints={"chatComplete": "/c", "messages": "/m"},
                     native=lambda fn, model: fn != "messages" or model == "m1")
    assert _plan("messages", "m1", never) == ("messages", False, False)
    assert _plan("messages", "m2", never) == ("chatComplete", True, False)
    plain = Provider(slug="q", base_url="http://x", endpoints={"chatComplete": "/c", "messages": "/m"})
    assert _plan("messages", "m2", plain) == ("messages", False, False)
    assert plain.supports("proxy") and never.supports("proxy", "anything")


def test_every_family_streams_sse() -> None:
    """The dispatching Translation declares one framing, so every family's must agree."""
    assert {chat.translation_for(m).framing for m in ("gemini-2.5-flash", "claude-x", "meta/llama")} == {"sse"}
    assert chat.translation_for("gemini-2.5-flash") is google_provider.CHAT
    assert chat.translation_for("claude-x") is claude.CHAT
    assert chat.translation_for("qwen/qwen3") is openai_compat.CHAT


# --- registry, headers, options ---------------------------------------------------------------------
def test_registry() -> None:
    assert get_provider("vertex-ai") is PROVIDER
    assert set(PROVIDER.translations) == {"chatComplete", "embed"}
    assert set(PROVIDER.endpoints) == {"chatComplete", "embed", "messages", "messagesCountTokens"}


def test_headers_carry_no_auth_and_the_beta() -> None:
    assert PROVIDER.request_headers({"api_key": "ya29.x"}, "chatComplete") == {}
    assert PROVIDER.request_headers({"anthropic_beta": "context-1m-2025-08-07"}, "messages") == {
        "anthropic-beta": "context-1m-2025-08-07"}


def test_header_mode_options() -> None:
    account = json.dumps({"client_email": "svc@p.iam.gserviceaccount.com", "private_key": "k"})
    headers = Headers({"x-portkey-provider": "vertex-ai", "authorization": "Bearer ya29.token",
                       "x-portkey-vertex-project-id": "my-proj", "x-portkey-vertex-region": "us-east5",
                       "x-portkey-vertex-service-account-json": account, "anthropic-beta": "b1",
                       "anthropic-version": "2023-06-01"})
    assert provider_fields(headers) == {
        "provider": "vertex-ai", "api_key": "ya29.token", "vertex_project_id": "my-proj",
        "vertex_region": "us-east5", "vertex_service_account_json": account, "anthropic_beta": "b1"}


# --- service account ----------------------------------------------------------------------------------
def _account(**changes: Any) -> dict[str, Any]:
    account = {"type": "service_account", "project_id": "sa-proj", "private_key_id": "kid-123",
               "private_key": KEY_PEM, "client_email": "svc@sa-proj.iam.gserviceaccount.com",
               "token_uri": "http://127.0.0.1:9/token"}
    return {**account, **changes}


def _auth(options: dict[str, Any], transport: FakeTransport, store: MemoryStore | None = None,
          trusted: tuple[str, ...] = DEFAULT_TRUSTED_HOSTS, now: float = NOW) -> dict[str, str]:
    assert PROVIDER.authorize is not None
    ctx = AuthContext(options, "chatComplete", transport, store or MemoryStore(lambda: now), now, trusted)
    return asyncio.run(PROVIDER.authorize(ctx))


def _token_reply(status: int = 200, body: Any = None) -> FakeTransport:
    answer = {"access_token": "ya29.fresh", "expires_in": 3599, "token_type": "Bearer"} if body is None else body
    return FakeTransport(lambda sent: json_reply(status, json.dumps(answer).encode()))


def _claims(sent: Sent) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    form = parse_qs((sent.body or b"").decode())
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    header, payload, signature = form["assertion"][0].split(".")

    def unb64(text: str) -> bytes:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    return json.loads(unb64(header)), json.loads(unb64(payload)), f"{header}.{payload}".encode(), unb64(signature)


def test_bearer_key_without_a_service_account() -> None:
    transport = FakeTransport(refused)
    assert _auth({"api_key": "ya29.given"}, transport) == {"authorization": "Bearer ya29.given"}
    assert _auth({}, transport) == {} and transport.sent == []


def test_service_account_exchange_signs_a_valid_assertion() -> None:
    transport = _token_reply()
    headers = _auth({"api_key": "ignored", "vertex_service_account_json": json.dumps(_account())}, transport)
    assert headers == {"authorization": "Bearer ya29.fresh"}
    (sent,) = transport.sent
    assert (sent.method, sent.url) == ("POST", "http://127.0.0.1:9/token")
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    header, claims, signed, signature = _claims(sent)
    assert header == {"alg": "RS256", "typ": "JWT", "kid": "kid-123"}
    assert claims == {"iss": "svc@sa-proj.iam.gserviceaccount.com", "sub": "svc@sa-proj.iam.gserviceaccount.com",
                      "aud": "http://127.0.0.1:9/token", "scope": "https://www.googleapis.com/auth/cloud-platform",
                      "iat": int(NOW), "exp": int(NOW) + 3600}
    key = rsa.load_pem(KEY_PEM)
    assert rsa.sign_sha256(key, signed) == signature  # deterministic: same input, same signature


def test_token_is_cached_until_five_minutes_before_it_expires() -> None:
    clock = [NOW]
    store = MemoryStore(lambda: clock[0])
    transport = _token_reply()
    options = {"vertex_service_account_json": _account()}
    for _ in range(3):
        assert _auth(options, transport, store, now=clock[0]) == {"authorization": "Bearer ya29.fresh"}
    assert len(transport.sent) == 1
    clock[0] = NOW + 3599 - 300 - 1
    _auth(options, transport, store, now=clock[0])
    assert len(transport.sent) == 1
    clock[0] = NOW + 3599 - 300
    _auth(options, transport, store, now=clock[0])
    assert len(transport.sent) == 2


def test_cache_key_covers_the_private_key() -> None:
    """Knowing another caller's client email and key id must not be enough to use their token:
    a request with the same email and key id but other key text exchanges for itself."""
    store = MemoryStore(lambda: NOW)
    first = _token_reply()
    _auth({"vertex_service_account_json": _account()}, first, store)
    second = _token_reply(body={"access_token": "ya29.other", "expires_in": 3599})
    assert _auth({"vertex_service_account_json": _account(private_key=KEY_PEM + "\n")}, second, store) == {
        "authorization": "Bearer ya29.other"}
    assert len(first.sent) == len(second.sent) == 1
    account = parse_service_account(_account())
    assert account is not None and "BEGIN" not in repr(account) and "svc@" not in repr(account)


def test_short_lived_token_is_not_cached() -> None:
    store = MemoryStore(lambda: NOW)
    transport = _token_reply(body={"access_token": "ya29.short", "expires_in": 300})
    for _ in range(2):
        _auth({"vertex_service_account_json": _account()}, transport, store)
    assert len(transport.sent) == 2


@pytest.mark.parametrize(("status", "body", "expected_status", "expected"), [
    (400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}, 401,
     "vertex-ai: the service account token exchange was refused (400): invalid_grant: Invalid JWT Signature."),
    (503, None, 502, "vertex-ai: the service account token exchange failed (503)"),
    (200, {"token_type": "Bearer"}, 502, "vertex-ai: the service account token exchange failed (502)"),
])
def test_exchange_failures_are_clear_and_carry_no_key(status: int, body: Any, expected_status: int,
                                                      expected: str) -> None:
    transport = FakeTransport(lambda sent: json_reply(status, b"<html>down</html>" if body is None
                                                      else json.dumps(body).encode()))
    with pytest.raises(GatewayError) as raised:
        _auth({"vertex_service_account_json": _account()}, transport)
    assert (raised.value.status, raised.value.message) == (expected_status, expected)
    assert not raised.value.exception  # a fallback target may still answer


def test_unreachable_token_endpoint_is_a_network_error() -> None:
    from gateway.ports import TransportError

    with pytest.raises(TransportError, match="vertex-ai token exchange at http://127.0.0.1:9/token"):
        _auth({"vertex_service_account_json": _account()}, FakeTransport(refused))


@pytest.mark.parametrize(("token_uri", "allowed"), [
    ("https://oauth2.googleapis.com/token", True),
    ("http://127.0.0.1:9/token", True),  # a trusted host (the default list has loopback)
    ("http://oauth2.example.com/token", False),  # plain http to a public host
    ("https://169.254.169.254/token", False),  # cloud metadata
    ("https://10.0.0.7/token", False),  # a private network
    ("http://localhost.:9/token", False),
])
def test_token_uri_passes_the_custom_host_guard(token_uri: str, allowed: bool) -> None:
    transport = _token_reply()
    options = {"vertex_service_account_json": _account(token_uri=token_uri)}
    if allowed:
        assert _auth(options, transport) == {"authorization": "Bearer ya29.fresh"}
    else:
        with pytest.raises(GatewayError, match="token_uri the gateway may not call"):
            _auth(options, transport)
        assert transport.sent == []


def test_loopback_token_uri_is_refused_when_not_trusted() -> None:
    with pytest.raises(GatewayError, match="token_uri"):
        _auth({"vertex_service_account_json": _account()}, _token_reply(), trusted=())


@pytest.mark.parametrize(("value", "message"), [
    ("{not json", "the service account JSON is not valid JSON"),
    ("[1]", "the service account JSON must be a JSON object"),
    ({"client_email": "svc@x"}, "the service account JSON has no private_key"),
    ({"client_email": "svc@x", "private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
      "token_uri": "http://127.0.0.1:9/token"}, "has an unusable private_key"),
])
def test_bad_service_accounts(value: Any, message: str) -> None:
    with pytest.raises(GatewayError, match=message) as raised:
        _auth({"vertex_service_account_json": value}, _token_reply())
    assert raised.value.status == 400 and "AAAA" not in raised.value.message


def test_default_token_uri() -> None:
    account = parse_service_account({"client_email": "svc@x", "private_key": "k"})
    assert account is not None and account.token_uri == DEFAULT_TOKEN_URI == "https://oauth2.googleapis.com/token"
    assert parse_service_account(None) is None and parse_service_account("") is None
