"""Slugs of upstream's provider list that this gateway does not serve, each with the reason a
client gets in its 501 (and the README's provider table shows). A unit test fails when a slug of
``catalog.VALID_PROVIDERS`` is neither served nor listed here."""

from __future__ import annotations

_PART_2 = "needs its own translation, which is not built yet"

REASONS: dict[str, str] = {
    "ai21": _PART_2,
    "azure-ai": _PART_2,
    "bedrock": _PART_2,
    "bytez": _PART_2,
    "cortex": "upstream lists it but registers no provider for it (its requests fail there too)",
    "huggingface": _PART_2,
    "meshy": _PART_2,
    "nomic": _PART_2,
    "oracle": _PART_2,
    "palm": _PART_2,
    "portkey": "the hosted Portkey control plane, not a model provider",
    "predibase": _PART_2,
    "qdrant": _PART_2,
    "reka-ai": _PART_2,
    "sagemaker": _PART_2,
    "segmind": _PART_2,
    "stability-ai": _PART_2,
    "triton": _PART_2,
    "workers-ai": _PART_2,
}
