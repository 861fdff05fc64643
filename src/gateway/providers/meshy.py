"""Meshy (3D generation): proxy only, as upstream. ``/v1/<path>`` goes to
``https://api.meshy.ai/openapi/v2/<path>`` when the path is a text-to-3d one (Meshy serves it only in
v2) and ``/openapi/v1/<path>`` otherwise (image-to-3d, remesh, retexture, rigging, balance ...).
A ``custom_host`` replaces ``https://api.meshy.ai/openapi``."""

from __future__ import annotations

from collections.abc import Mapping

from ..transform.params import Options
from .base import Provider
from .proxy_path import proxy_path


def _url(provider: Provider, options: Options, fn: str, base: str, path_params: Mapping[str, str],
         query: str) -> str:
    path = proxy_path(path_params.get("path", ""))
    version = "/v2" if "text-to-3d" in path else "/v1"
    return base + version + path + (f"?{query}" if query else "")


PROVIDER = Provider(slug="meshy", base_url="https://api.meshy.ai/openapi", endpoints={}, build_url=_url)
