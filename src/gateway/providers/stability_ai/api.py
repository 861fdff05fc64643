"""How the gateway addresses Stability AI: the slug, the models of the v1 API, bearer auth with
JSON answers, and the endpoint each model's API has."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...errors import GatewayError
from ...transform.params import Options
from ..proxy_path import proxy_url

if TYPE_CHECKING:
    from ..base import Provider

SLUG = "stability-ai"
V1_MODELS = frozenset({"stable-diffusion-xl-1024-v1-0", "stable-diffusion-v1-6"})


def is_v1(model: Any) -> bool:
    return model in V1_MODELS


_CLIENT_HEADERS = ("stability-client-id", "stability-client-user-id", "stability-client-version")
OPTION_HEADERS: tuple[tuple[str, str, bool], ...] = tuple((name, name.replace("-", "_"), False)
                                                          for name in _CLIENT_HEADERS)
"""Reference §2.1's stability-ai row: Stability's optional client-identification headers."""


def headers(options: Options, fn: str) -> dict[str, str]:
    """Bearer auth; ``accept: application/json`` makes v2beta answer JSON with base64 instead of
    the image's bytes (v1 answers JSON either way); the client-identification headers Stability
    documents, when given (upstream reads them but never sends them)."""
    out = {"accept": "application/json"}
    if options.get("api_key"):
        out["authorization"] = f"Bearer {options['api_key']}"
    for name in _CLIENT_HEADERS:
        value = options.get(name.replace("-", "_"))
        if value:
            out[name] = str(value)
    return out


def build_url(provider: Provider, options: Options, fn: str, base: str, path_params: Mapping[str, str],
              query: str) -> str:
    """The model (``options["model"]``, from the request) picks the v1 or the v2beta endpoint; a
    proxied call keeps its own path and query."""
    if fn == "proxy":
        return proxy_url(base, path_params, query)
    model = options.get("model")
    if not isinstance(model, str) or not model:
        raise GatewayError(f"{SLUG} needs a model: a v1 engine id or a v2beta service (ultra, core, sd3)", 400,
                           exception=False)
    if is_v1(model):
        return f"{base}/v1/generation/{model}/text-to-image"
    return f"{base}/v2beta/stable-image/generate/{model}"
