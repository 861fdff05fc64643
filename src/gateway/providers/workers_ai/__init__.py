"""Cloudflare Workers AI. Chat and embeddings use Cloudflare's OpenAI-compatible endpoints
(``/ai/v1/...``, passthrough: tools, usage and finish reasons intact); legacy completions and image
generation, which that API lacks, are translated to and from the native ``/ai/run/{model}``.

Upstream Portkey sends chat through ``/run`` too, which loses tool calls and usage and reports an
empty finish_reason; the OpenAI-compatible endpoint is Cloudflare's documented way for OpenAI clients.
"""

from __future__ import annotations

from dataclasses import replace

from ...transform.unstreamed import no_stream
from .. import compatible
from ..base import Translation
from .api import OPTION_HEADERS, SLUG, base
from .complete import CompleteStream, complete_request, complete_response
from .errors import error_response
from .image import image_request, image_response

COMPLETE = Translation(request=complete_request, response=complete_response, error=error_response,
                       stream=CompleteStream)
IMAGE = Translation(request=image_request, response=image_response, error=error_response, stream=no_stream)

_OPENAI_SHAPED = compatible.build(SLUG)
PROVIDER = replace(
    _OPENAI_SHAPED,
    endpoints={**_OPENAI_SHAPED.endpoints, "complete": "/run/{model}", "imageGenerate": "/run/{model}"},
    translations={"complete": COMPLETE, "imageGenerate": IMAGE},
    dynamic_base=base,
    option_headers=OPTION_HEADERS,
)
