"""Hugging Face: OpenAI's wire format on the Inference Providers router (``router.huggingface.co``,
the model in the body, e.g. ``meta-llama/Llama-3.1-8B-Instruct:novita``), or on a dedicated
Inference Endpoint / TGI server named by ``huggingface_base_url``.

Upstream's default was ``api-inference.huggingface.co/models/{model}/v1/...``, which Hugging Face
retired in favour of the router. The base URL option is a URL the gateway will fetch, so it gets the
same SSRF check as ``custom_host``; a server on a private network is reached with ``custom_host``,
which honours the operator's trusted hosts."""

from __future__ import annotations

from dataclasses import replace

from ..customhost import is_valid_custom_host
from ..errors import GatewayError
from ..transform.params import Options
from . import compatible

SLUG = "huggingface"
_ROW = compatible.build(SLUG)


def _base(options: Options) -> str:
    url = str(options.get("huggingface_base_url") or "").strip().rstrip("/")
    if not url:
        return _ROW.base_url
    if not is_valid_custom_host(url, ()):
        raise GatewayError("Invalid huggingface_base_url: it must be a public http(s) URL (a private or loopback "
                           "server goes in custom_host)", 400, exception=False)
    return url


PROVIDER = replace(_ROW, dynamic_base=_base, option_headers=(("huggingface-base-url", "huggingface_base_url", False),))
