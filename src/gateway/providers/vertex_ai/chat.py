"""Chat on Vertex AI: one Translation that hands each call to its model family's translation.

Why a dispatching Translation and not a per-request choice in the core: every family's stream
is SSE (Gemini with ``alt=sse``, Anthropic's, OpenAI's), so the only thing that varies is which
pure functions run, and the model (``params["model"]`` for the request, ``MapContext.model`` for
the answer, the same value after ``override_params``) is known to each of them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import MapContext, StreamMapper
from ...transform.params import Options
from .. import google
from ..base import Translation
from . import claude, openai_compat
from .errors import error_response
from .models import CLAUDE, OPENAI, family

_BY_FAMILY = {CLAUDE: claude.CHAT, OPENAI: openai_compat.CHAT}


def translation_for(model: Any) -> Translation:
    """Gemini's (the ``google`` provider's body format) unless the model is Claude or an open model."""
    return _BY_FAMILY.get(family(model) or "", google.CHAT)


def chat_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    return translation_for(params.get("model")).request(params, options, ctx)


def chat_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    return translation_for(ctx.model).response(body, ctx)


def chat_stream(ctx: MapContext) -> StreamMapper:
    return translation_for(ctx.model).stream(ctx)


CHAT = Translation(request=chat_request, response=chat_response, error=error_response, stream=chat_stream)
