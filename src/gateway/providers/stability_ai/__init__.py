"""Stability AI: OpenAI's ``/v1/images/generations`` <-> Stability's image generation.

As upstream does, the model picks the API: the two SDXL-era models of the v1 API
(``stable-diffusion-xl-1024-v1-0``, ``stable-diffusion-v1-6``) go to
``/v1/generation/{model}/text-to-image`` as JSON; any other model names a v2beta service
(``ultra``, ``core``, ``sd3``) at ``/v2beta/stable-image/generate/{model}``, which takes multipart
form data only. Both answer JSON (``accept: application/json``) that becomes OpenAI's images
response ``{created, data: [{b64_json}]}``.
"""

from __future__ import annotations

from ...transform.unstreamed import no_stream
from ..base import Provider, Translation
from .api import OPTION_HEADERS, SLUG, V1_MODELS, build_url, headers
from .errors import error_response
from .image import encode, image_request, image_response

__all__ = ["IMAGE", "PROVIDER", "SLUG", "V1_MODELS", "encode", "error_response", "image_request", "image_response"]

IMAGE = Translation(request=image_request, response=image_response, error=error_response, stream=no_stream,
                    encode=encode)

PROVIDER = Provider(
    slug=SLUG,
    base_url="https://api.stability.ai",
    endpoints={"imageGenerate": "/v2beta/stable-image/generate/{model}"},
    headers=headers,
    build_url=build_url,
    translations={"imageGenerate": IMAGE},
    option_headers=OPTION_HEADERS,
)
