"""Anthropic: OpenAI chat (the hub) <-> the Messages API, and legacy completions <-> ``/complete``.

Behaviour follows upstream Portkey's ``providers/anthropic`` (reference §7.3) with deliberate fixes:
a default ``max_tokens`` (Anthropic rejects a body without one), prompt tokens that include cache
tokens (OpenAI counts cached tokens inside ``prompt_tokens``), consecutive tool results merged into
one user turn, stream chunks that carry the message id, and a mid-stream ``error`` event that
becomes a hub error event instead of a fake finish chunk followed by ``[DONE]``.

Native ``/v1/messages`` bodies are not translated, only whitelisted (``MESSAGES``, ``COUNT_TOKENS``).
Every function here is pure and tolerant: odd client input is skipped, never raised on.
"""

from __future__ import annotations

from ...transform.params import Param, ParamMap
from ..base import Provider, Translation
from .api import DEFAULT_VERSION, SLUG, headers
from .chat import chat_request, chat_response
from .chat_stream import ChatStream
from .complete import CompleteStream, complete_request, complete_response
from .errors import error_response
from .max_tokens import DEFAULT_MAX_TOKENS

__all__ = ["CHAT", "COMPLETE", "COUNT_TOKENS", "DEFAULT_MAX_TOKENS", "DEFAULT_VERSION", "MESSAGES", "PROVIDER", "SLUG",
           "ChatStream", "CompleteStream", "chat_request", "chat_response", "complete_request", "complete_response",
           "error_response"]


def _plain(*names: str) -> dict[str, Param]:
    return {name: Param(name) for name in names}


MESSAGES: ParamMap = {
    "model": Param("model", required=True),
    **_plain("messages", "max_tokens", "container", "context_management", "mcp_servers", "metadata",
             "service_tier", "stop_sequences", "stream", "system", "temperature", "thinking", "tool_choice",
             "tools", "top_k", "top_p", "output_format", "output_config"),
}
"""Native ``/v1/messages`` whitelist: upstream's list plus the fields Anthropic added since."""

COUNT_TOKENS: ParamMap = {
    "model": Param("model", required=True),
    **_plain("messages", "system", "tools", "tool_choice", "thinking", "mcp_servers", "context_management",
             "output_format", "output_config"),
}

CHAT = Translation(request=chat_request, response=chat_response, error=error_response, stream=ChatStream)
COMPLETE = Translation(request=complete_request, response=complete_response, error=error_response,
                       stream=CompleteStream)

PROVIDER = Provider(
    slug=SLUG,
    base_url="https://api.anthropic.com/v1",
    endpoints={"chatComplete": "/messages", "complete": "/complete", "messages": "/messages",
               "messagesCountTokens": "/messages/count_tokens"},
    params={"messages": MESSAGES, "messagesCountTokens": COUNT_TOKENS},
    headers=headers,
    translations={"chatComplete": CHAT, "complete": COMPLETE},
    option_headers=(("anthropic-beta", "anthropic_beta", True), ("anthropic-version", "anthropic_version", True)),
    client_options={"anthropic-beta": "anthropic_beta", "anthropic-version": "anthropic_version",
                    "x-api-key": "anthropic_api_key"},
)
