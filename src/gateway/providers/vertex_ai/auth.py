"""Vertex AI credentials: ``Authorization: Bearer <token>``, where the token is either given (the
provider key: an access token from ``gcloud auth print-access-token``) or obtained from a service
account key (``vertex_service_account_json``), which wins when both are set, as upstream does."""

from __future__ import annotations

from ..base import AuthContext
from .service_account import access_token, parse_service_account


async def authorize(ctx: AuthContext) -> dict[str, str]:
    account = parse_service_account(ctx.options.get("vertex_service_account_json"))
    token = await access_token(account, ctx) if account is not None else ctx.options.get("api_key")
    return {"authorization": f"Bearer {token}"} if token else {}
