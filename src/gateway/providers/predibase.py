"""Predibase: OpenAI's chat wire format (its LoRAX servers), behind a URL made of the tenant and the
deployment. As upstream Portkey documents it, the tenant id travels in OpenAI's ``user`` field and the
model is ``<deployment>[:<adapter>/<version>]``: the deployment goes into the path, the adapter (or
nothing, for the base model) into the body's ``model``. The body whitelist is upstream's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ..errors import GatewayError
from ..transform.params import Options, Param, ParamMap
from .base import Provider
from .developer_role import developer_as_system
from .proxy_path import proxy_url

SLUG = "predibase"


def _adapter(params: Mapping[str, Any], options: Options) -> Any:
    model = params.get("model")
    return model.partition(":")[2] if isinstance(model, str) else ""


def _plain(*names: str) -> dict[str, Param]:
    return {name: Param(name) for name in names}


CHAT: ParamMap = {
    "model": Param("model", transform=_adapter),
    "messages": Param("messages", default=[], required=True, transform=developer_as_system),
    "max_tokens": Param("max_tokens", min=0),
    "max_completion_tokens": Param("max_tokens", min=0),
    "temperature": Param("temperature", min=0, max=1),
    "top_p": Param("top_p", min=0, max=1),
    "n": Param("n", min=1, max=1),
    **_plain("response_format", "stream", "stop", "top_k", "best_of"),
}


def _segment(value: str) -> str:
    return quote(value, safe="")


def _url(provider: Provider, options: Options, fn: str, base: str, path_params: Mapping[str, str],
         query: str) -> str:
    if fn == "proxy":
        return proxy_url(base, path_params, query)
    tenant, model = options.get("user"), options.get("model")
    if not tenant:
        raise GatewayError("predibase needs your tenant id in the request's user field", 400, exception=False)
    if not model:
        raise GatewayError("predibase needs a model (<deployment>[:<adapter>/<version>])", 400, exception=False)
    deployment = str(model).partition(":")[0]
    return f"{base}/{_segment(str(tenant))}/deployments/v2/llms/{_segment(deployment)}/v1/chat/completions"


PROVIDER = Provider(
    slug=SLUG,
    base_url="https://serving.app.predibase.com",
    endpoints={"chatComplete": "/v1/chat/completions"},
    params={"chatComplete": CHAT},
    build_url=_url,
)
