"""Provider registry: a slug resolves to its module only on first use (DESIGN rule 5), so a
Worker's cold start pays for the providers a request actually touches."""

from __future__ import annotations

import importlib
from functools import cache

from .base import Provider

_MODULES = {"openai": "openai", "azure-openai": "azure_openai", "anthropic": "anthropic"}


@cache
def get_provider(slug: str) -> Provider | None:
    """The provider for ``slug``, or None when this gateway does not implement it (yet)."""
    module = _MODULES.get(slug)
    if module is not None:
        return importlib.import_module(f"{__name__}.{module}").PROVIDER  # type: ignore[no-any-return]
    compatible = importlib.import_module(f"{__name__}.compatible")
    if slug in compatible.TABLE:
        return compatible.build(slug)  # type: ignore[no-any-return]
    return None
