"""Header conversion between JS ``Headers`` and the core's ``gateway.http.Headers``."""

from __future__ import annotations

from typing import Any

from js import Headers as JsHeaders

from gateway.http import Headers


def from_js(js_headers: Any) -> Headers:
    """Copy JS headers into the core type (JS already joins repeated names with ", ")."""
    return Headers([(str(name), str(value)) for name, value in js_headers.entries()])


def to_js(headers: Headers) -> Any:
    """Build a JS ``Headers`` object; ``append`` keeps the runtime's own validation."""
    js_headers = JsHeaders.new()
    for name, value in headers.items():
        js_headers.append(name, value)
    return js_headers
