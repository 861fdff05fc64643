"""Bedrock's credentials: SigV4 over the final request (the default), a Bedrock API key as a
bearer token, and a clear 501 for STS AssumeRole, which this gateway does not do yet."""

from __future__ import annotations

from ...transform.params import Options
from ..aws import signing
from ..aws.options import region
from ..base import SignRequest

SERVICE = "bedrock"
_API_KEY_PREFIXES = ("ABSK", "bedrock-api-key-")
_API_KEY_INSTEAD = "a Bedrock API key with aws_auth_type 'apiKey'"


def uses_api_key(options: Options) -> bool:
    """``aws_auth_type: apiKey``, or no access key at all and an ``api_key`` shaped like a Bedrock
    API key (long-term ``ABSK...``, short-term ``bedrock-api-key-...``)."""
    if options.get("aws_auth_type") == "apiKey":
        return True
    key = options.get("api_key")
    return not options.get("aws_access_key_id") and isinstance(key, str) and key.startswith(_API_KEY_PREFIXES)


def headers(options: Options, fn: str) -> dict[str, str]:
    signing.refuse_assumed_role(options, f" or {_API_KEY_INSTEAD}")
    if uses_api_key(options):
        return {"authorization": f"Bearer {options.get('api_key') or ''}"}
    return {}


def sign(request: SignRequest) -> dict[str, str]:
    """SigV4 over the request exactly as it is sent (none with an API key). Returns the headers to add."""
    options = request.options
    if uses_api_key(options):
        return {}
    creds = signing.credentials(options, "bedrock", f", or {_API_KEY_INSTEAD}")
    return signing.sign(request, creds, region(options), SERVICE)
