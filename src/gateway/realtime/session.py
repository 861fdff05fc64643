"""Opening a realtime session: resolve the target, open the upstream leg within the handshake
limit, and turn every failure into an HTTP answer the client gets instead of an upgrade."""

from __future__ import annotations

import asyncio
import json
import logging

from ..clock import Clock
from ..errors import GatewayError, json_response, openai_error
from ..http import Request, Response
from ..ports import TransportError, WebSocket, WebSocketConnector, WebSocketRejected
from ..settings import Settings
from .relay import Relay
from .summary import Summary
from .target import Target, display_url, resolve

log = logging.getLogger("gateway.realtime")
_MAX_ERROR_TEXT = 500


class Session:
    """A session whose upstream leg is open. The adapter accepts the client (with ``subprotocol``)
    and calls ``run``; if it cannot, it calls ``abandon`` so the upstream leg is not left open."""

    def __init__(self, target: Target, upstream: WebSocket, idle_seconds: float, clock: Clock) -> None:
        self.target = target
        self.upstream = upstream
        self.idle_seconds = idle_seconds
        self.clock = clock

    @property
    def subprotocol(self) -> str | None:
        return self.target.subprotocol

    async def run(self, client: WebSocket) -> Summary:
        """Relay until both legs are closed; the summary is logged and returned."""
        summary = Summary(self.target.slug, display_url(self.target.url))
        started = self.clock.monotonic()
        try:
            await Relay(client, self.upstream, summary, self.idle_seconds, self.clock.monotonic).run()
        except asyncio.CancelledError:  # the server is stopping: both legs hear it
            summary.ended_by = "cancelled"
            await asyncio.gather(client.close(1001, "the gateway is shutting down"),
                                 self.upstream.close(1001, "the gateway is shutting down"))
            raise
        finally:
            summary.duration = self.clock.monotonic() - started
            log.info(summary.line())
        return summary

    async def abandon(self) -> None:
        await self.upstream.close(1001, "the client went away before the session started")


class Realtime:
    """Opens realtime sessions for one adapter, with its connector (websockets, JS fetch, a fake)."""

    def __init__(self, settings: Settings, connector: WebSocketConnector, clock: Clock | None = None) -> None:
        self.settings = settings
        self.connector = connector
        self.clock = clock or Clock()

    async def open(self, request: Request) -> Session | Response:
        try:
            target = resolve(request, self.settings)
        except GatewayError as error:
            return error.to_response()
        except Exception:  # noqa: BLE001 - the client gets a clean 500, never a traceback
            log.exception("realtime: could not resolve the upstream")
            return GatewayError("Something went wrong").to_response()
        try:
            upstream = await asyncio.wait_for(self.connector.connect(target.url, target.headers),
                                              target.handshake_seconds)
        except TimeoutError:
            return _failure(504, target, f"the realtime handshake took longer than {target.handshake_seconds:g} s",
                            "timeout_error")
        except WebSocketRejected as refused:
            response = refused_response(target.slug, refused)
            return _scrubbed(response, self.settings.server.secrets) if target.server_held else response
        except TransportError as error:
            return _failure(503 if error.connect else 502, target, f"upstream connection failed: {error}",
                            "network_error")
        except Exception:  # noqa: BLE001
            log.exception("realtime: the connector failed")
            return GatewayError("Something went wrong").to_response()
        return Session(target, upstream, self.settings.realtime_idle_seconds, self.clock)


def _scrubbed(response: Response, secrets: tuple[str, ...]) -> Response:
    """A provider may quote the key it was sent; a key the server holds never reaches a client."""
    body = response.body if isinstance(response.body, bytes) else b""
    for secret in secrets:
        if len(secret) >= 8:
            body = body.replace(secret.encode(), b"[redacted]")
    response.body = body
    return response


def _failure(status: int, target: Target, message: str, kind: str) -> Response:
    body = {**openai_error(f"{target.slug} error: {message}", kind), "provider": target.slug}
    return json_response(status, body)


def refused_response(slug: str, refused: WebSocketRejected) -> Response:
    """The provider's own HTTP answer to the upgrade (401 bad key, 404 unknown model, 429...), in the
    gateway's provider-error envelope. A redirect or a 2xx is not an answer a client can use: 502."""
    status = refused.status if 400 <= refused.status <= 599 else 502
    detail = _provider_error(refused.body)
    if status != refused.status:
        why = "redirects are not followed" if 300 <= refused.status < 400 else "it is not a WebSocket endpoint"
        detail = {"message": f"the upstream answered HTTP {refused.status} to the upgrade ({why})"}
    message = detail.get("message") or f"the upstream refused the realtime connection with HTTP {status}"
    kind = detail.get("type")
    body = {**openai_error(f"{slug} error: {message}", kind if isinstance(kind, str) else None, detail.get("param"),
                           detail.get("code")),
            "provider": slug}
    return json_response(status, body)


def _provider_error(raw: bytes) -> dict[str, object]:
    """OpenAI-style ``{"error": {...}}`` bodies keep their fields; any other body becomes the message."""
    try:
        data = json.loads(raw) if raw.strip() else None
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return dict(data["error"])
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return {"message": data["error"]}
    text = raw.decode("utf-8", "replace").strip()[:_MAX_ERROR_TEXT]
    return {"message": text} if text else {}
