"""The options every AWS provider reads: region and credentials, with their header-mode names."""

from __future__ import annotations

import re

from ...errors import GatewayError
from ...transform.params import Options

DEFAULT_REGION = "us-east-1"
_REGION = re.compile(r"^[a-z0-9-]{1,40}$")

OPTION_HEADERS: tuple[tuple[str, str, bool], ...] = (
    ("aws-access-key-id", "aws_access_key_id", False),
    ("aws-secret-access-key", "aws_secret_access_key", False),
    ("aws-session-token", "aws_session_token", False),
    ("aws-region", "aws_region", False),
    ("aws-role-arn", "aws_role_arn", False),
    ("aws-auth-type", "aws_auth_type", False),
    ("aws-external-id", "aws_external_id", False),
)
"""Reference §2.1's AWS rows, common to the bedrock and sagemaker providers."""


def region(options: Options) -> str:
    """The AWS region, checked: it becomes part of a hostname and of the signature's scope."""
    value = str(options.get("aws_region") or DEFAULT_REGION).strip().lower()
    if not _REGION.match(value):
        raise GatewayError(f"Invalid aws_region {value[:60]!r}", 400, exception=False)
    return value
