"""How the gateway addresses Cloudflare Workers AI: the account URL and the auth header."""

from __future__ import annotations

import re

from ...errors import GatewayError
from ...transform.params import Options

SLUG = "workers-ai"
OPTION_HEADERS = (("workers-ai-account-id", "workers_ai_account_id", False),)
_ACCOUNT = re.compile(r"[A-Za-z0-9_-]+")


def base(options: Options) -> str:
    """The account's ``/ai`` root: OpenAI's shapes live under ``/v1``, the native models under
    ``/run/{model}``. The id goes into the path, so anything but an id's characters is refused."""
    account = str(options.get("workers_ai_account_id") or "")
    if not _ACCOUNT.fullmatch(account):
        raise GatewayError("workers-ai needs a Cloudflare account id (x-portkey-workers-ai-account-id or "
                           "workers_ai_account_id)", 400, exception=False)
    return f"https://api.cloudflare.com/client/v4/accounts/{account}/ai"
