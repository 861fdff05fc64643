"""Provider registry: a slug resolves to its module only on first use (DESIGN rule 5), so a
Worker's cold start pays for the providers a request actually touches.

A provider with code of its own lives in ``providers/<slug with _ for ->`` (a module or a
package exporting ``PROVIDER``); the OpenAI-shaped long tail is one table in ``compatible``.
Adding a provider therefore touches no shared file."""

from __future__ import annotations

import importlib
from functools import cache

from .base import Provider

_NOT_PROVIDERS = frozenset({"base", "catalog", "compatible", "unserved"})


@cache
def get_provider(slug: str) -> Provider | None:
    """The provider for ``slug``, or None when this gateway does not implement it (yet)."""
    name = slug.replace("-", "_")
    if name.isidentifier() and name not in _NOT_PROVIDERS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as missing:
            if missing.name != f"{__name__}.{name}":
                raise  # a provider module that exists but is broken must fail loudly
        else:
            return module.PROVIDER  # type: ignore[no-any-return]
    compatible = importlib.import_module(f"{__name__}.compatible")
    if slug in compatible.TABLE:
        return compatible.build(slug)  # type: ignore[no-any-return]
    return None
