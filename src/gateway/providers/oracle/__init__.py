"""OCI Generative AI (``oracle``): OpenAI chat (the hub) <-> ``POST /{version}/actions/chat`` with
the GENERIC API format, every request signed with the user's RSA key (OCI HTTP signatures).

Options (config keys, or ``x-portkey-oracle-*`` headers): ``oracle_region``,
``oracle_compartment_id`` (the tenancy when absent: its root compartment), ``oracle_serving_mode``
(``ON_DEMAND`` default, or ``DEDICATED`` with the endpoint OCID as the model), ``oracle_tenancy``,
``oracle_user``, ``oracle_fingerprint``, ``oracle_private_key`` (PEM, unencrypted; ``\\n`` escapes
accepted), ``oracle_api_version`` (``20231130``).

Beyond upstream: assistant tool calls and tool results' ids reach OCI, tool calls and usage come
back (in streams too), ``response_format`` and ``reasoning_effort`` are mapped.
"""

from __future__ import annotations

from ..base import Provider, Translation
from .api import OPTION_HEADERS, SLUG, base_url, build_url
from .chat import chat_request, chat_response
from .chat_stream import ChatStream
from .errors import error_response
from .signing import sign

__all__ = ["CHAT", "PROVIDER", "SLUG", "ChatStream", "chat_request", "chat_response", "error_response", "sign"]

CHAT = Translation(request=chat_request, response=chat_response, error=error_response, stream=ChatStream)


def _no_headers(options: object, fn: str) -> dict[str, str]:
    """OCI's auth is the signature (``sign``), added last over the final request."""
    return {}


PROVIDER = Provider(
    slug=SLUG,
    base_url="",
    endpoints={"chatComplete": "/{oracle_api_version}/actions/chat"},
    headers=_no_headers,
    build_url=build_url,
    dynamic_base=base_url,
    sign=sign,
    translations={"chatComplete": CHAT},
    option_headers=OPTION_HEADERS,
)
