"""Amazon SageMaker runtime: proxy only, as upstream. Any ``/v1/*`` request goes on unchanged to
``https://runtime.sagemaker.{region}.amazonaws.com`` with ``/v1`` dropped from its path (so
``POST /v1/endpoints/my-endpoint/invocations`` invokes that endpoint), signed with AWS SigV4 for
the service ``sagemaker`` (Bedrock's signer). The ``x-portkey-amzn-sagemaker-*`` options become
SageMaker's ``X-Amzn-SageMaker-*`` request headers, signed with the rest.
"""

from __future__ import annotations

import re

from ..errors import GatewayError
from ..transform.params import Options
from .aws import sigv4
from .base import Provider, SignRequest

SLUG = "sagemaker"
SERVICE = "sagemaker"
DEFAULT_REGION = "us-east-1"
_REGION = re.compile(r"^[a-z0-9-]{1,40}$")
_SAGEMAKER_HEADERS = ("custom-attributes", "target-model", "target-variant", "target-container-hostname",
                      "inference-id", "enable-explanations", "inference-component", "session-id")
_UNSIGNED = frozenset({"authorization", "user-agent", "expect", "x-amzn-trace-id", "content-length",
                       "transfer-encoding", "connection", "keep-alive", "host", "x-amz-date",
                       "x-amz-content-sha256", "x-amz-security-token"})

OPTION_HEADERS: tuple[tuple[str, str, bool], ...] = (
    ("aws-access-key-id", "aws_access_key_id", False),
    ("aws-secret-access-key", "aws_secret_access_key", False),
    ("aws-session-token", "aws_session_token", False),
    ("aws-region", "aws_region", False),
    ("aws-role-arn", "aws_role_arn", False),
    ("aws-auth-type", "aws_auth_type", False),
    ("aws-external-id", "aws_external_id", False),
    *((f"amzn-sagemaker-{name}", f"amzn_sagemaker_{name.replace('-', '_')}", False)
      for name in (*_SAGEMAKER_HEADERS, "model-name")),
)
"""Reference §2.1's bedrock/sagemaker rows; ``model-name`` is read but, as upstream, not sent."""


def region(options: Options) -> str:
    """The AWS region, checked: it becomes part of a hostname and of the signature's scope."""
    value = str(options.get("aws_region") or DEFAULT_REGION).strip().lower()
    if not _REGION.match(value):
        raise GatewayError(f"Invalid aws_region {value[:60]!r}", 400, exception=False)
    return value


def base_url(options: Options) -> str:
    return f"https://runtime.sagemaker.{region(options)}.amazonaws.com"


def headers(options: Options, fn: str) -> dict[str, str]:
    """The SageMaker headers the options ask for; STS AssumeRole is not done here (501)."""
    if options.get("aws_auth_type") == "assumedRole":
        raise GatewayError("aws_auth_type 'assumedRole' (STS AssumeRole) is not supported by this gateway yet; "
                           "pass aws_access_key_id/aws_secret_access_key (and aws_session_token)", 501)
    out = {}
    for name in _SAGEMAKER_HEADERS:
        value = options.get(f"amzn_sagemaker_{name.replace('-', '_')}")
        if value is not None and value != "":
            out[f"x-amzn-sagemaker-{name}"] = str(value)
    return out


def credentials(options: Options) -> sigv4.Credentials:
    key_id, secret = options.get("aws_access_key_id"), options.get("aws_secret_access_key")
    if not key_id or not secret:
        raise GatewayError("sagemaker needs AWS credentials: aws_access_key_id and aws_secret_access_key "
                           "(x-portkey-aws-access-key-id, x-portkey-aws-secret-access-key)", 400, exception=False)
    token = options.get("aws_session_token")
    return sigv4.Credentials(str(key_id), str(secret), str(token) if token else None)


def sign(request: SignRequest) -> dict[str, str]:
    """SigV4 over the request as sent: the ``host`` the client will send, every header the gateway
    sets or passes on (SageMaker's own included), the date, the payload hash and the session token."""
    creds = credentials(request.options)
    timestamp = sigv4.amz_date(request.now)
    body_hash = sigv4.payload_hash(request.body)
    added = {"x-amz-date": timestamp, "x-amz-content-sha256": body_hash}
    if creds.session_token:
        added["x-amz-security-token"] = creds.session_token
    signed = [("host", sigv4.host_header(request.url))]
    signed += [(name, value) for name, value in request.headers.items() if name not in _UNSIGNED]
    signed += added.items()
    signature = sigv4.sign(request.method, request.url, signed, body_hash, creds, region(request.options), SERVICE,
                           timestamp)
    return {**added, "authorization": signature.authorization}


PROVIDER = Provider(
    slug=SLUG,
    base_url="",
    endpoints={},
    headers=headers,
    dynamic_base=base_url,
    sign=sign,
    option_headers=OPTION_HEADERS,
)
