"""Claude on Vertex AI: Anthropic's Messages API behind ``rawPredict``, with two differences from
api.anthropic.com (Anthropic's "Claude on Vertex AI" docs): the model is in the URL, not the body,
and the body carries ``anthropic_version: vertex-2023-10-16`` instead of a header.

Chat reuses the Anthropic provider's translation (relabelled ``vertex-ai``); native
``/v1/messages`` and count_tokens reuse its whitelists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import MapContext
from ...transform.params import Options, Param, ParamMap
from .. import anthropic
from ..base import Translation
from .errors import error_response
from .models import route
from .relabel import relabelled

VERTEX_VERSION = "vertex-2023-10-16"


def anthropic_version(params: Mapping[str, Any], options: Options) -> str:
    """``x-portkey-anthropic-version`` / ``anthropic_version`` option, else the body's, else
    Vertex's only version. The SDKs' bare ``anthropic-version: 2023-06-01`` header is not read:
    Vertex refuses that value."""
    value = options.get("anthropic_version") or params.get("anthropic_version")
    return value if isinstance(value, str) and value else VERTEX_VERSION


def chat_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    body = anthropic.CHAT.request(params, options, ctx)
    body.pop("model", None)
    body["anthropic_version"] = anthropic_version(params, options)
    return body


CHAT = relabelled(Translation(request=chat_request, response=anthropic.CHAT.response, error=error_response,
                              stream=anthropic.CHAT.stream, framing=anthropic.CHAT.framing), anthropic.SLUG)

MESSAGES_VERSION: ParamMap = {"messages": (Param("messages"), Param("anthropic_version", transform=anthropic_version))}
"""``messages`` fanned out to the version too (a body always has messages), so that the option is
read even when the body has no ``anthropic_version``."""

MESSAGES: ParamMap = {**{name: spec for name, spec in anthropic.MESSAGES.items() if name != "model"},
                      **MESSAGES_VERSION}
"""Native ``/v1/messages``: Anthropic's whitelist without ``model`` (it is in the URL), plus the version."""


def _model_name(params: Mapping[str, Any], options: Options) -> str:
    return route(params.get("model")).model


COUNT_TOKENS: ParamMap = {**anthropic.COUNT_TOKENS, **MESSAGES_VERSION,
                          "model": Param("model", required=True, transform=_model_name)}
"""``count-tokens:rawPredict`` takes the model in the body, without the ``anthropic.`` prefix, and
the version as Anthropic's own Vertex client sends it."""
