"""How the gateway addresses Vertex AI: the regional base URL, each model's endpoint path, and the
headers besides auth (which comes from the ``authorize`` hook, see ``auth``).

Project and region come from the options (``vertex_project_id``, ``vertex_region``; the project
falls back to the service account's ``project_id``). Both are user input that ends up in the URL
(the region in the host name), so they are checked against the shapes Google allows before use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote

from ...errors import GatewayError
from ...transform.params import Options
from ..base import Provider
from .models import CLAUDE, GEMINI, OPENAI, ModelRoute, route
from .service_account import parse_service_account

SLUG = "vertex-ai"
API_VERSION = "v1"
_REGION = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_PROJECT = re.compile(r"[A-Za-z0-9][A-Za-z0-9.:_-]{0,127}")  # ids, numbers, ``example.com:project``


def region(options: Options) -> str:
    value = options.get("vertex_region")
    if not value:
        raise GatewayError("vertex-ai needs a region (x-portkey-vertex-region or vertex_region)", 400,
                           exception=False)
    if not isinstance(value, str) or not _REGION.fullmatch(value):
        raise GatewayError("vertex-ai: vertex_region must look like us-central1 or global", 400, exception=False)
    return value


def project(options: Options) -> str:
    """The explicit project wins over the service account's own (a key may serve other projects)."""
    value = options.get("vertex_project_id")
    if not value:
        account = parse_service_account(options.get("vertex_service_account_json"))
        value = account.project_id if account is not None else None
    if not value:
        raise GatewayError("vertex-ai needs a project (x-portkey-vertex-project-id, vertex_project_id or the "
                           "service account's project_id)", 400, exception=False)
    if not isinstance(value, str) or not _PROJECT.fullmatch(value):
        raise GatewayError("vertex-ai: vertex_project_id is not a valid project id", 400, exception=False)
    return value


def base_url(options: Options) -> str:
    """``https://{region}-aiplatform.googleapis.com``; the ``global`` location has no prefix."""
    where = region(options)
    return "https://aiplatform.googleapis.com" if where == "global" else f"https://{where}-aiplatform.googleapis.com"


def _segment(name: str) -> str:
    """A model or endpoint id as one path segment: ``@`` (Claude versions) stays, a ``/``, ``:`` or
    ``?`` is escaped so that it cannot pick another resource or method."""
    return quote(name, safe="-._~@")


def _model_path(fn: str, target: ModelRoute, stream: bool) -> str:
    """The part after ``/locations/{region}`` for one model's endpoint."""
    if target.family == GEMINI and fn == "chatComplete":
        method = "streamGenerateContent?alt=sse" if stream else "generateContent"
        return f"/publishers/google/models/{_segment(target.model)}:{method}"
    if target.family == GEMINI and fn == "embed":
        return f"/publishers/google/models/{_segment(target.model)}:predict"
    if target.family == CLAUDE and fn == "messagesCountTokens":
        return "/publishers/anthropic/models/count-tokens:rawPredict"
    if target.family == CLAUDE and fn in ("chatComplete", "messages"):
        method = "streamRawPredict" if stream else "rawPredict"
        return f"/publishers/anthropic/models/{_segment(target.model)}:{method}"
    if target.family == OPENAI and fn == "chatComplete":
        if target.publisher == "mistralai":
            method = "streamRawPredict" if stream else "rawPredict"
            return f"/publishers/mistralai/models/{_segment(target.model)}:{method}"
        endpoint = "openapi" if target.publisher == "openapi" else _segment(target.model)
        return f"/endpoints/{endpoint}/chat/completions"
    raise GatewayError(f"{fn} is not supported by vertex-ai for {target.family} models", 400, exception=False)


def _proxy_path(path: str) -> str:
    """``/v1/proxy/projects/...`` or ``/v1/projects/...`` -> ``/v1/projects/...``; an explicit API
    version (``/v1beta1/...``) after the gateway's prefix is kept."""
    rest = path.removeprefix("/v1/proxy") if path.startswith("/v1/proxy/") else path.removeprefix("/v1")
    return rest if re.match(r"/v1[a-z0-9]*/", rest) else f"/{API_VERSION}{rest}"


def build_url(provider: Provider, options: Options, fn: str, base: str, path_params: Mapping[str, str],
              query: str) -> str:
    """``{base}/v1/projects/{project}/locations/{region}`` + the model's endpoint. ``options``
    carries the request's ``model`` and ``stream`` (``upstream.url_options``)."""
    if fn == "proxy":
        path = _proxy_path(path_params["path"])
        return base + path + (f"?{query}" if query else "")
    where = f"/{API_VERSION}/projects/{quote(project(options), safe=':.')}/locations/{region(options)}"
    return base + where + _model_path(fn, route(options.get("model")), options.get("stream") is True)


def headers(options: Options, fn: str) -> dict[str, str]:
    """Only ``anthropic-beta`` (Claude's beta features); ``Authorization`` comes from ``authorize``."""
    beta = options.get("anthropic_beta")
    return {"anthropic-beta": str(beta)} if beta else {}
