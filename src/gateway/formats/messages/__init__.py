"""Anthropic Messages as a client format: ``/v1/messages`` on every chat provider.

An Anthropic SDK (or Claude Code) posts a Messages request. A provider without a Messages API is
reached through the hub (OpenAI chat), so this package maps the request to chat params, and the
chat answer, its errors and its chunk stream back to Anthropic's Message, error body and named
SSE events. Everything is pure: no I/O, no module state; the stream mapper is one small object
per stream.

What chat cannot express is dropped, never refused: ``cache_control``, Anthropic's server tools
(web search, bash, code execution ...), thinking blocks in the history, ``service_tier``,
``container``, ``mcp_servers``, ``context_management`` and fields this package does not know.
"""

from __future__ import annotations

from .. import ClientFormat
from .chat_params import request
from .errors import error
from .message import response
from .message_stream import MessagesStream, stream
from .token_estimate import estimate

__all__ = ["FORMAT", "MessagesStream", "error", "estimate", "request", "response", "stream"]


FORMAT = ClientFormat(hub_fn="chatComplete", request=request, response=response, error=error, stream=stream,
                      framing="named-sse", count_fn="messagesCountTokens", estimate=estimate)
