"""The console's HTTP routes: the page, its admin sign-in, the live-log feed and ``/metrics``.

Who may read what: the page itself is public (it holds no data); the log feed needs the admin token,
as ``Authorization: Bearer`` or the session cookie that ``POST /public/auth`` sets (HttpOnly,
SameSite=Strict, 12 h, as upstream); ``/metrics`` takes the admin token or ``METRICS_TOKEN``. The
cookie is stateless: an expiry signed with a key derived from the admin token, so it needs no session
store and dies when the token changes. Tokens are compared as SHA-256 digests in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from ..errors import json_response, not_found
from ..http import BodyTooLarge, Headers, Request, Response
from ..providers.catalog import VALID_PROVIDERS_ORDERED
from .livelog import LiveLog
from .metrics import Metrics
from .settings import ObserveSettings

COOKIE = "portkey_admin_session"
SESSION_SECONDS = 43_200
PAGE_HEADERS = (
    ("content-security-policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("cache-control", "no-cache"),
)
_PAGES = ("/public/", "/public/logs", "/public/index.html")


def _digest(token: str | None) -> str:
    return hashlib.sha256(token.encode()).hexdigest() if token else ""


def _bearer(headers: Headers) -> str | None:
    auth = headers.get("authorization") or ""
    return auth[7:].strip() or None if auth[:7].lower() == "bearer " else None


def _cookie(headers: Headers, name: str) -> str | None:
    for part in (headers.get("cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _failure(status: int, message: str, headers: Headers | None = None) -> Response:
    return json_response(status, {"status": "failure", "message": message}, headers)


class ConsoleRoutes:
    """Answers the console's paths; ``route`` returns None for every other path."""

    def __init__(self, settings: ObserveSettings, runtime: str, live_log: LiveLog | None, metrics: Metrics | None,
                 clock_time: Callable[[], float], configs: tuple[str, ...] = (), heartbeat: float = 15.0,
                 asset: Callable[[str], tuple[bytes, str] | None] | None = None) -> None:
        self.settings = settings
        self.runtime = runtime
        self.live_log = live_log
        self.metrics = metrics
        self.time = clock_time
        self.configs = configs
        self.heartbeat = heartbeat
        if asset is None:
            from ..console import asset as packaged
            asset = packaged
        self.asset = asset

    def route(self, request: Request) -> Awaitable[Response] | None:
        path = request.path
        if path.startswith("/v1/"):  # the hot path: not ours
            return None
        if path == "/metrics":
            return self._metrics(request)
        if not self.settings.console or not (path.startswith(("/public", "/log/entries/")) or path == "/log/stream"):
            return None
        if path == "/log/stream":
            return self._log_stream(request)
        if path.startswith("/log/entries/"):
            return self._log_entry(request, path.removeprefix("/log/entries/"))
        if path in ("/public/auth", "/public/auth/logout"):
            return self._sign_in(request) if path == "/public/auth" else self._sign_out(request)
        if request.method not in ("GET", "HEAD"):
            return self._async(_failure(405, f"{request.method} is not allowed on {path}"))
        if path == "/public":
            return self._async(Response(302, Headers({"location": "/public/"}), b""))
        if path == "/public/auth/session":
            return self._async(json_response(200, self._session(request), Headers({"cache-control": "no-store"})))
        name = "index.html" if path in _PAGES else path.removeprefix("/public/")
        found = self.asset(name)
        if found is None:
            return self._async(not_found())
        return self._async(Response(200, Headers((("content-type", found[1]), *PAGE_HEADERS)), found[0]))

    @staticmethod
    async def _async(response: Response) -> Response:
        return response

    # --- who is asking --------------------------------------------------------------------------
    def _session_key(self) -> bytes:
        return hashlib.sha256(b"console-session:" + (self.settings.admin_digest or "").encode()).digest()

    def _session_value(self, expiry: int) -> str:
        mac = hmac.new(self._session_key(), str(expiry).encode(), hashlib.sha256).hexdigest()
        return f"{expiry}.{mac}"

    def _admin(self, headers: Headers) -> bool:
        known = self.settings.admin_digest
        if known is None:
            return False
        if hmac.compare_digest(_digest(_bearer(headers)), known):
            return True
        expiry, _, _ = (_cookie(headers, COOKIE) or "").partition(".")
        if not expiry.isdigit() or int(expiry) < self.time():
            return False
        return hmac.compare_digest(_cookie(headers, COOKIE) or "", self._session_value(int(expiry)))

    def _session(self, request: Request) -> dict[str, Any]:
        admin_set = self.settings.admin_digest is not None
        return {
            "authenticated": self._admin(request.headers), "admin_token_set": admin_set,
            "live_log": admin_set and self.live_log is not None, "metrics": self.metrics is not None,
            "runtime": self.runtime, "providers": list(VALID_PROVIDERS_ORDERED), "configs": list(self.configs),
        }

    async def _sign_in(self, request: Request) -> Response:
        if request.method != "POST":
            return _failure(405, "Sign in with POST /public/auth and a JSON body {\"admin_token\": ...}")
        if self.settings.admin_digest is None:
            return _failure(403, "No admin token is set: start the gateway with ADMIN_TOKEN=<a long random "
                                 "string> (a Worker secret at the edge) to open the live logs")
        try:
            token = json.loads(await request.read(4096)).get("admin_token")
        except (ValueError, AttributeError, BodyTooLarge):
            return _failure(400, "Expected a JSON body {\"admin_token\": \"...\"}")
        if not isinstance(token, str) or not hmac.compare_digest(_digest(token), self.settings.admin_digest):
            return _failure(401, "Invalid admin token")
        expiry = int(self.time()) + SESSION_SECONDS
        cookie = (f"{COOKIE}={self._session_value(expiry)}; HttpOnly; SameSite=Strict; Path=/; "
                  f"Max-Age={SESSION_SECONDS}")
        return json_response(200, {"authenticated": True}, Headers({"set-cookie": cookie, "cache-control": "no-store"}))

    async def _sign_out(self, request: Request) -> Response:
        if request.method != "POST":
            return _failure(405, "Sign out with POST /public/auth/logout")
        cookie = f"{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
        return json_response(200, {"authenticated": False}, Headers({"set-cookie": cookie}))

    # --- data -----------------------------------------------------------------------------------
    def _refused(self, request: Request) -> Response | None:
        """Why this caller may not read the live log, or None when they may."""
        if request.method != "GET":
            return _failure(405, "The live log is read with GET")
        if self.settings.admin_digest is None:
            return _failure(403, "The live log is off: set ADMIN_TOKEN to turn it on")
        if self.live_log is None:
            return _failure(501, f"The live log is not available on {self.runtime}: each request may run in "
                                 "another isolate; export traces with OTEL_EXPORTER_OTLP_ENDPOINT instead")
        if not self._admin(request.headers):
            return _failure(401, "The live log needs the admin token (sign in on /public/, or send "
                                 "'Authorization: Bearer <ADMIN_TOKEN>')", Headers({"www-authenticate": "Bearer"}))
        return None

    async def _log_entry(self, request: Request, entry_id: str) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        assert self.live_log is not None
        found = self.live_log.detail(int(entry_id)) if entry_id.isdigit() else None
        if found is None:
            return _failure(404, f"Log entry {entry_id} is not in the buffer (it keeps the last "
                                 f"{self.live_log.entries.maxlen} requests)")
        return json_response(200, found, Headers({"cache-control": "no-store"}))

    async def _log_stream(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        assert self.live_log is not None
        last = request.headers.get("last-event-id") or ""
        headers = Headers({"content-type": "text/event-stream", "cache-control": "no-store",
                           "x-accel-buffering": "no"})
        feed = self.live_log.feed(int(last) if last.isdigit() else 0, self.heartbeat)
        return Response(200, headers, feed)

    async def _metrics(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return _failure(405, "Metrics are read with GET /metrics")
        if not self.settings.metrics_on:
            return _failure(404, "Metrics are off: set METRICS_TOKEN (or ADMIN_TOKEN) to expose /metrics")
        if self.metrics is None:
            return _failure(501, f"Metrics are not available on {self.runtime}: counters would be per isolate; "
                                 "export traces with OTEL_EXPORTER_OTLP_ENDPOINT instead")
        presented = _digest(_bearer(request.headers))
        metrics_ok = self.settings.metrics_digest is not None and \
            hmac.compare_digest(presented, self.settings.metrics_digest)
        if not (metrics_ok or self._admin(request.headers)):
            return _failure(401, "Metrics need 'Authorization: Bearer <METRICS_TOKEN or ADMIN_TOKEN>'",
                            Headers({"www-authenticate": "Bearer"}))
        headers = Headers({"content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store"})
        return Response(200, headers, self.metrics.text())
