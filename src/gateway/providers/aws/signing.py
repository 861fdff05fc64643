"""SigV4 over the request exactly as it is sent, from the options' access keys: what the bedrock and
sagemaker providers' ``sign`` hooks share (which credentials they take and what they sign)."""

from __future__ import annotations

from ...errors import GatewayError
from ...transform.params import Options
from ..base import SignRequest
from . import sigv4

UNSIGNED = frozenset({"authorization", "user-agent", "expect", "x-amzn-trace-id", "content-length",
                      "transfer-encoding", "connection", "keep-alive", "host", "x-amz-date",
                      "x-amz-content-sha256", "x-amz-security-token"})
"""Headers left out of the signature: set later, hop-by-hop, or added by the signing itself."""


def refuse_assumed_role(options: Options, alternative: str = "") -> None:
    """STS AssumeRole is not done by this gateway: a clear 501 naming what to send instead."""
    if options.get("aws_auth_type") == "assumedRole":
        raise GatewayError("aws_auth_type 'assumedRole' (STS AssumeRole) is not supported by this gateway yet; "
                           f"pass aws_access_key_id/aws_secret_access_key (and aws_session_token){alternative}", 501)


def credentials(options: Options, slug: str, alternative: str = "") -> sigv4.Credentials:
    """The access key pair (and session token) from the options; a 400 naming the options when absent."""
    key_id, secret = options.get("aws_access_key_id"), options.get("aws_secret_access_key")
    if not key_id or not secret:
        raise GatewayError(f"{slug} needs AWS credentials: aws_access_key_id and aws_secret_access_key "
                           f"(x-portkey-aws-access-key-id, x-portkey-aws-secret-access-key){alternative}", 400,
                           exception=False)
    token = options.get("aws_session_token")
    return sigv4.Credentials(str(key_id), str(secret), str(token) if token else None)


def sign(request: SignRequest, creds: sigv4.Credentials, region: str, service: str) -> dict[str, str]:
    """The headers to add: ``host`` as the client will send it (port included), every header the
    gateway sets or passes on, the date, the payload hash and the session token are signed."""
    timestamp = sigv4.amz_date(request.now)
    body_hash = sigv4.payload_hash(request.body)
    added = {"x-amz-date": timestamp, "x-amz-content-sha256": body_hash}
    if creds.session_token:
        added["x-amz-security-token"] = creds.session_token
    signed = [("host", sigv4.host_header(request.url))]
    signed += [(name, value) for name, value in request.headers.items() if name not in UNSIGNED]
    signed += added.items()
    signature = sigv4.sign(request.method, request.url, signed, body_hash, creds, region, service, timestamp)
    return {**added, "authorization": signature.authorization}
