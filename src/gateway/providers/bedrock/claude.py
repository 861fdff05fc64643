"""``/v1/messages`` for Claude models on Bedrock, natively: Anthropic's Messages body through
``InvokeModel`` (``/invoke``, ``/invoke-with-response-stream``) and Anthropic's answer back as is.

The body is the client's Messages body without ``model`` and ``stream`` (the URL carries both),
with ``anthropic_version: "bedrock-2023-05-31"`` and the betas as an ``anthropic_beta`` list,
as Anthropic's own Bedrock SDK client sends it. Fields only Anthropic's API knows (service_tier,
container, mcp_servers, metadata) are dropped: Bedrock refuses unknown fields. The stream's
``chunk`` events carry ``{"bytes": <base64 of an Anthropic event>}``; each is unwrapped into the
named Anthropic event, ``DONE`` follows ``message_stop``.

``/v1/messages/count_tokens`` maps to ``POST /model/{id}/count-tokens`` with the same body,
base64-encoded as AWS's ``InvokeModelTokensRequest.body`` blob, and ``{"inputTokens"}`` back as
``{"input_tokens"}``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from ...transform.events import DONE, Event, MapContext
from ...transform.eventstream import EXCEPTION
from ...transform.json_values import is_int
from ...transform.params import Options
from .errors import anthropic_error_event, invalid
from .inference import betas

BEDROCK_VERSION = "bedrock-2023-05-31"
COUNT_MAX_TOKENS = 10
"""InvokeModel's Claude body requires max_tokens, which a count_tokens request has none of."""
FIELDS = ("messages", "system", "max_tokens", "stop_sequences", "temperature", "top_p", "top_k", "tools",
          "tool_choice", "thinking", "output_config", "output_format", "context_management")


def invoke_body(params: Mapping[str, Any], options: Options) -> dict[str, Any]:
    """The InvokeModel body for a Messages request (see the module docstring)."""
    version = options.get("anthropic_version") or params.get("anthropic_version")
    out: dict[str, Any] = {"anthropic_version": version if isinstance(version, str)
                           and version.startswith("bedrock-") else BEDROCK_VERSION}
    out.update((key, params[key]) for key in FIELDS if key in params)
    listed = betas(options.get("anthropic_beta"), params.get("anthropic_beta"))
    if listed:
        out["anthropic_beta"] = listed
    return out


def messages_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    return invoke_body(params, options)


def messages_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    """Claude's Message comes back as it is; anything else is the hub's invalid-response error."""
    if isinstance(body, dict) and isinstance(body.get("content"), list):
        return body
    return invalid(body)


def count_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    body = invoke_body(params, options)
    body.setdefault("max_tokens", COUNT_MAX_TOKENS)
    raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return {"input": {"invokeModel": {"body": base64.b64encode(raw).decode()}}}


def count_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    tokens = body.get("inputTokens") if isinstance(body, dict) else None
    return {"input_tokens": tokens} if is_int(tokens) else invalid(body)


def _unwrap(data: Any) -> Any:
    """A ``chunk`` event's payload -> the Anthropic event it carries, or None when it is not one."""
    raw = data.get("bytes") if isinstance(data, dict) else None
    try:
        event = json.loads(base64.b64decode(raw, validate=True)) if isinstance(raw, str) else None
    except (binascii.Error, ValueError):
        return None
    return event if isinstance(event, dict) and isinstance(event.get("type"), str) else None


class ClaudeStream:
    """InvokeModelWithResponseStream events -> Anthropic's named events, then ``DONE`` after
    ``message_stop``. An ``exception`` frame, a chunk that is not an Anthropic event, or Claude's
    own ``error`` event ends the stream with Anthropic's ``error`` event."""

    __slots__ = ("_done",)

    def __init__(self, ctx: MapContext) -> None:
        self._done = False

    def feed(self, event: Event) -> list[Event]:
        if self._done:
            return []
        if event.name == EXCEPTION:
            self._done = True
            return [anthropic_error_event(event.data)]
        if event.name != "chunk":
            return []
        inner = _unwrap(event.data)
        if inner is None:
            self._done = True
            return [anthropic_error_event({"message": "a stream chunk that is not an Anthropic event"})]
        kind = inner["type"]
        if kind == "error":
            self._done = True
        out = [Event(inner, kind)]
        if kind == "message_stop":
            self._done = True
            out.append(Event(DONE))
        return out

    def end(self) -> list[Event]:
        return []
