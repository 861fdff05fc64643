"""How the gateway addresses an Azure AI Foundry deployment (the Azure AI model inference API and
serverless endpoints): the base URL from ``azure_foundry_url``, ``api-version``, the auth headers."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit

from ...customhost import is_valid_custom_host
from ...errors import GatewayError
from ...transform.params import Options
from ..base import Provider, render_path
from ..proxy_path import proxy_path

SLUG = "azure-ai"
FILES_AND_BATCHES = frozenset({
    "uploadFile", "listFiles", "retrieveFile", "deleteFile", "retrieveFileContent",
    "createBatch", "listBatches", "retrieveBatch", "cancelBatch",
})
"""Served by the resource's Azure OpenAI API (``<origin>/openai``), not by the deployment URL."""

OPTION_HEADERS = (
    ("azure-foundry-url", "azure_foundry_url", False),
    ("azure-api-version", "azure_api_version", False),
    ("azure-endpoint-name", "azure_endpoint_name", False),
    ("azure-ad-token", "azure_ad_token", False),
    ("azure-auth-mode", "azure_auth_mode", False),
    ("azure-managed-client-id", "azure_managed_client_id", False),
    ("azure-entra-client-id", "azure_entra_client_id", False),
    ("azure-entra-client-secret", "azure_entra_client_secret", False),
    ("azure-entra-tenant-id", "azure_entra_tenant_id", False),
    ("azure-entra-scope", "azure_entra_scope", False),
    ("azure-extra-params", "azure_extra_parameters", False),
)


def base(options: Options) -> str:
    """``azure_foundry_url`` as given (``https://<resource>.services.ai.azure.com/models``, a serverless
    ``https://<endpoint>.<region>.models.ai.azure.com``...). It is a URL the gateway fetches, so it
    passes the ``custom_host`` SSRF check; a private endpoint goes in ``custom_host`` instead."""
    url = str(options.get("azure_foundry_url") or "").strip().rstrip("/")
    if not url:
        raise GatewayError("azure-ai needs the deployment's URL (x-portkey-azure-foundry-url or azure_foundry_url)",
                           400, exception=False)
    if not is_valid_custom_host(url, ()):
        raise GatewayError("Invalid azure_foundry_url: it must be a public http(s) URL (a private endpoint goes in "
                           "custom_host)", 400, exception=False)
    if "anthropic" in url:
        raise GatewayError("This Foundry URL serves Claude through Anthropic's Messages API: use provider anthropic "
                           "with custom_host <azure_foundry_url>/v1 (the key goes in x-api-key)", 400, exception=False)
    return url


def url(provider: Provider, options: Options, fn: str, base_url: str, path_params: Mapping[str, str],
        query: str) -> str:
    """The endpoint under the base (files and batches under the origin's ``/openai``), the client's
    query kept, and ``api-version`` from ``azure_api_version`` when set."""
    pairs = _query(options, query)
    if fn == "proxy":
        path = proxy_path(path_params.get("path", ""))
    else:
        path = render_path(provider.endpoints[fn], path_params, options)
    if fn in FILES_AND_BATCHES:
        parts = urlsplit(base_url)
        base_url = f"{parts.scheme}://{parts.netloc}/openai"
    return base_url + path + (f"?{urlencode(pairs)}" if pairs else "")


def _query(options: Options, query: str) -> list[tuple[str, str]]:
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "api-version"]
    version = str(options.get("azure_api_version") or "").strip()
    if version:
        pairs.append(("api-version", version))
    return pairs


def realtime_url(options: Options, base_url: str, query: str) -> str:
    """``<deployment URL>/realtime``, the client's query kept, ``api-version`` as for every call."""
    pairs = _query(options, query)
    return f"{base_url}/realtime" + (f"?{urlencode(pairs)}" if pairs else "")


def headers(options: Options, fn: str) -> dict[str, str]:
    """``extra-parameters`` (``drop`` unless ``azure_extra_parameters`` says otherwise: a parameter a
    model does not know is dropped instead of failing the call), the deployment header, then the
    credentials: an Entra token as a bearer, or a key in both ``api-key`` and ``Authorization``
    (Foundry's endpoints differ in which they read; Microsoft's own SDK sends both)."""
    extra = options.get("azure_extra_parameters") or options.get("azure_extra_params") or "drop"
    out = {"extra-parameters": str(extra)}
    if options.get("azure_deployment_name"):
        out["azureml-model-deployment"] = str(options["azure_deployment_name"])
    token, mode, key = options.get("azure_ad_token"), options.get("azure_auth_mode"), options.get("api_key")
    if token:
        out["authorization"] = f"Bearer {str(token).removeprefix('Bearer ')}"
    elif mode in ("entra", "managed", "workload"):
        raise GatewayError(f"azure_auth_mode '{mode}' is not supported by this gateway yet; pass an api key or "
                           "azure_ad_token", 501)
    elif key:
        out["api-key"] = str(key)
        out["authorization"] = f"Bearer {key}"
    return out
