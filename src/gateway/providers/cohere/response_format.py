"""OpenAI's response_format as Cohere v2's: both JSON modes are Cohere's ``json_object``, a schema
travelling in its ``json_schema`` field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import obj


def response_format(value: Any) -> dict[str, Any] | None:
    """``json_object`` as is, ``json_schema`` -> ``json_object`` with the schema (OpenAI's ``name``
    and ``strict`` have no Cohere field: Cohere always follows a given schema), ``text`` as is."""
    kind = obj(value).get("type")
    if kind == "text":
        return {"type": "text"}
    if kind not in ("json_object", "json_schema"):
        return None
    out: dict[str, Any] = {"type": "json_object"}
    schema = obj(obj(value).get("json_schema")).get("schema") if kind == "json_schema" else None
    if isinstance(schema, Mapping):
        out["json_schema"] = schema
    return out
