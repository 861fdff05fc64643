"""Azure OpenAI: OpenAI's wire format behind a resource/deployment/api-version URL and an
``api-key`` header (reference §7.2). Bodies use OpenAI's parameter maps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ..errors import GatewayError
from ..transform.json_values import js_truthy
from ..transform.params import Options, Param, ParamMap
from . import openai
from .base import ConfigRule, Provider, render_path

_DEPLOYMENT_FNS = frozenset({
    "complete", "chatComplete", "embed", "imageGenerate", "imageEdit", "createSpeech",
    "createTranscription", "createTranslation",
})


def _headers(options: Options, fn: str) -> dict[str, str]:
    token = options.get("azure_ad_token")
    mode = options.get("azure_auth_mode")
    if token:
        out = {"authorization": f"Bearer {str(token).removeprefix('Bearer ')}"}
    elif mode in ("entra", "managed", "workload"):
        raise GatewayError(f"azure_auth_mode '{mode}' is not supported by this gateway yet; "
                           "pass an api key or azure_ad_token", 501)
    else:
        out = {"api-key": str(options.get("api_key") or "")}
    if options.get("openai_beta"):
        out["openai-beta"] = str(options["openai_beta"])
    return out


def _url(provider: Provider, options: Options, fn: str, base: str,
         path_params: Mapping[str, str], query: str) -> str:
    version = str(options.get("api_version") or "").strip()
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "api-version"]
    v1 = version == "v1"
    if version and not v1:
        pairs.append(("api-version", version))
    if fn == "proxy":
        path = path_params["path"] if v1 else path_params["path"].removeprefix("/v1")
    else:
        path = render_path(provider.endpoints[fn], path_params, options)
        if v1:
            path = "/v1" + path
        elif fn in _DEPLOYMENT_FNS:
            deployment = options.get("deployment_id")
            if not deployment:
                raise GatewayError("azure-openai needs a deployment id "
                                   "(x-portkey-azure-deployment-id or deployment_id)", 400)
            path = f"/deployments/{deployment}{path}"
    return base + path + (f"?{urlencode(pairs)}" if pairs else "")


def _realtime(options: Options, base: str, query: str) -> str:
    """``/openai/realtime?api-version=..&deployment=..`` (the preview API, as upstream), or with
    ``api_version`` ``v1`` the GA form ``/openai/v1/realtime?model=<deployment>``. The deployment is
    ``deployment_id``, else the client's ``?model=`` (what the openai SDK sends)."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
             if k not in ("api-version", "deployment", "model")]
    model = dict(parse_qsl(query)).get("model")
    deployment = str(options.get("deployment_id") or model or "")
    if not deployment:
        raise GatewayError("azure-openai realtime needs a deployment (x-portkey-azure-deployment-id, "
                           "deployment_id, or ?model=)", 400, exception=False)
    version = str(options.get("api_version") or "").strip()
    if version == "v1":
        return f"{base}/v1/realtime?{urlencode([*pairs, ('model', deployment)])}"
    if version:
        pairs.append(("api-version", version))
    return f"{base}/realtime?{urlencode([*pairs, ('deployment', deployment)])}"


def _model(params: Mapping[str, Any], options: Options) -> Any:
    """Azure's v1 API picks the deployment by ``model``, so the deployment id goes there."""
    if str(options.get("api_version") or "").strip() == "v1" and options.get("deployment_id"):
        return options["deployment_id"]
    return params.get("model")


def _with_deployment_model(spec: ParamMap) -> dict[str, Any]:
    model = spec["model"]
    assert isinstance(model, Param)
    return {**spec, "model": replace(model, transform=_model)}


PARAMS = {fn: _with_deployment_model(spec) for fn, spec in openai.PARAMS.items()}


def _base(options: Options) -> str:
    resource = options.get("resource_name")
    if not resource:
        raise GatewayError("azure-openai needs a resource name "
                           "(x-portkey-azure-resource-name or resource_name)", 400)
    return f"https://{resource}.openai.azure.com/openai"


OPTION_HEADERS = (
    ("azure-resource-name", "resource_name", False),
    ("azure-deployment-id", "deployment_id", False),
    ("azure-api-version", "api_version", False),
    ("azure-ad-token", "azure_ad_token", False),
    ("azure-auth-mode", "azure_auth_mode", False),
    ("azure-managed-client-id", "azure_managed_client_id", False),
    ("azure-workload-client-id", "azure_workload_client_id", False),
    ("azure-entra-client-id", "azure_entra_client_id", False),
    ("azure-entra-client-secret", "azure_entra_client_secret", False),
    ("azure-entra-tenant-id", "azure_entra_tenant_id", False),
    ("azure-entra-scope", "azure_entra_scope", False),
    ("azure-model-name", "azure_model_name", False),
    ("openai-beta", "openai_beta", True),
)

PROVIDER = Provider(
    slug="azure-openai",
    base_url="",
    endpoints=openai.ENDPOINTS,
    params=PARAMS,
    headers=_headers,
    build_url=_url,
    dynamic_base=_base,
    option_headers=OPTION_HEADERS,
    realtime=_realtime,
    config_rule=ConfigRule(keyless=lambda config: js_truthy(config.get("azure_auth_mode"))),
)
