"""Google Gemini (``generativelanguage.googleapis.com``): OpenAI chat (the hub) <-> ``generateContent``,
OpenAI embeddings <-> ``batchEmbedContents``.

Behaviour follows upstream Portkey's ``providers/google`` (reference §7.4) with deliberate changes:

* Streams use ``:streamGenerateContent?alt=sse``, not upstream's bare streamed JSON array: SSE is
  framed by the core's SSE decoder like every other provider (no array brackets and commas to
  strip), an error inside the stream is an ordinary event, and Vertex AI takes the same query, so
  one stream mapper serves both.
* Gemini has no terminal stream event, so ``ChatStream`` emits ``DONE`` after the chunk in which
  every candidate has its ``finishReason`` (that chunk also carries the final usage). Upstream
  sends no ``[DONE]`` at all; a stream cut before the finish now ends with an error event.
* The API key travels in the ``x-goog-api-key`` header, not in ``?key=`` (URLs get logged).
* Every system/developer message goes to ``systemInstruction``; a tool result's function name is
  found from its ``tool_call_id``; JSON schemas are rebuilt into Gemini's ``Schema`` subset
  (``schema``); ``reasoning_effort`` maps to a thinking level (Gemini 3+) or budget (2.x).

Reuse: ``CHAT`` and ``EMBED`` know no URL and no auth (those are ``build_url`` and ``headers``
here) and take the provider slug from ``MapContext.provider``, so Vertex AI pairs the same
mappers with its own URLs and OAuth. Every mapper is pure and tolerant: odd client input is
skipped, never raised on (except embedding input Gemini cannot take).
"""

from __future__ import annotations

from ...transform.unstreamed import no_stream
from ..base import Provider, Translation
from .api import API_VERSION, BASE_URL, SLUG, build_url, headers, model_resource
from .chat import chat_request, chat_response
from .chat_stream import ChatStream
from .embed import embed_request, embed_response
from .errors import error_response
from .schema import gemini_schema

__all__ = ["API_VERSION", "BASE_URL", "CHAT", "EMBED", "PROVIDER", "SLUG", "ChatStream", "build_url",
           "chat_request", "chat_response", "embed_request", "embed_response", "error_response", "gemini_schema",
           "headers", "model_resource"]


CHAT = Translation(request=chat_request, response=chat_response, error=error_response, stream=ChatStream,
                   framing="sse")
EMBED = Translation(request=embed_request, response=embed_response, error=error_response, stream=no_stream)

PROVIDER = Provider(
    slug=SLUG,
    base_url=BASE_URL,
    endpoints={"chatComplete": f"/{API_VERSION}/models/{{model}}:generateContent",
               "embed": f"/{API_VERSION}/models/{{model}}:batchEmbedContents"},
    headers=headers,
    build_url=build_url,
    translations={"chatComplete": CHAT, "embed": EMBED},
)
