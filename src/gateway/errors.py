"""The gateway's error vocabulary and the two JSON envelopes upstream Portkey uses.

Gateway-side problems answer ``{"status": "failure", "message": ...}``; provider and
timeout errors answer OpenAI's ``{"error": {...}}`` shape (reference §11).
"""

from __future__ import annotations

from . import jsoncodec
from .http import Headers, Response

JSON_HEADERS = (("content-type", "application/json"),)


class GatewayError(Exception):
    """A failure the gateway itself detected. ``exception`` marks upstream's "gateway exception"
    (header ``x-portkey-gateway-exception: true``), which stops fallback."""

    def __init__(self, message: str, status: int = 500, *, exception: bool = True,
                 errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.exception = exception
        self.errors = errors

    def to_response(self) -> Response:
        body: dict[str, object] = {"status": "failure", "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        headers = Headers(JSON_HEADERS)
        if self.exception:
            headers["x-portkey-gateway-exception"] = "true"
        return Response(self.status, headers, jsoncodec.dumps(body))


class ValidationError(GatewayError):
    """Request validation (reference §3.4): always 400, never a gateway exception."""

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message, 400, exception=False, errors=errors)


class RouterError(GatewayError):
    """Conditional routing could not pick a target (reference §4.5): 400."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 400, exception=False)


def json_response(status: int, payload: object, headers: Headers | None = None) -> Response:
    out = headers.copy() if headers else Headers()
    out["content-type"] = "application/json"
    return Response(status, out, jsoncodec.dumps(payload))


def openai_error(message: str, type_: str | None = None, param: object = None,
                 code: object = None) -> dict[str, object]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def timeout_response(timeout_ms: float) -> Response:
    """408 as upstream builds it when ``request_timeout`` expires (no ``provider`` field)."""
    ms = int(timeout_ms) if float(timeout_ms).is_integer() else timeout_ms
    message = f"Request exceeded the timeout sent in the request: {ms}ms"
    return json_response(408, openai_error(message, "timeout_error"))


def not_found() -> Response:
    return json_response(404, {"message": "Not Found", "ok": False})
