"""Amazon SageMaker runtime: proxy only, as upstream. Any ``/v1/*`` request goes on unchanged to
``https://runtime.sagemaker.{region}.amazonaws.com`` with ``/v1`` dropped from its path (so
``POST /v1/endpoints/my-endpoint/invocations`` invokes that endpoint), signed with AWS SigV4 for
the service ``sagemaker`` (the signer it shares with Bedrock, ``aws.signing``). The
``x-portkey-amzn-sagemaker-*`` options become SageMaker's ``X-Amzn-SageMaker-*`` request headers,
signed with the rest.
"""

from __future__ import annotations

from ..transform.params import Options
from .aws import options as aws_options
from .aws import signing
from .aws.options import region
from .base import Provider, SignRequest

SLUG = "sagemaker"
SERVICE = "sagemaker"
_SAGEMAKER_HEADERS = ("custom-attributes", "target-model", "target-variant", "target-container-hostname",
                      "inference-id", "enable-explanations", "inference-component", "session-id")

OPTION_HEADERS: tuple[tuple[str, str, bool], ...] = (
    *aws_options.OPTION_HEADERS,
    *((f"amzn-sagemaker-{name}", f"amzn_sagemaker_{name.replace('-', '_')}", False)
      for name in (*_SAGEMAKER_HEADERS, "model-name")),
)
"""Reference §2.1's bedrock/sagemaker rows; ``model-name`` is read but, as upstream, not sent."""


def base_url(options: Options) -> str:
    return f"https://runtime.sagemaker.{region(options)}.amazonaws.com"


def headers(options: Options, fn: str) -> dict[str, str]:
    """The SageMaker headers the options ask for; STS AssumeRole is not done here (501)."""
    signing.refuse_assumed_role(options)
    out = {}
    for name in _SAGEMAKER_HEADERS:
        value = options.get(f"amzn_sagemaker_{name.replace('-', '_')}")
        if value is not None and value != "":
            out[f"x-amzn-sagemaker-{name}"] = str(value)
    return out


def sign(request: SignRequest) -> dict[str, str]:
    """SigV4 over the request as sent, SageMaker's own headers included."""
    creds = signing.credentials(request.options, SLUG)
    return signing.sign(request, creds, region(request.options), SERVICE)


PROVIDER = Provider(
    slug=SLUG,
    base_url="",
    endpoints={},
    headers=headers,
    dynamic_base=base_url,
    sign=sign,
    option_headers=OPTION_HEADERS,
)
