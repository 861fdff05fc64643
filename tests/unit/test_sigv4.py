"""SigV4: the stdlib signer against AWS's published test vectors (tests/fixtures/sigv4, source in its
README), then Bedrock's ``sign`` hook against botocore's independent implementation, over the
request as an HTTP client puts it on the wire."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials
from yarl import URL

from gateway.errors import GatewayError
from gateway.http import Headers
from gateway.providers.aws.sigv4 import Credentials, amz_date, host_header
from gateway.providers.aws.sigv4 import sign as sigv4_sign
from gateway.providers.base import SignRequest
from gateway.providers.bedrock import PROVIDER
from gateway.providers.bedrock.auth import sign

VECTORS = Path(__file__).resolve().parents[1] / "fixtures" / "sigv4"
KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
NOW = 1700000000.0  # 2023-11-14T22:13:20Z


def _parse(raw: str) -> tuple[str, str, list[tuple[str, str]], bytes]:
    """A ``.req`` file: request line, headers (a line starting with a space continues the header
    above it), blank line, body."""
    head, _, body = raw.partition("\n\n")
    lines = head.split("\n")
    method, rest = lines[0].split(" ", 1)
    path = rest.rsplit(" ", 1)[0]
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        if line[:1] in (" ", "\t") and headers:
            headers[-1] = (headers[-1][0], headers[-1][1] + "\n" + line)
        else:
            name, _, value = line.partition(":")
            headers.append((name, value))
    return method, path, headers, body.encode()


def _vectors() -> list[Any]:
    return [pytest.param(path.stem, id=path.stem) for path in sorted(VECTORS.glob("*.req"))]


def test_the_vectors_are_there() -> None:
    names = {path.stem for path in VECTORS.glob("*.req")}
    assert len(names) >= 20
    assert {"get-vanilla", "get-vanilla-query-order-key-case", "post-x-www-form-urlencoded", "get-header-value-trim",
            "post-sts-header-before", "get-vanilla-with-session-token", "get-utf8"} <= names
    assert "aws-sig-v4-test-suite" in (VECTORS / "README.md").read_text()


@pytest.mark.parametrize("name", _vectors())
def test_aws_test_suite(name: str) -> None:
    method, path, headers, body = _parse((VECTORS / f"{name}.req").read_text(encoding="utf-8"))
    expected_creq = (VECTORS / f"{name}.creq").read_text(encoding="utf-8").replace("\r", "")
    token = re.search(r"^x-amz-security-token:(.*)$", expected_creq, re.MULTILINE)
    if token and not any(n.lower() == "x-amz-security-token" for n, _ in headers):
        headers.append(("X-Amz-Security-Token", token.group(1)))  # the signer adds it, as botocore does
    host = next(v for n, v in headers if n.lower() == "host")
    stamp = next(v for n, v in headers if n.lower() == "x-amz-date")
    creds = Credentials(KEY, SECRET, token.group(1) if token else None)
    signed = sigv4_sign(method, f"https://{host}{path}", headers, hashlib.sha256(body).hexdigest(), creds,
                        "us-east-1", "service", stamp)
    assert signed.canonical_request == expected_creq
    assert signed.string_to_sign == (VECTORS / f"{name}.sts").read_text(encoding="utf-8").replace("\r", "")
    assert signed.authorization == (VECTORS / f"{name}.authz").read_text(encoding="utf-8").replace("\r", "")


@pytest.mark.parametrize(("url", "host"), [
    ("https://bedrock-runtime.us-east-1.amazonaws.com/model/x/converse", "bedrock-runtime.us-east-1.amazonaws.com"),
    ("https://Example.COM:443/a", "example.com"),
    ("http://example.com:80/a", "example.com"),
    ("http://127.0.0.1:8080/b/x/model/y/invoke", "127.0.0.1:8080"),
    ("https://proxy.internal:8443/bedrock", "proxy.internal:8443"),
    ("http://[::1]:9000/", "[::1]:9000"),
])
def test_host_header_is_the_one_sent(url: str, host: str) -> None:
    assert host_header(url) == host


def test_amz_date() -> None:
    assert amz_date(NOW) == "20231114T221320Z"


# --- Bedrock's hook ----------------------------------------------------------------------------

def _request(url: str, body: bytes | None = b'{"messages":[]}', **options: Any) -> SignRequest:
    opts = {"aws_access_key_id": "AKIDTEST", "aws_secret_access_key": "secret/key+1", **options}
    headers = Headers({"content-type": "application/json", "anthropic-beta": "a,b"})
    return SignRequest("POST", url, headers, body, opts, NOW)


def _botocore_signature(request: SignRequest, added: dict[str, str], region: str) -> str:
    """What AWS computes from the wire: the raw path an HTTP client sends (yarl), the Host it
    sends, the signed headers, over botocore's canonical request."""
    wire = URL(request.url)
    names = re.search(r"SignedHeaders=([^,]+),", added["authorization"]).group(1).split(";")  # type: ignore[union-attr]
    sent = {**dict(request.headers.items()), **added, "host": wire.host_port_subcomponent or ""}
    aws = AWSRequest(method="POST", url=f"http://{sent['host']}{wire.raw_path}", headers={n: sent[n] for n in names},
                     data=request.body)
    aws.context["timestamp"] = added["x-amz-date"]
    token = request.options.get("aws_session_token")
    auth = SigV4Auth(BotoCredentials(request.options["aws_access_key_id"], request.options["aws_secret_access_key"],
                                     token), "bedrock", region)
    return str(auth.signature(auth.string_to_sign(aws, auth.canonical_request(aws)), aws))


@pytest.mark.parametrize("model", [
    "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0",
    "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1b2c3",
])
@pytest.mark.parametrize("base", ["https://bedrock-runtime.eu-west-1.amazonaws.com", "http://127.0.0.1:8123/b/x=1"])
def test_hook_signature_matches_botocore_over_the_wire(model: str, base: str) -> None:
    assert PROVIDER.build_url is not None
    url = PROVIDER.build_url(PROVIDER, {"model": model, "stream": False}, "chatComplete", base, {}, "")
    assert URL(url).raw_path == urlsplit(url).path  # the URL goes on the wire as it was signed
    request = _request(url, aws_region="eu-west-1")
    added = sign(request)
    assert set(added) == {"authorization", "x-amz-date", "x-amz-content-sha256"}
    assert added["x-amz-date"] == "20231114T221320Z"
    assert added["x-amz-content-sha256"] == hashlib.sha256(b'{"messages":[]}').hexdigest()
    assert added["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDTEST/20231114/eu-west-1/bedrock/"
                                             "aws4_request, SignedHeaders=anthropic-beta;content-type;host;")
    assert added["authorization"].endswith("Signature=" + _botocore_signature(request, added, "eu-west-1"))


def test_session_token_is_sent_and_signed() -> None:
    request = _request("https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse", aws_session_token="tok/en==")
    added = sign(request)
    assert added["x-amz-security-token"] == "tok/en=="
    assert "x-amz-security-token" in added["authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    assert added["authorization"].endswith("Signature=" + _botocore_signature(request, added, "us-east-1"))


def test_a_wrong_secret_gives_another_signature() -> None:
    request = _request("https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse")
    other = _request("https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse", aws_secret_access_key="x")
    assert sign(request)["authorization"] != sign(other)["authorization"]


def test_empty_and_streamed_bodies() -> None:
    empty = sign(_request("https://h/model/m/converse", body=b""))
    assert empty["x-amz-content-sha256"] == hashlib.sha256(b"").hexdigest()
    streamed = sign(_request("https://h/model/m/converse", body=None))
    assert streamed["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD"


def test_api_key_mode_does_not_sign() -> None:
    assert sign(_request("https://h/model/m/converse", aws_auth_type="apiKey", api_key="ABSK1")) == {}


def test_missing_keys_are_a_400_without_the_secret() -> None:
    request = SignRequest("POST", "https://h/model/m/converse", Headers(), b"{}",
                          {"aws_secret_access_key": "very-secret"}, NOW)
    with pytest.raises(GatewayError) as caught:
        sign(request)
    assert caught.value.status == 400 and "very-secret" not in caught.value.message
