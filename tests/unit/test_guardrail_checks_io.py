"""The checks that call out (validUrls, webhook, log, jwt) against a scripted transport: upstream's
tests for them call live services; these keep their cases and add what the port must guarantee
(timeouts, the SSRF guard, no headers posted, the JWKS cache, tokens signed by openssl)."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gateway.clock import Clock
from gateway.guardrails.checks import find
from gateway.guardrails.context import AFTER, BEFORE, HookContext
from gateway.guardrails.runner import CheckEnv, CheckResult
from gateway.http import Headers
from gateway.memorystore import MemoryStore
from gateway.ports import TransportError
from tests.unit.fakes import FakeTransport, FakeUpstream, Sent, json_reply

FIXTURES = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "guardrails" / "jwt_openssl.json")
                      .read_text())
NOW = 1700000100.0


class Web:
    """A scripted web: answers by URL; a ``delay`` makes a call outlast its timeout."""

    def __init__(self, routes: dict[str, Any] | None = None, delay: float = 0.0) -> None:
        self.routes = routes or {}
        self.delay = delay
        self.transport = FakeTransport(self._reply)

    def _reply(self, sent: Sent) -> FakeUpstream | Exception:
        reply = self.routes.get(sent.url)
        if reply is None:
            return TransportError("could not connect", connect=True)
        return reply(sent) if callable(reply) else reply

    @property
    def sent(self) -> list[Sent]:
        return self.transport.sent


class SlowTransport(FakeTransport):
    async def send(self, method: str, url: str, headers: Headers, body: Any) -> FakeUpstream:
        await asyncio.sleep(1)
        return await super().send(method, url, headers, body)


def env(web: Web, now: float = NOW, store: MemoryStore | None = None) -> CheckEnv:
    clock = Clock(time=lambda: now)
    return CheckEnv(web.transport, store or MemoryStore(clock.time), clock, ("127.0.0.1", "hooks.test"))


def answer_ctx(text: str) -> HookContext:
    return HookContext("chatComplete", "openai", {"model": "m", "messages": [{"role": "user", "content": "hi"}]},
                       Headers({"authorization": "Bearer sk-secret"}),
                       response_json={"choices": [{"message": {"role": "assistant", "content": text}}]},
                       response_status=200)


def run(check: str, ctx: HookContext, params: dict[str, Any], event: str, check_env: CheckEnv) -> CheckResult:
    fn = find("default." + check)
    assert fn is not None
    return asyncio.run(fn(ctx, params, event, check_env))


def head(status: int) -> FakeUpstream:
    return FakeUpstream(status, Headers(), [])


# --- validUrls --------------------------------------------------------------------------------
def doh(found: bool) -> FakeUpstream:
    body = {"Status": 0, "Answer": [{"data": "93.184.215.14"}]} if found else {"Status": 3}
    return json_reply(200, json.dumps(body).encode())


DNS = {"https://1.1.1.1/dns-query?name=example.com": doh(True), "https://1.1.1.1/dns-query?name=google.com": doh(True),
       "https://1.1.1.1/dns-query?name=invalid-domain-123456.com": doh(False),
       "https://1.1.1.1/dns-query?name=malformed.123": doh(False),
       "https://1.1.1.1/dns-query?name=this-is-definitely-invalid-12345.com": doh(False)}


@pytest.mark.parametrize(("text", "params", "verdict", "expected"), [
    ("Check out https://example.com and https://google.com", {"onlyDNS": True}, True,
     {"verdict": True, "validationMethod": "DNS lookup", "validUrls": ["https://example.com", "https://google.com"],
      "invalidUrls": []}),
    ("Check out https://invalid-domain-123456.com", {"onlyDNS": True}, False,
     {"verdict": False, "validationMethod": "DNS lookup", "validUrls": [],
      "invalidUrls": ["https://invalid-domain-123456.com"]}),
    ("This text contains no URLs", {"onlyDNS": False}, False,
     {"explanation": "No URLs found in the text.", "urls": [], "validationMethod": "HTTP request"}),
    ("Check out https://malformed.123 and http://this-is-definitely-invalid-12345.com/path?invalid=true#bad",
     {"onlyDNS": True}, False,
     {"verdict": False, "validUrls": [], "explanation": "Some URLs are invalid (2 of 2 failed).",
      "invalidUrls": ["https://malformed.123", "http://this-is-definitely-invalid-12345.com/path?invalid=true#bad"]}),
    ("Check out https://example.com/path?param=1#section", {"onlyDNS": True}, True,
     {"validationMethod": "DNS lookup", "validUrls": ["https://example.com/path?param=1#section"]}),
    ("Valid: https://example.com Invalid: https://invalid-domain-123456.com", {"onlyDNS": True}, False,
     {"verdict": False, "validUrls": ["https://example.com"], "invalidUrls": ["https://invalid-domain-123456.com"],
      "explanation": "Some URLs are invalid (1 of 2 failed)."}),
], ids=["valid URLs", "invalid URLs", "no URLs", "malformed URLs", "query and fragment", "mixed validity"])
def test_valid_urls_by_dns(text: str, params: dict[str, Any], verdict: bool, expected: dict[str, Any]) -> None:
    result = run("validUrls", answer_ctx(text), params, AFTER, env(Web(DNS)))
    assert result.verdict is verdict and result.error is None
    assert {k: result.data[k] for k in expected} == expected


def test_valid_urls_handles_empty_text() -> None:
    result = run("validUrls", answer_ctx(""), {}, AFTER, env(Web()))
    assert result.error == "Missing text to analyze" and result.verdict is False
    assert result.data["textExcerpt"] == "No text available"
    assert result.data["explanation"] == "An error occurred while validating URLs: Missing text to analyze"


def test_valid_urls_by_http_heads_each_url_and_keeps_long_excerpts_short() -> None:
    web = Web({"http://127.0.0.1:9/ok": head(200), "http://127.0.0.1:9/moved": head(301),
               "http://127.0.0.1:9/gone": head(404)})
    text = f"Here {'-' * 200} http://127.0.0.1:9/ok and http://127.0.0.1:9/moved {'-' * 200}"
    result = run("validUrls", answer_ctx(text), {}, AFTER, env(web))
    assert result.verdict is True and result.data["validationMethod"] == "HTTP request"
    assert len(result.data["textExcerpt"]) <= 103 and result.data["textExcerpt"].endswith("...")
    assert {(s.method, s.headers.get("user-agent")) for s in web.sent} == {("HEAD", "URLValidator/1.0")}
    failing = run("validUrls", answer_ctx("see http://127.0.0.1:9/gone"), {"not": True}, AFTER, env(web))
    assert failing.verdict is True and failing.data["invalidUrls"] == ["http://127.0.0.1:9/gone"]


def test_valid_urls_never_calls_private_hosts() -> None:
    web = Web({"http://169.254.169.254/latest": head(200), "http://10.0.0.7/x": head(200)})
    result = run("validUrls", answer_ctx("http://169.254.169.254/latest http://10.0.0.7/x"), {}, AFTER, env(web))
    assert result.verdict is False and web.sent == []


# --- webhook and log ------------------------------------------------------------------------------
HOOK_URL = "http://hooks.test/check"


def test_webhook_verdict_and_what_is_posted() -> None:
    web = Web({HOOK_URL: json_reply(200, b'{"verdict": true, "data": {"score": 1}}')})
    params = {"webhookURL": HOOK_URL, "headers": '{"Authorization": "Bearer hook-token"}'}
    result = run("webhook", answer_ctx("the answer"), params, AFTER, env(web))
    assert result.verdict is True and result.error is None
    assert result.data == {"verdict": True, "explanation": "Webhook request succeeded", "webhookUrl": HOOK_URL,
                           "responseData": {"score": 1}, "requestContext": {"timeout": 3000}}
    sent = web.sent[0]
    assert sent.headers["authorization"] == "Bearer hook-token"
    posted = json.loads(sent.body or b"")
    assert posted["eventType"] == AFTER and posted["response"]["text"] == "the answer"
    assert "sk-secret" not in (sent.body or b"").decode() and "headers" not in posted["request"]


def test_webhook_false_verdict_fails() -> None:
    web = Web({HOOK_URL: json_reply(200, b'{"verdict": false}')})
    result = run("webhook", answer_ctx("x"), {"webhookURL": HOOK_URL}, AFTER, env(web))
    assert result.verdict is False and result.error is None
    assert result.data["explanation"] == "Webhook request failed"


@pytest.mark.parametrize(("params", "message"), [
    ({"headers": '{"Authorization": "Bearer t"}'}, "Missing webhook URL"),
    ({"webhookURL": "not-a-url"}, "Invalid webhook URL format"),
    ({"webhookURL": HOOK_URL, "headers": "{invalid json}"}, "Failed to parse headers: Invalid headers format"),
], ids=["missing URL", "invalid URL", "invalid headers"])
def test_webhook_parameter_errors(params: dict[str, Any], message: str) -> None:
    result = run("webhook", answer_ctx("x"), params, AFTER, env(Web()))
    assert result.verdict is False and result.error == message
    assert result.data["explanation"] == f"Webhook error: {message}"
    assert result.data["webhookUrl"] == params.get("webhookURL", "No URL provided")


def test_webhook_error_answer_keeps_its_json_body() -> None:
    web = Web({HOOK_URL: json_reply(500, b'{"reason": "down"}')})
    result = run("webhook", answer_ctx("x"), {"webhookURL": HOOK_URL}, AFTER, env(web))
    assert result.error == "HTTP error! status: 500" and result.data["responseData"] == {"reason": "down"}


def test_webhook_timeout_and_ssrf_guard() -> None:
    slow = Web({HOOK_URL: json_reply(200, b'{"verdict": true}')})
    slow.transport = SlowTransport(slow._reply)
    result = run("webhook", answer_ctx("x"), {"webhookURL": HOOK_URL, "timeout": 50}, AFTER, env(slow))
    assert result.error == "Request timed out after 50ms" and result.data["requestContext"] == {"timeout": 50}
    blocked = run("webhook", answer_ctx("x"), {"webhookURL": "http://169.254.169.254/hook"}, AFTER, env(Web()))
    assert blocked.error is not None and "not allowed" in blocked.error


def test_webhook_may_rewrite_the_request() -> None:
    rewritten = {"model": "m", "messages": [{"role": "user", "content": "[redacted]"}]}
    web = Web({HOOK_URL: json_reply(200, json.dumps({"verdict": True, "transformedData": {
        "request": {"json": rewritten}}}).encode())})
    ctx = answer_ctx("x")
    result = run("webhook", ctx, {"webhookURL": HOOK_URL}, BEFORE, env(web))
    assert result.transformed is True and result.request_json == rewritten


def test_log_posts_the_context_and_passes() -> None:
    web = Web({"http://hooks.test/log": json_reply(200, b"{}")})
    result = run("log", answer_ctx("x"), {"logURL": "http://hooks.test/log", "headers": '{"x-k": "v"}'}, AFTER,
                 env(web))
    assert result.verdict is True and result.data == {"message": "Logged the request to http://hooks.test/log"}
    assert web.sent[0].headers["x-k"] == "v" and "sk-secret" not in (web.sent[0].body or b"").decode()
    failed = run("log", answer_ctx("x"), {"logURL": "http://hooks.test/down"}, AFTER, env(Web()))
    assert failed.verdict is False and failed.error is not None


# --- jwt ------------------------------------------------------------------------------------------
JWKS_URL = "http://hooks.test/jwks"


def jwks_web() -> Web:
    return Web({JWKS_URL: json_reply(200, json.dumps(FIXTURES["jwks"]).encode())})


def bearer(token: str, header: str = "authorization") -> HookContext:
    return HookContext("chatComplete", "openai", {"messages": []}, Headers({header: f"Bearer {token}"}))


@pytest.mark.parametrize("alg", sorted(FIXTURES["tokens"]))
def test_jwt_accepts_tokens_signed_by_openssl(alg: str) -> None:
    result = run("jwt", bearer(FIXTURES["tokens"][alg]), {"jwksUri": JWKS_URL}, BEFORE, env(jwks_web()))
    assert result.verdict is True and result.error is None
    assert result.data == {"verdict": True, "explanation": "JWT token validation succeeded"}


def _tampered(token: str) -> str:
    head_, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["sub"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head_}.{forged}.{sig}"


def _unsigned(alg: str) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    return f"{part({'alg': alg, 'kid': 'rs-key'})}.{part({'sub': 'x', 'iat': 1700000000})}.c2ln"


@pytest.mark.parametrize(("token", "now", "params", "explanation"), [
    (_tampered(FIXTURES["tokens"]["ES256"]), NOW, {}, "JWT validation error: signature verification failed"),
    (_tampered(FIXTURES["tokens"]["RS256"]), NOW, {}, "JWT validation error: signature verification failed"),
    (FIXTURES["tokens"]["ES256"], 4102444800.0 + 6, {"maxTokenAge": "200y"},
     'JWT validation error: "exp" claim timestamp check failed'),
    (FIXTURES["tokens"]["RS256"], NOW + 86400 + 60, {},
     'JWT validation error: "iat" claim timestamp check failed (too far in the past)'),
    (FIXTURES["tokens"]["RS256"], NOW - 3600, {}, 'JWT validation error: "iat" claim timestamp check failed '
                                                  "(it should be in the past)"),
    ("InvalidFormat", NOW, {}, "JWT validation error: Invalid Compact JWS"),
    (_unsigned("none"), NOW, {}, 'JWT validation error: Unsupported "alg" value: none'),
    (_unsigned("HS256"), NOW, {}, 'JWT validation error: Unsupported "alg" value: HS256'),
], ids=["ES256 forged", "RS256 forged", "expired", "too old", "from the future", "garbage", "alg none", "HS256"])
def test_jwt_refuses_bad_tokens_as_failures_not_errors(token: str, now: float, params: dict[str, Any],
                                                       explanation: str) -> None:
    result = run("jwt", bearer(token), {"jwksUri": JWKS_URL, **params}, BEFORE, env(jwks_web(), now))
    assert result.verdict is False and result.error is None
    assert result.data == {"verdict": False, "explanation": explanation}


def test_jwt_missing_header_fails_and_missing_uri_errors() -> None:
    missing = run("jwt", HookContext("chatComplete", "openai", {}), {"jwksUri": JWKS_URL}, BEFORE, env(jwks_web()))
    assert missing.verdict is False and missing.error is None
    assert missing.data == {"verdict": False, "explanation": "Missing authorization header"}
    no_uri = run("jwt", bearer("a.b.c"), {}, BEFORE, env(jwks_web()))
    assert no_uri.error == "Missing JWKS URI" and no_uri.data["explanation"] == "JWT validation error: Missing JWKS URI"


def test_jwt_custom_header_key() -> None:
    ctx = bearer(FIXTURES["tokens"]["ES384"], header="x-custom-auth")
    result = run("jwt", ctx, {"jwksUri": JWKS_URL, "headerKey": "X-Custom-Auth"}, BEFORE, env(jwks_web()))
    assert result.verdict is True


def test_jwt_key_set_is_cached_in_the_store_and_refetched_for_an_unknown_kid() -> None:
    web = jwks_web()
    check_env = env(web)
    for _ in range(3):
        assert run("jwt", bearer(FIXTURES["tokens"]["RS256"]), {"jwksUri": JWKS_URL}, BEFORE, check_env).verdict
    assert len(web.sent) == 1
    header = base64.urlsafe_b64encode(b'{"alg":"RS256","kid":"rotated"}').rstrip(b"=").decode()
    unknown = header + FIXTURES["tokens"]["RS256"][FIXTURES["tokens"]["RS256"].index("."):]
    result = run("jwt", bearer(unknown), {"jwksUri": JWKS_URL}, BEFORE, check_env)
    assert result.verdict is False and result.data["explanation"] == "No matching key found for kid"
    assert len(web.sent) == 2


def test_jwt_unreachable_key_set_is_an_error() -> None:
    result = run("jwt", bearer(FIXTURES["tokens"]["RS256"]), {"jwksUri": JWKS_URL}, BEFORE, env(Web()))
    assert result.verdict is False and result.error is not None and "Failed to fetch JWKS" in result.error


# --- ECDSA against live openssl signatures --------------------------------------------------------
@pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl CLI is not installed")
@pytest.mark.parametrize(("curve_name", "openssl_curve", "digest"), [("P-256", "prime256v1", "sha256"),
                                                                    ("P-384", "secp384r1", "sha384")])
def test_ecdsa_verifies_fresh_openssl_signatures(tmp_path: Path, curve_name: str, openssl_curve: str,
                                                 digest: str) -> None:
    from gateway.ecdsa import CURVES, verify

    curve = CURVES[curve_name]
    key = tmp_path / "key.pem"
    subprocess.run(["openssl", "ecparam", "-name", openssl_curve, "-genkey", "-noout", "-out", str(key)], check=True,
                   capture_output=True)
    der = subprocess.run(["openssl", "ec", "-in", str(key), "-pubout", "-outform", "DER"], check=True,
                         capture_output=True).stdout
    point = der[-(2 * curve.size + 1):]
    qx, qy = int.from_bytes(point[1:1 + curve.size], "big"), int.from_bytes(point[1 + curve.size:], "big")
    for index in range(4):
        message = tmp_path / f"m{index}"
        message.write_bytes(f"message {index} ".encode() * (index + 1))
        signature = subprocess.run(["openssl", "dgst", f"-{digest}", "-sign", str(key), str(message)], check=True,
                                   capture_output=True).stdout
        r, s = _der_pair(signature)
        assert verify(curve, qx, qy, message.read_bytes(), r, s)
        assert not verify(curve, qx, qy, message.read_bytes() + b"!", r, s)
        assert not verify(curve, qx, qy, message.read_bytes(), r, curve.n - s + 1)


def _der_pair(der: bytes) -> tuple[int, int]:
    at = 2 if der[1] < 0x80 else 3
    values = []
    while at < len(der):
        length = der[at + 1]
        values.append(int.from_bytes(der[at + 2:at + 2 + length], "big"))
        at += 2 + length
    return values[0], values[1]


def test_curve_constants_are_consistent() -> None:
    from gateway.ecdsa import CURVES, multiply

    for curve in CURVES.values():
        assert curve.on_curve(curve.gx, curve.gy)
        assert multiply(curve, curve.n, (curve.gx, curve.gy, 1))[2] == 0
