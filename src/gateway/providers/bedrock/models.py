"""Bedrock model ids: which family a model belongs to, whatever form the client names it in.

A model can be named by its id (``anthropic.claude-sonnet-4-5-20250929-v1:0``), a cross-region
inference profile (``us.anthropic...``, ``global.anthropic...``), or an ARN (``arn:aws:bedrock:
us-east-1::foundation-model/anthropic...``, ``...:inference-profile/us.anthropic...``). An
application inference profile ARN names no model at all; its family is unknown here (upstream
asks the control plane), so such a model is treated as "not Claude" and goes through Converse,
which serves every family.
"""

from __future__ import annotations

import re

_REGION_PREFIX = re.compile(r"^(us|eu|apac|au|ca|jp|us-gov|global)\.")


def foundation_id(model: str) -> str:
    """The model id without an ARN's prefix or a cross-region profile's region."""
    if model.startswith("arn:"):
        model = model.rsplit("/", 1)[-1]
    return _REGION_PREFIX.sub("", model, count=1)


def family(model: str | None) -> str:
    """``anthropic``, ``amazon``, ``cohere``, ``meta`` ... (the id's first dotted part), or ``""``."""
    if not model:
        return ""
    base = foundation_id(model)
    return base.split(".", 1)[0] if "." in base else ""


def is_claude(model: str | None) -> bool:
    return family(model) == "anthropic"


def without_region(model: str) -> str:
    """Count-tokens takes a foundation model id, not a cross-region profile (upstream strips it too)."""
    return _REGION_PREFIX.sub("", model, count=1)
