"""Bytez: OpenAI chat (the hub) <-> Bytez's model API (``POST /models/v2/{model}``,
``Authorization: Key <key>``).

A chat body is ``{messages, stream, params: {max_new_tokens, temperature, top_p}}``; the answer is
the envelope ``{error, output}`` with the assistant message in ``output``. A streamed answer is
plain generated text with no framing and no end marker. Upstream re-emits that text split on
spaces, which no OpenAI client can parse; here each piece of text becomes a
``chat.completion.chunk`` and the stream's clean end becomes the finish chunk and ``[DONE]``
(a stream that breaks ends with the gateway's error event instead).
"""

from __future__ import annotations

from ..base import Provider, Translation
from .api import SLUG, headers
from .chat import chat_request, chat_response
from .chat_stream import ChatStream
from .errors import error_response

__all__ = ["CHAT", "PROVIDER", "SLUG", "ChatStream", "chat_request", "chat_response", "error_response"]

CHAT = Translation(request=chat_request, response=chat_response, error=error_response, stream=ChatStream,
                   framing="text")

PROVIDER = Provider(
    slug=SLUG,
    base_url="https://api.bytez.com",
    endpoints={"chatComplete": "/models/v2/{model}"},
    headers=headers,
    translations={"chatComplete": CHAT},
)
