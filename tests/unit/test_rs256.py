"""RS256 in pure Python (``gateway.rsa``, ``gateway.jwt``) against OpenSSL, with a committed
TEST-ONLY key (``tests/fixtures/vertex_ai/TEST-ONLY-not-a-real-key-rsa-2048.pem``, made with ``openssl genpkey``;
it signs nothing real). PKCS#1 v1.5 is deterministic, so our signature must equal OpenSSL's byte
for byte; without ``openssl`` on PATH the signature is checked with the public key instead."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import timeit
from pathlib import Path

import pytest

from gateway import jwt, rsa

KEY_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "vertex_ai" / "TEST-ONLY-not-a-real-key-rsa-2048.pem"
PEM = KEY_PATH.read_text(encoding="ascii")
OPENSSL = shutil.which("openssl")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _reference_signature(message: bytes) -> bytes | None:
    """OpenSSL's signature of ``message``, or None when openssl is not installed."""
    if OPENSSL is None:
        return None
    done = subprocess.run([OPENSSL, "dgst", "-sha256", "-sign", str(KEY_PATH)], input=message,
                          capture_output=True, check=True, timeout=20)
    return done.stdout


def _verifies(key: rsa.PrivateKey, message: bytes, signature: bytes) -> bool:
    """Textbook verification: the signature raised to e is the PKCS#1 v1.5 encoding of the digest."""
    em = pow(int.from_bytes(signature, "big"), key.e, key.n).to_bytes(key.size, "big")
    digest_info = bytes.fromhex("3031300d060960864801650304020105000420") + hashlib.sha256(message).digest()
    return em == b"\x00\x01" + b"\xff" * (key.size - len(digest_info) - 3) + b"\x00" + digest_info


@pytest.mark.parametrize("message", [b"", b"hello", "héllo ✓".encode(), bytes(range(256)) * 40])
def test_signature_matches_openssl(message: bytes) -> None:
    key = rsa.load_pem(PEM)
    signature = rsa.sign_sha256(key, message)
    assert len(signature) == 256 and _verifies(key, message, signature)
    reference = _reference_signature(message)
    if reference is not None:
        assert signature == reference


def test_pkcs1_pem_and_escaped_newlines_load_the_same_key() -> None:
    key = rsa.load_pem(PEM)
    assert rsa.load_pem(PEM.replace("\n", "\\n")).n == key.n  # a key pasted into an env var
    if OPENSSL is None:
        pytest.skip("openssl not on PATH")
    pkcs1 = subprocess.run([OPENSSL, "rsa", "-in", str(KEY_PATH), "-traditional"], capture_output=True,
                           check=True, text=True, timeout=20).stdout
    assert "BEGIN RSA PRIVATE KEY" in pkcs1
    assert rsa.load_pem(pkcs1).d == key.d


@pytest.mark.parametrize("text", [
    "", "not a key", "-----BEGIN PRIVATE KEY-----\n@@@\n-----END PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----",
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAMCAQA=\n-----END ENCRYPTED PRIVATE KEY-----",
    PEM.replace("MII", "MIJ", 1),
])
def test_bad_keys_are_refused_without_quoting_them(text: str) -> None:
    with pytest.raises(rsa.InvalidKey) as raised:
        rsa.load_pem(text)
    assert "MII" not in str(raised.value)


def test_key_repr_hides_the_numbers() -> None:
    key = rsa.load_pem(PEM)
    assert str(key.d) not in repr(key) and str(key.p)[:20] not in repr(key)


def test_jwt_rs256_layout() -> None:
    key = rsa.load_pem(PEM)
    claims = {"iss": "svc@example.iam.gserviceaccount.com", "aud": "https://oauth2.googleapis.com/token",
              "iat": 1700000000, "exp": 1700003600}
    token = jwt.encode_rs256(claims, key, key_id="kid-1")
    header, payload, signature = token.split(".")
    assert json.loads(_unb64url(header)) == {"alg": "RS256", "typ": "JWT", "kid": "kid-1"}
    assert json.loads(_unb64url(payload)) == claims
    assert "=" not in token and "+" not in token and "/" not in token
    signed = f"{header}.{payload}".encode()
    assert _verifies(key, signed, _unb64url(signature))
    reference = _reference_signature(signed)
    if reference is not None:
        assert _unb64url(signature) == reference


def test_one_signature_costs_milliseconds_not_more() -> None:
    """The figure the README quotes: about 7 ms in CPython on this 2-core machine (OpenSSL: 0.3 ms).
    The bound is loose on purpose; it only catches an accidental non-CRT or quadratic path."""
    key = rsa.load_pem(PEM)
    seconds = min(timeit.repeat(lambda: rsa.sign_sha256(key, b"x"), number=5, repeat=3)) / 5
    assert seconds < 0.1
