"""ECDSA signature verification (FIPS 186-5 §6.4.2) on NIST P-256 and P-384, in pure Python, for
ES256/ES384 JWTs checked by the ``jwt`` guardrail.

Why pure Python: the core is standard library only and runs in Pyodide, where ``hashlib`` and
``ssl`` offer no elliptic curves. Only verification is here (public data: nothing secret to leak
through timing). Points use Jacobian coordinates so a scalar multiplication needs one modular
inverse instead of one per step, and ``u1*G + u2*Q`` is computed in one pass (Shamir's trick):
about 2 ms per P-256 verification in CPython on this machine. Tested against signatures made with
the ``openssl`` CLI; the tests also check the curve constants (G on the curve, n*G = O).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

Jacobian = tuple[int, int, int]
_INFINITY: Jacobian = (1, 1, 0)


@dataclass(frozen=True)
class Curve:
    name: str
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int
    hash: str

    @property
    def size(self) -> int:
        """Bytes of one coordinate (and of r and s in a JWS signature)."""
        return (self.n.bit_length() + 7) // 8

    def on_curve(self, x: int, y: int) -> bool:
        return 0 <= x < self.p and 0 <= y < self.p and (y * y - (x * x * x + self.a * x + self.b)) % self.p == 0


_P256 = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
_P384 = int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF", 16)
P256 = Curve(
    "P-256", _P256, _P256 - 3,
    0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551, "sha256")
P384 = Curve(
    "P-384", _P384, _P384 - 3,
    int("B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF", 16),
    int("AA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872760AB7", 16),
    int("3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90EA0E5F", 16),
    int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973", 16),
    "sha384")
CURVES = {"P-256": P256, "P-384": P384}


def _double(curve: Curve, point: Jacobian) -> Jacobian:
    x, y, z = point
    if z == 0 or y == 0:
        return _INFINITY
    p = curve.p
    ysq = y * y % p
    s = 4 * x * ysq % p
    zsq = z * z % p
    m = (3 * x * x + curve.a * zsq * zsq) % p
    nx = (m * m - 2 * s) % p
    ny = (m * (s - nx) - 8 * ysq * ysq) % p
    return nx, ny, 2 * y * z % p


def _add(curve: Curve, one: Jacobian, two: Jacobian) -> Jacobian:
    if one[2] == 0:
        return two
    if two[2] == 0:
        return one
    p = curve.p
    x1, y1, z1 = one
    x2, y2, z2 = two
    z1sq, z2sq = z1 * z1 % p, z2 * z2 % p
    u1, u2 = x1 * z2sq % p, x2 * z1sq % p
    s1, s2 = y1 * z2sq * z2 % p, y2 * z1sq * z1 % p
    if u1 == u2:
        return _double(curve, one) if s1 == s2 else _INFINITY
    h, r = (u2 - u1) % p, (s2 - s1) % p
    hsq = h * h % p
    hcu = hsq * h % p
    nx = (r * r - hcu - 2 * u1 * hsq) % p
    ny = (r * (u1 * hsq - nx) - s1 * hcu) % p
    return nx, ny, h * z1 * z2 % p


def _affine_x(curve: Curve, point: Jacobian) -> int | None:
    x, _, z = point
    if z == 0:
        return None
    return x * pow(z * z, -1, curve.p) % curve.p


def _twin_multiply(curve: Curve, u1: int, u2: int, q: Jacobian) -> Jacobian:
    """u1*G + u2*Q, scanning both scalars' bits together."""
    g: Jacobian = (curve.gx, curve.gy, 1)
    both = _add(curve, g, q)
    table = {(1, 0): g, (0, 1): q, (1, 1): both}
    acc = _INFINITY
    for bit in range(max(u1.bit_length(), u2.bit_length()) - 1, -1, -1):
        acc = _double(curve, acc)
        key = ((u1 >> bit) & 1, (u2 >> bit) & 1)
        if key != (0, 0):
            acc = _add(curve, acc, table[key])
    return acc


def verify(curve: Curve, qx: int, qy: int, message: bytes, r: int, s: int) -> bool:
    """Whether (r, s) is a valid signature of ``message`` (hashed with the curve's hash) by the
    public key (qx, qy). Never raises on bad input: it is simply not valid."""
    n = curve.n
    if not (0 < r < n and 0 < s < n) or not curve.on_curve(qx, qy):
        return False
    digest = hashlib.new(curve.hash, message).digest()
    e = int.from_bytes(digest, "big") >> max(0, len(digest) * 8 - n.bit_length())
    w = pow(s, -1, n)
    point = _twin_multiply(curve, e * w % n, r * w % n, (qx, qy, 1))
    x = _affine_x(curve, point)
    return x is not None and x % n == r


def multiply(curve: Curve, k: int, point: Jacobian) -> Jacobian:
    """k*point by double-and-add (tests use it to check the constants: n*G is the point at infinity)."""
    acc = _INFINITY
    for bit in range(k.bit_length() - 1, -1, -1):
        acc = _double(curve, acc)
        if (k >> bit) & 1:
            acc = _add(curve, acc, point)
    return acc
