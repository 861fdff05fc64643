"""Cohere: OpenAI chat (the hub) <-> the v2 Chat API, legacy completions through v2 chat, and
embeddings <-> v2 Embed. Bearer auth.

Behaviour follows upstream Portkey's ``providers/cohere`` (reference §7.2) with deliberate fixes:
the current API host, completions on ``/v2/chat`` (Cohere retired ``/v1/generate``), a full message
mapping (developer -> system, an assistant's text beside tool calls as ``tool_plan``), named
tool_choice kept, JSON schema response formats in Cohere's shape, parameters clamped to Cohere's
ranges, stream chunks with OpenAI tool-call indices, and generations that end with ERROR or TIMEOUT
reported as errors instead of a normal finish. Cohere's datasets and embed jobs (upstream's files
and batches) are not served.

Every function here is pure and tolerant: odd client input is skipped, never raised on.
"""

from __future__ import annotations

from ...transform.unstreamed import no_stream
from ..base import Provider, Translation
from .api import BASE_URL, CHAT_PATH, EMBED_PATH, SLUG
from .chat import chat_request, chat_response
from .chat_stream import ChatStream
from .complete import CompleteStream, complete_request, complete_response
from .embed import DEFAULT_INPUT_TYPE, embed_request, embed_response
from .errors import error_response

__all__ = ["CHAT", "COMPLETE", "DEFAULT_INPUT_TYPE", "EMBED", "PROVIDER", "SLUG", "ChatStream", "CompleteStream",
           "chat_request", "chat_response", "complete_request", "complete_response", "embed_request",
           "embed_response", "error_response"]

CHAT = Translation(request=chat_request, response=chat_response, error=error_response, stream=ChatStream)
COMPLETE = Translation(request=complete_request, response=complete_response, error=error_response,
                       stream=CompleteStream)
EMBED = Translation(request=embed_request, response=embed_response, error=error_response, stream=no_stream)

PROVIDER = Provider(
    slug=SLUG,
    base_url=BASE_URL,
    endpoints={"chatComplete": CHAT_PATH, "complete": CHAT_PATH, "embed": EMBED_PATH},
    translations={"chatComplete": CHAT, "complete": COMPLETE, "embed": EMBED},
)
