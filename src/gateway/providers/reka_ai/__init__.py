"""Reka: OpenAI chat (the hub) <-> Reka's chat API (``POST /v1/chat``, ``X-Api-Key``).

Upstream Portkey still speaks Reka's retired first API (``POST /chat`` with
``conversation_history`` turns typed ``human``/``model`` and ``model_name``). This speaks the
current one, which Reka's SDK (3.x) and docs use: ``messages`` with roles ``system``, ``user``,
``assistant`` and ``tool_output``, OpenAI-like sampling names, function tools, and an answer with
``responses[].message`` and ``usage.input_tokens``/``output_tokens``. Streams are SSE events of
the same shape with ``responses[].chunk``; the one carrying ``finish_reason`` is the last.
"""

from __future__ import annotations

from ..base import Provider, Translation
from .api import SLUG, headers
from .chat import chat_request, chat_response
from .chat_stream import ChatStream
from .errors import error_response

__all__ = ["CHAT", "PROVIDER", "SLUG", "ChatStream", "chat_request", "chat_response", "error_response"]

CHAT = Translation(request=chat_request, response=chat_response, error=error_response, stream=ChatStream)

PROVIDER = Provider(
    slug=SLUG,
    base_url="https://api.reka.ai",
    endpoints={"chatComplete": "/v1/chat"},
    headers=headers,
    translations={"chatComplete": CHAT},
)
