"""Qdrant: proxy only, as upstream (no unified endpoint). Every ``/v1/*`` request goes to the
``custom_host`` (the cluster's URL) without its ``/v1`` prefix, e.g. ``POST /v1/collections/c/points/search``
-> ``{custom_host}/collections/c/points/search``, with the key in Qdrant's ``api-key`` header.

Upstream sends ``api-key: Bearer <key>``, which Qdrant does not accept (it compares the header to
the key itself); this sends the key alone, as Qdrant documents."""

from __future__ import annotations

from ..transform.params import Options
from .base import Provider


def _headers(options: Options, fn: str) -> dict[str, str]:
    key = options.get("api_key")
    return {"api-key": str(key)} if key else {}


PROVIDER = Provider(slug="qdrant", base_url="", endpoints={}, headers=_headers)
