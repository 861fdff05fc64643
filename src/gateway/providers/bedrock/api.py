"""How the gateway addresses Bedrock's runtime API: region, URLs per endpoint, which endpoints are
native for which model, and the header-mode option headers (reference §2.1, §7.5)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, unquote

from ...errors import GatewayError
from ...transform.params import Options
from ..aws import options as aws_options
from ..aws.options import region
from ..base import Provider
from ..proxy_path import proxy_path
from .models import is_claude, without_region

SLUG = "bedrock"
_PCHAR = ":@!$&'()*+,;="

# fn -> (action, streamed action); every one is ``POST /model/{modelId}/<action>``
ACTIONS: dict[str, tuple[str, str | None]] = {
    "chatComplete": ("converse", "converse-stream"),
    "messages": ("invoke", "invoke-with-response-stream"),
    "embed": ("invoke", None),
    "messagesCountTokens": ("count-tokens", None),
}
ENDPOINTS = {fn: f"/model/{{model}}/{action}" for fn, (action, _) in ACTIONS.items()}

OPTION_HEADERS: tuple[tuple[str, str, bool], ...] = (
    *aws_options.OPTION_HEADERS,
    ("aws-s3-bucket", "aws_s3_bucket", False),
    ("aws-s3-object-key", "aws_s3_object_key", False),
    ("aws-bedrock-model", "aws_bedrock_model", False),
    ("amz-server-side-encryption", "amz_server_side_encryption", False),
    ("amz-server-side-encryption-aws-kms-key-id", "amz_server_side_encryption_aws_kms_key_id", False),
    ("anthropic-beta", "anthropic_beta", True),
    ("anthropic-version", "anthropic_version", True),
)
"""Reference §2.1's bedrock row (S3 and KMS options are read by nothing yet: files and batches
are not served)."""


def base_url(options: Options) -> str:
    return f"https://bedrock-runtime.{region(options)}.amazonaws.com"


def _model(options: Options, fn: str) -> str:
    model = options.get("model")
    if not isinstance(model, str) or not model.strip():
        raise GatewayError("bedrock needs a model (the Bedrock model id, inference profile or ARN)", 400,
                           exception=False)
    if model in (".", ".."):
        raise GatewayError(f"Invalid bedrock model {model!r}", 400, exception=False)
    return without_region(model) if fn == "messagesCountTokens" else model


def _wire_path(path: str) -> str:
    """A client's path spelled as HTTP clients send it (``%3A`` -> ``:``, ``%2F`` kept), so the
    signature covers the path that goes on the wire."""
    return "/".join(quote(unquote(segment), safe=_PCHAR) for segment in path.split("/"))


def build_url(provider: Provider, options: Options, fn: str, base: str, path_params: Mapping[str, str],
              query: str) -> str:
    """``/model/{modelId}/{action}``, the streamed action when ``stream`` is on. The model id is
    percent-encoded (an ARN's ``/`` becomes ``%2F``) except the characters a path segment may hold
    raw (RFC 3986 ``pchar``: ``:`` of versions and ARNs, ``@``, sub-delims). The URL must go on the
    wire exactly as it is signed, and HTTP clients (aiohttp's yarl) turn ``%3A`` back into ``:``
    before sending, which AWS would then sign differently. AWS takes both spellings; Anthropic's
    Bedrock client keeps ``:`` raw too."""
    if fn == "proxy":
        return base + _wire_path(proxy_path(path_params.get("path", ""))) + (f"?{query}" if query else "")
    action, streamed = ACTIONS[fn]
    if options.get("stream") is True and streamed:
        action = streamed
    return f"{base}/model/{quote(_model(options, fn), safe=_PCHAR)}/{action}"


def native(fn: str, model: str | None) -> bool:
    """Messages (and its token count) are native for Claude models only (``InvokeModel`` speaks
    Anthropic's format); any other model reaches ``/v1/messages`` through the hub (Converse)."""
    if fn in ("messages", "messagesCountTokens"):
        return is_claude(model)
    return True
