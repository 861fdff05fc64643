"""How the gateway addresses the Gemini API: the slug, the URL of each endpoint and the API key header.

Only this module knows Gemini's URLs and auth; the body mappers know neither, so Vertex AI (same
bodies, other URLs and OAuth) reuses them with its own ``build_url`` and ``headers``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ...errors import GatewayError
from ...transform.params import Options
from ..base import Provider

SLUG = "google"
BASE_URL = "https://generativelanguage.googleapis.com"
API_VERSION = "v1beta"
_METHODS = {"chatComplete": "generateContent", "embed": "batchEmbedContents"}
_RESOURCE_PREFIXES = ("models/", "tunedModels/")


def model_resource(model: Any) -> str:
    """``gemini-2.5-flash`` -> ``models/gemini-2.5-flash``; a name already in resource form
    (``models/...``, ``tunedModels/...``) is kept. Gemini wants the resource name in the path and
    in every ``batchEmbedContents`` request."""
    if not isinstance(model, str) or not model.strip("/"):
        raise GatewayError("Model is required", 400, exception=False)
    model = model.strip("/")
    return model if model.startswith(_RESOURCE_PREFIXES) else f"models/{model}"


def headers(options: Options, fn: str) -> dict[str, str]:
    """The key goes in ``x-goog-api-key``, not in ``?key=`` as upstream does: a URL ends up in
    access logs, proxies and error messages, a header does not."""
    key = options.get("api_key")
    return {"x-goog-api-key": str(key)} if key else {}


def build_url(provider: Provider, options: Options, fn: str, base: str, path_params: Mapping[str, str],
              query: str) -> str:
    """``{base}/v1beta/models/{model}:generateContent``; a stream asks for ``:streamGenerateContent
    ?alt=sse`` (see the package docstring). ``options`` carries the request's ``model`` and
    ``stream`` (``upstream.url_options``). The model is percent-quoted so that a ``:`` or ``?`` in
    it cannot pick another method."""
    method = _METHODS.get(fn)
    if method is None:
        raise GatewayError(f"{fn} is not supported by {provider.slug}", 400, exception=False)
    resource = quote(model_resource(options.get("model")), safe="/-._~")
    if fn == "chatComplete" and options.get("stream") is True:
        return f"{base}/{API_VERSION}/{resource}:streamGenerateContent?alt=sse"
    return f"{base}/{API_VERSION}/{resource}:{method}"
