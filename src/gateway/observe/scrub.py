"""What the live log may keep of a request: never a credential, and never more than a bound.

Headers whose names say they carry a credential lose their value whole; JSON text (a body, the
``x-portkey-config`` header) keeps its shape but every string under a credential-sounding key is
masked; the gateway's own secrets are masked wherever they appear. The rule is by name on purpose:
a key that nobody told us about still sits under a name like ``api_key`` or ``x-...-token``.
"""

from __future__ import annotations

import re

from ..http import Headers

MASK = "[REDACTED]"
_SECRET_NAME = re.compile(r"key|token|secret|passw|auth|cookie|credential|signature|session|account|private",
                          re.IGNORECASE)
_STRING_FIELD = re.compile(r'"([^"\\]{1,80})"(\s*:\s*)"((?:[^"\\]|\\.)*)("?)')
_BEARER = re.compile(r"\b(?:sk|pk|rk|gsk|xai|key)[-_][A-Za-z0-9_\-]{12,}")
_WORTH_A_LOOK = re.compile(r"key|token|secret|passw|auth|credential|signature|account|private|sk-|pk-|rk-|gsk_|xai-",
                           re.IGNORECASE)
"""One cheap search first: most text names no credential at all, and then nothing else runs."""


def _field(match: re.Match[str]) -> str:
    name = match.group(1)
    if _SECRET_NAME.search(name):
        return f'"{name}"{match.group(2)}"{MASK}"'
    return match.group(0)


_JSON_HEADERS = ("x-portkey-config",)


def masked_text(text: str, secrets: tuple[str, ...] = ()) -> str:
    """JSON-ish text with credential fields, key-shaped words and ``secrets`` masked."""
    if _WORTH_A_LOOK.search(text):
        text = _STRING_FIELD.sub(_field, text) if '"' in text else text
        text = _BEARER.sub(MASK, text)
    for secret in secrets:
        if len(secret) >= 8:
            text = text.replace(secret, MASK)
    return text


def headers_view(headers: Headers, secrets: tuple[str, ...] = ()) -> dict[str, str]:
    """Every header, with the value of any credential-named one replaced by ``[REDACTED]``."""
    out = {}
    for name, value in headers.items():
        if name in _JSON_HEADERS and value.lstrip().startswith("{"):
            out[name] = masked_text(value, secrets)
        elif _SECRET_NAME.search(name.removeprefix("x-portkey-")):  # "portkey" itself says key
            out[name] = MASK
        else:
            out[name] = masked_text(value, secrets) if len(value) > 12 else value
    return out


def body_view(body: bytes | None, limit: int, secrets: tuple[str, ...] = ()) -> tuple[str, bool]:
    """(text, truncated): at most ``limit`` bytes of a body, decoded and masked; binary bodies are
    described, not shown."""
    if body is None:
        return "", False
    head = body[:limit]
    if b"\x00" in head:
        return f"[binary body, {len(body)} bytes]", False
    return masked_text(head.decode("utf-8", "replace"), secrets), len(body) > limit
