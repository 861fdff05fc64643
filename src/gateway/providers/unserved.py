"""Slugs of upstream's provider list that this gateway does not serve, each with the reason a
client gets in its 501 (and the README's provider table shows). A unit test fails when a slug of
``catalog.VALID_PROVIDERS`` is neither served nor listed here."""

from __future__ import annotations

REASONS: dict[str, str] = {
    "cortex": "upstream lists it but registers no provider for it (its requests fail there too)",
    "palm": "Google decommissioned the PaLM API (generateText, generateMessage, embedText) that upstream "
            "calls; Gemini is served as google",
    "portkey": "the hosted Portkey control plane, not a model provider",
}
