"""AWS Bedrock: OpenAI chat (the hub) <-> the Converse API for every model family, embeddings
through InvokeModel (Titan, Cohere), and Anthropic's Messages natively for Claude models.

Served (``https://bedrock-runtime.{region}.amazonaws.com``, reference §7.5):
  * chat: ``/model/{id}/converse`` and ``/converse-stream`` (AWS's binary event-stream, decoded
    by the core's ``aws-eventstream`` framing);
  * embeddings: ``/model/{id}/invoke`` (``amazon.titan-embed-*``, ``cohere.embed-*``);
  * ``/v1/messages`` for Claude: ``/model/{id}/invoke`` and ``/invoke-with-response-stream``;
    ``/v1/messages/count_tokens`` for Claude: ``/model/{id}/count-tokens``. Other models reach
    ``/v1/messages`` through the hub (Converse) and get an estimated count (``native``).
Auth: SigV4 over the final request (``auth.sign``, stdlib only), a Bedrock API key as a bearer
token (``aws_auth_type: apiKey``), a 501 for ``assumedRole``. Not served: legacy completions,
images, files, batches and fine-tuning.
"""

from __future__ import annotations

from ..base import Provider, Translation
from .api import ENDPOINTS, OPTION_HEADERS, SLUG, base_url, build_url, native
from .auth import headers, sign
from .claude import ClaudeStream, count_request, count_response, messages_request, messages_response
from .converse import chat_request, chat_response
from .converse_stream import ConverseStream
from .embeddings import embed_request, embed_response
from .errors import error_response

__all__ = ["CHAT", "COUNT_TOKENS", "EMBED", "MESSAGES", "PROVIDER", "SLUG", "ClaudeStream", "ConverseStream"]

_EVENTSTREAM = "aws-eventstream"
CHAT = Translation(request=chat_request, response=chat_response, error=error_response, stream=ConverseStream,
                   framing=_EVENTSTREAM)
MESSAGES = Translation(request=messages_request, response=messages_response, error=error_response,
                       stream=ClaudeStream, framing=_EVENTSTREAM)
# never streamed: the stream mappers below are placeholders the type requires
EMBED = Translation(request=embed_request, response=embed_response, error=error_response, stream=ConverseStream)
COUNT_TOKENS = Translation(request=count_request, response=count_response, error=error_response,
                           stream=ClaudeStream)

PROVIDER = Provider(
    slug=SLUG,
    base_url="https://bedrock-runtime.{aws_region}.amazonaws.com",
    dynamic_base=base_url,
    endpoints=ENDPOINTS,
    headers=headers,
    build_url=build_url,
    translations={"chatComplete": CHAT, "embed": EMBED, "messages": MESSAGES, "messagesCountTokens": COUNT_TOKENS},
    sign=sign,
    option_headers=OPTION_HEADERS,
    client_options={"anthropic-beta": "anthropic_beta"},
    native=native,
)
