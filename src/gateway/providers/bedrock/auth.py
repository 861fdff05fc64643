"""Bedrock's credentials: SigV4 over the final request (the default), a Bedrock API key as a
bearer token, and a clear 501 for STS AssumeRole, which this gateway does not do yet."""

from __future__ import annotations

from ...errors import GatewayError
from ...transform.params import Options
from ..aws import sigv4
from ..base import SignRequest
from .api import region

SERVICE = "bedrock"
_API_KEY_PREFIXES = ("ABSK", "bedrock-api-key-")
_UNSIGNED = frozenset({"authorization", "user-agent", "expect", "x-amzn-trace-id", "content-length",
                       "transfer-encoding", "connection", "keep-alive", "host", "x-amz-date",
                       "x-amz-content-sha256", "x-amz-security-token"})


def uses_api_key(options: Options) -> bool:
    """``aws_auth_type: apiKey``, or no access key at all and an ``api_key`` shaped like a Bedrock
    API key (long-term ``ABSK...``, short-term ``bedrock-api-key-...``)."""
    if options.get("aws_auth_type") == "apiKey":
        return True
    key = options.get("api_key")
    return not options.get("aws_access_key_id") and isinstance(key, str) and key.startswith(_API_KEY_PREFIXES)


def headers(options: Options, fn: str) -> dict[str, str]:
    if options.get("aws_auth_type") == "assumedRole":
        raise GatewayError("aws_auth_type 'assumedRole' (STS AssumeRole) is not supported by this gateway yet; "
                           "pass aws_access_key_id/aws_secret_access_key (and aws_session_token) or a Bedrock "
                           "API key with aws_auth_type 'apiKey'", 501)
    if uses_api_key(options):
        return {"authorization": f"Bearer {options.get('api_key') or ''}"}
    return {}


def credentials(options: Options) -> sigv4.Credentials:
    key_id, secret = options.get("aws_access_key_id"), options.get("aws_secret_access_key")
    if not key_id or not secret:
        raise GatewayError("bedrock needs AWS credentials: aws_access_key_id and aws_secret_access_key "
                           "(x-portkey-aws-access-key-id, x-portkey-aws-secret-access-key), or a Bedrock API "
                           "key with aws_auth_type 'apiKey'", 400, exception=False)
    token = options.get("aws_session_token")
    return sigv4.Credentials(str(key_id), str(secret), str(token) if token else None)


def sign(request: SignRequest) -> dict[str, str]:
    """SigV4 over the request exactly as it is sent: ``host`` as the client will send it (port
    included), every header the gateway sets (content-type ...), the date, the payload hash and
    the session token. Returns the headers to add."""
    options = request.options
    if uses_api_key(options):
        return {}
    creds = credentials(options)
    timestamp = sigv4.amz_date(request.now)
    body_hash = sigv4.payload_hash(request.body)
    added = {"x-amz-date": timestamp, "x-amz-content-sha256": body_hash}
    if creds.session_token:
        added["x-amz-security-token"] = creds.session_token
    signed = [("host", sigv4.host_header(request.url))]
    signed += [(name, value) for name, value in request.headers.items() if name not in _UNSIGNED]
    signed += added.items()
    signature = sigv4.sign(request.method, request.url, signed, body_hash, creds, region(options), SERVICE,
                           timestamp)
    return {**added, "authorization": signature.authorization}
