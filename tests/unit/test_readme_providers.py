"""The README's provider table is generated from the provider registry, so it cannot drift from
what the gateway serves. After a provider change, regenerate it with:

    PYTHONPATH=src:. .venv/bin/python -m tests.unit.test_readme_providers
"""

from __future__ import annotations

from pathlib import Path

from gateway.formats import client_format
from gateway.providers import get_provider
from gateway.providers.catalog import VALID_PROVIDERS_ORDERED
from gateway.providers.unserved import REASONS

README = Path(__file__).resolve().parents[2] / "README.md"
BEGIN, END = "<!-- provider-table:begin -->", "<!-- provider-table:end -->"
_ENDPOINTS = {
    "chatComplete": "chat", "complete": "completions", "embed": "embeddings", "imageGenerate": "images",
    "imageEdit": "image edits", "createSpeech": "speech", "createTranscription": "transcriptions",
    "createTranslation": "translations", "createModelResponse": "responses", "uploadFile": "files, batches",
    "messages": "messages", "messagesCountTokens": "count_tokens",
}


def _row(slug: str) -> str | None:
    provider = get_provider(slug)
    if provider is None:
        return None
    served = [name for fn, name in _ENDPOINTS.items() if fn in provider.endpoints] or ["`/v1/*` proxy only"]
    translated = [_ENDPOINTS[fn] for fn in provider.translations]
    bodies = f"translated ({', '.join(translated)})" if translated else "passthrough"
    messages_format = client_format("messages")
    assert messages_format is not None
    if "messages" in provider.endpoints and provider.native is not None:
        messages = "native for the models that have it (Claude), else via the hub"
    elif "messages" in provider.endpoints:
        messages = "native"
    elif messages_format.hub_fn in provider.endpoints:
        messages = "via the hub (count_tokens: estimate)"
    else:
        messages = "-"
    return f"| `{slug}` | {', '.join(served)} | {bodies} | {messages} |"


def table() -> str:
    rows = [row for slug in sorted(VALID_PROVIDERS_ORDERED) if (row := _row(slug)) is not None]
    head = ["| provider | endpoints served | bodies | `/v1/messages` |", "|---|---|---|---|"]
    tail = ["", "Not served (each answers 501 with this reason, and a fallback moves past it):", "",
            "| provider | reason |", "|---|---|"]
    tail += [f"| `{slug}` | {REASONS[slug]} |" for slug in sorted(REASONS)]
    return "\n".join(head + rows + tail)


def test_every_upstream_slug_is_served_or_has_a_reason() -> None:
    for slug in VALID_PROVIDERS_ORDERED:
        served = get_provider(slug) is not None
        assert served != (slug in REASONS), f"{slug}: served={served}, listed as not served={slug in REASONS}"
    assert set(REASONS) <= set(VALID_PROVIDERS_ORDERED)


def _section(text: str) -> str:
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip()


def test_readme_provider_table_matches_the_registry() -> None:
    assert _section(README.read_text()) == table(), "regenerate: python -m tests.unit.test_readme_providers"


if __name__ == "__main__":
    text = README.read_text()
    before, _, rest = text.partition(BEGIN)
    _, _, after = rest.partition(END)
    README.write_text(f"{before}{BEGIN}\n{table()}\n{END}{after}")
