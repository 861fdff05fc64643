"""RSA signatures (RSASSA-PKCS1-v1_5 with SHA-256, RFC 8017 §8.2) in pure Python, for RS256 JWTs
(a Google service account's token assertion).

Why pure Python and not the runtime's crypto (WebCrypto behind a port): the core is standard
library only and must run the same in CPython and in Pyodide inside a Worker, where ``ssl`` and
``hashlib`` have no RSA; one implementation is tested here against OpenSSL byte for byte. Python's
big integers do the work: one 2048-bit signature with the CRT costs about 7 ms in CPython and about
60 ms in Pyodide under workerd (measured on a 2-core machine; OpenSSL: 0.3 ms). A service account
signs once per access token, which the gateway's key-value store (Workers KV at the edge) keeps
for 55 minutes, so that cost is paid about once an hour per account, not per request.

Hardening that costs little: the exponentiation is blinded with a random factor (its time then
says nothing about the key), and the signature is checked with the public exponent before it
leaves (a CRT fault would otherwise leak a factor of ``n``). Blinding does not change the result:
PKCS#1 v1.5 signatures are deterministic.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

_PEM = re.compile(r"-----BEGIN (RSA )?PRIVATE KEY-----(.*?)-----END \1?PRIVATE KEY-----", re.S)
_RSA_ENCRYPTION_OID = bytes.fromhex("2a864886f70d010101")  # 1.2.840.113549.1.1.1
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")  # RFC 8017 §9.2 note 1


class InvalidKey(ValueError):
    """The text is not an unencrypted RSA private key in PEM (PKCS#8 or PKCS#1). The message never
    quotes the key."""


@dataclass(frozen=True, repr=False)
class PrivateKey:
    """An RSA private key with its CRT values. ``repr`` is hidden so a key never reaches a log."""

    n: int
    e: int
    d: int
    p: int
    q: int
    dp: int
    dq: int
    qinv: int

    @property
    def size(self) -> int:
        """The modulus length in bytes (the signature length)."""
        return (self.n.bit_length() + 7) // 8


# --- DER ------------------------------------------------------------------------------------------
def _read(der: bytes, at: int, tag: int) -> tuple[bytes, int]:
    """One DER element of type ``tag`` at ``at``: (its contents, the offset after it)."""
    if at + 2 > len(der) or der[at] != tag:
        raise InvalidKey("not an RSA private key (unexpected DER structure)")
    length, at = der[at + 1], at + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or at + count > len(der):
            raise InvalidKey("not an RSA private key (bad DER length)")
        length, at = int.from_bytes(der[at:at + count], "big"), at + count
    if at + length > len(der):
        raise InvalidKey("not an RSA private key (truncated DER)")
    return der[at:at + length], at + length


def _integers(der: bytes, count: int) -> list[int]:
    """The first ``count`` INTEGERs of a SEQUENCE."""
    body, _ = _read(der, 0, 0x30)
    values, at = [], 0
    for _ in range(count):
        raw, at = _read(body, at, 0x02)
        values.append(int.from_bytes(raw, "big"))
    return values


def _pkcs1_from_pkcs8(der: bytes) -> bytes:
    """PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier, privateKey OCTET STRING }."""
    body, _ = _read(der, 0, 0x30)
    _, at = _read(body, 0, 0x02)
    algorithm, at = _read(body, at, 0x30)
    oid, _ = _read(algorithm, 0, 0x06)
    if oid != _RSA_ENCRYPTION_OID:
        raise InvalidKey("not an RSA private key (another algorithm)")
    inner, _ = _read(body, at, 0x04)
    return inner


def load_pem(pem: str) -> PrivateKey:
    """A ``-----BEGIN PRIVATE KEY-----`` (PKCS#8, what Google issues) or ``BEGIN RSA PRIVATE KEY``
    (PKCS#1) block. Escaped newlines (``\\n`` typed into an env var) are accepted."""
    found = _PEM.search(pem.replace("\\n", "\n")) if isinstance(pem, str) else None
    if found is None:
        raise InvalidKey("not a PEM private key (encrypted keys are not supported)")
    try:
        der = base64.b64decode("".join(found.group(2).split()), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidKey("not a PEM private key (bad base64)") from None
    pkcs1 = der if found.group(1) else _pkcs1_from_pkcs8(der)
    _version, n, e, d, p, q, dp, dq, qinv = _integers(pkcs1, 9)
    if n < (1 << 1023) or p * q != n:
        raise InvalidKey("not a usable RSA private key (at least 1024 bits, consistent factors)")
    return PrivateKey(n, e, d, p, q, dp, dq, qinv)


# --- signing --------------------------------------------------------------------------------------
def _encoded_digest(message: bytes, size: int) -> int:
    """EMSA-PKCS1-v1_5: 00 01 FF..FF 00 || DigestInfo(SHA-256(message)), as an integer."""
    t = _SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
    if size < len(t) + 11:
        raise InvalidKey("RSA key too short for SHA-256")
    return int.from_bytes(b"\x00\x01" + b"\xff" * (size - len(t) - 3) + b"\x00" + t, "big")


def _private_op(key: PrivateKey, m: int) -> int:
    """m^d mod n through the CRT (two half-size exponentiations), blinded by a random r."""
    r = secrets.randbelow(key.n - 2) + 2
    blinded = m * pow(r, key.e, key.n) % key.n
    s1 = pow(blinded % key.p, key.dp, key.p)
    s2 = pow(blinded % key.q, key.dq, key.q)
    s = s2 + key.q * (key.qinv * (s1 - s2) % key.p)
    return s * pow(r, -1, key.n) % key.n


def sign_sha256(key: PrivateKey, message: bytes) -> bytes:
    """RSASSA-PKCS1-v1_5 signature of ``message`` with SHA-256 (JWT ``RS256``)."""
    m = _encoded_digest(message, key.size)
    s = _private_op(key, m)
    if pow(s, key.e, key.n) != m:
        raise InvalidKey("RSA signature check failed (inconsistent private key)")
    return s.to_bytes(key.size, "big")


# --- verification (the jwt guardrail's RS256/RS384/RS512) ------------------------------------------
_DIGEST_INFOS = {
    "sha256": _SHA256_DIGEST_INFO,
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}


@dataclass(frozen=True)
class PublicKey:
    n: int
    e: int

    @property
    def size(self) -> int:
        return (self.n.bit_length() + 7) // 8


def verify_pkcs1v15(key: PublicKey, message: bytes, signature: bytes, hash_name: str = "sha256") -> bool:
    """Whether ``signature`` is RSASSA-PKCS1-v1_5 over ``message`` with ``hash_name`` (RFC 8017
    §8.2.2): the signature raised to e must equal the expected encoding, byte for byte."""
    if key.n < (1 << 1023) or key.e < 3 or len(signature) != key.size:
        return False
    s = int.from_bytes(signature, "big")
    if s >= key.n:
        return False
    t = _DIGEST_INFOS[hash_name] + hashlib.new(hash_name, message).digest()
    if key.size < len(t) + 11:
        return False
    expected = b"\x00\x01" + b"\xff" * (key.size - len(t) - 3) + b"\x00" + t
    return hmac.compare_digest(pow(s, key.e, key.n).to_bytes(key.size, "big"), expected)
