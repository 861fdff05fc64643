"""Google Vertex AI: Gemini, Claude and open models behind one project, region and Google auth
(reference §7.4 "Vertex AI differs", upstream ``providers/google-vertex-ai``).

The model picks the wire format (``models``): Gemini's generateContent (the ``google`` provider's
body translation), Anthropic's Messages API through ``rawPredict`` (the ``anthropic`` provider's,
plus native ``/v1/messages`` and count_tokens for Claude), or OpenAI chat on the
OpenAI-compatible endpoint. Embeddings use Vertex's ``:predict``. Credentials are a Bearer access
token or a service account key exchanged for one (``service_account``), cached in the gateway's
key-value store. Unlike upstream, files, batches, fine-tuning and image generation are not served.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import js_truthy
from ..base import ConfigRule, Provider
from .api import SLUG, base_url, build_url, headers
from .auth import authorize
from .chat import CHAT
from .claude import COUNT_TOKENS, MESSAGES, VERTEX_VERSION
from .embed import EMBED
from .models import CLAUDE, GEMINI, family

__all__ = ["CHAT", "COUNT_TOKENS", "EMBED", "MESSAGES", "PROVIDER", "SLUG", "VERTEX_VERSION", "native"]


CONFIG_MESSAGE = (
    "Invalid configuration. ('vertex_project_id' and 'vertex_region') or"
    " ('vertex_service_account_json' and 'vertex_region') are required for 'vertex-ai'"
    " provider. Example: { 'provider': 'vertex-ai', 'vertex_project_id': 'my-project-id',"
    " 'vertex_region': 'us-central1', api_key: 'ya29...' }"
)
"""Upstream's zod message, word for word (clients match on it)."""


def has_location(config: Mapping[str, Any]) -> bool:
    """vertex_region plus a project id or a service-account JSON (JS truthiness, as upstream)."""
    return js_truthy(config.get("vertex_region")) and (
        js_truthy(config.get("vertex_project_id")) or js_truthy(config.get("vertex_service_account_json")))


def native(fn: str, model: str | None) -> bool:
    """Claude serves ``/v1/messages`` and count_tokens natively; other models reach ``messages``
    through the hub (count_tokens: a local estimate). Only Google's models embed."""
    if fn in ("messages", "messagesCountTokens"):
        return family(model) == CLAUDE
    if fn == "embed":
        return family(model) in (GEMINI, None)
    return True


PROVIDER = Provider(
    slug=SLUG,
    base_url="",
    endpoints={fn: "" for fn in ("chatComplete", "embed", "messages", "messagesCountTokens")},
    params={"messages": MESSAGES, "messagesCountTokens": COUNT_TOKENS},
    headers=headers,
    build_url=build_url,
    dynamic_base=base_url,
    translations={"chatComplete": CHAT, "embed": EMBED},
    authorize=authorize,
    config_rule=ConfigRule(keyless=has_location, required=has_location, message=CONFIG_MESSAGE),
    option_headers=(("vertex-project-id", "vertex_project_id", False), ("vertex-region", "vertex_region", False),
                    ("vertex-service-account-json", "vertex_service_account_json", False),
                    ("anthropic-beta", "anthropic_beta", True), ("anthropic-version", "anthropic_version", False)),
    native=native,
)
