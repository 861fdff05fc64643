"""How the gateway addresses Cohere's API: the slug, the base URL and the endpoint paths."""

from __future__ import annotations

SLUG = "cohere"

BASE_URL = "https://api.cohere.com"
"""The host Cohere's API reference and official SDKs use today. Upstream Portkey still calls the
older ``api.cohere.ai``, which serves the same API; ``custom_host`` replaces either."""

CHAT_PATH = "/v2/chat"
EMBED_PATH = "/v2/embed"
