"""How the gateway addresses OCI Generative AI: the region's inference host, the API version in
the path, and the header-mode option headers (reference §2.1's oracle row)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ...errors import GatewayError
from ...transform.params import Options
from ..proxy_path import proxy_url

if TYPE_CHECKING:
    from ..base import Provider

SLUG = "oracle"
DEFAULT_API_VERSION = "20231130"
_TOKEN = re.compile(r"^[A-Za-z0-9-]{1,40}$")

OPTION_HEADERS: tuple[tuple[str, str, bool], ...] = tuple(
    (f"oracle-{name}", f"oracle_{name.replace('-', '_')}", False)
    for name in ("api-version", "region", "compartment-id", "serving-mode", "tenancy", "user", "fingerprint",
                 "private-key", "key-passphrase"))


def _checked(options: Options, option: str, default: str | None = None) -> str:
    """A value that becomes part of a hostname or a path, so it must be a plain token."""
    value = str(options.get(option) or default or "").strip()
    if not _TOKEN.match(value):
        shown = f" {value[:60]!r}" if value else ""
        raise GatewayError(f"{SLUG} needs a valid {option}{shown} (x-portkey-{option.replace('_', '-')})", 400,
                           exception=False)
    return value


def base_url(options: Options) -> str:
    return f"https://inference.generativeai.{_checked(options, 'oracle_region').lower()}.oci.oraclecloud.com"


def build_url(provider: Provider, options: Options, fn: str, base: str, path_params: Mapping[str, str],
              query: str) -> str:
    """Chat is ``/{oracle_api_version}/actions/chat``; a proxied call keeps its own path and query."""
    if fn == "proxy":
        return proxy_url(base, path_params, query)
    return f"{base}/{_checked(options, 'oracle_api_version', DEFAULT_API_VERSION)}/actions/chat"
