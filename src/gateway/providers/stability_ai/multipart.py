"""multipart/form-data for a flat set of text fields (RFC 7578), which is all v2beta's text-to-image
needs. The boundary is derived from the fields, so a body is reproducible and the boundary cannot
occur inside a value that does not contain its own hash."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from ...transform.json_values import compact


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return compact(value) if isinstance(value, (dict, list)) else str(value)


def form_data(fields: Mapping[str, Any]) -> tuple[bytes, str]:
    """(body, content-type) for ``fields``; a name is quoted as RFC 7578 asks (``"`` escaped)."""
    items = [(name.replace('"', "%22"), _text(value)) for name, value in fields.items() if value is not None]
    digest = hashlib.sha256("\x00".join(f"{n}\x00{v}" for n, v in items).encode()).hexdigest()
    boundary = f"portkey-{digest[:32]}"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             for name, value in items]
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    return body, f"multipart/form-data; boundary={boundary}"
