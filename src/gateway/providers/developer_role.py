"""OpenAI's ``developer`` role as ``system``, for OpenAI-shaped servers that predate it (most of the
long tail, Azure AI Foundry's models, Predibase's LoRAX): upstream's open-ai-base rewrites it so."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..transform.params import Options


def developer_as_system(params: Mapping[str, Any], options: Options) -> Any:
    """A ``Param`` transform for ``messages``: each developer message becomes a system message, the
    rest (and a ``messages`` that is not a list) pass unchanged."""
    messages = params.get("messages")
    if not isinstance(messages, list):
        return messages
    return [{**m, "role": "system"} if isinstance(m, dict) and m.get("role") == "developer" else m
            for m in messages]
